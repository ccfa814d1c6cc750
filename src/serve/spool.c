/* The request log's spool.  A server appends the requests it logs to files
 * of its own, <workspace>/spool/<pid>-<start>@<host>/NNNNNNNN.spool, in one write
 * per round: cheap, and never blocked by the database.  spool_move then
 * inserts them into the table requests, each transaction recording in
 * spool_progress how far it got, so a record is never inserted twice.
 * The directory's file "lock" is held (flock) for the server's life: a
 * spool whose lock is free was left by a server that is gone (killed,
 * crashed), and spool_recover moves what it left.  The directory names
 * the host too (PID-TIME@HOST): hosts that share a workspace's directory
 * each recover their own servers' spools.
 *
 * A segment: "PMSPOOL1", u32 length of the model name, the name, i64 server
 * id (0: none); then records: u32 RECORD_MAGIC, u32 body length, u64 XXH64
 * of the body, and the body: i64 time_us, version, latency_us; i32 status;
 * u32 0; u64 rows, lookup_hits; u32 lengths of api, features, prediction
 * and error (NO_TEXT: NULL), then their bytes.  Numbers are in the byte
 * order of the machine that wrote them (a spool is read where it was
 * written).  A record cut short by a kill, or damaged, ends what is read of
 * its segment. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SEGMENT_MAGIC "PMSPOOL1"
#define RECORD_MAGIC 0x31305152u /* "RQ01" */
#define NO_TEXT 0xffffffffu
#define SEGMENT_BYTES (64u << 20)   /* a new segment past this size */
#define RECORD_MAX (256u << 20)     /* a longer record is damage */
#define HEAD_MAX 4096
#define REC_HEAD 16                 /* magic, length, hash */
#define REC_FIXED 64                /* the body before the texts' bytes */
#define READ_CHUNK (1u << 20)

struct spool_reader {
	char *dir, *name;
	uint32_t seg;
	int fd;
	char *model;
	int64_t server;
	char *buf;        /* bytes of the segment from pos.off on */
	size_t have, cap;
};

struct spool {
	char *dir, *name;
	int lock_fd;
	int fd;           /* the segment being written */
	struct spool_pos w;
	char *model;
	int64_t server;
	struct sbuf out;
	struct spool_reader rd;
};

static char *segment_path(const char *dir, uint32_t seg)
{
	return xasprintf("%s/%08u.spool", dir, seg);
}

/* ---- writing ------------------------------------------------------------------------------ */

static void put32(struct sbuf *b, uint32_t v)
{
	sbuf_add(b, (const char *)&v, 4);
}

static void put64(struct sbuf *b, uint64_t v)
{
	sbuf_add(b, (const char *)&v, 8);
}

