/* Request and response shapes: TensorFlow Serving's REST API ("instances"
 * as a list of objects or of lists, "inputs" by column), MLflow's scoring
 * server (dataframe_split, dataframe_records, instances, inputs, text/csv)
 * and model status.  Every value is checked against the model's serving
 * schema, and an error names the field: "instances[3].fare". */
#include "internal.h"

#include "registry/registry.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sv_answer_error(struct sv_req *r, int status, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sbuf m = {0};
	sbuf_vprintf(&m, fmt, ap);
	va_end(ap);
	free(r->error);
	free(r->field);
	r->error = sbuf_steal(&m);
	r->field = field ? xstrdup(field) : NULL;
	r->status = status;
	r->content_type = "application/json";
	r->resp.len = 0;
	sbuf_puts(&r->resp, "{\"error\":");
	sv_put_json_string(&r->resp, r->error, strlen(r->error));
	if (field) {
		sbuf_puts(&r->resp, ",\"field\":");
		sv_put_json_string(&r->resp, field, strlen(field));
	}
	if (r->api == API_MLFLOW) {
		/* what MLflow's clients read */
		sbuf_puts(&r->resp, ",\"error_code\":");
		const char *code = status == 404   ? "RESOURCE_DOES_NOT_EXIST"
				   : status == 401 ? "UNAUTHENTICATED"
				   : status == 503 ? "TEMPORARILY_UNAVAILABLE"
				   : status < 500  ? "BAD_REQUEST"
						   : "INTERNAL_ERROR";
		sbuf_printf(&r->resp, "\"%s\"", code);
		sbuf_puts(&r->resp, ",\"message\":");
		sv_put_json_string(&r->resp, r->error, strlen(r->error));
	}
	sbuf_puts(&r->resp, "}\n");
}

bool sv_req_take(struct sv_req *r, size_t n)
{
	struct sv_budget *b = &r->sv->budget;
	if (sv_budget_take(b, n)) {
		r->held += n;
		if (r->held > r->held_most)
			r->held_most = r->held;
		return true;
	}
	size_t mb = b->limit >> 20;
	if (r->held + n > b->limit) {
		sv_answer_error(r, 413, "body",
				"the request needs about %zu MB of memory to answer, more than "
				"--max-inflight-mb %zu",
				(r->held + n + ((size_t)1 << 20) - 1) >> 20, mb);
	} else {
		atomic_fetch_add(&b->refused, 1);
		sv_answer_error(r, 503, NULL,
				"the memory for requests in flight is taken (--max-inflight-mb %zu); "
				"retry after a moment",
				mb);
	}
	return false;
}

void sv_req_give(struct sv_req *r, size_t n)
{
	sv_budget_give(&r->sv->budget, n);
	r->held -= n;
}

void sv_req_release(struct sv_req *r)
{
	smodel_release(r->sm);
	r->sm = NULL;
	if (r->doc)
		json_decref(r->doc);
	sbuf_free(&r->body);
	sbuf_free(&r->resp);
	sbuf_free(&r->feat);
	free(r->hit);
	free(r->comp_row);
	free(r->dense);
	free(r->cat);
	free(r->out);
	free(r->error);
	free(r->field);
	free(r->pred_json);
}

/* ---- rows ------------------------------------------------------------------------------------ */

enum shape { SH_ROWS, SH_COLUMNS, SH_SPLIT };

struct src {
	enum shape sh;
	const char *what;
	json_t *rows;         /* SH_ROWS: the list of rows; SH_SPLIT: data */
	json_t *cols;         /* SH_COLUMNS: name -> list */
	json_t *colnames;     /* SH_SPLIT: columns */
	size_t n;
};

/* Text of a number in an answer, at most (sv_put_double). */
#define NUM_TEXT 25

