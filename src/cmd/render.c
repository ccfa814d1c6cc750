/* Printing results: JSON on one line, CSV, and aligned text tables. */
#include "cmd.h"

#include "model/model.h"
#include "plot/plot.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON, with the shortest round-trip form of every number ----------------- */
static void json_str(struct sbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': sbuf_puts(b, "\\\""); break;
		case '\\': sbuf_puts(b, "\\\\"); break;
		case '\n': sbuf_puts(b, "\\n"); break;
		case '\r': sbuf_puts(b, "\\r"); break;
		case '\t': sbuf_puts(b, "\\t"); break;
		case '\b': sbuf_puts(b, "\\b"); break;
		case '\f': sbuf_puts(b, "\\f"); break;
		default:
			if (c < 0x20) {
				char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
				sbuf_puts(b, u);
			} else {
				sbuf_putc(b, (char)c);
			}
		}
	}
	sbuf_putc(b, '"');
}


void json_write(json_t *v, struct sbuf *b)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		sbuf_putc(b, '{');
		const char *k;
		json_t *x;
		bool first = true;
		json_object_foreach(v, k, x) {
			if (!first)
				sbuf_putc(b, ',');
			first = false;
			json_str(b, k, strlen(k));
			sbuf_putc(b, ':');
			json_write(x, b);
		}
		sbuf_putc(b, '}');
		break;
	}
	case JSON_ARRAY: {
		sbuf_putc(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				sbuf_putc(b, ',');
			json_write(json_array_get(v, i), b);
		}
		sbuf_putc(b, ']');
		break;
	}
	case JSON_STRING:
		json_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sbuf_printf(b, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL: {
		double d = json_real_value(v);
		if (!isfinite(d)) {
			sbuf_puts(b, "null");
			break;
		}
		fmt_double(d, num, sizeof num);
		sbuf_puts(b, num);
		break;
	}
	case JSON_TRUE: sbuf_puts(b, "true"); break;
	case JSON_FALSE: sbuf_puts(b, "false"); break;
	case JSON_NULL: sbuf_puts(b, "null"); break;
	}
}

/* A scalar as display text (caller frees). */
static char *scalar_text(json_t *v)
{
	char num[64];
	switch (json_typeof(v)) {
	case JSON_STRING: return xstrdup(json_string_value(v));
	case JSON_INTEGER: return xasprintf("%lld", (long long)json_integer_value(v));
	case JSON_REAL:
		fmt_double(json_real_value(v), num, sizeof num);
		return xstrdup(num);
	case JSON_TRUE: return xstrdup("true");
	case JSON_FALSE: return xstrdup("false");
	case JSON_NULL: return xstrdup("");
	default: {
		struct sbuf b = {0};
		json_write(v, &b);
		return sbuf_steal(&b);
	}
	}
}

static bool is_scalar(json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* ---- aligned tables ---------------------------------------------------------------- */
struct table {
	size_t ncols, n, cap; /* n cells so far, row by row */
	char **head, **cells;
	bool *right;
	bool narrow;
};

struct table *table_new(size_t ncols, const char *const *headers, const bool *right)
{
	struct table *t = xcalloc(1, sizeof *t);
	t->ncols = ncols;
	t->head = xcalloc(ncols + 1, sizeof *t->head);
	t->right = xcalloc(ncols + 1, sizeof *t->right);
	for (size_t c = 0; c < ncols; c++) {
		t->head[c] = xstrdup(headers[c] ? headers[c] : "");
		t->right[c] = right && right[c];
	}
	return t;
}

void table_narrow(struct table *t)
{
	t->narrow = true;
}

void table_right(struct table *t, size_t col, bool right)
{
	t->right[col] = right;
}

void table_take(struct table *t, char *cell)
{
	xgrow((void **)&t->cells, &t->cap, t->n + 1, sizeof *t->cells);
	t->cells[t->n++] = cell ? cell : xstrdup("");
}

void table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct sbuf b = {0};
	sbuf_vprintf(&b, fmt, ap);
	va_end(ap);
	table_take(t, sbuf_steal(&b));
}

