/* XXH64 (for splits, buckets and fingerprints) and SHA-256 (for artifacts). */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#define P1 11400714785074694791ULL
#define P2 14029467366897019727ULL
#define P3 1609587929392839161ULL
#define P4 9650029242287828579ULL
#define P5 2870177450012600261ULL

static inline uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t rd64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v; /* little-endian hosts only (x86-64, arm64) */
}

static inline uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline uint64_t round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	acc = rotl64(acc, 31);
	return acc * P1;
}

static inline uint64_t merge64(uint64_t acc, uint64_t v)
{
	acc ^= round64(0, v);
	return acc * P1 + P4;
}

static inline uint64_t xxh64_tail(uint64_t h, const uint8_t *p, const uint8_t *end)
{
	while (p + 8 <= end) {
		h ^= round64(0, rd64(p));
		h = rotl64(h, 27) * P1 + P4;
		p += 8;
	}
	if (p + 4 <= end) {
		h ^= (uint64_t)rd32(p) * P1;
		h = rotl64(h, 23) * P2 + P3;
		p += 4;
	}
	while (p < end) {
		h ^= (*p) * P5;
		h = rotl64(h, 11) * P1;
		p++;
	}
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	h ^= h >> 32;
	return h;
}

/* The four lanes of XXH64, their start, one 32-byte stripe, and how they
 * merge into one value: shared by the one-shot and the streaming forms. */
static inline void xxh64_lanes_init(uint64_t v[4], uint64_t seed)
{
	v[0] = seed + P1 + P2;
	v[1] = seed + P2;
	v[2] = seed;
	v[3] = seed - P1;
}

static inline void xxh64_stripe(uint64_t v[4], const uint8_t *p)
{
	v[0] = round64(v[0], rd64(p));
	v[1] = round64(v[1], rd64(p + 8));
	v[2] = round64(v[2], rd64(p + 16));
	v[3] = round64(v[3], rd64(p + 24));
}

static inline uint64_t xxh64_converge(const uint64_t v[4])
{
	uint64_t h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);
	for (int i = 0; i < 4; i++)
		h = merge64(h, v[i]);
	return h;
}

uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data, *end = p + len;
	uint64_t h;
	if (len >= 32) {
		uint64_t v[4];
		xxh64_lanes_init(v, seed);
		const uint8_t *limit = end - 32;
		do {
			xxh64_stripe(v, p);
			p += 32;
		} while (p <= limit);
		h = xxh64_converge(v);
	} else {
		h = seed + P5;
	}
	h += (uint64_t)len;
	return xxh64_tail(h, p, end);
}

/* ---- the same hash over data that arrives in pieces ------------------ */

void hash64_init(struct hash64_state *st, uint64_t seed)
{
	memset(st, 0, sizeof *st);
	st->seed = seed;
	xxh64_lanes_init(st->v, seed);
}

void hash64_update(struct hash64_state *st, const void *data, size_t len)
{
	const uint8_t *p = data, *end = p + len;
	st->total += len;
	if (st->nmem + len < 32) {
		memcpy(st->mem + st->nmem, p, len);
		st->nmem += (unsigned)len;
		return;
	}
	if (st->nmem) {
		size_t k = 32 - st->nmem;
		memcpy(st->mem + st->nmem, p, k);
		xxh64_stripe(st->v, st->mem);
		p += k;
		st->nmem = 0;
	}
	uint64_t v[4] = {st->v[0], st->v[1], st->v[2], st->v[3]};
	while (p + 32 <= end) {
		xxh64_stripe(v, p);
		p += 32;
	}
	memcpy(st->v, v, sizeof v);
	memcpy(st->mem, p, (size_t)(end - p));
	st->nmem = (unsigned)(end - p);
}

uint64_t hash64_digest(const struct hash64_state *st)
{
	uint64_t h = st->total >= 32 ? xxh64_converge(st->v) : st->seed + P5;
	h += st->total;
	return xxh64_tail(h, st->mem, st->mem + st->nmem);
}

#define FP_BLOCK HASH64_PAR_BLOCK
/* the seed of a range that fits in one block */
#define FP_SEED 0x70726f646d6cULL

size_t hash64_par_blocks(size_t len)
{
	size_t n = (len + FP_BLOCK - 1) / FP_BLOCK;
	return n ? n : 1;
}

uint64_t hash64_par_seed(size_t len)
{
	return hash64_par_blocks(len) <= 1 ? FP_SEED : 0;
}

uint64_t hash64_par_join(const uint64_t *blocks, size_t len)
{
	size_t n = hash64_par_blocks(len);
	return n <= 1 ? blocks[0] : hash64(blocks, n * sizeof *blocks, (uint64_t)len);
}

struct fp_ctx {
	const uint8_t *data;
	size_t len;
	uint64_t seed;
	uint64_t *out;
};

static void fp_block(void *ctx, size_t i)
{
	struct fp_ctx *c = ctx;
	size_t off = i * FP_BLOCK;
	size_t n = c->len - off < FP_BLOCK ? c->len - off : FP_BLOCK;
	c->out[i] = hash64(c->data + off, n, c->seed);
}

uint64_t hash64_parallel(const void *data, size_t len, int threads)
{
	size_t nblocks = hash64_par_blocks(len);
	struct fp_ctx c = {data, len, hash64_par_seed(len), xmalloc(nblocks * sizeof(uint64_t))};
	par_for(nblocks, threads, fp_block, &c);
	uint64_t h = hash64_par_join(c.out, len);
	free(c.out);
	return h;
}