static bool alloc_rows(struct sv_req *r, size_t n)
{
	const struct model *m = r->sm->m;
	/* the rows, the predictions' text in the answer and in the request
	 * log, and the rows as JSON in the log (about the size of the body) */
	size_t row = sizeof *r->hit + sizeof *r->comp_row + m->tf->ndense * sizeof *r->dense +
		     m->tf->ncat * sizeof *r->cat + (size_t)m->nout * (sizeof *r->out + 2 * NUM_TEXT);
	if (!sv_req_take(r, (n + 1) * row + (r->sampled ? r->body.len : 0)))
		return false;
	r->n = n;
	r->hit = xcalloc(n + 1, sizeof *r->hit);
	r->comp_row = xmalloc((n + 1) * sizeof *r->comp_row);
	r->dense = xmalloc((n * m->tf->ndense + 1) * sizeof *r->dense);
	r->cat = xmalloc((n * m->tf->ncat + 1) * sizeof *r->cat);
	r->out = xmalloc((n * (size_t)m->nout + 1) * sizeof *r->out);
	return true;
}

/* The feature of a row in the request log's form. */
static void put_value_json(struct sbuf *b, enum pm_type t, const struct ft_value *v)
{
	if (v->missing) {
		sbuf_puts(b, "null");
	} else if (v->is_str) {
		sv_put_json_string(b, v->str, v->len);
	} else if (t == PM_BOOL) {
		sbuf_puts(b, v->num != 0 ? "true" : "false");
	} else if (t == PM_TIMESTAMP) {
		char ts[48];
		ts_format((int64_t)v->num, ts, sizeof ts);
		sv_put_json_string(b, ts, strlen(ts));
	} else {
		sv_put_double(b, v->num);
	}
}

static void log_row(struct sv_req *r, const struct ft_value *vals)
{
	const struct transform *t = r->sm->m->tf;
	struct sbuf *b = &r->feat;
	sbuf_putc(b, b->len ? ',' : '[');
	sbuf_putc(b, '{');
	for (size_t i = 0; i < t->ninputs; i++) {
		if (i)
			sbuf_putc(b, ',');
		sv_put_json_string(b, t->inputs[i].name, strlen(t->inputs[i].name));
		sbuf_putc(b, ':');
		put_value_json(b, t->inputs[i].type, &vals[i]);
	}
	sbuf_putc(b, '}');
}

static void log_key_row(struct sv_req *r, const char *key, size_t len)
{
	struct sbuf *b = &r->feat;
	sbuf_putc(b, b->len ? ',' : '[');
	sbuf_putc(b, '{');
	sv_put_json_string(b, r->sv->lookup, strlen(r->sv->lookup));
	sbuf_putc(b, ':');
	sv_put_json_string(b, key, len);
	sbuf_putc(b, '}');
}

/* Looks a row up in the lookup table; true when it was answered there. */
static bool try_lookup(struct sv_req *r, size_t row, json_t *kv)
{
	const struct lookup *lk = r->sm->lk;
	if (!lk)
		return false;
	char buf[64];
	const char *key = NULL;
	size_t len = kv ? lookup_json_key(kv, buf, sizeof buf, &key) : 0;
	const double *p = key ? lookup_find(lk, key, len) : NULL;
	if (!p) {
		atomic_fetch_add(&r->sv->mt.lookup_misses, 1);
		return false;
	}
	atomic_fetch_add(&r->sv->mt.lookup_hits, 1);
	r->hit[row] = p;
	r->lookup_hits++;
	if (r->sampled)
		log_key_row(r, key, len);
	return true;
}

/* The value of input i (or of the lookup key when i < 0, name given) in
 * row `row`; NULL when absent.  `field` gets the field's name. */
static json_t *src_get(const struct src *s, json_t *row, size_t rowi, int i, const char *name,
		       const int *splitpos, char *field, size_t fsz)
{
	switch (s->sh) {
	case SH_ROWS:
		if (json_is_object(row)) {
			snprintf(field, fsz, "%s[%zu].%s", s->what, rowi, name);
			return json_object_get(row, name);
		}
		snprintf(field, fsz, "%s[%zu][%d]", s->what, rowi, i);
		return i >= 0 ? json_array_get(row, (size_t)i) : NULL;
	case SH_COLUMNS:
		snprintf(field, fsz, "%s.%s[%zu]", s->what, name, rowi);
		return json_array_get(json_object_get(s->cols, name), rowi);
	case SH_SPLIT: {
		int p = splitpos[i < 0 ? 0 : i + 1];
		snprintf(field, fsz, "%s.data[%zu][%d]", s->what, rowi, p);
		return p >= 0 ? json_array_get(row, (size_t)p) : NULL;
	}
	}
	return NULL;
}

