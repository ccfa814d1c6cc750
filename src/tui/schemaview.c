/* The schema and anomalies of a dataset, in the way of TFDV: the schema it
 * is checked against (type, presence, range, skew and drift thresholds,
 * environments, domain of every feature) and the anomalies that `validate`
 * finds, highlighted, with the full description of the current one below.
 * The schema is read from the workspace like the other lists; checking and
 * every change run as commands (validate, schema set, schema infer), so
 * they land in the session history.  A picker lists the stored schemas
 * when the dataset has none of its own name. */
#include "internal.h"

#include "validate/validate.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared with the compare view ------------------------------------------------ */
char *tui_fingerprint(struct tui *t, const char *dataset)
{
	struct workspace *ws;
	struct ws_dataset d = {0};
	struct pm_err err = {0};
	char *fp = NULL;
	if (session_ws(t->s, &ws, &err) == 0 && ws_dataset_get(ws, dataset, &d, &err) == 0)
		fp = xstrdup(d.fingerprint ? d.fingerprint : "");
	ws_dataset_free(&d);
	return fp ? fp : xstrdup("");
}

/* Dataset names, for Tab in the baseline and previous prompts. */
static char **dataset_words(struct tui *t)
{
	struct workspace *ws;
	struct ws_dataset *list = NULL;
	size_t n = 0;
	struct pm_err err = {0};
	if (session_ws(t->s, &ws, &err) < 0 || ws_dataset_list(ws, &list, &n, &err) < 0)
		n = 0;
	char **w = xcalloc(n + 1, sizeof *w);
	for (size_t i = 0; i < n; i++) {
		w[i] = xstrdup(list[i].name);
		ws_dataset_free(&list[i]);
	}
	free(list);
	return w;
}

static bool dataset_exists(struct tui *t, const char *name)
{
	char *fp = tui_fingerprint(t, name);
	bool ok = *fp != 0;
	free(fp);
	return ok;
}

/* ---- the schema view ------------------------------------------------------------------ */
enum sv_kind { L_SECTION_A, L_HEAD_A, L_ANOM, L_NOTE, L_BLANK, L_SECTION_S, L_HEAD_S, L_FEAT };

struct sv_line {
	enum sv_kind kind;
	size_t i;           /* anomaly or feature */
};

/* feature table columns after the name; the domain takes the rest */
enum { FC_TYPE, FC_PRESENCE, FC_RANGE, FC_SKEW, FC_DRIFT, FC_ENV, FC_DOMAIN, FC_N };

struct schemaview {
	struct view v;
	char *dataset;
	char *schema;
	char *env, *baseline, *previous;   /* validate's options, NULL when not given */
	struct schema *sc;
	json_t *result;                    /* validate's JSON */
	char *run_key;                     /* what that validation saw */
	char *run_line;                    /* the command, shown above the anomalies */
	char *err;                         /* no schema: why */
	char *verr;                        /* validation failed: why */
	unsigned gen;
	bool synced;
	struct sv_line *lines;
	size_t nlines;
	size_t *item_line;                 /* cursor item -> line */
	size_t top;
};

static size_t n_anom(const struct schemaview *sv)
{
	return json_array_size(json_object_get(sv->result, "anomalies"));
}

static json_t *anomaly_at(const struct schemaview *sv, size_t i)
{
	return json_array_get(json_object_get(sv->result, "anomalies"), i);
}

/* The current item: an anomaly (*feat NULL) or a feature. */
static json_t *cur_anomaly(const struct schemaview *sv)
{
	return sv->v.sc.n && sv->v.sc.cur < n_anom(sv) ? anomaly_at(sv, sv->v.sc.cur) : NULL;
}

static const struct schema_feature *cur_feature(const struct schemaview *sv)
{
	size_t na = n_anom(sv);
	if (!sv->sc || sv->v.sc.cur < na || sv->v.sc.cur - na >= sv->sc->n)
		return NULL;
	return &sv->sc->f[sv->v.sc.cur - na];
}

static void add_line(struct schemaview *sv, size_t *cap, enum sv_kind kind, size_t i)
{
	xgrow((void **)&sv->lines, cap, sv->nlines + 1, sizeof *sv->lines);
	sv->lines[sv->nlines++] = (struct sv_line){kind, i};
}

static void layout_lines(struct schemaview *sv)
{
	free(sv->lines);
	free(sv->item_line);
	sv->lines = NULL;
	sv->nlines = 0;
	size_t na = n_anom(sv), nf = sv->sc ? sv->sc->n : 0, cap = 0, k = 0;
	sv->item_line = xcalloc(na + nf + 1, sizeof *sv->item_line);
	add_line(sv, &cap, L_SECTION_A, 0);
	if (na) {
		add_line(sv, &cap, L_HEAD_A, 0);
		for (size_t i = 0; i < na; i++) {
			sv->item_line[k++] = sv->nlines;
			add_line(sv, &cap, L_ANOM, i);
		}
	} else {
		add_line(sv, &cap, L_NOTE, 0);
	}
	add_line(sv, &cap, L_BLANK, 0);
	add_line(sv, &cap, L_SECTION_S, 0);
	add_line(sv, &cap, L_HEAD_S, 0);
	for (size_t i = 0; i < nf; i++) {
		sv->item_line[k++] = sv->nlines;
		add_line(sv, &cap, L_FEAT, i);
	}
	sv->v.sc.n = k;
	scroller_fix(&sv->v.sc);
}

/* The cursor's item as "a:N" or "f:NAME", to find it again after a resync. */
static char *cur_key(const struct schemaview *sv)
{
	const struct schema_feature *f = cur_feature(sv);
	if (f)
		return xasprintf("f:%s", f->name);
	if (cur_anomaly(sv))
		return xasprintf("a:%zu", sv->v.sc.cur);
	return NULL;
}

