/* Batch prediction: a dataset or a CSV file in, a predictions CSV (and a
 * reject file) out.
 *
 * Work goes in rounds so that memory stays bounded: a round is a block of
 * the file (or a range of the dataset's rows) cut into pieces at row
 * boundaries; the pieces are checked, transformed, predicted and formatted
 * on all threads, each into its own buffers, and then written in input
 * order, so the output does not depend on the number of threads. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SINK_ROWS 256
#define FRAME_PIECE_ROWS 8192
#define MAX_ROW_BYTES ((size_t)1 << 30)

void predict_stats_free(struct predict_stats *st)
{
	for (size_t i = 0; i < st->nexamples; i++)
		free(st->examples[i].reason);
	free(st->rejects_path);
	memset(st, 0, sizeof *st);
}

/* ---- one piece's results ------------------------------------------------------------ */

struct rej {
	size_t row;    /* ordinal of the row within its piece */
	size_t line;
	char *reason;
	char *input;   /* the row as CSV text */
};

struct piece {
	size_t start, end;        /* bytes of the block, or rows of the frame */
	size_t line0;             /* first line (file input) */
	size_t rows, predicted;
	struct sbuf out;
	struct rej *rej;
	size_t nrej, caprej;
	bool cancelled;
};

/* Takes reason and input; keeps them as valid UTF-8, so that the reject
 * file reads back as CSV and the reasons as JSON. */
static void piece_reject(struct piece *pc, size_t row, size_t line, char *reason, char *input)
{
	xgrow((void **)&pc->rej, &pc->caprej, pc->nrej + 1, sizeof *pc->rej);
	char *r = sv_utf8_clean(reason, strlen(reason));
	char *in = input ? sv_utf8_clean(input, strlen(input)) : NULL;
	free(reason);
	free(input);
	pc->rej[pc->nrej++] = (struct rej){row, line, r, in};
}

static int rej_cmp(const void *a, const void *b)
{
	const struct rej *x = a, *y = b;
	return (x->row > y->row) - (x->row < y->row);
}

/* Rows rejected when their batch was predicted come after later rows
 * rejected at once: back into row order for the reject file. */
static void piece_sort_rejects(struct piece *pc)
{
	if (pc->nrej > 1)
		qsort(pc->rej, pc->nrej, sizeof *pc->rej, rej_cmp);
}

static void piece_clear(struct piece *pc)
{
	for (size_t i = 0; i < pc->nrej; i++) {
		free(pc->rej[i].reason);
		free(pc->rej[i].input);
	}
	free(pc->rej);
	sbuf_free(&pc->out);
	memset(pc, 0, sizeof *pc);
}

/* Empties a piece for the next round but keeps its output buffer, whose
 * pages are already mapped. */
static void piece_reset(struct piece *pc)
{
	struct sbuf out = pc->out;
	out.len = 0;
	for (size_t i = 0; i < pc->nrej; i++) {
		free(pc->rej[i].reason);
		free(pc->rej[i].input);
	}
	free(pc->rej);
	memset(pc, 0, sizeof *pc);
	pc->out = out;
}

/* Accepted rows wait here (transformed, with their key text) until
 * SINK_ROWS are ready, then are predicted together and printed.  A row
 * whose prediction overflows is rejected then, so each keeps where it
 * came from: its row and line, and its input (a row of frame f, or bytes
 * of data). */
struct sink_src {
	size_t ord, line, off, len;
};
static char *frame_row_text(const struct frame *f, size_t row);
struct sink {
	const struct model *m;
	size_t nd, nc, K, n;
	double *dense, *pred;
	uint32_t *cat;
	struct sbuf keys;
	size_t key_off[SINK_ROWS + 1];
	struct sbuf *dst;
	struct piece *pc;
	const struct frame *f;
	const char *data;
	struct sink_src src[SINK_ROWS];
};

static void sink_init(struct sink *s, const struct model *m, struct piece *pc)
{
	struct sbuf *dst = &pc->out;
	memset(s, 0, sizeof *s);
	s->pc = pc;
	s->m = m;
	s->nd = m->tf->ndense;
	s->nc = m->tf->ncat;
	s->K = (size_t)m->nout;
	s->dense = xmalloc((SINK_ROWS * s->nd + 1) * sizeof *s->dense);
	s->cat = xmalloc((SINK_ROWS * s->nc + 1) * sizeof *s->cat);
	s->pred = xmalloc((SINK_ROWS * s->K + 1) * sizeof *s->pred);
	s->dst = dst;
}