static int rows_from_json(struct sv_req *r, struct src *s)
{
	const struct model *m = r->sm->m;
	const struct transform *t = m->tf;
	size_t ni = t->ninputs;
	int *splitpos = NULL;
	char field[512];
	if (s->sh == SH_SPLIT) {
		/* splitpos[0]: the lookup key's column; [i+1]: input i's */
		splitpos = xmalloc((ni + 1) * sizeof *splitpos);
		for (size_t i = 0; i <= ni; i++) {
			const char *want = i ? t->inputs[i - 1].name : r->sv->lookup;
			splitpos[i] = -1;
			for (size_t k = 0; want && k < json_array_size(s->colnames); k++) {
				json_t *c = json_array_get(s->colnames, k);
				if (!json_is_string(c)) {
					snprintf(field, sizeof field, "%s.columns[%zu]", s->what, k);
					sv_answer_error(r, 400, field, "%s: expected a string", field);
					free(splitpos);
					return -1;
				}
				if (strcmp(json_string_value(c), want) == 0) {
					splitpos[i] = (int)k;
					break;
				}
			}
		}
	}
	if (s->sh == SH_COLUMNS) {
		/* every column the model needs, each of the same length */
		const char *first = NULL;
		size_t n = 0;
		for (size_t i = 0; i < ni; i++) {
			const char *name = t->inputs[i].name;
			json_t *col = json_object_get(s->cols, name);
			if (!col)
				continue;
			snprintf(field, sizeof field, "%s.%s", s->what, name);
			if (!json_is_array(col)) {
				sv_answer_error(r, 400, field, "%s: expected a list of values", field);
				return -1;
			}
			if (!first) {
				first = name;
				n = json_array_size(col);
			} else if (json_array_size(col) != n) {
				sv_answer_error(r, 400, field, "%s has %zu values; %s.%s has %zu", field,
						json_array_size(col), s->what, first, n);
				return -1;
			}
		}
		if (!first && r->sv->lookup) {
			json_t *kc = json_object_get(s->cols, r->sv->lookup);
			if (json_is_array(kc))
				n = json_array_size(kc);
		}
		s->n = n;
	}
	if (!alloc_rows(r, s->n)) {
		free(splitpos);
		return -1;
	}
	struct ft_value *vals = xcalloc(ni + 1, sizeof *vals);
	struct pm_err e;
	int rc = 0;
	for (size_t row = 0; row < s->n && rc == 0; row++) {
		json_t *rj = s->sh == SH_COLUMNS ? NULL : json_array_get(s->rows, row);
		if (s->sh == SH_ROWS && !json_is_object(rj) && !json_is_array(rj)) {
			snprintf(field, sizeof field, "%s[%zu]", s->what, row);
			rc = -1;
			sv_answer_error(r, 400, field, "%s: expected an object or a list, got %s", field,
					json_is_string(rj) ? "a string" : json_is_number(rj) ? "a number"
											 : "another value");
			break;
		}
		if (s->sh == SH_SPLIT) {
			snprintf(field, sizeof field, "%s.data[%zu]", s->what, row);
			if (!json_is_array(rj)) {
				rc = -1;
				sv_answer_error(r, 400, field, "%s: expected a list", field);
				break;
			}
			if (json_array_size(rj) != json_array_size(s->colnames)) {
				rc = -1;
				sv_answer_error(r, 400, field, "%s has %zu values for %zu columns", field,
						json_array_size(rj), json_array_size(s->colnames));
				break;
			}
		}
		if (s->sh == SH_ROWS && json_is_array(rj) && json_array_size(rj) != ni) {
			snprintf(field, sizeof field, "%s[%zu]", s->what, row);
			rc = -1;
			sv_answer_error(r, 400, field,
					"%s has %zu values; a list gives the model's %zu inputs in order "
					"(see GET /v1/models/%s/metadata)",
					field, json_array_size(rj), ni, r->sv->model);
			break;
		}
		if (r->sm->lk) {
			int ki = transform_input_index(t, r->sv->lookup);
			json_t *kv;
			if (s->sh == SH_ROWS && json_is_array(rj))
				kv = ki >= 0 ? json_array_get(rj, (size_t)ki) : NULL;
			else
				kv = src_get(s, rj, row, -1, r->sv->lookup, splitpos, field, sizeof field);
			if (try_lookup(r, row, kv))
				continue;
		}
		for (size_t i = 0; i < ni; i++) {
			const struct ft_input *in = &t->inputs[i];
			json_t *v = src_get(s, rj, row, (int)i, in->name, splitpos, field, sizeof field);
			if (!v && r->sv->o.strict) {
				rc = -1;
				if (s->sh == SH_COLUMNS) {
					snprintf(field, sizeof field, "%s.%s", s->what, in->name);
					sv_answer_error(r, 400, field, "%s: missing feature '%s'", s->what,
							in->name);
				} else if (s->sh == SH_SPLIT) {
					snprintf(field, sizeof field, "%s.columns", s->what);
					sv_answer_error(r, 400, field, "%s: missing feature '%s'", field,
							in->name);
				} else {
					char rf[64];
					snprintf(rf, sizeof rf, "%s[%zu]", s->what, row);
					sv_answer_error(r, 400, field, "%s: missing feature '%s'", rf, in->name);
				}
				break;
			}
			if (sv_json_value(in->type, v, &vals[i], &e) < 0) {
				rc = -1;
				if (str_suffix(field, in->name))
					sv_answer_error(r, 400, field, "%s: %s", field, e.msg);
				else
					sv_answer_error(r, 400, field, "%s (feature '%s'): %s", field, in->name,
							e.msg);
				break;
			}
		}
		if (rc < 0)
			break;
		size_t k = r->ncomp;
		if (transform_apply(t, vals, r->dense + k * t->ndense, r->cat + k * t->ncat, &e) < 0) {
			char rf[64];
			snprintf(rf, sizeof rf, "%s[%zu]", s->what, row);
			rc = -1;
			sv_answer_error(r, 400, rf, "%s: %s", rf, e.msg);
			break;
		}
		r->comp_row[r->ncomp++] = row;
		if (r->sampled)
			log_row(r, vals);
	}
	free(vals);
	free(splitpos);
	return rc;
}