static void restore_cur(struct schemaview *sv, const char *key)
{
	if (!key)
		return;
	size_t na = n_anom(sv);
	if (key[0] == 'a') {
		size_t i = (size_t)strtoul(key + 2, NULL, 10);
		sv->v.sc.cur = i < na ? i : na ? na - 1 : 0;
	} else if (sv->sc) {
		for (size_t i = 0; i < sv->sc->n; i++)
			if (strcmp(sv->sc->f[i].name, key + 2) == 0)
				sv->v.sc.cur = na + i;
	}
	scroller_fix(&sv->v.sc);
}

/* Runs validate with the view's options; its words are kept for the title. */
static void run_validate(struct schemaview *sv, struct tui *t)
{
	char *words[12];
	int n = 0;
	words[n++] = "validate";
	words[n++] = sv->dataset;
	words[n++] = "--schema";
	words[n++] = sv->schema;
	if (sv->env) {
		words[n++] = "--env";
		words[n++] = sv->env;
	}
	if (sv->baseline) {
		words[n++] = "--baseline";
		words[n++] = sv->baseline;
	}
	if (sv->previous) {
		words[n++] = "--previous";
		words[n++] = sv->previous;
	}
	words[n] = NULL;
	struct sbuf line = {0};
	for (int i = 0; i < n; i++) {
		if (i)
			sbuf_putc(&line, ' ');
		cmd_quote_word(&line, words[i]);
	}
	free(sv->run_line);
	sv->run_line = sbuf_steal(&line);
	json_decref(sv->result);
	sv->result = NULL;
	free(sv->verr);
	sv->verr = NULL;
	struct pm_err err = {0};
	if (tui_exec_json(t, words, &sv->result, &err) < 0) {
		sv->result = NULL;
		sv->verr = xstrdup(err.msg);
	}
}

/* Rereads the schema after any command; validates again when the schema,
 * an option or the content of a dataset involved changed. */
static void sync(struct schemaview *sv, struct tui *t)
{
	if (sv->synced && sv->gen == t->gen)
		return;
	sv->synced = true;
	sv->gen = t->gen;
	char *keep = cur_key(sv);
	struct pm_err err = {0};
	char *text = NULL;
	struct schema *sc = NULL;
	struct workspace *ws;
	if (session_ws(t->s, &ws, &err) == 0 && schema_fetch(ws, sv->schema, &sc, &err) == 0)
		text = schema_to_text(sc);   /* what tells a changed schema */
	else
		sc = NULL;
	schema_free(sv->sc);
	sv->sc = sc;
	free(sv->err);
	sv->err = sc ? NULL : xstrdup(err.msg);
	if (sc) {
		char *fp = tui_fingerprint(t, sv->dataset);
		char *bfp = sv->baseline ? tui_fingerprint(t, sv->baseline) : xstrdup("");
		char *pfp = sv->previous ? tui_fingerprint(t, sv->previous) : xstrdup("");
		char *key = xasprintf("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", fp, sv->env ? sv->env : "",
				      sv->baseline ? sv->baseline : "", bfp,
				      sv->previous ? sv->previous : "", pfp, sv->schema, text);
		free(fp);
		free(bfp);
		free(pfp);
		free(text);
		if (!sv->run_key || strcmp(key, sv->run_key) != 0) {
			run_validate(sv, t);
			/* validating bumped the generation; nothing changed since */
			sv->gen = t->gen;
			free(sv->run_key);
			sv->run_key = key;
		} else {
			free(key);
		}
	} else {
		json_decref(sv->result);
		sv->result = NULL;
		free(sv->run_key);
		sv->run_key = NULL;
	}
	layout_lines(sv);
	restore_cur(sv, keep);
	free(keep);
}

/* ---- cells -------------------------------------------------------------------------- */
void tui_comparator_text(const struct tui *t, const struct schema_comparator *c, struct sbuf *b)
{
	char num[64];
	bool first = true;
	for (size_t k = 0; k < DIST_N; k++)
		if (c->has[k]) {
			fmt_double(c->t[k], num, sizeof num);
			sbuf_printf(b, "%s%s %s", first ? "" : " ",
				    t->utf8 ? dist_table[k].heading_utf8 : dist_table[k].heading, num);
			first = false;
		}
}

/* The text of each column for feature f (caller frees).  Numbers keep up
 * to 6 significant digits: a range is an exact expectation. */
static void feature_cells(const struct tui *t, const struct schema_feature *f, char *cell[FC_N])
{
	char a[32], b[32];
	const char *ge = t->utf8 ? "\u2265" : ">=", *le = t->utf8 ? "\u2264" : "<=";
	cell[FC_TYPE] = xstrdup(pm_type_name(f->type));
	if (f->has_min_fraction && f->min_fraction < 1)
		tui_fmt_num(f->min_fraction, 9, a, sizeof a);
	cell[FC_PRESENCE] = !f->has_min_fraction     ? xstrdup("optional")
			    : f->min_fraction >= 1 ? xstrdup("required")
						   : xasprintf("%s %s", ge, a);
	tui_fmt_num(f->min, 9, a, sizeof a);
	tui_fmt_num(f->max, 9, b, sizeof b);
	if (f->has_min && f->has_max)
		cell[FC_RANGE] = xasprintf("[%s, %s]", a, b);
	else if (f->has_min || f->has_max)
		cell[FC_RANGE] = xasprintf("%s %s", f->has_min ? ge : le, f->has_min ? a : b);
	else
		cell[FC_RANGE] = xstrdup("");
	struct sbuf s = {0};
	tui_comparator_text(t, &f->skew, &s);
	cell[FC_SKEW] = sbuf_steal(&s);
	tui_comparator_text(t, &f->drift, &s);
	cell[FC_DRIFT] = sbuf_steal(&s);
	for (size_t i = 0; i < f->nnot_in_env; i++)
		sbuf_printf(&s, "%s%s", i ? "," : "", f->not_in_env[i]);
	cell[FC_ENV] = sbuf_steal(&s);
	if (f->has_domain) {
		sbuf_printf(&s, "%zu:", f->ndomain);
		for (size_t i = 0; i < f->ndomain && s.len < 300; i++)
			sbuf_printf(&s, "%s %s", i ? "," : "", f->domain[i]);
	}
	cell[FC_DOMAIN] = sbuf_steal(&s);
}