void table_str(struct table *t, const char *s)
{
	table_take(t, xstrdup(s ? s : ""));
}

void table_num(struct table *t, json_t *v, double scale, const char *fmt)
{
	if (json_is_number(v))
		table_cell(t, fmt, json_number_value(v) * scale);
	else
		table_str(t, "-");
}

char *render_int(json_t *v)
{
	return json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v)) : xstrdup("-");
}

size_t table_rows(const struct table *t)
{
	return t->n / t->ncols;
}

void table_render(struct table *t, struct sbuf *out)
{
	while (t->n % t->ncols) /* a row left short ends in empty cells */
		table_take(t, NULL);
	size_t ncols = t->ncols, nrows = t->n / ncols;
	int *w = xcalloc(ncols, sizeof *w);
	for (size_t c = 0; c < ncols; c++)
		w[c] = utf8_width(t->head[c]);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			int cw = utf8_width(t->cells[r * ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r <= nrows; r++) {
		struct sbuf line = {0};
		for (size_t c = 0; c < ncols; c++) {
			const char *x = r == 0 ? t->head[c] : t->cells[(r - 1) * ncols + c];
			int pad = w[c] - utf8_width(x);
			/* a narrow table aligns its headers with their columns */
			bool ra = (r > 0 || t->narrow) && t->right[c];
			if (c)
				sbuf_puts(&line, c == 1 || !t->narrow ? "  " : " ");
			if (ra)
				for (int k = 0; k < pad; k++)
					sbuf_putc(&line, ' ');
			sbuf_puts(&line, x);
			if (!ra && c + 1 < ncols)
				for (int k = 0; k < pad; k++)
					sbuf_putc(&line, ' ');
		}
		while (line.len && line.s[line.len - 1] == ' ')
			line.s[--line.len] = 0;
		sbuf_add(out, line.s ? line.s : "", line.len);
		sbuf_putc(out, '\n');
		sbuf_free(&line);
	}
	free(w);
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	for (size_t c = 0; c < ncols; c++)
		free(t->head[c]);
	free(t->cells);
	free(t->head);
	free(t->right);
	free(t);
}

/* Collects the scalar keys of an array of objects, in first-seen order. */
static json_t *object_keys(json_t *arr)
{
	json_t *keys = json_array();
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *o = json_array_get(arr, i);
		const char *k;
		json_t *x;
		json_object_foreach(o, k, x) {
			if (!is_scalar(x) && !(json_is_array(x) && json_array_size(x) <= 8))
				continue;
			bool seen = false;
			for (size_t j = 0; j < json_array_size(keys); j++)
				if (strcmp(json_string_value(json_array_get(keys, j)), k) == 0)
					seen = true;
			if (!seen)
				json_array_append_new(keys, json_string(k));
		}
	}
	return keys;
}

static bool all_objects(json_t *arr)
{
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return false;
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (!json_is_object(json_array_get(arr, i)))
			return false;
	return true;
}

/* Cells of an array of objects (or of arrays, with column names given). */
/* Text cells wider than this are cut with an ellipsis in tables (never in CSV). */
#define CELL_MAX_WIDTH 48

const char *render_p(double p, char *buf, size_t n)
{
	if (isnan(p))
		return "-";
	if (p <= 0)
		return "<1e-300";
	snprintf(buf, n, "%.2g", p);
	return buf;
}

const char *render_num(double v, char *buf, size_t n)
{
	if (isnan(v))
		return "-";
	if (isinf(v))
		return v > 0 ? "inf" : "-inf";
	if (v == 0)
		return "0";
	for (int digits = 4; digits >= 1; digits--) {
		char t[64];
		snprintf(t, sizeof t, "%.*g", digits, v);
		/* e+09 -> e9, e-05 -> e-5 */
		char *e = strchr(t, 'e');
		if (e) {
			char *q = e + 1, *w = e + 1;
			if (*q == '+')
				q++;
			else if (*q == '-')
				*w++ = *q++;
			while (*q == '0' && q[1])
				q++;
			memmove(w, q, strlen(q) + 1);
		}
		if (strlen(t) <= 7 || digits == 1) {
			snprintf(buf, n, "%s", t);
			return buf;
		}
	}
	return buf;
}