static int rows_from_csv(struct sv_req *r)
{
	const struct transform *t = r->sm->m->tf;
	size_t ni = t->ninputs;
	struct sv_csv c;
	const char *data = r->body.s ? r->body.s : "";
	size_t len = r->body.len;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
		data += 3;
		len -= 3;
	}
	sv_csv_init(&c, data, len, ',', 1);
	char *reason = NULL;
	int got = sv_csv_next(&c, &reason);
	if (got <= 0) {
		if (got < 0)
			sv_answer_error(r, 400, "body", "CSV line 1 (the header): %s", reason);
		else
			sv_answer_error(r, 400, "body", "the CSV body is empty (a header row is needed)");
		free(reason);
		sv_csv_free(&c);
		return -1;
	}
	size_t ncols = c.nf;
	char **names = xcalloc(ncols + 1, sizeof *names);
	for (size_t k = 0; k < ncols; k++) {
		size_t n;
		const char *s = sv_csv_field(&c, k, &n);
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		names[k] = xstrndup(s, n);
	}
	int *pos = xmalloc((ni + 1) * sizeof *pos);
	int keypos = -1;
	for (size_t k = 0; k < ncols; k++)
		if (r->sv->lookup && strcmp(names[k], r->sv->lookup) == 0 && keypos < 0)
			keypos = (int)k;
	int rc = 0;
	for (size_t i = 0; i < ni && rc == 0; i++) {
		pos[i] = -1;
		for (size_t k = 0; k < ncols; k++)
			if (strcmp(names[k], t->inputs[i].name) == 0) {
				pos[i] = (int)k;
				break;
			}
		if (pos[i] < 0 && !r->sm->lk && r->sv->o.strict) {
			rc = -1;
			sv_answer_error(r, 400, t->inputs[i].name, "CSV: missing feature column '%s'",
					t->inputs[i].name);
		}
	}
	/* rows: at most one per line */
	size_t maxrows = 1;
	for (size_t q = c.pos; q < len; q++)
		maxrows += str_eol_len(data + q, data + len) == 1;
	if (rc == 0 && !alloc_rows(r, maxrows))
		rc = -1;
	struct ft_value *vals = xcalloc(ni + 1, sizeof *vals);
	struct pm_err e;
	size_t row = 0;
	while (rc == 0) {
		got = sv_csv_next(&c, &reason);
		if (got == 0)
			break;
		if (got < 0) {
			rc = -1;
			sv_answer_error(r, 400, "body", "CSV line %zu: %s", c.row_line, reason);
			free(reason);
			break;
		}
		if (c.nf != ncols) {
			rc = -1;
			sv_answer_error(r, 400, "body", "CSV line %zu: row has %zu field%s, expected %zu",
					c.row_line, c.nf, c.nf == 1 ? "" : "s", ncols);
			break;
		}
		if (r->sm->lk && keypos >= 0) {
			size_t n;
			const char *kv = sv_csv_field(&c, (size_t)keypos, &n);
			const double *p = lookup_find(r->sm->lk, kv, n);
			if (p) {
				atomic_fetch_add(&r->sv->mt.lookup_hits, 1);
				r->hit[row] = p;
				r->lookup_hits++;
				if (r->sampled)
					log_key_row(r, kv, n);
				row++;
				continue;
			}
		}
		if (r->sm->lk)
			atomic_fetch_add(&r->sv->mt.lookup_misses, 1);
		for (size_t i = 0; i < ni && rc == 0; i++) {
			const struct ft_input *in = &t->inputs[i];
			if (pos[i] < 0 && r->sv->o.strict) {
				rc = -1;
				sv_answer_error(r, 400, in->name, "CSV line %zu: missing feature column '%s'",
						c.row_line, in->name);
				break;
			}
			/* an absent column reads as an empty field: missing */
			size_t n = 0;
			const char *v = pos[i] < 0 ? "" : sv_csv_field(&c, (size_t)pos[i], &n);
			if (sv_text_value(in->type, v, n, &vals[i], &e) < 0) {
				rc = -1;
				sv_answer_error(r, 400, in->name, "CSV line %zu, column '%s': %s", c.row_line,
						in->name, e.msg);
			}
		}
		if (rc < 0)
			break;
		size_t k = r->ncomp;
		if (transform_apply(t, vals, r->dense + k * t->ndense, r->cat + k * t->ncat, &e) < 0) {
			rc = -1;
			sv_answer_error(r, 400, "body", "CSV line %zu: %s", c.row_line, e.msg);
			break;
		}
		r->comp_row[r->ncomp++] = row;
		if (r->sampled)
			log_row(r, vals);
		row++;
	}
	if (rc == 0)
		r->n = row;
	free(vals);
	free(pos);
	str_list_free(names);
	sv_csv_free(&c);
	return rc;
}