static const char *const fc_head[FC_N] = {"type", "presence", "range", "skew", "drift",
					  "not in", "domain"};

struct sv_layout {
	int namew;
	int w[FC_N];        /* 0: column not shown */
	int anamew, codew;  /* anomaly table */
};

static void plan(struct schemaview *sv, struct tui *t, int w, struct sv_layout *L)
{
	memset(L, 0, sizeof *L);
	size_t nf = sv->sc ? sv->sc->n : 0;
	L->namew = 7;
	for (int c = 0; c < FC_N; c++)
		L->w[c] = 0;
	for (size_t i = 0; i < nf; i++) {
		const struct schema_feature *f = &sv->sc->f[i];
		int nw = utf8_width(f->name);
		if (nw > L->namew)
			L->namew = nw;
		char *cell[FC_N];
		feature_cells(t, f, cell);
		for (int c = 0; c < FC_DOMAIN; c++) {
			int cw = utf8_width(cell[c]);
			if (cw && cw > L->w[c])
				L->w[c] = cw;
		}
		for (int c = 0; c < FC_N; c++)
			free(cell[c]);
	}
	/* a column nobody uses is left out; type and presence always show */
	for (int c = 0; c < FC_DOMAIN; c++) {
		int hw = utf8_width(fc_head[c]);
		if ((L->w[c] || c == FC_TYPE || c == FC_PRESENCE) && L->w[c] < hw)
			L->w[c] = hw;
	}
	if (L->namew > 24)
		L->namew = 24;
	/* the domain keeps at least 14 columns: names give way first */
	for (;;) {
		int used = 1 + L->namew;
		for (int c = 0; c < FC_DOMAIN; c++)
			if (L->w[c])
				used += 2 + L->w[c];
		L->w[FC_DOMAIN] = w - used - 2;
		if (L->w[FC_DOMAIN] >= 14 || L->namew <= 12)
			break;
		L->namew--;
	}
	/* too narrow to say anything: the pane below shows the domain */
	if (L->w[FC_DOMAIN] < 8)
		L->w[FC_DOMAIN] = 0;
	L->anamew = 7;
	L->codew = 7;
	for (size_t i = 0; i < n_anom(sv); i++) {
		json_t *a = anomaly_at(sv, i);
		int nw = utf8_width(tui_jstr(a, "feature")), cw = utf8_width(tui_jstr(a, "type"));
		if (nw > L->anamew)
			L->anamew = nw;
		if (cw > L->codew)
			L->codew = cw;
	}
	if (L->anamew > L->namew)
		L->anamew = L->namew;
	if (L->codew > w / 3)
		L->codew = w / 3;
}

static bool has_anomaly(const struct schemaview *sv, const char *feature)
{
	for (size_t i = 0; i < n_anom(sv); i++)
		if (strcmp(tui_jstr(anomaly_at(sv, i), "feature"), feature) == 0)
			return true;
	return false;
}

static void draw_feature(struct schemaview *sv, struct tui *t, int y, int x, int w,
			 const struct sv_layout *L, size_t i, bool cur)
{
	const struct schema_feature *f = &sv->sc->f[i];
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	bool bad = has_anomaly(sv, f->name);
	if (cur)
		tui_fill(t, y, x, w, st);
	tui_cell(t, y, x + 1, L->namew, bad ? (cur ? S_WARN_CUR : S_WARN) : cur ? S_CELL_CUR : st,
		 f->name, false);
	char *cell[FC_N];
	feature_cells(t, f, cell);
	int cx = x + 1 + L->namew;
	for (int c = 0; c < FC_N; c++) {
		if (L->w[c] <= 0)
			continue;
		cx += 2;
		const char *s = *cell[c] ? cell[c] : "-";
		enum style cs = *cell[c] ? st : cur ? S_NA_CUR : S_NA;
		if (c == FC_TYPE && !cur)
			cs = S_TYPE;
		tui_cell(t, y, cx, L->w[c], cs, s, false);
		cx += L->w[c];
	}
	for (int c = 0; c < FC_N; c++)
		free(cell[c]);
}

static void draw_anomaly(struct schemaview *sv, struct tui *t, int y, int x, int w,
			 const struct sv_layout *L, size_t i, bool cur)
{
	json_t *a = anomaly_at(sv, i);
	enum style st = cur ? S_ROW_CUR : S_NORMAL, warn = cur ? S_WARN_CUR : S_WARN;
	if (cur)
		tui_fill(t, y, x, w, st);
	const char *feat = tui_jstr(a, "feature");
	int cx = x + 1;
	tui_cell(t, y, cx, L->anamew, warn, *feat ? feat : "(dataset)", false);
	cx += L->anamew + 2;
	tui_cell(t, y, cx, L->codew, warn, tui_jstr(a, "type"), false);
	cx += L->codew + 2;
	char *d = tui_oneline(tui_jstr(a, "description"));
	tui_cell(t, y, cx, x + w - 1 - cx, st, d, false);
	free(d);
}