void hash64_blocks_init(struct hash64_blocks *b, size_t total_len)
{
	memset(b, 0, sizeof *b);
	b->total = total_len;
	b->nblocks = (total_len + FP_BLOCK - 1) / FP_BLOCK;
	if (b->nblocks > 1)
		b->out = xmalloc(b->nblocks * sizeof *b->out);
	hash64_init(&b->cur, b->nblocks <= 1 ? FP_SEED : 0);
}

void hash64_blocks_update(struct hash64_blocks *b, const void *data, size_t len)
{
	const uint8_t *p = data;
	while (len) {
		size_t room = b->nblocks <= 1 ? len : FP_BLOCK - b->fill;
		size_t k = len < room ? len : room;
		hash64_update(&b->cur, p, k);
		b->fill += k;
		p += k;
		len -= k;
		if (b->nblocks > 1 && b->fill == FP_BLOCK) {
			if (b->k < b->nblocks)
				b->out[b->k] = hash64_digest(&b->cur);
			b->k++;
			b->fill = 0;
			hash64_init(&b->cur, 0);
		}
	}
}

uint64_t hash64_blocks_final(struct hash64_blocks *b)
{
	uint64_t h;
	if (b->nblocks <= 1) {
		h = hash64_digest(&b->cur);
	} else {
		if (b->fill && b->k < b->nblocks)
			b->out[b->k] = hash64_digest(&b->cur);
		h = hash64(b->out, b->nblocks * sizeof(uint64_t), (uint64_t)b->total);
	}
	free(b->out);
	b->out = NULL;
	return h;
}

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------- */
static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t S1 = ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = hh + S1 + ch + K[i] + w[i];
		uint32_t S0 = ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22);
		uint32_t mj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = S0 + mj;
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

#if defined(__x86_64__)
/* The SHA extensions (SHA-NI) do four rounds per instruction pair: several
 * times the portable code, which matters when every artifact is hashed. */
static bool cpu_has_sha(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	bool sha = b & (1u << 29);
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return false;
	bool ssse3 = c & (1u << 9), sse41 = c & (1u << 19);
	return sha && ssse3 && sse41;
}

__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_ni(uint32_t h[8],
									 const uint8_t *p,
									 size_t nblocks)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i tmp = _mm_loadu_si128((const __m128i *)&h[0]);
	__m128i st1 = _mm_loadu_si128((const __m128i *)&h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);       /* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);       /* EFGH */
	__m128i st0 = _mm_alignr_epi8(tmp, st1, 8); /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);    /* CDGH */
	while (nblocks--) {
		__m128i abef = st0, cdgh = st1, w[16];
		for (int i = 0; i < 4; i++)
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), mask);
		for (int i = 4; i < 16; i++)
			w[i] = _mm_sha256msg2_epu32(
				_mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
					      _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
				w[i - 1]);
		for (int i = 0; i < 16; i++) {
			__m128i m = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *)&K[4 * i]));
			st1 = _mm_sha256rnds2_epu32(st1, st0, m);
			m = _mm_shuffle_epi32(m, 0x0E);
			st0 = _mm_sha256rnds2_epu32(st0, st1, m);
		}
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
		p += 64;
	}
	tmp = _mm_shuffle_epi32(st0, 0x1B);       /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);       /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);    /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);       /* ABEF */
	_mm_storeu_si128((__m128i *)&h[0], st0);
	_mm_storeu_si128((__m128i *)&h[4], st1);
}
#endif

static void sha256_blocks(struct sha256 *c, const uint8_t *p, size_t nblocks)
{
#if defined(__x86_64__)
	if (c->ni) {
		sha256_blocks_ni(c->h, p, nblocks);
		return;
	}
#endif
	for (size_t i = 0; i < nblocks; i++)
		sha256_block(c->h, p + 64 * i);
}

void sha256_portable(struct sha256 *c)
{
	c->ni = false;
}

void sha256_init(struct sha256 *c)
{
	static const uint32_t init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, init, sizeof init);
	c->len = 0;
	c->nbuf = 0;
#if defined(__x86_64__)
	c->ni = cpu_has_sha();
#else
	c->ni = false;
#endif
}

void sha256_update(struct sha256 *c, const void *data, size_t len)
{
	const uint8_t *p = data;
	c->len += len;
	if (c->nbuf) {
		size_t take = 64 - c->nbuf < len ? 64 - c->nbuf : len;
		memcpy(c->buf + c->nbuf, p, take);
		c->nbuf += take;
		p += take;
		len -= take;
		if (c->nbuf == 64) {
			sha256_blocks(c, c->buf, 1);
			c->nbuf = 0;
		}
	}
	if (len >= 64) {
		sha256_blocks(c, p, len / 64);
		p += len / 64 * 64;
		len %= 64;
	}
	if (len) {
		memcpy(c->buf, p, len);
		c->nbuf = len;
	}
}

void sha256_final(struct sha256 *c, uint8_t out[32])
{
	uint64_t bits = c->len * 8;
	uint8_t pad = 0x80;
	sha256_update(c, &pad, 1);
	uint8_t zero = 0;
	while (c->nbuf != 56)
		sha256_update(c, &zero, 1);
	uint8_t lenb[8];
	for (int i = 0; i < 8; i++)
		lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_update(c, lenb, 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
}

void sha256_hex(const uint8_t d[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = 0;
}

int sha256_file(const char *path, char hex[65], struct pm_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pm_errf(err, "%s: %s", path, strerror(errno));
	struct sha256 c;
	sha256_init(&c);
	uint8_t *buf = xmalloc(1 << 20);
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 20);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return pm_errf(err, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		sha256_update(&c, buf, (size_t)r);
	}
	free(buf);
	close(fd);
	uint8_t d[32];
	sha256_final(&c, d);
	sha256_hex(d, hex);
	return 0;
}