static bool ctype_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == 0 || ct[n] == ';' || ct[n] == ' ');
}

static int rows_from_doc(struct sv_req *r)
{
	json_error_t je;
	r->doc = json_loadb(r->body.s ? r->body.s : "", r->body.len, 0, &je);
	if (!r->doc) {
		sv_answer_error(r, 400, "body", "malformed JSON at line %d, column %d: %s", je.line,
				je.column, je.text);
		return -1;
	}
	if (!json_is_object(r->doc)) {
		sv_answer_error(r, 400, "body", "the body must be a JSON object");
		return -1;
	}
	json_t *inst = json_object_get(r->doc, "instances");
	json_t *inputs = json_object_get(r->doc, "inputs");
	json_t *split = r->api == API_MLFLOW ? json_object_get(r->doc, "dataframe_split") : NULL;
	json_t *records = r->api == API_MLFLOW ? json_object_get(r->doc, "dataframe_records") : NULL;
	int given = !!inst + !!inputs + !!split + !!records;
	if (given != 1) {
		if (r->api == API_MLFLOW)
			sv_answer_error(r, 400, "body",
					"give exactly one of \"dataframe_split\", \"dataframe_records\", "
					"\"instances\" or \"inputs\"");
		else
			sv_answer_error(r, 400, "body", "give exactly one of \"instances\" or \"inputs\"");
		return -1;
	}
	struct src s = {0};
	if (inst || records) {
		s.sh = SH_ROWS;
		s.what = inst ? "instances" : "dataframe_records";
		s.rows = inst ? inst : records;
		if (!json_is_array(s.rows)) {
			sv_answer_error(r, 400, s.what, "\"%s\" must be a list of rows", s.what);
			return -1;
		}
		s.n = json_array_size(s.rows);
	} else if (inputs) {
		s.what = "inputs";
		if (json_is_object(inputs)) {
			s.sh = SH_COLUMNS;
			s.cols = inputs;
		} else if (json_is_array(inputs)) {
			s.sh = SH_ROWS;
			s.rows = inputs;
			s.n = json_array_size(inputs);
		} else {
			sv_answer_error(r, 400, "inputs",
					"\"inputs\" must be an object of columns or a list of rows");
			return -1;
		}
		r->columnar = r->api == API_TF_PREDICT;
	} else {
		s.sh = SH_SPLIT;
		s.what = "dataframe_split";
		if (!json_is_object(split)) {
			sv_answer_error(r, 400, "dataframe_split",
					"\"dataframe_split\" must be an object with \"columns\" and \"data\"");
			return -1;
		}
		s.colnames = json_object_get(split, "columns");
		s.rows = json_object_get(split, "data");
		if (!json_is_array(s.colnames)) {
			sv_answer_error(r, 400, "dataframe_split.columns",
					"dataframe_split.columns must be a list of column names");
			return -1;
		}
		if (!json_is_array(s.rows)) {
			sv_answer_error(r, 400, "dataframe_split.data",
					"dataframe_split.data must be a list of rows");
			return -1;
		}
		s.n = json_array_size(s.rows);
	}
	r->what = s.what;
	return rows_from_json(r, &s);
}