/* The bottom pane: the current anomaly's description, or the current
 * feature's block of the schema file. */
static void draw_detail(struct schemaview *sv, struct tui *t, int y, int x, int h, int w)
{
	struct sbuf rule = {0};
	for (int i = 0; i < w; i++)
		sbuf_puts(&rule, t->g->hline);
	tui_put(t, y, x, w, S_RULE, rule.s);
	sbuf_free(&rule);
	struct sbuf b = {0};
	json_t *a = cur_anomaly(sv);
	const struct schema_feature *f = cur_feature(sv);
	if (a) {
		const char *feat = tui_jstr(a, "feature");
		int cx = x + 1;
		cx += tui_put(t, y + 1, cx, w - 2, S_WARN, *feat ? feat : "(dataset)");
		cx += tui_put(t, y + 1, cx, x + w - 1 - cx, S_NORMAL, "  ");
		cx += tui_put(t, y + 1, cx, x + w - 1 - cx, S_WARN, tui_jstr(a, "type"));
		const char *sum = anomaly_summary(tui_jstr(a, "type"));
		if (sum && *sum) {
			char *line = xasprintf(": %s", sum);
			tui_cell(t, y + 1, cx, x + w - 1 - cx, S_INFO, line, false);
			free(line);
		}
		tui_wrap(&b, tui_jstr(a, "description"), w - 2);
	} else if (f) {
		struct schema one = {.name = sv->sc->name, .f = (struct schema_feature *)f, .n = 1};
		char *text = schema_to_text(&one);
		const char *block = strstr(text, "\nfeature ");
		sbuf_puts(&b, block ? block + 1 : text);
		free(text);
	}
	/* the lines that fit; the last one says when there is more */
	const char *p = b.s ? b.s : "";
	int row = a ? 2 : 1;
	while (*p && row < h) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *ln = xstrndup(p, len);
		p += len + (nl ? 1 : 0);
		if (row == h - 1 && *p) {
			char *more = xasprintf("%s %s", ln, t->g->ellipsis);
			free(ln);
			ln = more;
		}
		char *one = tui_oneline(ln);
		tui_cell(t, y + row, x + 1, w - 2, S_NORMAL, one, false);
		free(one);
		free(ln);
		row++;
	}
	sbuf_free(&b);
}

static void sv_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct schemaview *sv = (struct schemaview *)v;
	sync(sv, t);
	if (sv->err) {
		tui_put(t, y + 1, x + 1, w - 2, S_WARN, sv->err);
		tui_putf(t, y + 3, x + 1, w - 2, S_NORMAL,
			 "S picks another schema; i infers one from %s (schema infer %s).",
			 sv->dataset, sv->dataset);
		return;
	}
	int detail = h >= 30 ? 8 : 5;
	int lh = h - detail;
	struct sv_layout L;
	plan(sv, t, w, &L);
	v->sc.page = lh;
	scroller_fix(&v->sc);
	if (v->sc.n) {
		size_t cl = sv->item_line[v->sc.cur];
		/* the section title and header come with the first item */
		size_t want = cl >= 2 && (sv->lines[cl - 1].kind == L_HEAD_A ||
					  sv->lines[cl - 1].kind == L_HEAD_S)
				      ? cl - 2
				      : cl;
		if (want < sv->top)
			sv->top = want;
		if (cl >= sv->top + (size_t)lh)
			sv->top = cl - (size_t)lh + 1;
	}
	if (sv->nlines > (size_t)lh && sv->top > sv->nlines - (size_t)lh)
		sv->top = sv->nlines - (size_t)lh;
	for (int r = 0; r < lh; r++) {
		size_t li = sv->top + (size_t)r;
		if (li >= sv->nlines)
			break;
		const struct sv_line *ln = &sv->lines[li];
		int yy = y + r;
		bool cur = v->sc.n && sv->item_line[v->sc.cur] == li;
		switch (ln->kind) {
		case L_SECTION_A: {
			size_t na = n_anom(sv);
			int cx = x + 1;
			if (sv->verr)
				cx += tui_put(t, yy, cx, w - 2, S_SECTION, "Anomalies: not checked");
			else
				cx += tui_putf(t, yy, cx, w - 2, na ? S_WARN : S_SECTION, "Anomalies (%zu)",
					       na);
			tui_putf(t, yy, cx, x + w - 1 - cx, S_INFO, "  %s", sv->run_line ? sv->run_line : "");
			break;
		}
		case L_HEAD_A: {
			int cx = x + 1;
			tui_cell(t, yy, cx, L.anamew, S_HEADER, "feature", false);
			cx += L.anamew + 2;
			tui_cell(t, yy, cx, L.codew, S_HEADER, "anomaly", false);
			cx += L.codew + 2;
			tui_cell(t, yy, cx, x + w - 1 - cx, S_HEADER, "description", false);
			break;
		}
		case L_ANOM: draw_anomaly(sv, t, yy, x, w, &L, ln->i, cur); break;
		case L_NOTE:
			if (sv->verr)
				tui_put(t, yy, x + 3, w - 4, S_WARN, sv->verr);
			else
				tui_putf(t, yy, x + 3, w - 4, S_INFO, "none: %s matches schema %s%s%s",
					 sv->dataset, sv->schema, sv->env ? " in environment " : "",
					 sv->env ? sv->env : "");
			break;
		case L_BLANK: break;
		case L_SECTION_S: {
			int cx = x + 1;
			cx += tui_putf(t, yy, cx, w - 2, S_SECTION, "Schema %s (%zu features)",
				       sv->schema, sv->sc->n);
			break;
		}
		case L_HEAD_S: {
			int cx = x + 1;
			tui_cell(t, yy, cx, L.namew, S_HEADER, "feature", false);
			cx += L.namew;
			for (int c = 0; c < FC_N; c++) {
				if (L.w[c] <= 0)
					continue;
				cx += 2;
				tui_cell(t, yy, cx, L.w[c], S_HEADER, fc_head[c], false);
				cx += L.w[c];
			}
			break;
		}
		case L_FEAT: draw_feature(sv, t, yy, x, w, &L, ln->i, cur); break;
		}
	}
	draw_detail(sv, t, y + lh, x, detail, w);
}