static int open_segment(struct spool *s, uint32_t seg, struct pm_err *err)
{
	char *path = segment_path(s->dir, seg);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		pm_errf(err, "request log spool %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	struct sbuf h = {0};
	sbuf_add(&h, SEGMENT_MAGIC, 8);
	put32(&h, (uint32_t)strlen(s->model));
	sbuf_puts(&h, s->model);
	put64(&h, (uint64_t)s->server);
	if (fs_write_fd(fd, h.s, h.len) < 0) {
		pm_errf(err, "request log spool %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		free(path);
		sbuf_free(&h);
		return -1;
	}
	free(path);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = fd;
	s->w.seg = seg;
	s->w.off = h.len;
	sbuf_free(&h);
	return 0;
}

/* This host's name as a spool directory names it: a workspace's
 * directory may be mounted by several hosts, and a spool is recovered only
 * where its server ran (its lock and pid mean something only there). */
static void spool_host(char *buf, size_t n)
{
	proc_host_name(buf, n);
	for (char *p = buf; *p; p++)
		if (*p == '/' || *p == '@' || (unsigned char)*p <= ' ')
			*p = '_';
}

/* Whether the spool directory `name` ("PID-TIME@HOST"; before hosts were
 * named, "PID-TIME") belongs to this host. */
static bool spool_here(const char *name)
{
	const char *at = strchr(name, '@');
	if (!at)
		return true;
	char host[256];
	spool_host(host, sizeof host);
	return strcmp(at + 1, host) == 0;
}

int spool_open(const char *ws_dir, const char *model, int64_t server_id, struct spool **out,
	       struct pm_err *err)
{
	char *root = path_join(ws_dir, "spool");
	if (fs_mkdir_p(root, err) < 0) {
		free(root);
		return pm_err_prefix(err, "request log spool");
	}
	/* made under a hidden name, locked, then renamed: spool_recover never
	 * sees the directory of a live server unlocked */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char host[256];
	spool_host(host, sizeof host);
	char *name = xasprintf("%ld-%lld%06ld@%s", (long)getpid(), (long long)now.tv_sec,
			       now.tv_nsec / 1000, host);
	char *tmp = xasprintf("%s/.new-%s", root, name);
	char *dir = xasprintf("%s/%s", root, name);
	char *lock = xasprintf("%s/lock", tmp);
	free(root);
	int lock_fd = -1;
	if (mkdir(tmp, 0755) < 0 ||
	    (lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 ||
	    flock(lock_fd, LOCK_EX) < 0 || rename(tmp, dir) < 0) {
		pm_errf(err, "request log spool %s: %s", tmp, strerror(errno));
		if (lock_fd >= 0)
			close(lock_fd);
		unlink(lock);
		rmdir(tmp);
		free(name);
		free(tmp);
		free(dir);
		free(lock);
		return -1;
	}
	free(tmp);
	free(lock);
	struct spool *s = xcalloc(1, sizeof *s);
	s->dir = dir;
	s->name = name;
	s->lock_fd = lock_fd;
	s->fd = -1;
	s->model = xstrdup(model);
	s->server = server_id;
	s->rd.fd = -1;
	s->rd.dir = s->dir;
	s->rd.name = s->name;
	if (open_segment(s, 1, err) < 0) {
		spool_close(s, NULL);
		return -1;
	}
	*out = s;
	return 0;
}

static void put_text(struct sbuf *b, const char *t)
{
	put32(b, t ? (uint32_t)strlen(t) : NO_TEXT);
}

static void encode(struct sbuf *b, const struct reqlog_rec *r)
{
	size_t start = b->len;
	put32(b, RECORD_MAGIC);
	put32(b, 0);
	put64(b, 0);
	size_t body = b->len;
	put64(b, (uint64_t)r->time_us);
	put64(b, (uint64_t)r->version);
	put64(b, (uint64_t)r->latency_us);
	put32(b, (uint32_t)r->status);
	put32(b, 0);
	put64(b, r->rows);
	put64(b, r->lookup_hits);
	const char *t[4] = {r->api, r->features, r->prediction, r->error};
	for (int i = 0; i < 4; i++)
		put_text(b, t[i]);
	for (int i = 0; i < 4; i++)
		if (t[i])
			sbuf_puts(b, t[i]);
	uint32_t len = (uint32_t)(b->len - body);
	uint64_t h = hash64(b->s + body, len, 0);
	memcpy(b->s + start + 4, &len, 4);
	memcpy(b->s + start + 8, &h, 8);
}

static int append_out(struct spool *s, const struct reqlog_rec *recs, size_t n,
		      struct spool_pos *end, struct pm_err *err)
{
	s->out.len = 0;
	for (size_t i = 0; i < n; i++)
		encode(&s->out, &recs[i]);
	if (s->w.off + s->out.len > SEGMENT_BYTES && open_segment(s, s->w.seg + 1, err) < 0)
		return -1;
	if (fs_write_fd(s->fd, s->out.s, s->out.len) < 0) {
		int e = errno;
		/* a partial write would leave half a record before the next ones */
		if (ftruncate(s->fd, (off_t)s->w.off) < 0)
			return pm_errf(err, "request log spool %s/%08u.spool: %s; cannot cut back: %s",
				       s->dir, s->w.seg, strerror(e), strerror(errno));
		return pm_errf(err, "request log spool %s/%08u.spool: %s", s->dir, s->w.seg,
			       strerror(e));
	}
	s->w.off += s->out.len;
	*end = s->w;
	return 0;
}

int spool_append(struct spool *s, const struct reqlog_rec *recs, size_t n, struct spool_pos *end,
		 struct pm_err *err)
{
	int rc = append_out(s, recs, n, end, err);
	/* nor one grown for a batch of large records */
	if (s->out.cap > READ_CHUNK)
		sbuf_free(&s->out);
	return rc;
}

struct spool_pos spool_start(const struct spool *s)
{
	(void)s;
	return (struct spool_pos){1, 0};
}

/* ---- reading and moving into the table ------------------------------------------------------ */

static void reader_drop(struct spool_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->seg = 0;
	r->have = 0;
	free(r->model);
	r->model = NULL;
}

static uint32_t get32(const char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* pread of up to n bytes at off (fewer at the end of the file). */
static int read_at(int fd, char *buf, size_t n, uint64_t off, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t k = pread(fd, buf + *got, n - *got, (off_t)(off + *got));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			break;
		*got += (size_t)k;
	}
	return 0;
}

/* Whether the servers table has the server's row: a request logged by a
 * server whose row is gone is kept without one. */
static int server_known(struct workspace *ws, int64_t id, bool *known, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT 1 FROM servers WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	int rc = db_step(st);
	db_finalize(st);
	*known = rc == DB_ROW;
	return rc == DB_ROW || rc == DB_DONE ? 0 : pm_errf(err, "request log: %s",
								    ws_errmsg(ws));
}

/* Opens segment seg for reading at *off (0: after its header). */
static int reader_open(struct spool_reader *r, struct workspace *ws, uint32_t seg, uint64_t *off,
		       struct pm_err *err)
{
	reader_drop(r);
	char *path = segment_path(r->dir, seg);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	char head[HEAD_MAX];
	size_t got = 0;
	if (r->fd < 0 || read_at(r->fd, head, sizeof head, 0, &got) < 0) {
		pm_errf(err, "request log spool %s: %s", path, strerror(errno));
		free(path);
		reader_drop(r);
		return -1;
	}
	uint32_t mlen = got >= 12 ? get32(head + 8) : 0;
	if (got < 12 || memcmp(head, SEGMENT_MAGIC, 8) != 0 || mlen > HEAD_MAX - 20 ||
	    got < 20 + (size_t)mlen) {
		pm_errf(err, "request log spool %s: not a spool segment", path);
		free(path);
		reader_drop(r);
		return -1;
	}
	free(path);
	r->model = xstrndup(head + 12, mlen);
	r->server = (int64_t)get64(head + 12 + mlen);
	bool known = true;
	if (r->server && server_known(ws, r->server, &known, err) < 0) {
		reader_drop(r);
		return -1;
	}
	if (!known)
		r->server = 0;
	r->seg = seg;
	if (*off < 20 + (uint64_t)mlen)
		*off = 20 + (uint64_t)mlen;
	return 0;
}

struct srec {
	int64_t time_us, version, latency_us;
	int status;
	uint64_t rows, hits;
	const char *text[4];
	uint32_t len[4];
};

/* The record at p: its size, 0 when it is not all in the n bytes, -1 when
 * it is damaged. */
static int64_t parse_record(const char *p, size_t n, struct srec *r)
{
	if (n < REC_HEAD)
		return 0;
	uint32_t len = get32(p + 4);
	if (get32(p) != RECORD_MAGIC || len < REC_FIXED || len > RECORD_MAX)
		return -1;
	if (n < REC_HEAD + (size_t)len)
		return 0;
	const char *b = p + REC_HEAD;
	if (hash64(b, len, 0) != get64(p + 8))
		return -1;
	r->time_us = (int64_t)get64(b);
	r->version = (int64_t)get64(b + 8);
	r->latency_us = (int64_t)get64(b + 16);
	r->status = (int)get32(b + 24);
	r->rows = get64(b + 32);
	r->hits = get64(b + 40);
	size_t at = REC_FIXED;
	for (int i = 0; i < 4; i++) {
		r->len[i] = get32(b + 48 + 4 * i);
		if (r->len[i] == NO_TEXT) {
			r->text[i] = NULL;
			continue;
		}
		if (r->len[i] > len - at)
			return -1;
		r->text[i] = b + at;
		at += r->len[i];
	}
	return at == len ? (int64_t)(REC_HEAD + len) : -1;
}

static void iso_time(int64_t us, char *buf, size_t n)
{
	/* "YYYY-MM-DDTHH:MM:SS.ffffffZ": sorts as text, reads back with ts_parse */
	time_t s = (time_t)(us / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(us % 1000000));
}

static const char *const request_cols[] = {
	"time", "time_us", "server", "model", "version", "api", "status", "latency_us", "rows",
	"lookup_hits", "features", "prediction", "error"};

/* Inserts recs[0..n) (a bulk insert: COPY on PostgreSQL) and records `upto`
 * as the segment's progress, in one transaction. */
static int insert_round(struct workspace *ws, const struct spool_reader *r, const struct srec *recs,
			size_t n, uint64_t upto, struct pm_err *err)
{
	struct db_bulk *bk = NULL;
	struct db_stmt *pr = NULL;
	if (ws_begin(ws, err) < 0)
		return -1;
	if (db_bulk_begin(ws->db, "requests", request_cols, (int)PM_ARRAY_LEN(request_cols), &bk,
			  err) < 0)
		goto fail_bulk;
	for (size_t i = 0; i < n; i++) {
		const struct srec *q = &recs[i];
		char t[40];
		iso_time(q->time_us, t, sizeof t);
		db_bulk_text(bk, 1, t, -1);
		db_bulk_int64(bk, 2, q->time_us);
		if (r->server)
			db_bulk_int64(bk, 3, r->server);
		db_bulk_text(bk, 4, r->model, -1);
		if (q->version)
			db_bulk_int64(bk, 5, q->version);
		db_bulk_int64(bk, 7, q->status);
		db_bulk_int64(bk, 8, q->latency_us);
		db_bulk_int64(bk, 9, (int64_t)q->rows);
		db_bulk_int64(bk, 10, (int64_t)q->hits);
		static const int col[4] = {6, 11, 12, 13};
		for (int k = 0; k < 4; k++)
			if (q->text[k])
				db_bulk_text(bk, col[k], q->text[k], (int)q->len[k]);
		if (db_bulk_row(bk, err) < 0)
			goto fail_bulk;
	}
	struct db_bulk *done = bk;
	bk = NULL;
	if (db_bulk_end(done, err) < 0)
		goto fail_bulk;
	if (ws_prepare(ws, "INSERT OR REPLACE INTO spool_progress (dir, segment, offset) VALUES (?,?,?)",
		       &pr, err) < 0)
		goto fail;
	db_bind_text(pr, 1, r->name, -1, DB_STATIC);
	db_bind_int64(pr, 2, r->seg);
	db_bind_int64(pr, 3, (int64_t)upto);
	if (db_step(pr) != DB_DONE) {
		pm_errf(err, "request log: %s", ws_errmsg(ws));
		goto fail;
	}
	db_finalize(pr);
	return ws_commit(ws, err) < 0 ? (ws_rollback(ws), -1) : 0;
fail_bulk:
	pm_err_prefix(err, "request log");
fail:
	db_bulk_abort(bk);
	db_finalize(pr);
	ws_rollback(ws);
	return -1;
}

/* Moves the complete records of r's segment from *off up to `limit`
 * (UINT64_MAX: its end) in transactions of at most `round`.  A damaged or
 * cut record ends the segment (where the file ends, or at limit): *off is
 * then past it, and n->damaged counts it. */
static int move_segment(struct spool_reader *r, struct workspace *ws, uint64_t *off, uint64_t limit,
			size_t round, const atomic_bool *stop, struct spool_counts *n,
			struct pm_err *err)
{
	uint64_t start = *off;
	struct srec *recs = xmalloc(round * sizeof *recs);
	int rc = 0;
	for (;;) {
		if (stop && atomic_load(stop))
			break;
		/* r->buf[0..have) holds the bytes from *off on */
		if (r->have < r->cap || !r->cap) {
			if (!r->cap) {
				r->cap = READ_CHUNK;
				r->buf = xmalloc(r->cap);
			}
			uint64_t pos = *off + r->have;
			size_t want = r->cap - r->have;
			if (limit != UINT64_MAX)
				want = pos >= limit ? 0 : (size_t)(limit - pos < want ? limit - pos : want);
			size_t got = 0;
			if (want && read_at(r->fd, r->buf + r->have, want, pos, &got) < 0) {
				rc = pm_errf(err, "request log spool %s/%08u.spool: %s", r->dir, r->seg,
					     strerror(errno));
				break;
			}
			r->have += got;
		}
		size_t used = 0, k = 0;
		int64_t sz = 0;
		while (k < round && (sz = parse_record(r->buf + used, r->have - used, &recs[k])) > 0) {
			used += (size_t)sz;
			k++;
		}
		if (k) {
			if (insert_round(ws, r, recs, k, *off + used, err) < 0) {
				rc = -1;
				break;
			}
			n->records += k;
			*off += used;
			memmove(r->buf, r->buf + used, r->have - used);
			r->have -= used;
			continue;
		}
		if (sz == 0 && r->have == r->cap && r->cap < REC_HEAD + RECORD_MAX) {
			r->cap *= 2; /* a record longer than the buffer */
			r->buf = xrealloc(r->buf, r->cap);
			continue;
		}
		/* Everything up to the limit or the end was read.  Bytes left that
		 * are not a whole record were cut short (a kill in the middle of a
		 * write) or damaged: the rest of the segment cannot be read. */
		if (sz < 0 || r->have) {
			n->damaged++;
			struct stat stt;
			uint64_t end = limit;
			if (end == UINT64_MAX)
				end = fstat(r->fd, &stt) == 0 ? (uint64_t)stt.st_size : *off + r->have;
			*off = end;
			r->have = 0;
		}
		break;
	}
	free(recs);
	/* a buffer grown for one large record is not kept for the server's
	 * life */
	if (r->cap > READ_CHUNK && r->have <= READ_CHUNK) {
		r->buf = xrealloc(r->buf, READ_CHUNK);
		r->cap = READ_CHUNK;
	}
	n->bytes += *off - start;
	return rc;
}

static int forget_segment(struct workspace *ws, const char *name, uint32_t seg, struct pm_err *err)
{
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM spool_progress WHERE dir = ? AND segment = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	db_bind_int64(st, 2, seg);
	int rc = db_step(st);
	db_finalize(st);
	return rc == DB_DONE ? 0 : pm_errf(err, "request log: %s", ws_errmsg(ws));
}

/* A segment wholly moved: its file goes, then its progress row (a crash in
 * between leaves a row whose file is gone, which spool_recover drops). */
static int retire_segment(struct spool_reader *r, struct workspace *ws, uint32_t seg,
			  struct pm_err *err)
{
	char *path = segment_path(r->dir, seg);
	if (r->seg == seg)
		reader_drop(r);
	int rc = unlink(path) < 0 && errno != ENOENT
			 ? pm_errf(err, "request log spool %s: %s", path, strerror(errno))
			 : forget_segment(ws, r->name, seg, err);
	free(path);
	return rc;
}

int spool_move(struct spool *s, struct workspace *ws, struct spool_pos *at, struct spool_pos upto,
	       size_t round, const atomic_bool *stop, struct spool_counts *n, struct pm_err *err)
{
	struct spool_reader *r = &s->rd;
	while (spool_before(*at, upto) && !(stop && atomic_load(stop))) {
		uint64_t head = at->off;
		if (r->seg != at->seg && reader_open(r, ws, at->seg, &at->off, err) < 0)
			return -1;
		n->bytes += at->off - head; /* the segment's header */
		/* a segment before the writer's is complete: read it to its end */
		bool last = at->seg == upto.seg;
		if (move_segment(r, ws, &at->off, last ? upto.off : UINT64_MAX, round, stop, n, err) < 0)
			return -1;
		if (last || (stop && atomic_load(stop)))
			break;
		if (retire_segment(r, ws, at->seg, err) < 0)
			return -1;
		at->seg++;
		at->off = 0;
	}
	return 0;
}

/* Removes the spool directory: its segments, progress rows and lock. */
static int remove_spool(struct workspace *ws, const char *dir, const char *name, struct pm_err *err)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.' && strcmp(e->d_name, "lock") != 0) {
				char *p = path_join(dir, e->d_name);
				unlink(p);
				free(p);
			}
		closedir(d);
	}
	struct db_stmt *st;
	if (ws_prepare(ws, "DELETE FROM spool_progress WHERE dir = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	int rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return pm_errf(err, "request log: %s", ws_errmsg(ws));
	char *lock = path_join(dir, "lock");
	unlink(lock);
	free(lock);
	rmdir(dir);
	return 0;
}

void spool_close(struct spool *s, struct workspace *ws)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	reader_drop(&s->rd);
	struct pm_err err;
	if (ws)
		remove_spool(ws, s->dir, s->name, &err);
	close(s->lock_fd); /* what is left is spool_recover's */
	free(s->rd.buf);
	sbuf_free(&s->out);
	free(s->model);
	free(s->dir);
	free(s->name);
	free(s);
}

/* ---- what servers that are gone left ------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int progress_of(struct workspace *ws, const char *name, uint32_t seg, uint64_t *off,
		       struct pm_err *err)
{
	struct db_stmt *st;
	*off = 0;
	if (ws_prepare(ws, "SELECT offset FROM spool_progress WHERE dir = ? AND segment = ?", &st,
		       err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	db_bind_int64(st, 2, seg);
	int rc = db_step(st);
	if (rc == DB_ROW)
		*off = (uint64_t)db_column_int64(st, 0);
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : pm_errf(err, "request log: %s",
								    ws_errmsg(ws));
}

static int recover_dir(struct workspace *ws, const char *dir, const char *name,
		       struct spool_counts *res, struct pm_err *err)
{
	uint32_t *segs = NULL;
	size_t n = 0, cap = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		unsigned seg;
		char tail;
		if (sscanf(e->d_name, "%8u.spoo%c", &seg, &tail) == 2 && tail == 'l') {
			if (n == cap)
				segs = xrealloc(segs, (cap = cap ? 2 * cap : 8) * sizeof *segs);
			segs[n++] = seg;
		}
	}
	closedir(d);
	qsort(segs, n, sizeof *segs, cmp_u32);
	struct spool_reader r = {.fd = -1, .dir = (char *)dir, .name = (char *)name};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint64_t off;
		rc = progress_of(ws, name, segs[i], &off, err);
		if (rc == 0)
			rc = reader_open(&r, ws, segs[i], &off, err);
		if (rc == 0)
			rc = move_segment(&r, ws, &off, UINT64_MAX, 512, NULL, res, err);
		if (rc == 0)
			rc = retire_segment(&r, ws, segs[i], err);
	}
	reader_drop(&r);
	free(r.buf);
	free(segs);
	if (rc == 0) {
		rc = remove_spool(ws, dir, name, err);
		res->spools++;
	}
	return rc;
}

/* Takes the lock of a spool whose server is gone.  A killed server's main
 * thread shows as exited (a zombie) while its other threads still exit,
 * holding the lock a moment longer: for a spool named after a process that
 * no longer runs, wait for them, at most two seconds. */
static bool lock_left_spool(int fd, const char *name)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return true;
	long long pid = strtoll(name, NULL, 10);
	for (int i = 0; i < 200 && !proc_alive(pid); i++) {
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return true;
	}
	return false;
}

int spool_recover(struct workspace *ws, struct spool_counts *res, struct pm_err *err)
{
	memset(res, 0, sizeof *res);
	char *root = path_join(ws->dir, "spool");
	DIR *d = opendir(root);
	if (!d) {
		free(root);
		return 0;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.' || !spool_here(e->d_name))
			continue;
		char *dir = path_join(root, e->d_name);
		char *lock = path_join(dir, "lock");
		int fd = open(lock, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			rmdir(dir); /* a removal cut short: nothing is left in it */
		} else if (lock_left_spool(fd, e->d_name)) {
			rc = recover_dir(ws, dir, e->d_name, res, err);
		}
		if (fd >= 0)
			close(fd);
		free(lock);
		free(dir);
	}
	closedir(d);
	free(root);
	return rc;
}