int sv_parse_rows(struct sv_req *r, const char *ct)
{
	size_t body = r->held, cost = 0;
	int rc;
	if (r->api == API_MLFLOW && ctype_is(ct, "text/csv")) {
		rc = rows_from_csv(r);
	} else if (ct && *ct && !ctype_is(ct, "application/json") &&
		   !ctype_is(ct, "application/x-www-form-urlencoded")) {
		/* JSON, and form-urlencoded because that is what a bare curl -d
		 * says (TF Serving's own examples send it); no Content-Type
		 * reads as JSON */
		sv_answer_error(r, 415, "Content-Type", "unsupported content type '%s' (use %s)", ct,
				r->api == API_MLFLOW ? "application/json or text/csv"
						     : "application/json");
		rc = -1;
	} else {
		cost = sv_json_cost(r->body.s ? r->body.s : "", r->body.len);
		if (sv_req_take(r, cost)) {
			rc = rows_from_doc(r);
		} else {
			cost = 0;
			rc = -1;
		}
	}
	/* the rows hold what the model needs: the body and its JSON go now,
	 * not when the answer has been sent */
	if (r->doc)
		json_decref(r->doc);
	r->doc = NULL;
	sbuf_free(&r->body);
	sv_req_give(r, body + cost);
	return rc;
}

void sv_predict_inline(struct sv_req *r)
{
	if (!r->ncomp)
		return;
	model_predict_rows(r->sm->m, r->dense, r->cat, r->ncomp, r->out);
	sv_metrics_batch(&r->sv->mt, r->ncomp);
}

void sv_answer_predictions(struct sv_req *r)
{
	const struct model *m = r->sm->m;
	for (size_t k = 0; k < r->ncomp; k++) {
		char *why = sv_pred_overflow(m, r->dense + k * m->tf->ndense, r->out + k * (size_t)m->nout);
		if (!why)
			continue;
		char rf[64];
		if (r->what)
			snprintf(rf, sizeof rf, "%s[%zu]", r->what, r->comp_row[k]);
		else
			snprintf(rf, sizeof rf, "CSV row %zu", r->comp_row[k] + 1);
		sv_answer_error(r, 400, rf, "%s: %s", rf, why);
		free(why);
		return;
	}
	struct sbuf p = {0};
	sbuf_putc(&p, '[');
	size_t k = 0;
	for (size_t row = 0; row < r->n; row++) {
		if (row)
			sbuf_putc(&p, ',');
		if (r->hit[row]) {
			sv_put_pred_json(&p, m, r->hit[row]);
		} else {
			sv_put_pred_json(&p, m, r->out + k * (size_t)m->nout);
			k++;
		}
	}
	sbuf_putc(&p, ']');
	r->resp.len = 0;
	sbuf_puts(&r->resp, r->columnar ? "{\"outputs\":" : "{\"predictions\":");
	sbuf_add(&r->resp, p.s, p.len);
	sbuf_puts(&r->resp, "}\n");
	if (r->sampled)
		r->pred_json = sbuf_steal(&p);
	sbuf_free(&p);
	r->status = 200;
	r->content_type = "application/json";
}