char *render_cut(const char *s, int w)
{
	if (w <= 0 || utf8_width(s) <= w)
		return xstrdup(s);
	size_t keep = utf8_fit(s, w - 1);
	return xasprintf("%.*s%s", (int)keep, s, plot_unicode() ? "\u2026" : "~");
}

static char *cut(char *t, int maxw)
{
	char *r = render_cut(t, maxw);
	free(t);
	return r;
}

static void grid_cells(json_t *rows, json_t *keys, bool rows_are_arrays, int maxw,
		       char ***cells_out, bool **right_out)
{
	size_t nc = json_array_size(keys), nr = json_array_size(rows);
	char **cells = xcalloc(nr * nc + 1, sizeof *cells);
	bool *right = xcalloc(nc + 1, sizeof *right);
	for (size_t c = 0; c < nc; c++)
		right[c] = true;
	for (size_t r = 0; r < nr; r++) {
		json_t *row = json_array_get(rows, r);
		for (size_t c = 0; c < nc; c++) {
			json_t *v = rows_are_arrays
					    ? json_array_get(row, c)
					    : json_object_get(row, json_string_value(json_array_get(keys, c)));
			if (!v || json_is_null(v)) {
				cells[r * nc + c] = xstrdup(rows_are_arrays ? "NA" : "");
				continue;
			}
			if (json_is_array(v) && !rows_are_arrays) {
				struct sbuf b = {0};
				for (size_t i = 0; i < json_array_size(v); i++) {
					char *t = scalar_text(json_array_get(v, i));
					sbuf_printf(&b, "%s%s", i ? "," : "", t);
					free(t);
				}
				cells[r * nc + c] = sbuf_steal(&b);
			} else {
				cells[r * nc + c] = scalar_text(v);
			}
			/* a table row is one line: a multi-line text (a --sql source) is
			 * shown on it with its line breaks as spaces, cut if long; the
			 * data's control characters are shown, not sent to the terminal */
			char *vis = maxw > 0 ? str_visible(cells[r * nc + c]) : NULL;
			if (vis) {
				free(cells[r * nc + c]);
				cells[r * nc + c] = vis;
			}
			cells[r * nc + c] = cut(cells[r * nc + c], maxw);
			/* an infinite float comes as the string "inf" or "-inf" (JSON
			 * has no infinity): it aligns with the column's numbers */
			const char *t = json_string_value(v);
			if (!json_is_number(v) && !(t && (!strcmp(t, "inf") || !strcmp(t, "-inf"))))
				right[c] = false;
		}
	}
	*cells_out = cells;
	*right_out = right;
}

static void render_grid(struct sbuf *out, json_t *keys, json_t *rows, bool rows_are_arrays)
{
	size_t nc = json_array_size(keys), nr = json_array_size(rows);
	char **headers = xcalloc(nc + 1, sizeof *headers);
	for (size_t c = 0; c < nc; c++) {
		json_t *k = json_array_get(keys, c);
		const char *h = json_is_object(k) ? json_string_value(json_object_get(k, "name"))
						  : json_string_value(k);
		/* column names come from the data too */
		headers[c] = h ? str_visible(h) : NULL;
		if (!headers[c])
			headers[c] = xstrdup(h ? h : "");
	}
	char **cells;
	bool *right;
	grid_cells(rows, keys, rows_are_arrays, CELL_MAX_WIDTH, &cells, &right);
	struct table *t = table_new(nc, (const char *const *)headers, right);
	for (size_t i = 0; i < nr * nc; i++)
		table_take(t, cells[i]);
	table_render(t, out);
	for (size_t c = 0; c < nc; c++)
		free(headers[c]);
	free(cells);
	free(right);
	free(headers);
}

static void render_value(json_t *v, struct sbuf *out, int indent);