static void sv_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct schemaview *sv = (struct schemaview *)v;
	if (!sv->sc) {
		buf[0] = 0;
		return;
	}
	struct sbuf b = {0};
	size_t na = n_anom(sv);
	if (sv->verr)
		sbuf_puts(&b, "not checked");
	else
		sbuf_printf(&b, "%zu anomal%s", na, na == 1 ? "y" : "ies");
	if (sv->env)
		sbuf_printf(&b, ", env %s", sv->env);
	if (sv->baseline)
		sbuf_printf(&b, ", skew vs %s", sv->baseline);
	if (sv->previous)
		sbuf_printf(&b, ", drift vs %s", sv->previous);
	snprintf(buf, n, "%s", b.s);
	sbuf_free(&b);
}

static void sv_enter(struct view *v, struct tui *t)
{
	sync((struct schemaview *)v, t);
}

static void sv_free(struct view *v)
{
	struct schemaview *sv = (struct schemaview *)v;
	free(sv->dataset);
	free(sv->schema);
	free(sv->env);
	free(sv->baseline);
	free(sv->previous);
	schema_free(sv->sc);
	json_decref(sv->result);
	free(sv->run_key);
	free(sv->run_line);
	free(sv->err);
	free(sv->verr);
	free(sv->lines);
	free(sv->item_line);
}

/* The name of item k: an anomaly's feature, or a feature of the schema. */
static const char *item_name(const struct schemaview *sv, size_t k)
{
	size_t na = n_anom(sv);
	if (k < na)
		return tui_jstr(anomaly_at(sv, k), "feature");
	return sv->sc && k - na < sv->sc->n ? sv->sc->f[k - na].name : "";
}

struct sv_match {
	struct schemaview *sv;
	const char *pat;
};

/* A feature's name, or an anomaly's feature or type code. */
static bool sv_match(void *ctx, size_t i)
{
	struct sv_match *m = ctx;
	return tui_strcasestr(item_name(m->sv, i), m->pat) ||
	       (i < n_anom(m->sv) && tui_strcasestr(tui_jstr(anomaly_at(m->sv, i), "type"), m->pat));
}

static bool sv_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct schemaview *sv = (struct schemaview *)v;
	sync(sv, t);
	struct sv_match m = {sv, pat};
	return scroller_find(&v->sc, dir, next, sv_match, &m);
}

static void sv_click(struct view *v, struct tui *t, int y, int x)
{
	struct schemaview *sv = (struct schemaview *)v;
	size_t li = sv->top + (size_t)y;
	for (size_t k = 0; k < v->sc.n; k++)
		if (sv->item_line[k] == li)
			v->sc.cur = k;
}

/* ---- keys ----------------------------------------------------------------------------- */
static struct schemaview *ready(struct tui *t, struct view *v)
{
	struct schemaview *sv = (struct schemaview *)v;
	sync(sv, t);
	if (!sv->sc) {
		tui_error(t, "%s", sv->err ? sv->err : "no schema");
		return NULL;
	}
	return sv;
}

/* Enter: the overview of the dataset at the feature of the current row. */
static void k_feature(struct tui *t, struct view *v, int key)
{
	struct schemaview *sv = ready(t, v);
	if (!sv || !v->sc.n)
		return;
	char *name = xstrdup(item_name(sv, v->sc.cur));
	char *ds = xstrdup(sv->dataset);
	struct frame *f;
	struct pm_err err = {0};
	if (!*name) {
		tui_error(t, "this anomaly is about the whole dataset, not one feature");
	} else if (session_frame(t->s, ds, &f, &err) < 0) {
		tui_error(t, "%s", err.msg);
	} else if (frame_col_index(f, name) < 0) {
		tui_error(t, "%s has no column %s", ds, name);
	} else {
		/* the overview of this dataset right below: back to it */
		if (v->below && overview_goto_feature(v->below, ds, name)) {
			tui_pop(t);
		} else {
			tui_push(t, overview_new(t, ds));
			overview_goto_feature(tui_top(t), ds, name);
		}
	}
	free(name);
	free(ds);
}

static void edit_accept(struct tui *t, struct view *v, const char *text)
{
	struct schemaview *sv = (struct schemaview *)v;
	struct sbuf line = {0};
	sbuf_puts(&line, "schema set ");
	cmd_quote_word(&line, sv->schema);
	sbuf_printf(&line, " %s", text);
	struct pm_err err = {0};
	if (tui_exec(t, NULL, line.s, false, NULL, &err) < 0)
		tui_error(t, "%s", err.msg);
	else if (!sv->env && strstr(text, "not_in_env"))
		tui_msg(t, "schema %s: %s (E sets the environment to check)", sv->schema, text);
	else
		tui_msg(t, "schema %s: %s", sv->schema, text);
	sbuf_free(&line);
}