static void sink_flush(struct sink *s)
{
	if (!s->n)
		return;
	model_predict_rows(s->m, s->dense, s->cat, s->n, s->pred);
	for (size_t i = 0; i < s->n; i++) {
		char *why = sv_pred_overflow(s->m, s->dense + i * s->nd, s->pred + i * s->K);
		if (why) {
			const struct sink_src *o = &s->src[i];
			piece_reject(s->pc, o->ord, o->line, why,
				     s->f ? frame_row_text(s->f, o->off) : xstrndup(s->data + o->off, o->len));
			s->pc->predicted--;
			continue;
		}
		if (s->key_off[i + 1] > s->key_off[i])
			sbuf_add(s->dst, s->keys.s + s->key_off[i], s->key_off[i + 1] - s->key_off[i]);
		sv_put_pred_csv(s->dst, s->m, s->pred + i * s->K);
		sbuf_putc(s->dst, '\n');
	}
	s->n = 0;
	s->keys.len = 0;
}

static void sink_free(struct sink *s)
{
	free(s->dense);
	free(s->cat);
	free(s->pred);
	sbuf_free(&s->keys);
}

/* Transforms one row into the sink; the row's key text must already be
 * appended to s->keys.  Returns -1 (err filled, key text dropped) when the
 * transform refuses a value. */
static int sink_add(struct sink *s, const struct ft_value *vals, size_t key_start,
		    struct sink_src src, struct pm_err *err)
{
	s->key_off[s->n] = key_start;
	s->src[s->n] = src;
	if (transform_apply(s->m->tf, vals, s->dense + s->n * s->nd, s->cat + s->n * s->nc,
			    err) < 0) {
		s->keys.len = key_start;
		return -1;
	}
	s->n++;
	s->key_off[s->n] = s->keys.len;
	if (s->n == SINK_ROWS)
		sink_flush(s);
	return 0;
}

/* ---- output files ------------------------------------------------------------------------ */

struct outfile {
	char *path, *tmp;
	FILE *f;
};

static int out_open(struct outfile *o, const char *path, struct pm_err *err)
{
	o->path = xstrdup(path);
	/* a device or a pipe (--out /dev/null) is written into, not replaced */
	o->tmp = fs_is_special(path) ? NULL : fs_tmp_name(path);
	o->f = fopen(o->tmp ? o->tmp : path, "w");
	if (!o->f) {
		pm_errf(err, "%s: %s", path, strerror(errno));
		free(o->path);
		free(o->tmp);
		o->path = o->tmp = NULL;
		return -1;
	}
	setvbuf(o->f, NULL, _IOFBF, 1 << 20);
	return 0;
}

static int out_write(struct outfile *o, const void *data, size_t n, struct pm_err *err)
{
	if (n && fwrite(data, 1, n, o->f) != n)
		return pm_errf(err, "%s: %s", o->path, strerror(errno));
	return 0;
}