static void render_object(json_t *v, struct sbuf *out, int indent)
{
	const char *k;
	json_t *x;
	int kw = 0;
	json_object_foreach(v, k, x) {
		if (is_scalar(x) && utf8_width(k) > kw)
			kw = utf8_width(k);
	}
	json_object_foreach(v, k, x) {
		if (is_scalar(x)) {
			char *t = scalar_text(x);
			sbuf_printf(out, "%*s%s:%*s %s\n", indent, "", k, kw - utf8_width(k), "", t);
			free(t);
		}
	}
	json_object_foreach(v, k, x) {
		if (is_scalar(x))
			continue;
		if (json_is_array(x) && json_array_size(x) == 0) {
			sbuf_printf(out, "%*s%s: (none)\n", indent, "", k);
			continue;
		}
		if (json_is_array(x) && !all_objects(x) && !json_is_array(json_array_get(x, 0))) {
			sbuf_printf(out, "%*s%s: ", indent, "", k);
			for (size_t i = 0; i < json_array_size(x); i++) {
				char *t = scalar_text(json_array_get(x, i));
				sbuf_printf(out, "%s%s", i ? ", " : "", t);
				free(t);
			}
			sbuf_putc(out, '\n');
			continue;
		}
		sbuf_printf(out, "\n%*s%s:\n", indent, "", k);
		render_value(x, out, indent + 2);
	}
}

static void render_value(json_t *v, struct sbuf *out, int indent)
{
	if (json_is_object(v)) {
		json_t *cols = json_object_get(v, "columns"), *rows = json_object_get(v, "rows");
		if (json_is_array(cols) && json_is_array(rows) &&
		    (json_array_size(rows) == 0 || json_is_array(json_array_get(rows, 0)))) {
			render_grid(out, cols, rows, true);
			return;
		}
		render_object(v, out, indent);
	} else if (all_objects(v)) {
		json_t *keys = object_keys(v);
		struct sbuf t = {0};
		render_grid(&t, keys, v, false);
		/* indent each line */
		char *line = t.s, *nl;
		while (line && (nl = strchr(line, '\n'))) {
			sbuf_printf(out, "%*s%.*s\n", indent, "", (int)(nl - line), line);
			line = nl + 1;
		}
		sbuf_free(&t);
		json_decref(keys);
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *x = json_array_get(v, i);
			if (is_scalar(x)) {
				char *t = scalar_text(x);
				sbuf_printf(out, "%*s%s\n", indent, "", t);
				free(t);
			} else {
				render_value(x, out, indent);
			}
		}
	} else {
		char *t = scalar_text(v);
		sbuf_printf(out, "%*s%s\n", indent, "", t);
		free(t);
	}
}

void render_generic(json_t *v, struct sbuf *out)
{
	render_value(v, out, 0);
}

/* ---- CSV ------------------------------------------------------------------------------ */
static void csv_field(struct sbuf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		sbuf_puts(b, s);
		return;
	}
	sbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sbuf_putc(b, '"');
		sbuf_putc(b, *s);
	}
	sbuf_putc(b, '"');
}

static void csv_grid(struct sbuf *out, json_t *keys, json_t *rows, bool rows_are_arrays)
{
	size_t nc = json_array_size(keys), nr = json_array_size(rows);
	for (size_t c = 0; c < nc; c++) {
		json_t *k = json_array_get(keys, c);
		const char *h = json_is_object(k) ? json_string_value(json_object_get(k, "name"))
						 : json_string_value(k);
		if (c)
			sbuf_putc(out, ',');
		csv_field(out, h ? h : "");
	}
	sbuf_putc(out, '\n');
	char **cells;
	bool *right;
	grid_cells(rows, keys, rows_are_arrays, 0, &cells, &right);
	for (size_t r = 0; r < nr; r++) {
		for (size_t c = 0; c < nc; c++) {
			if (c)
				sbuf_putc(out, ',');
			const char *t = cells[r * nc + c];
			json_t *row = json_array_get(rows, r);
			json_t *v = rows_are_arrays ? json_array_get(row, c) : NULL;
			csv_field(out, rows_are_arrays && (!v || json_is_null(v)) ? "" : t);
		}
		sbuf_putc(out, '\n');
	}
	for (size_t i = 0; i < nr * nc; i++)
		free(cells[i]);
	free(cells);
	free(right);
}