static void put_num(struct sbuf *b, json_t *v)
{
	char num[64];
	fmt_double(json_number_value(v), num, sizeof num);
	sbuf_printf(b, " %s", num);
}

/* What `e` offers for an anomaly: the setting that addresses it. */
static void anomaly_edit(const struct schemaview *sv, json_t *a, struct sbuf *b)
{
	const char *code = tui_jstr(a, "type");
	if (strcmp(code, ANOMALY_MISSING_COLUMN) == 0) {
		sbuf_printf(b, " not_in_env %s", sv->env ? sv->env : "serving");
	} else if (strcmp(code, ANOMALY_NEW_COLUMN) == 0) {
		sbuf_printf(b, " type %s", tui_jstr(a, "actual_type"));
	} else if (strcmp(code, ANOMALY_DATA_TYPE) == 0) {
		sbuf_printf(b, " type %s", tui_jstr(a, "actual"));
	} else if (strcmp(code, ANOMALY_UNEXPECTED_STRING) == 0) {
		sbuf_puts(b, " domain+ ");
		cmd_quote_word(b, tui_jstr(json_array_get(json_object_get(a, "values"), 0), "value"));
	} else if (strcmp(code, ANOMALY_DOMAIN_MASS) == 0) {
		sbuf_puts(b, " min_domain_mass");
		put_num(b, json_object_get(a, "fraction_in_domain"));
	} else if (strcmp(code, ANOMALY_PRESENCE) == 0) {
		sbuf_puts(b, " min_fraction");
		put_num(b, json_object_get(a, "fraction"));
	} else if (strcmp(code, ANOMALY_BELOW_MIN) == 0) {
		sbuf_puts(b, " min");
		put_num(b, json_object_get(a, "smallest"));
	} else if (strcmp(code, ANOMALY_ABOVE_MAX) == 0) {
		sbuf_puts(b, " max");
		put_num(b, json_object_get(a, "largest"));
	} else if (dist_by_anomaly(code)) {
		/* the threshold as it is: raising it is a decision, not a default */
		sbuf_printf(b, " %s %s", tui_jstr(a, "comparator"), dist_by_anomaly(code)->name);
		put_num(b, json_object_get(a, "threshold"));
	} else {
		sbuf_putc(b, ' ');
	}
}

/* e: `schema set S FEATURE ...` on the command line, prefilled from the
 * current anomaly (the setting that addresses it) or feature. */
static void k_edit(struct tui *t, struct view *v, int key)
{
	struct schemaview *sv = ready(t, v);
	if (!sv || !v->sc.n)
		return;
	const char *name = item_name(sv, v->sc.cur);
	if (!*name) {
		tui_error(t, "this anomaly is about the whole dataset: no feature setting fixes it");
		return;
	}
	struct sbuf init = {0};
	cmd_quote_word(&init, name);
	json_t *a = cur_anomaly(sv);
	if (a)
		anomaly_edit(sv, a, &init);
	else
		sbuf_putc(&init, ' ');
	struct sbuf label = {0};
	sbuf_puts(&label, ":schema set ");
	cmd_quote_word(&label, sv->schema);
	sbuf_putc(&label, ' ');
	prompt_open(t, P_COMMAND, label.s, init.s, v, edit_accept);
	tui_msg(t, "KEY VALUE, KEY one of %s", schema_set_keys);
	sbuf_free(&label);
	sbuf_free(&init);
}

static void k_env(struct tui *t, struct view *v, int key)
{
	struct schemaview *sv = ready(t, v);
	if (!sv)
		return;
	/* none -> training -> serving -> none */
	const char *next = !sv->env ? "training" : strcmp(sv->env, "training") == 0 ? "serving" : NULL;
	free(sv->env);
	sv->env = next ? xstrdup(next) : NULL;
	sv->synced = false;
	tui_msg(t, "environment: %s", next ? next : "none");
}

static void set_other(struct tui *t, struct schemaview *sv, char **slot, const char *text,
		      const char *what)
{
	if (strcmp(text, "none") == 0 || strcmp(text, "-") == 0) {
		free(*slot);
		*slot = NULL;
		tui_msg(t, "no %s", what);
	} else if (!dataset_exists(t, text)) {
		tui_error(t, "no dataset named %s", text);
		return;
	} else {
		free(*slot);
		*slot = xstrdup(text);
		tui_msg(t, "%s: %s", what, text);
	}
	sv->synced = false;
}

static void baseline_accept(struct tui *t, struct view *v, const char *text)
{
	struct schemaview *sv = (struct schemaview *)v;
	set_other(t, sv, &sv->baseline, text, "skew baseline");
}

static void previous_accept(struct tui *t, struct view *v, const char *text)
{
	struct schemaview *sv = (struct schemaview *)v;
	set_other(t, sv, &sv->previous, text, "previous span");
}

static void k_baseline(struct tui *t, struct view *v, int key)
{
	struct schemaview *sv = ready(t, v);
	if (!sv)
		return;
	bool prev = key == 'P';
	prompt_open(t, P_COLUMN,
		    prev ? "previous span, for drift (none: no check): "
			 : "baseline, for skew (none: no check): ",
		    prev ? sv->previous : sv->baseline, v, prev ? previous_accept : baseline_accept);
	prompt_set_words(t, dataset_words(t));
}

static void set_schema(struct schemaview *sv, const char *name)
{
	free(sv->schema);
	sv->schema = xstrdup(name);
	sv->synced = false;
	free(sv->v.title);
	sv->v.title = xasprintf("schema %s", name);
}

static void infer_accept(struct tui *t, struct view *v, const char *ans);