/* ---- model status ---------------------------------------------------------------------------- */

static const char *dtype(enum pm_type t)
{
	switch (t) {
	case PM_INT: return "DT_INT64";
	case PM_FLOAT: return "DT_DOUBLE";
	case PM_BOOL: return "DT_BOOL";
	case PM_STRING: return "DT_STRING";
	case PM_TIMESTAMP: return "DT_STRING";
	}
	return "DT_INVALID";
}

void sv_answer_model_status(struct sv_req *r, int64_t version, bool metadata)
{
	struct server *sv = r->sv;
	json_t *doc;
	if (!metadata) {
		json_t *st = json_array();
		pthread_mutex_lock(&sv->mu);
		int64_t seen[64];
		size_t nseen = 0;
		for (size_t i = 0; i < sv->nroutes + 1 && nseen < 64; i++) {
			int64_t v = i < sv->nroutes ? (sv->routes[i].cur ? sv->routes[i].cur->version : 0)
						    : version;
			if (!v)
				continue;
			if (version && v != version)
				continue;
			bool dup = false;
			for (size_t q = 0; q < nseen; q++)
				dup |= seen[q] == v;
			if (dup)
				continue;
			seen[nseen++] = v;
			char vs[32];
			snprintf(vs, sizeof vs, "%lld", (long long)v);
			json_array_append_new(st, json_pack("{s:s,s:s,s:{s:s,s:s}}", "version", vs, "state",
							    "AVAILABLE", "status", "error_code", "OK",
							    "error_message", ""));
		}
		pthread_mutex_unlock(&sv->mu);
		doc = json_pack("{s:o}", "model_version_status", st);
	} else {
		const struct model *m = r->sm->m;
		const struct transform *t = m->tf;
		json_t *inputs = json_object(), *list = json_array();
		for (size_t i = 0; i < t->ninputs; i++) {
			json_object_set_new(inputs, t->inputs[i].name,
					    json_pack("{s:s,s:s,s:s}", "dtype", dtype(t->inputs[i].type),
						      "name", t->inputs[i].name, "type",
						      pm_type_name(t->inputs[i].type)));
			json_array_append_new(list, json_pack("{s:s,s:s}", "name", t->inputs[i].name,
							      "type", pm_type_name(t->inputs[i].type)));
		}
		json_t *classes = json_array();
		for (uint32_t k = 0; k < m->classes.n; k++)
			json_array_append_new(classes,
					      json_stringn(m->classes.str[k], m->classes.len[k]));
		char vs[32];
		snprintf(vs, sizeof vs, "%lld", (long long)r->sm->version);
		const char *out = m->task == TASK_REGRESSION ? "the predicted value"
				  : m->task == TASK_BINARY   ? "the probability of the positive class "
							       "(classes[1])"
							     : "one probability per class";
		doc = json_pack(
			"{s:{s:s,s:s,s:s},s:{s:{s:{s:{s:o,s:{s:{s:s,s:s}},s:s}}}},s:o,s:s,s:s,s:s?,s:o,s:s}",
			"model_spec", "name", sv->model, "signature_name", "serving_default", "version", vs,
			"metadata", "signature_def", "signature_def", "serving_default", "inputs", inputs,
			"outputs", "predictions", "dtype", "DT_DOUBLE", "name", "predictions",
			"method_name", "tensorflow/serving/predict", "inputs", list, "type",
			model_type_name(m->type), "task", model_task_name(m->task), "label", m->label,
			"classes", classes, "predictions", out);
	}
	r->resp.len = 0;
	char *txt = json_dumps(doc, JSON_COMPACT);
	sbuf_puts(&r->resp, txt);
	sbuf_putc(&r->resp, '\n');
	free(txt);
	json_decref(doc);
	r->status = 200;
	r->content_type = "application/json";
}