static void render_csv(json_t *v, struct sbuf *out)
{
	if (json_is_object(v)) {
		json_t *cols = json_object_get(v, "columns"), *rows = json_object_get(v, "rows");
		if (json_is_array(cols) && json_is_array(rows) &&
		    (json_array_size(rows) == 0 || json_is_array(json_array_get(rows, 0)))) {
			csv_grid(out, cols, rows, true);
			return;
		}
		/* the first array of objects is the table; else key,value lines */
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) {
			if (all_objects(x)) {
				render_csv(x, out);
				return;
			}
		}
		sbuf_puts(out, "key,value\n");
		json_object_foreach(v, k, x) {
			char *t = scalar_text(x);
			csv_field(out, k);
			sbuf_putc(out, ',');
			csv_field(out, t);
			sbuf_putc(out, '\n');
			free(t);
		}
		return;
	}
	if (all_objects(v)) {
		json_t *keys = object_keys(v);
		csv_grid(out, keys, v, false);
		json_decref(keys);
		return;
	}
	char *t = scalar_text(v);
	csv_field(out, t);
	sbuf_putc(out, '\n');
	free(t);
}

void cmd_print_result(struct session *s, const struct cmd_call *call, json_t *result)
{
	struct sbuf b = {0};
	switch (s->format) {
	case OUT_JSON:
		json_write(result, &b);
		sbuf_putc(&b, '\n');
		break;
	case OUT_CSV:
		render_csv(result, &b);
		break;
	case OUT_TABLE:
		if (call && call->entry->render)
			call->entry->render(s, call, result, &b);
		else
			render_generic(result, &b);
		break;
	}
	if (b.len)
		fwrite(b.s, 1, b.len, s->out);
	fflush(s->out);
	sbuf_free(&b);
}

/* ---- metrics ---------------------------------------------------------------- */

void render_metric_num(struct sbuf *out, double v)
{
	if (!isfinite(v))
		sbuf_puts(out, "NA");
	else if (v == trunc(v) && fabs(v) < 1e15)
		sbuf_printf(out, "%.0f", v);
	else
		sbuf_printf(out, "%.6g", v);
}

static void render_metric_line(json_t *m, const char *name, const char *indent, struct sbuf *out)
{
	json_t *v = json_object_get(m, name);
	if (!v)
		return;
	sbuf_printf(out, "%s%-18s ", indent, name);
	if (json_is_number(v))
		render_metric_num(out, json_number_value(v));
	else if (json_is_string(v))
		sbuf_puts(out, json_string_value(v));
	else
		sbuf_puts(out, "NA");
	sbuf_putc(out, '\n');
}

/* A class name in a cell of `w` columns, cut to fit. */
static void render_cell(struct sbuf *out, const char *s, int w, bool right)
{
	size_t n = utf8_fit(s, w);
	char *cut = xstrndup(s, n);
	int pad = w - utf8_width(cut);
	if (right)
		sbuf_printf(out, "%*s%s", pad, "", cut);
	else
		sbuf_printf(out, "%s%*s", cut, pad, "");
	free(cut);
}

static void render_confusion(json_t *cm, json_t *classes, const char *indent, struct sbuf *out)
{
	sbuf_printf(out, "%sconfusion (rows: true class, columns: predicted)\n", indent);
	size_t k = json_array_size(cm);
	bool named = json_array_size(classes) == k;
	/* names longer than this are cut: a row must stay readable */
	const int maxw = 16;
	int namew = 0, cellw = 8;
	for (size_t i = 0; named && i < k; i++) {
		int w = utf8_width(json_string_value(json_array_get(classes, i)) ?: "");
		if (w > maxw)
			w = maxw;
		if (w > namew)
			namew = w;
		if (w + 2 > cellw)
			cellw = w + 2;
	}
	if (named) {
		sbuf_printf(out, "%s  %*s", indent, namew, "");
		for (size_t j = 0; j < k; j++) {
			sbuf_putc(out, ' ');
			render_cell(out, json_string_value(json_array_get(classes, j)) ?: "", cellw - 1, true);
		}
		sbuf_putc(out, '\n');
	}
	size_t i;
	json_t *row;
	json_array_foreach(cm, i, row) {
		sbuf_printf(out, "%s  ", indent);
		if (named)
			render_cell(out, json_string_value(json_array_get(classes, i)) ?: "", namew, false);
		size_t j;
		json_t *c;
		json_array_foreach(row, j, c)
			sbuf_printf(out, "%*lld", cellw, (long long)json_integer_value(c));
		sbuf_putc(out, '\n');
	}
}