/* i: a new schema from this dataset's statistics (asks before replacing). */
static void infer(struct tui *t, struct view *v, const char *dataset)
{
	struct pm_err err = {0};
	struct schema *old = NULL;
	struct workspace *ws;
	if (session_ws(t->s, &ws, &err) < 0 || schema_fetch(ws, dataset, &old, &err) < 0)
		old = NULL;
	schema_free(old);
	if (old) {
		char *q = xasprintf("replace schema %s with one inferred from %s? (y/n) ", dataset,
				    dataset);
		prompt_open(t, P_CONFIRM, q, NULL, v, infer_accept);
		free(q);
		return;
	}
	infer_accept(t, v, "y");
}

static const char *view_dataset(struct view *v);
static struct view *schemaview_new(const char *dataset, const char *schema);

static void infer_accept(struct tui *t, struct view *v, const char *ans)
{
	char *ds = xstrdup(view_dataset(v));
	char *words[] = {"schema", "infer", ds, NULL};
	struct pm_err err = {0};
	if (tui_exec(t, words, NULL, false, NULL, &err) < 0) {
		tui_error(t, "%s", err.msg);
	} else {
		tui_msg(t, "schema %s inferred from %s: review it, e changes a setting", ds, ds);
		if (strcmp(v->cls->name, "schema") == 0)
			set_schema((struct schemaview *)v, ds);
		else
			tui_replace(t, schemaview_new(ds, ds));
	}
	free(ds);
}

static void k_infer(struct tui *t, struct view *v, int key)
{
	infer(t, v, view_dataset(v));
}

static struct view *picker_new(const char *dataset, const char *current);

static void k_pick(struct tui *t, struct view *v, int key)
{
	tui_push(t, picker_new(view_dataset(v), ((struct schemaview *)v)->schema));
}

static void k_compare(struct tui *t, struct view *v, int key)
{
	struct schemaview *sv = (struct schemaview *)v;
	sync(sv, t);
	/* the baseline is the reference: it goes first, as A */
	if (sv->baseline)
		compare_prompt(t, v, sv->baseline, sv->dataset);
	else
		compare_prompt(t, v, sv->dataset, NULL);
}

static const struct key_binding sv_b[] = {
	{{K_ENTER}, "the overview, at this row's feature", "feature", k_feature},
	{{'e'}, "edit a setting of this feature (schema set, prefilled)", "edit", k_edit},
	{{'E'}, "environment: none, training, serving (validate --env)", "env", k_env},
	{{'b'}, "baseline for the skew thresholds (validate --baseline)", "baseline", k_baseline},
	{{'P'}, "previous span for drift thresholds (validate --previous)", NULL, k_baseline},
	{{'i'}, "infer a schema from this dataset (asks before replacing)", "infer", k_infer},
	{{'S'}, "pick another stored schema", "schema", k_pick},
	{{'C'}, "compare with another dataset, with this schema's thresholds", "compare",
	 k_compare},
	{{0}},
};
static const struct key_table sv_keys = {"Schema", sv_b};

const struct view_class schemaview_class = {
	.name = "schema",
	.about = "Schema and anomalies: the expectations a dataset is checked against (type, "
		 "presence, range, skew and drift thresholds, environments, domain) and what "
		 "`validate` finds, highlighted; the pane below shows the current anomaly in full, "
		 "or the feature's block of the schema file. On an anomaly, e offers the setting "
		 "that addresses it; changes run as `schema set` and the dataset is validated "
		 "again.",
	.keys = {&sv_keys, &nav_keys, NULL},
	.draw = sv_draw,
	.enter = sv_enter,
	.free = sv_free,
	.info = sv_info,
	.search = sv_search,
	.click = sv_click,
};

static struct view *schemaview_new(const char *dataset, const char *schema)
{
	struct schemaview *sv = xcalloc(1, sizeof *sv);
	char *title = xasprintf("schema %s", schema);
	view_init(&sv->v, &schemaview_class, title);
	free(title);
	sv->dataset = xstrdup(dataset);
	sv->schema = xstrdup(schema);
	return &sv->v;
}

/* ---- the schema picker -------------------------------------------------------------------- */
struct sc_row {
	char *name, *source, *updated;
	size_t features;
};

enum { P_NAME, P_FEATURES, P_UPDATED, P_SOURCE, P_NCOLS };

struct picker {
	struct listview lv;
	char *dataset;
	struct sc_row *rows;
	/* the name column is as wide as the widest name */
	struct tui_col cols[P_NCOLS];
};

static void picker_free_rows(struct listview *lv)
{
	struct picker *p = (struct picker *)lv;
	for (size_t i = 0; i < lv->n; i++) {
		free(p->rows[i].name);
		free(p->rows[i].source);
		free(p->rows[i].updated);
	}
	free(p->rows);
	p->rows = NULL;
}

static int picker_load(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		       struct pm_err *err)
{
	struct picker *p = (struct picker *)lv;
	json_t *list;
	if (schema_list(ws, &list, err) < 0)
		return -1;
	size_t k = json_array_size(list);
	p->rows = xcalloc(k ? k : 1, sizeof *p->rows);
	int namew = 6;
	for (size_t i = 0; i < k; i++) {
		json_t *o = json_array_get(list, i);
		struct sc_row *r = &p->rows[i];
		r->name = xstrdup(tui_jstr(o, "name"));
		r->source = xstrdup(tui_jstr(o, "source"));
		r->updated = xstrdup(tui_jstr(o, "updated"));
		r->features = (size_t)json_integer_value(json_object_get(o, "features"));
		if (utf8_width(r->name) > namew)
			namew = utf8_width(r->name);
	}
	json_decref(list);
	*n = k;
	p->cols[P_NAME].w = namew > 24 ? 24 : namew;
	return 0;
}