static int out_commit(struct outfile *o, struct pm_err *err)
{
	int rc = 0;
	if (fflush(o->f) != 0 || (o->tmp && fsync(fileno(o->f)) != 0))
		rc = pm_errf(err, "%s: %s", o->path, strerror(errno));
	if (fclose(o->f) != 0 && rc == 0)
		rc = pm_errf(err, "%s: %s", o->path, strerror(errno));
	o->f = NULL;
	if (rc == 0 && o->tmp)
		rc = fs_rename(o->tmp, o->path, err);
	if (rc < 0 && o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	free(o->path);
	o->tmp = o->path = NULL;
	return rc;
}

static void out_abort(struct outfile *o)
{
	if (o->f) {
		fclose(o->f);
		if (o->tmp)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof *o);
}

/* ---- the run: what both inputs share ---------------------------------------------------- */

struct run {
	const struct model *m;
	const struct predict_opts *o;
	struct predict_stats *st;
	struct outfile out, rej;
	bool rej_open;
	char *rej_path;
	bool rej_explicit;
	size_t rows_before;       /* data rows in earlier rounds */
	int ninputs;
};

static int run_start(struct run *r, const struct model *m, const struct predict_opts *o,
		     struct predict_stats *st, const char *const *key_names, struct pm_err *err)
{
	memset(r, 0, sizeof *r);
	memset(st, 0, sizeof *st);
	r->m = m;
	r->o = o;
	r->st = st;
	r->ninputs = (int)m->tf->ninputs;
	if (!o->out || !*o->out)
		return pm_errcf(err, PM_E_USAGE, "predict: --out FILE is required");
	r->rej_explicit = o->rejects != NULL;
	r->rej_path = o->rejects ? xstrdup(o->rejects) : xasprintf("%s.rejects.csv", o->out);
	if (strcmp(r->rej_path, o->out) == 0) {
		free(r->rej_path);
		return pm_errcf(err, PM_E_USAGE, "predict: --rejects must differ from --out");
	}
	if (out_open(&r->out, o->out, err) < 0) {
		free(r->rej_path);
		return -1;
	}
	struct sbuf h = {0};
	for (size_t i = 0; i < o->nkeys; i++) {
		sv_put_csv_field(&h, key_names[i], strlen(key_names[i]));
		sbuf_putc(&h, ',');
	}
	char **cols = serve_pred_columns(m);
	for (char **c = cols; *c; c++) {
		if (c != cols)
			sbuf_putc(&h, ',');
		sv_put_csv_field(&h, *c, strlen(*c));
	}
	str_list_free(cols);
	sbuf_putc(&h, '\n');
	int rc = out_write(&r->out, h.s, h.len, err);
	sbuf_free(&h);
	if (rc < 0) {
		out_abort(&r->out);
		free(r->rej_path);
	}
	return rc;
}

static int rej_open(struct run *r, struct pm_err *err)
{
	if (r->rej_open)
		return 0;
	if (out_open(&r->rej, r->rej_path, err) < 0)
		return -1;
	r->rej_open = true;
	static const char hdr[] = "row,line,reason,input\n";
	return out_write(&r->rej, hdr, sizeof hdr - 1, err);
}

/* Writes a round's pieces in order. */
static int run_write(struct run *r, struct piece *pcs, size_t npieces, struct pm_err *err)
{
	struct sbuf rb = {0};
	int rc = 0;
	for (size_t k = 0; k < npieces && rc == 0; k++) {
		struct piece *pc = &pcs[k];
		rc = out_write(&r->out, pc->out.s, pc->out.len, err);
		if (rc == 0 && pc->nrej) {
			rc = rej_open(r, err);
			rb.len = 0;
			for (size_t i = 0; i < pc->nrej && rc == 0; i++) {
				struct rej *x = &pc->rej[i];
				size_t row = r->rows_before + x->row + 1;
				sbuf_printf(&rb, "%zu,", row);
				if (x->line)
					sbuf_printf(&rb, "%zu", x->line);
				sbuf_putc(&rb, ',');
				sv_put_csv_field(&rb, x->reason, strlen(x->reason));
				sbuf_putc(&rb, ',');
				if (x->input)
					sv_put_csv_field(&rb, x->input, strlen(x->input));
				sbuf_putc(&rb, '\n');
				if (r->st->nexamples < PREDICT_MAX_EXAMPLES) {
					struct predict_reject *e = &r->st->examples[r->st->nexamples++];
					e->row = row;
					e->line = x->line;
					e->reason = xstrdup(x->reason);
				}
			}
			if (rc == 0)
				rc = out_write(&r->rej, rb.s, rb.len, err);
		}
		r->rows_before += pc->rows;
		r->st->rows += pc->rows;
		r->st->predicted += pc->predicted;
		r->st->rejected += pc->nrej;
	}
	sbuf_free(&rb);
	return rc;
}

static int run_finish(struct run *r, int rc, struct pm_err *err)
{
	/* predictions of nothing are not a result: the cause is the input or
	 * the model, and a file with only a header would hide it downstream */
	if (rc == 0 && r->st->rows && !r->st->predicted) {
		const struct predict_reject *e = &r->st->examples[0];
		rc = pm_errf(err, "predict: all %zu rows were rejected, nothing was written; the first, %s %zu: %s",
			     r->st->rows, e->line ? "line" : "row", e->line ? e->line : e->row, e->reason);
	}
	if (rc == 0 && r->rej_explicit)
		rc = rej_open(r, err);
	if (rc == 0)
		rc = out_commit(&r->out, err);
	else
		out_abort(&r->out);
	if (r->rej_open) {
		if (rc == 0)
			rc = out_commit(&r->rej, err);
		else
			out_abort(&r->rej);
		if (rc == 0)
			r->st->rejects_path = xstrdup(r->rej_path);
	}
	free(r->rej_path);
	return rc;
}

struct fetch;

/* What runs beside the workers: writing the previous block's results and
 * reading the next block. */
struct beside {
	struct run *run;
	struct piece *write;
	size_t nwrite;
	struct fetch *fetch;   /* NULL: nothing more to read */
	void (*fetch_fn)(struct fetch *);
	int rc;
	struct pm_err err;
};

static void *beside_run(void *arg)
{
	struct beside *bs = arg;
	if (bs->nwrite)
		bs->rc = run_write(bs->run, bs->write, bs->nwrite, &bs->err);
	if (bs->fetch)
		bs->fetch_fn(bs->fetch);
	return NULL;
}

/* ---- dataset input ------------------------------------------------------------------------- */

struct frame_job {
	const struct model *m;
	const struct frame *f;
	const int *colmap;         /* per input: its column */
	const bool *fits;
	const int *keycols;
	size_t nkeys;
	struct piece *pcs;
	const struct progress *progress;
};

static char *frame_row_text(const struct frame *f, size_t row)
{
	struct sbuf b = {0};
	char buf[64];
	for (size_t j = 0; j < f->ncols; j++) {
		if (j)
			sbuf_putc(&b, ',');
		const char *s = column_text(&f->cols[j], row, buf, sizeof buf);
		sv_put_csv_field(&b, s, strlen(s));
	}
	return sbuf_steal(&b);
}

static void frame_piece(void *ctx, size_t k)
{
	struct frame_job *j = ctx;
	struct piece *pc = &j->pcs[k];
	const struct transform *t = j->m->tf;
	struct sink s;
	sink_init(&s, j->m, pc);
	s.f = j->f;
	struct ft_value *vals = xcalloc(t->ninputs + 1, sizeof *vals);
	char (*bufs)[64] = xmalloc((t->ninputs + 1) * sizeof *bufs);
	char kb[64];
	struct pm_err e;
	for (size_t row = pc->start; row < pc->end; row++) {
		size_t ord = row - pc->start;
		pc->rows++;
		char *reason = NULL;
		for (size_t i = 0; i < t->ninputs && !reason; i++) {
			const struct ft_input *in = &t->inputs[i];
			const struct column *c = &j->f->cols[j->colmap[i]];
			if (sv_frame_value(in->type, c, row, j->fits[i], bufs[i], sizeof bufs[i], &vals[i],
					   &e) < 0)
				reason = xasprintf("column '%s': %s", in->name, e.msg);
		}
		if (!reason) {
			size_t ks = s.keys.len;
			for (size_t q = 0; q < j->nkeys; q++) {
				const char *v = column_text(&j->f->cols[j->keycols[q]], row, kb, sizeof kb);
				sv_put_csv_field(&s.keys, v, strlen(v));
				sbuf_putc(&s.keys, ',');
			}
			if (sink_add(&s, vals, ks, (struct sink_src){ord, 0, row, 0}, &e) < 0)
				reason = xstrdup(e.msg);
			else
				pc->predicted++;
		}
		if (reason)
			piece_reject(pc, ord, 0, reason, frame_row_text(j->f, row));
	}
	sink_flush(&s);
	piece_sort_rejects(pc);
	sink_free(&s);
	free(vals);
	free(bufs);
}

/* The model's inputs that the input lacks, as one error about its columns
 * rather than the same reason on every row. */
static int check_inputs(const struct transform *t, const int *colmap, const char *what,
			struct pm_err *err)
{
	struct sbuf b = {0};
	size_t missing = 0;
	for (size_t i = 0; i < t->ninputs; i++)
		if (colmap[i] < 0)
			sbuf_printf(&b, "%s'%s'", missing++ ? ", " : "", t->inputs[i].name);
	if (missing)
		pm_errf(err, "%s has no column%s %s (%s)", what, missing > 1 ? "s" : "", b.s,
			missing > 1 ? "model inputs" : "a model input");
	sbuf_free(&b);
	return missing ? -1 : 0;
}

static int find_keys(const struct predict_opts *o, const char *what,
		     int (*index)(const void *src, const char *name), const void *src, int *keycols,
		     struct pm_err *err)
{
	for (size_t q = 0; q < o->nkeys; q++) {
		keycols[q] = index(src, o->keys[q]);
		if (keycols[q] < 0)
			return pm_errcf(err, PM_E_USAGE, "%s has no column '%s' (from --keys)", what,
					o->keys[q]);
	}
	return 0;
}

static int frame_index(const void *src, const char *name)
{
	return frame_col_index(src, name);
}

int predict_frame(const struct model *m, const struct frame *f, const struct predict_opts *o,
		  struct predict_stats *st, struct pm_err *err)
{
	double t0 = now_seconds();
	const struct transform *t = m->tf;
	int *keycols = xcalloc(o->nkeys + 1, sizeof *keycols);
	char *what = xasprintf("dataset '%s'", f->name);
	int rc = find_keys(o, what, frame_index, f, keycols, err);
	int *colmap = xcalloc(t->ninputs + 1, sizeof *colmap);
	bool *fits = xcalloc(t->ninputs + 1, sizeof *fits);
	for (size_t i = 0; i < t->ninputs; i++) {
		colmap[i] = frame_col_index(f, t->inputs[i].name);
		if (colmap[i] >= 0)
			fits[i] = sv_type_fits(t->inputs[i].type, f->cols[colmap[i]].type);
	}
	if (rc == 0)
		rc = check_inputs(t, colmap, what, err);
	free(what);
	struct run r;
	if (rc < 0 || run_start(&r, m, o, st, (const char *const *)o->keys, err) < 0) {
		if (rc < 0)
			memset(st, 0, sizeof *st);
		free(keycols);
		free(colmap);
		free(fits);
		return -1;
	}
	int threads = o->threads > 0 ? o->threads : pm_ncpu();
	size_t per_round = (size_t)threads * 8;
	size_t npieces_all = (f->nrows + FRAME_PIECE_ROWS - 1) / FRAME_PIECE_ROWS;
	/* two sets of pieces: one computed while the other is written */
	struct piece *pcs[2] = {xcalloc(per_round, sizeof(struct piece)),
				xcalloc(per_round, sizeof(struct piece))};
	struct frame_job j = {.m = m, .f = f, .colmap = colmap, .fits = fits, .keycols = keycols,
			      .nkeys = o->nkeys};
	rc = 0;
	int side = 0;
	size_t pending = 0;
	for (size_t p0 = 0; p0 < npieces_all && rc == 0; p0 += per_round) {
		if (progress_cancelled(o->progress)) {
			rc = pm_errcf(err, PM_E_CANCEL, "predict: cancelled");
			break;
		}
		size_t np = npieces_all - p0 < per_round ? npieces_all - p0 : per_round;
		struct piece *p = pcs[side];
		for (size_t k = 0; k < np; k++) {
			piece_reset(&p[k]);
			p[k].start = (p0 + k) * FRAME_PIECE_ROWS;
			p[k].end = p[k].start + FRAME_PIECE_ROWS;
			if (p[k].end > f->nrows)
				p[k].end = f->nrows;
		}
		struct beside bs = {.run = &r, .write = pcs[!side], .nwrite = pending};
		pthread_t th;
		bool bg = pending && pthread_create(&th, NULL, beside_run, &bs) == 0;
		j.pcs = p;
		par_for(np, threads, frame_piece, &j);
		if (bg)
			pthread_join(th, NULL);
		else
			beside_run(&bs);
		if (bs.rc < 0) {
			rc = -1;
			*err = bs.err;
		}
		pending = np;
		side = !side;
		progress_report(o->progress, "predict", (double)(p0 + np) * FRAME_PIECE_ROWS > (double)f->nrows
								? (double)f->nrows
								: (double)(p0 + np) * FRAME_PIECE_ROWS,
				(double)f->nrows);
	}
	if (rc == 0 && pending)
		rc = run_write(&r, pcs[!side], pending, err);
	for (int q = 0; q < 2; q++) {
		for (size_t k = 0; k < per_round; k++)
			piece_clear(&pcs[q][k]);
		free(pcs[q]);
	}
	rc = run_finish(&r, rc, err);
	free(colmap);
	free(fits);
	free(keycols);
	st->seconds = now_seconds() - t0;
	return rc;
}

/* ---- file input --------------------------------------------------------------------------------- */

struct file_job {
	const struct model *m;
	const char *buf;
	char delim;
	size_t ncols;              /* fields in the header */
	const int *colmap;         /* per input: its field */
	const int *keycols;
	size_t nkeys;
	struct piece *pcs;
};

static void file_piece(void *ctx, size_t k)
{
	struct file_job *j = ctx;
	struct piece *pc = &j->pcs[k];
	const struct transform *t = j->m->tf;
	struct sink s;
	sink_init(&s, j->m, pc);
	struct ft_value *vals = xcalloc(t->ninputs + 1, sizeof *vals);
	struct sv_csv c;
	sv_csv_init(&c, j->buf + pc->start, pc->end - pc->start, j->delim, pc->line0);
	s.data = c.data;
	struct pm_err e;
	for (;;) {
		char *reason = NULL;
		int got = sv_csv_next(&c, &reason);
		if (got == 0)
			break;
		size_t ord = pc->rows++;
		if (got > 0 && c.nf != j->ncols)
			reason = xasprintf("row has %zu field%s, expected %zu", c.nf, c.nf == 1 ? "" : "s",
					   j->ncols);
		for (size_t i = 0; i < t->ninputs && !reason; i++) {
			const struct ft_input *in = &t->inputs[i];
			size_t n;
			const char *v = sv_csv_field(&c, (size_t)j->colmap[i], &n);
			if (sv_text_value(in->type, v, n, &vals[i], &e) < 0)
				reason = xasprintf("column '%s': %s", in->name, e.msg);
		}
		if (!reason) {
			size_t ks = s.keys.len;
			for (size_t q = 0; q < j->nkeys; q++) {
				size_t n;
				const char *v = sv_csv_field(&c, (size_t)j->keycols[q], &n);
				sv_put_csv_field(&s.keys, v, n);
				sbuf_putc(&s.keys, ',');
			}
			struct sink_src src = {ord, c.row_line, c.row_off, c.row_len};
			if (sink_add(&s, vals, ks, src, &e) < 0)
				reason = xstrdup(e.msg);
			else
				pc->predicted++;
		}
		if (reason)
			piece_reject(pc, ord, c.row_line, reason,
				     xstrndup(c.data + c.row_off, c.row_len));
	}
	sink_flush(&s);
	piece_sort_rejects(pc);
	sink_free(&s);
	sv_csv_free(&c);
	free(vals);
}

struct header {
	char **names;
	size_t n;
};

static int header_index(const void *src, const char *name)
{
	const struct header *h = src;
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Fills buf[have..cap) from fd; *eof when the file ended. */
static int fill(int fd, const char *path, char *buf, size_t cap, size_t *have, bool *eof,
		struct pm_err *err)
{
	while (*have < cap && !*eof) {
		ssize_t n = read(fd, buf + *have, cap - *have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return pm_errf(err, "%s: %s", path, strerror(errno));
		}
		if (n == 0) {
			*eof = true;
			break;
		}
		*have += (size_t)n;
	}
	return 0;
}

/* A block of the file: whole rows from `start` to `end`, cut into pieces,
 * and the beginning of the next row after them. */
struct block {
	char *buf;        /* owned, or a window of the mapped file */
	size_t cap, have, start, end;
	size_t *cuts, *lines, ncuts, nl;
	size_t line0;     /* line of buf[start] */
	size_t offset;    /* file offset of buf[0] */
	bool eof;
	bool mapped;
};

static void block_free(struct block *b)
{
	if (!b->mapped)
		free(b->buf);
	free(b->cuts);
	free(b->lines);
	memset(b, 0, sizeof *b);
}

struct fetch {
	int fd;
	const struct fs_map *map; /* a regular file: read through its mapping */
	const char *path;
	char delim;
	size_t piece;
	struct block *prev, *next;
	int rc;
	struct pm_err err;
};

/* Fills the block up to its cap: a window of the mapping (nothing copied)
 * or what read() gives after the bytes it holds. */
static int block_fill(const struct fetch *f, struct block *b, struct pm_err *err)
{
	if (b->mapped) {
		size_t left = f->map->len - b->offset;
		b->have = left < b->cap ? left : b->cap;
		b->eof = b->have == left;
		return 0;
	}
	return fill(f->fd, f->path, b->buf, b->cap, &b->have, &b->eof, err);
}

/* Twice the room, for a row longer than the block. */
static void block_grow(struct block *b)
{
	b->cap *= 2;
	if (!b->mapped)
		b->buf = xrealloc(b->buf, b->cap);
}

/* Reads the block after prev: its unfinished row, then more of the file,
 * until at least one row is complete (the block grows for a long row). */
static void fetch_block(struct fetch *f)
{
	struct block *p = f->prev, *b = f->next;
	free(b->cuts);
	free(b->lines);
	b->cuts = b->lines = NULL;
	b->start = 0;
	b->offset = p->offset + p->end;
	b->line0 = p->line0 + p->nl;
	if (f->map) {
		/* a window of the mapping from where the last block's rows end */
		b->mapped = true;
		b->buf = (char *)f->map->data + b->offset;
		b->cap = p->cap;
	} else {
		size_t rest = p->have - p->end;
		if (b->cap < p->cap || b->cap < rest + 1) {
			b->cap = p->cap > rest + 1 ? p->cap : rest + 1;
			b->buf = xrealloc(b->buf, b->cap);
		}
		memcpy(b->buf, p->buf + p->end, rest);
		b->have = rest;
		b->eof = p->eof;
	}
	for (;;) {
		if (block_fill(f, b, &f->err) < 0) {
			f->rc = -1;
			return;
		}
		b->end = sv_csv_rows_end(b->buf, b->have, f->delim, f->piece, b->eof, &b->cuts, &b->lines,
					 &b->ncuts, &b->nl);
		if (b->ncuts || b->eof)
			return;
		free(b->cuts);
		free(b->lines);
		b->cuts = b->lines = NULL;
		if (b->cap >= MAX_ROW_BYTES) {
			f->rc = pm_errf(&f->err, "%s:%zu: a row longer than 1 GiB (an unterminated quote?)",
					f->path, b->line0);
			return;
		}
		block_grow(b);
	}
}

int predict_file(const struct model *m, const char *path, const struct predict_opts *o,
		 struct predict_stats *st, struct pm_err *err)
{
	double t0 = now_seconds();
	memset(st, 0, sizeof *st);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pm_errf(err, "%s: %s", path, strerror(errno));
	struct stat sb;
	double total = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (double)sb.st_size : 0;
	char delim = str_suffix(path, ".tsv") || str_suffix(path, ".tab") ? '\t' : ',';
	int threads = o->threads > 0 ? o->threads : pm_ncpu();
	size_t cap = o->chunk_bytes ? o->chunk_bytes : (size_t)16 << 20;
	if (cap < 64)
		cap = 64;
	/* pieces: a few per thread and block, each at least 64 KiB */
	size_t piece = cap / ((size_t)threads * 4) + 1;
	if (piece < (64 << 10) && cap > (64 << 10))
		piece = 64 << 10;
	struct block blk[2] = {{0}};
	struct block *cur = &blk[0], *nxt = &blk[1];
	/* A regular file is read through a mapping, a window at a time (the
	 * pages of the windows done are let go); a pipe or device by read(). */
	struct fs_map map = {.fd = -1};
	bool mapped = total > 0 && fs_map_stream(fd, (size_t)sb.st_size, &map) == 0;
	/* where blocks come from; each round adds the blocks it links */
	const struct fetch src = {.fd = fd, .map = mapped ? &map : NULL, .path = path, .delim = delim,
				  .piece = piece};
	cur->cap = cap;
	cur->mapped = mapped;
	cur->buf = mapped ? map.data : xmalloc(cap);
	int rc = block_fill(&src, cur, err);

	/* the header: the first row */
	struct header h = {0};
	while (rc == 0) {
		size_t skip = cur->have >= 3 && memcmp(cur->buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
		size_t *cuts, *lines, ncuts, nl;
		size_t end = sv_csv_rows_end(cur->buf + skip, cur->have - skip, delim, 0, cur->eof, &cuts,
					     &lines, &ncuts, &nl);
		free(cuts);
		free(lines);
		if (end == 0 && !cur->eof) {
			if (cur->cap >= MAX_ROW_BYTES) {
				rc = pm_errf(err, "%s:1: the header row is longer than 1 GiB", path);
				break;
			}
			block_grow(cur);
			rc = block_fill(&src, cur, err);
			continue;
		}
		struct sv_csv c;
		sv_csv_init(&c, cur->buf + skip, end, delim, 1);
		char *reason = NULL;
		int got = sv_csv_next(&c, &reason);
		if (got == 0) {
			rc = pm_errf(err, "%s: the file is empty (no header row)", path);
		} else if (got < 0) {
			rc = pm_errf(err, "%s:%zu: header: %s", path, c.row_line, reason);
			free(reason);
		} else {
			h.n = c.nf;
			h.names = xcalloc(h.n + 1, sizeof *h.names);
			for (size_t i = 0; i < h.n; i++) {
				size_t n;
				const char *s = sv_csv_field(&c, i, &n);
				while (n && (*s == ' ' || *s == '\t')) {
					s++;
					n--;
				}
				while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
					n--;
				h.names[i] = xstrndup(s, n);
			}
			cur->start = skip + c.pos;
			cur->line0 = c.line;
		}
		sv_csv_free(&c);
		break;
	}
	const struct transform *t = m->tf;
	int *keycols = xcalloc(o->nkeys + 1, sizeof *keycols);
	int *colmap = xcalloc(t->ninputs + 1, sizeof *colmap);
	struct run r;
	bool started = false;
	if (rc == 0)
		rc = find_keys(o, path, header_index, &h, keycols, err);
	if (rc == 0) {
		for (size_t i = 0; i < t->ninputs; i++)
			colmap[i] = header_index(&h, t->inputs[i].name);
		char *what = xasprintf("%s:1: the header", path);
		rc = check_inputs(t, colmap, what, err);
		free(what);
	}
	if (rc == 0) {
		rc = run_start(&r, m, o, st, (const char *const *)o->keys, err);
		started = rc == 0;
	}
	/* the first block's rows, after the header (a long first row makes
	 * fetch_block read more) */
	if (rc == 0) {
		struct block head = *cur;
		head.end = cur->start;
		head.nl = 0;
		struct fetch f = src;
		f.prev = &head;
		f.next = nxt;
		fetch_block(&f);
		if (f.rc < 0) {
			rc = -1;
			*err = f.err;
		}
		struct block *tmpb = cur;
		cur = nxt;
		nxt = tmpb;
	}
	struct file_job j = {.m = m, .delim = delim, .ncols = h.n, .colmap = colmap,
			     .keycols = keycols, .nkeys = o->nkeys};
	struct piece *pcs[2] = {NULL, NULL};
	size_t cappcs[2] = {0, 0};
	int side = 0;
	size_t pending = 0; /* pieces of the previous block, not yet written */
	while (rc == 0 && cur->ncuts) {
		if (progress_cancelled(o->progress)) {
			rc = pm_errcf(err, PM_E_CANCEL, "predict: cancelled");
			break;
		}
		struct piece *p = pcs[side];
		if (cur->ncuts > cappcs[side]) {
			pcs[side] = p = xrealloc(p, cur->ncuts * sizeof *p);
			memset(p + cappcs[side], 0, (cur->ncuts - cappcs[side]) * sizeof *p);
			cappcs[side] = cur->ncuts;
		}
		for (size_t k = 0; k < cur->ncuts; k++) {
			piece_reset(&p[k]);
			p[k].start = cur->start + (k ? cur->cuts[k - 1] : 0);
			p[k].end = cur->start + cur->cuts[k];
			p[k].line0 = cur->line0 + cur->lines[k];
		}
		struct fetch f = src;
		f.prev = cur;
		f.next = nxt;
		struct beside bs = {.run = &r, .write = pcs[!side], .nwrite = pending,
				    .fetch = cur->eof ? NULL : &f, .fetch_fn = fetch_block};
		pthread_t th;
		bool bg = (bs.nwrite || bs.fetch) && pthread_create(&th, NULL, beside_run, &bs) == 0;
		j.buf = cur->buf;
		j.pcs = p;
		par_for(cur->ncuts, threads, file_piece, &j);
		if (bg)
			pthread_join(th, NULL);
		else
			beside_run(&bs);
		if (bs.rc < 0) {
			rc = -1;
			*err = bs.err;
		} else if (bs.fetch && f.rc < 0) {
			rc = -1;
			*err = f.err;
		}
		pending = cur->ncuts;
		st->bytes = cur->offset + cur->end;
		progress_report(o->progress, "predict", (double)st->bytes, total);
		if (cur->eof) {
			side = !side;
			break;
		}
		if (mapped) /* the rows of the block done: its pages can go */
			fs_map_release(&map, cur->offset, nxt->offset);
		struct block *tmpb = cur;
		cur = nxt;
		nxt = tmpb;
		side = !side;
	}
	if (rc == 0 && mapped)
		rc = fs_map_check(&map, path, err); /* the output is not committed */
	if (rc == 0 && pending)
		rc = run_write(&r, pcs[!side], pending, err);
	for (int q = 0; q < 2; q++) {
		for (size_t k = 0; k < cappcs[q]; k++)
			piece_clear(&pcs[q][k]);
		free(pcs[q]);
	}
	if (started)
		rc = run_finish(&r, rc, err);
	fs_map_close(&map);
	close(fd);
	block_free(&blk[0]);
	block_free(&blk[1]);
	str_list_free(h.names);
	free(keycols);
	free(colmap);
	st->seconds = now_seconds() - t0;
	return rc;
}