void render_metrics(json_t *m, const char *task, const char *indent, struct sbuf *out)
{
	static const char *const order[] = {"rmse", "mae", "r2", "mse", "auc", "pr_auc", "accuracy",
					    "logloss", "precision", "recall", "f1", "threshold",
					    "positive_rate", "baseline_rmse", "baseline_mae",
					    "baseline_accuracy", "baseline_logloss", "n", "evaluated_on"};
	const char *primary = model_primary_metric(task, NULL);
	if (primary)
		render_metric_line(m, primary, indent, out);
	for (size_t i = 0; i < PM_ARRAY_LEN(order); i++)
		if (!primary || strcmp(order[i], primary) != 0)
			render_metric_line(m, order[i], indent, out);
	json_t *cm = json_object_get(m, "confusion");
	if (json_is_array(cm))
		render_confusion(cm, json_object_get(m, "classes"), indent, out);
}

void render_slices(json_t *slices, const char *task, struct sbuf *out)
{
	if (!json_array_size(slices))
		return;
	/* one line per slice with the main metrics of the first one, the
	 * primary metric first */
	json_t *m0 = json_object_get(json_array_get(slices, 0), "metrics");
	const char *keys[4];
	size_t nk = 0;
	const char *primary = model_primary_metric(task, NULL);
	if (primary && json_object_get(m0, primary))
		keys[nk++] = primary;
	const char *cands[] = {"rmse", "mae", "r2", "auc", "accuracy", "logloss"};
	for (size_t i = 0; i < PM_ARRAY_LEN(cands) && nk < 4; i++)
		if (json_object_get(m0, cands[i]) && (!primary || strcmp(cands[i], primary) != 0))
			keys[nk++] = cands[i];
	size_t ns = json_array_size(slices), nc = 2 + nk;
	const char *hdr[6] = {json_string_value(json_object_get(json_array_get(slices, 0), "slice")), "rows"};
	for (size_t k = 0; k < nk; k++)
		hdr[2 + k] = keys[k];
	static const bool right[6] = {false, true, true, true, true, true};
	struct table *t = table_new(nc, hdr, right);
	for (size_t i = 0; i < ns; i++) {
		json_t *sl = json_array_get(slices, i);
		const char *val = json_string_value(json_object_get(sl, "value"));
		table_str(t, val ? val : "NA");
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(sl, "rows")));
		for (size_t k = 0; k < nk; k++) {
			json_t *x = json_object_get(json_object_get(sl, "metrics"), keys[k]);
			if (json_is_number(x))
				table_cell(t, "%.4f", json_number_value(x));
			else
				table_str(t, "NA");
		}
	}
	sbuf_puts(out, "slices:\n");
	table_render(t, out);
}

void render_wrap(struct sbuf *out, const char *text, int indent, int width)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t plen = nl ? (size_t)(nl - p) : strlen(p);
		int col = 0;
		size_t i = 0;
		sbuf_printf(out, "%*s", indent, "");
		while (i < plen) {
			size_t j = i;
			while (j < plen && p[j] != ' ')
				j++;
			char *word = xstrndup(p + i, j - i);
			int wl = utf8_width(word);
			free(word);
			if (col > 0 && indent + col + 1 + wl > width) {
				sbuf_printf(out, "\n%*s", indent, "");
				col = 0;
			} else if (col > 0) {
				sbuf_putc(out, ' ');
				col++;
			}
			sbuf_add(out, p + i, j - i);
			col += wl;
			i = j;
			while (i < plen && p[i] == ' ')
				i++;
		}
		sbuf_putc(out, '\n');
		p += plen;
		if (*p == '\n')
			p++;
	}
}