static char *picker_key(struct listview *lv, size_t i)
{
	return xstrdup(((struct picker *)lv)->rows[i].name);
}

static bool picker_match(struct listview *lv, size_t i, const char *pat)
{
	const struct sc_row *r = &((struct picker *)lv)->rows[i];
	return tui_strcasestr(r->name, pat) || tui_strcasestr(r->source, pat);
}

static enum style picker_cell(struct listview *lv, size_t i, int c, bool cur, int width,
			      enum style st, struct sbuf *b)
{
	const struct sc_row *row = &((struct picker *)lv)->rows[i];
	char tm[32];
	switch (c) {
	case P_NAME: sbuf_puts(b, row->name); return cur ? S_CELL_CUR : st;
	case P_FEATURES: sbuf_printf(b, "%zu", row->features); break;
	case P_UPDATED:
		tui_short_time(row->updated, tm, sizeof tm);
		sbuf_puts(b, tm);
		return cur ? st : S_INFO;
	case P_SOURCE: sbuf_puts(b, row->source); break;
	}
	return st;
}

static const char *picker_empty(struct listview *lv, struct sbuf *b)
{
	const char *ds = ((struct picker *)lv)->dataset;
	sbuf_printf(b, "No schemas yet.\ni infers one from %s's statistics (schema infer %s);\n"
		    ":schema load S FILE reads one from a file.", ds, ds);
	return b->s;
}

static int picker_above(struct listview *lv, struct tui *t, int y, int x, int w)
{
	const char *ds = ((struct picker *)lv)->dataset;
	tui_putf(t, y, x + 1, w - 2, S_INFO, "The schema to check %s against (i infers one from %s):",
		 ds, ds);
	return 2;
}

static const struct listview_ops picker_ops = {
	.load = picker_load,
	.free_rows = picker_free_rows,
	.key = picker_key,
	.match = picker_match,
	.cell = picker_cell,
	.empty = picker_empty,
	.above = picker_above,
};

static const struct tui_col picker_cols[P_NCOLS] = {
	[P_NAME] = {"schema", 6},
	[P_FEATURES] = {"features", 8, true},
	[P_UPDATED] = {"updated", 16},
	[P_SOURCE] = {"source", 0, .flex = true},
};

static void picker_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	size_t k = ((struct listview *)v)->n;
	snprintf(buf, n, "%zu schema%s", k, k == 1 ? "" : "s");
}

static void picker_vfree(struct view *v)
{
	listview_free(v);
	free(((struct picker *)v)->dataset);
}

static void k_use(struct tui *t, struct view *v, int key)
{
	struct picker *p = (struct picker *)v;
	size_t i;
	char *none = xasprintf("no schemas yet: i infers one from %s", p->dataset);
	bool any = listview_current(&p->lv, t, none, &i);
	free(none);
	if (!any)
		return;
	char *name = xstrdup(p->rows[i].name);
	char *ds = xstrdup(p->dataset);
	struct view *below = v->below;
	if (below && strcmp(below->cls->name, "schema") == 0 &&
	    strcmp(((struct schemaview *)below)->dataset, ds) == 0) {
		set_schema((struct schemaview *)below, name);
		tui_pop(t);
	} else {
		tui_replace(t, schemaview_new(ds, name));
	}
	free(name);
	free(ds);
}

static const struct key_binding picker_b[] = {
	{{K_ENTER}, "check the dataset against this schema", "use", k_use},
	{{'i'}, "infer a schema from the dataset (schema infer)", "infer", k_infer},
	{{0}},
};
static const struct key_table picker_keys = {"Schemas", picker_b};

const struct view_class picker_class = {
	.name = "schemas",
	.about = "Schemas: the stored schemas, to pick the one a dataset is checked against. A "
		 "schema usually comes from the training data and checks every later span and "
		 "the serving data.",
	.keys = {&picker_keys, &nav_keys, NULL},
	.draw = listview_draw,
	.free = picker_vfree,
	.info = picker_info,
	.search = listview_search,
	.click = listview_click,
};

static struct view *picker_new(const char *dataset, const char *current)
{
	struct picker *p = xcalloc(1, sizeof *p);
	memcpy(p->cols, picker_cols, sizeof p->cols);
	listview_init(&p->lv, &picker_class, "schemas", &picker_ops, p->cols, P_NCOLS);
	p->lv.margin = 1;
	p->dataset = xstrdup(dataset);
	/* the cursor starts on the schema in use */
	p->lv.want = current ? xstrdup(current) : NULL;
	return &p->lv.v;
}

static const char *view_dataset(struct view *v)
{
	if (v->cls == &picker_class)
		return ((struct picker *)v)->dataset;
	return ((struct schemaview *)v)->dataset;
}

const char *schema_view_schema(struct view *v, const char *a, const char *b)
{
	if (!v || v->cls != &schemaview_class)
		return NULL;
	struct schemaview *sv = (struct schemaview *)v;
	return strcmp(sv->dataset, a) == 0 || strcmp(sv->dataset, b) == 0 ? sv->schema : NULL;
}

/* The dataset's own schema (the one named after it) when there is one,
 * else the picker. */
struct view *schema_view_open(struct tui *t, const char *dataset)
{
	struct pm_err err = {0};
	struct schema *own = NULL;
	struct workspace *ws;
	if (session_ws(t->s, &ws, &err) < 0 || schema_fetch(ws, dataset, &own, &err) < 0)
		own = NULL;
	if (own) {
		schema_free(own);
		return schemaview_new(dataset, dataset);
	}
	return picker_new(dataset, NULL);
}
