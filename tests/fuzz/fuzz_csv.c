/* Fuzz target for the CSV reader.  Every input must parse to the same frame
 * (or fail with the same message) whether it is read in one piece or in
 * many small parallel chunks, with or without --skip-bad, and a parsed
 * frame must survive the columnar cache round trip unchanged.
 *
 * With libFuzzer:  sh tests/fuzz/run.sh SECONDS csv
 * In `make check`: tests/unit/test_fuzz_csv replays tests/fuzz/corpus/csv
 * (tests/fuzz/replay.h) and runs the same checks on a few thousand
 * generated inputs (the built-in driver at the end of this file). */
#include "data/data.h"
#include "data/internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_csv: check failed at line %d: %s\n", __LINE__, \
				#cond);                                                \
			abort();                                                       \
		}                                                                      \
	} while (0)

struct outcome {
	int rc;
	char fp[17];
	char msg[1024];
	size_t rows, rejected;
};

static void parse(const uint8_t *data, size_t size, bool skip_bad, int threads, size_t chunk,
		  struct outcome *o, struct frame **keep)
{
	struct csv_options opt = {.threads = threads, .skip_bad = skip_bad};
	struct csv_report rep = {0};
	struct pm_err err = {0};
	struct frame *f = NULL;
	memset(o, 0, sizeof *o);
	o->rc = csv_parse_chunked((const char *)data, size, "fuzz.csv", "f", &opt, chunk, &f, &rep,
				  &err);
	if (o->rc == 0) {
		frame_fingerprint(f, o->fp);
		o->rows = f->nrows;
		o->rejected = rep.rejected;
		if (keep)
			*keep = f;
		else
			frame_free(f);
	} else {
		snprintf(o->msg, sizeof o->msg, "%s", err.msg);
	}
	csv_report_free(&rep);
}

static void same(const struct outcome *a, const struct outcome *b)
{
	CHECK(a->rc == b->rc);
	CHECK(strcmp(a->fp, b->fp) == 0);
	CHECK(strcmp(a->msg, b->msg) == 0);
	CHECK(a->rows == b->rows && a->rejected == b->rejected);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int skip = 0; skip <= 1; skip++) {
		struct outcome whole, pieces;
		struct frame *f = NULL;
		parse(data, size, skip, 1, (size_t)1 << 30, &whole, &f);
		parse(data, size, skip, 3, 7, &pieces, NULL);
		same(&whole, &pieces);
		if (!f)
			continue;
		/* the cache gives back the same frame */
		char path[64];
		snprintf(path, sizeof path, "%s/prodml-fuzz-%ld.cache",
			 fs_is_dir("/dev/shm") ? "/dev/shm" : "/tmp", (long)getpid());
		struct pm_err err = {0};
		CHECK(frame_save(f, path, false, NULL, &err) == 0);
		struct frame *g = NULL;
		CHECK(frame_open(path, "f", &g, &err) == 0);
		char fp[17];
		frame_fingerprint(g, fp);
		CHECK(strcmp(fp, whole.fp) == 0);
		CHECK(g->nrows == f->nrows && g->ncols == f->ncols);
		frame_free(g);
		frame_free(f);
		unlink(path);
	}
	return 0;
}

#ifdef PM_FUZZ_DRIVER
#include "replay.h"

/* Inputs made of the pieces that trouble CSV readers: quotes, doubled
 * quotes, separators and line ends inside quotes, CR, BOMs, bad UTF-8,
 * NUL bytes, missing-value tokens, numbers of every shape. */
static const char *const pieces[] = {
	",", ",", ",", "\n", "\n", "\r\n", "\r", "\"", "\"\"", "\"a,b\"", "\"x\ny\"", "\"q\"\"q\"",
	"1", "-2", "3.5", "1e3", "inf", "NaN", "NA", "null", "", " ", "true", "False",
	"2015-01-27 14:52:00", "2015-02-30", "abc", "caf\xc3\xa9", "\xff", "\xc3", "\0",
	"\xef\xbb\xbf", "\t", "9223372036854775808", "-0", "0x10", "\"\"\"", "a\"b", "\"ab\"c",
};

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
	int n = fuzz_replay("csv", argc, argv);
	if (n < 0)
		return 1;
	if (argc > 1)
		return 0;
	printf("fuzz_csv: %d corpus inputs replayed\n", n);
	uint64_t seed = 20261122;
	int ninputs = 3000;
	for (int k = 0; k < ninputs; k++) {
		struct sbuf b = {0};
		/* a header row of 1-4 names, then random pieces */
		int ncols = 1 + (int)(next(&seed) % 4);
		for (int c = 0; c < ncols; c++)
			sbuf_printf(&b, "%sc%d", c ? "," : "", c);
		sbuf_putc(&b, '\n');
		int npieces = (int)(next(&seed) % 80);
		for (int i = 0; i < npieces; i++) {
			const char *p = pieces[next(&seed) % PM_ARRAY_LEN(pieces)];
			sbuf_add(&b, p, p[0] ? strlen(p) : (next(&seed) & 1));
		}
		LLVMFuzzerTestOneInput((const uint8_t *)(b.s ? b.s : ""), b.len);
		sbuf_free(&b);
	}
	printf("fuzz_csv: %d generated inputs, all consistent\n", ninputs);
	return 0;
}
#endif
