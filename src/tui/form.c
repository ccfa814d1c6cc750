/* Forms: the options of one command as fields to fill in.  Each field is
 * checked when it is set (the error shows beside it) and all of them again
 * before the command runs; pick lists open as a view above the form, text
 * and numbers are typed on the prompt line.  Under the fields the form shows
 * the focused field's help and the command it will run, word for word, so
 * the form also teaches the command line. */
#include "internal.h"

#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { L_HEADING, L_FIELD, L_BUTTON };
struct line {
	int kind, idx;
};

void form_init(struct form *f, const char *title, const struct form_ops *ops)
{
	view_init(&f->v, &form_class, title);
	f->ops = ops;
	f->editing = -1;
	f->cur_kind = -1;
	f->button = "submit";
}

int form_section(struct form *f, const char *title, bool collapsible)
{
	if (f->nsec == FORM_MAX_SECTIONS)
		return f->nsec - 1;
	f->sec[f->nsec].title = title ? xstrdup(title) : NULL;
	f->sec[f->nsec].collapsible = collapsible;
	f->sec[f->nsec].collapsed = collapsible;
	return f->nsec++;
}

struct form_field *form_add(struct form *f, const char *key, bool positional, const char *label,
			    enum field_kind kind, int section, const char *help)
{
	if (f->nsec == 0)
		form_section(f, NULL, false);
	xgrow((void **)&f->fields, &f->cap, f->n + 1, sizeof *f->fields);
	struct form_field *fld = &f->fields[f->n++];
	memset(fld, 0, sizeof *fld);
	fld->key = xstrdup(key);
	fld->positional = positional;
	fld->label = xstrdup(label);
	fld->arg = xstrdup(key);
	fld->help = xstrdup(help ? help : "");
	fld->kind = kind;
	fld->min = 1;
	fld->section = section >= 0 && section < f->nsec ? section : f->nsec - 1;
	return fld;
}

struct form_field *form_get(struct form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].key, key) == 0)
			return &f->fields[i];
	return NULL;
}

const struct cmd_opt *form_cmd_opt(const struct cmd_entry *e, const char *name)
{
	for (const struct cmd_opt *o = e ? e->opts : NULL; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

void form_set(struct form_field *fld, const char *value)
{
	char *v = value && *value ? xstrdup(value) : NULL;
	free(fld->value);
	fld->value = v;
	free(fld->error);
	fld->error = NULL;
}

void form_clear_choices(struct form_field *fld)
{
	for (size_t i = 0; i < fld->nchoices; i++) {
		free(fld->choices[i].value);
		free(fld->choices[i].note);
	}
	free(fld->choices);
	fld->choices = NULL;
	fld->nchoices = 0;
}

void form_add_choice(struct form_field *fld, const char *value, const char *note, bool on)
{
	fld->choices = xrealloc(fld->choices, (fld->nchoices + 1) * sizeof *fld->choices);
	fld->choices[fld->nchoices++] =
		(struct form_choice){xstrdup(value), note && *note ? xstrdup(note) : NULL, on};
}

static bool in_words(const char *words, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = words; p && *p;) {
		size_t len = strcspn(p, "|");
		if (len == n && strncmp(p, w, n) == 0)
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

/* The datasets of the workspace as the choices of fld, with their size. */
static void fill_datasets(struct form_field *fld, struct tui *t)
{
	struct workspace *ws;
	struct pm_err err = {0};
	struct ws_dataset *ds = NULL;
	size_t n = 0;
	form_clear_choices(fld);
	if (session_ws(t->s, &ws, &err) < 0 || ws_dataset_list(ws, &ds, &n, &err) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char note[96];
		snprintf(note, sizeof note, "%lld rows, %lld columns", (long long)ds[i].rows,
			 (long long)ds[i].cols);
		form_add_choice(fld, ds[i].name, note, false);
		ws_dataset_free(&ds[i]);
	}
	free(ds);
}

/* The default a help text names when it is one word: "(default 10)",
 * "(default adam); ...", "default 0: never" give 10, adam and 0. */
static char *help_default(const char *help)
{
	const char *p = help ? strstr(help, "default ") : NULL;
	if (!p)
		return NULL;
	p += strlen("default ");
	size_t n = strcspn(p, " );:");
	/* "(default --buckets)" names another option, not a value */
	if (n == 0 || n > 24 || *p == '-' || (p[n] != ')' && p[n] != ';' && p[n] != ':'))
		return NULL;
	return xstrndup(p, n);
}

/* What kind of field an option's value name asks for. */
static enum field_kind opt_kind(const struct cmd_opt *o)
{
	static const char *const ints[] = {"N", "BYTES"}, *const reals[] = {"X", "P", "F", "S"};
	if (!o->arg)
		return FIELD_FLAG;
	if (o->complete == COMPLETE_WORDS || o->complete == COMPLETE_DATASET)
		return FIELD_CHOICE;
	if (o->complete == COMPLETE_COLUMN)
		return strchr(o->arg, ',') ? FIELD_MULTI : FIELD_CHOICE;
	for (size_t i = 0; i < PM_ARRAY_LEN(ints); i++)
		if (strcmp(o->arg, ints[i]) == 0)
			return FIELD_INT;
	for (size_t i = 0; i < PM_ARRAY_LEN(reals); i++)
		if (strcmp(o->arg, reals[i]) == 0)
			return FIELD_REAL;
	if (strcmp(o->arg, "N,N,..") == 0)
		return FIELD_LIST;
	return FIELD_TEXT;
}

struct form_field *form_add_opt(struct form *f, struct tui *t, const struct cmd_opt *o,
				int section)
{
	if (!o || form_get(f, o->name))
		return NULL;
	struct form_field *fld = form_add(f, o->name, false, o->name + 2, opt_kind(o), section,
					  o->help);
	fld->complete = o->complete;
	free(fld->arg);
	fld->arg = xstrdup(o->arg ? o->arg : "");
	fld->placeholder = help_default(o->help);
	fld->required = o->help && strstr(o->help, "(required)");
	/* "0" as the default says that 0 is a value */
	if (fld->placeholder && strcmp(fld->placeholder, "0") == 0)
		fld->min = 0;
	if (o->complete == COMPLETE_DATASET) {
		fill_datasets(fld, t);
	} else if (o->complete == COMPLETE_WORDS && o->words) {
		size_t n;
		char **w = str_split(o->words, '|', &n);
		for (size_t i = 0; i < n; i++)
			form_add_choice(fld, w[i], NULL, false);
		str_list_free(w);
	}
	return fld;
}

void form_add_opts(struct form *f, struct tui *t, const struct cmd_entry *e,
		   const char *const *skip, int section)
{
	for (const struct cmd_opt *o = e ? e->opts : NULL; o && o->name; o++) {
		bool skipped = false;
		for (const char *const *s = skip; s && *s; s++)
			skipped |= strcmp(*s, o->name) == 0;
		if (!skipped)
			form_add_opt(f, t, o, section);
	}
}

static bool is_set(const struct form_field *fld)
{
	if (fld->kind == FIELD_FLAG)
		return fld->on;
	if (fld->kind == FIELD_MULTI) {
		for (size_t i = 0; i < fld->nchoices; i++)
			if (fld->choices[i].on)
				return true;
		return false;
	}
	return fld->value != NULL;
}

static bool shown_depth(struct form *f, const struct form_field *fld, int depth)
{
	if (!fld->when)
		return true;
	const struct form_field *w = form_get(f, fld->when);
	if (!w || depth > 8)
		return true;
	if (!shown_depth(f, w, depth + 1) || !is_set(w))
		return false;
	return !fld->values || (w->value && in_words(fld->values, w->value));
}

bool form_field_shown(struct form *f, const struct form_field *fld)
{
	return shown_depth(f, fld, 0);
}

static size_t picked(const struct form_field *fld)
{
	size_t k = 0;
	for (size_t i = 0; i < fld->nchoices; i++)
		k += fld->choices[i].on;
	return k;
}

static void push_word(char ***w, size_t *n, size_t *cap, char *word)
{
	xgrow((void **)w, cap, *n + 2, sizeof **w);
	(*w)[(*n)++] = word;
	(*w)[*n] = NULL;
}

/* With preview, a required field that is not set shows as its value's
 * name (MODEL, --label COL), so the command reads as its usage. */
static char **build_words(struct form *f, bool preview)
{
	char **w = NULL;
	size_t n = 0, cap = 0;
	for (const char *const *h = f->head; h && *h; h++)
		push_word(&w, &n, &cap, xstrdup(*h));
	for (size_t i = 0; i < f->n; i++) {
		struct form_field *fld = &f->fields[i];
		if (fld->positional && form_field_shown(f, fld) && (fld->value || preview))
			push_word(&w, &n, &cap, xstrdup(fld->value ? fld->value : fld->arg));
	}
	for (size_t i = 0; i < f->n; i++) {
		struct form_field *fld = &f->fields[i];
		if (fld->positional || !form_field_shown(f, fld))
			continue;
		if (fld->kind == FIELD_FLAG) {
			if (fld->on)
				push_word(&w, &n, &cap, xstrdup(fld->key));
		} else if (fld->kind == FIELD_MULTI) {
			size_t k = picked(fld);
			if (k == 0 || (fld->all_default && k == fld->nchoices))
				continue;
			struct sbuf b = {0};
			for (size_t c = 0; c < fld->nchoices; c++)
				if (fld->choices[c].on)
					sbuf_printf(&b, "%s%s", b.len ? "," : "", fld->choices[c].value);
			push_word(&w, &n, &cap, xstrdup(fld->key));
			push_word(&w, &n, &cap, sbuf_steal(&b));
		} else if (fld->value || (preview && fld->required)) {
			push_word(&w, &n, &cap, xstrdup(fld->key));
			push_word(&w, &n, &cap, xstrdup(fld->value ? fld->value : fld->arg));
		}
	}
	for (const char *const *e = f->tail; e && *e; e++)
		push_word(&w, &n, &cap, xstrdup(*e));
	if (!w)
		w = xcalloc(1, sizeof *w);
	return w;
}

char **form_words(struct form *f)
{
	return build_words(f, false);
}

/* The command line of the words, quoted as the history will record it. */
static char *words_line(char **w)
{
	struct sbuf b = {0};
	for (size_t i = 0; w[i]; i++) {
		if (i)
			sbuf_putc(&b, ' ');
		cmd_quote_word(&b, w[i]);
	}
	return sbuf_steal(&b);
}

/* ---- checks ------------------------------------------------------------------------ */
static bool check_kind(const struct form_field *fld, char *msg, size_t n)
{
	const char *v = fld->value;
	switch (fld->kind) {
	case FIELD_FLAG: return true;
	case FIELD_MULTI:
		if (fld->nchoices && picked(fld) == 0) {
			snprintf(msg, n, "pick at least one");
			return false;
		}
		for (size_t i = 0; i < fld->nchoices; i++)
			if (fld->choices[i].on && strchr(fld->choices[i].value, ',')) {
				/* the option is a comma-separated list */
				snprintf(msg, n, "'%s' has a comma: %s cannot name it",
					 fld->choices[i].value, fld->key);
				return false;
			}
		return true;
	default: break;
	}
	if (!v) {
		if (fld->required)
			snprintf(msg, n, "required (Enter %s it)",
				 fld->kind == FIELD_CHOICE ? "picks" : "types");
		return !fld->required;
	}
	int64_t iv;
	double dv;
	switch (fld->kind) {
	case FIELD_CHOICE:
		for (size_t i = 0; i < fld->nchoices; i++)
			if (strcmp(fld->choices[i].value, v) == 0)
				return true;
		if (fld->complete == COMPLETE_DATASET)
			snprintf(msg, n, "no dataset '%s' (load it first)", v);
		else
			snprintf(msg, n, "'%s' is not one of the choices", v);
		return false;
	case FIELD_INT:
		if (parse_int64(v, strlen(v), &iv) && iv >= fld->min)
			return true;
		if (fld->min == 1)
			snprintf(msg, n, "not a positive integer");
		else
			snprintf(msg, n, "not a whole number from %lld", fld->min);
		return false;
	case FIELD_REAL:
		if (!parse_double(v, strlen(v), &dv) || !isfinite(dv)) {
			snprintf(msg, n, "not a number");
			return false;
		}
		if (dv < 0) {
			snprintf(msg, n, "must be 0 or more");
			return false;
		}
		return true;
	case FIELD_LIST: {
		size_t k;
		char **parts = str_split(v, ',', &k);
		bool ok = k > 0;
		for (size_t i = 0; i < k && ok; i++) {
			char *p = str_trim(parts[i]);
			ok = parse_int64(p, strlen(p), &iv) && iv >= fld->min;
		}
		str_list_free(parts);
		if (!ok)
			snprintf(msg, n, "not a list of %s like 64,32",
				 fld->min == 1 ? "positive integers" : "whole numbers");
		return ok;
	}
	default: return true;
	}
}

static bool check_field(struct form *f, struct tui *t, struct form_field *fld)
{
	char msg[600] = "";
	bool ok = check_kind(fld, msg, sizeof msg);
	if (ok && f->ops && f->ops->check)
		ok = f->ops->check(f, t, fld, msg, sizeof msg);
	free(fld->error);
	fld->error = ok ? NULL : xstrdup(msg[0] ? msg : "invalid");
	return ok;
}

/* After a field was set: its check, then what depends on it. */
static void field_changed(struct form *f, struct tui *t, struct form_field *fld)
{
	fld->touched = true;
	free(f->error);
	f->error = NULL;
	size_t i = (size_t)(fld - f->fields);
	if (!check_field(f, t, fld))
		tui_error(t, "%s: %s", fld->label, fld->error);
	fld = &f->fields[i];
	if (f->ops && f->ops->changed)
		f->ops->changed(f, t, fld);
	/* a field whose check depends on this one (the model type on the
	 * label) is judged again when it holds a value or was marked wrong;
	 * fields not filled in yet are left alone until submission */
	for (size_t k = 0; k < f->n; k++) {
		struct form_field *o = &f->fields[k];
		if (k != i && (o->error || o->value || o->touched) && form_field_shown(f, o))
			check_field(f, t, o);
	}
}

/* ---- layout and focus -------------------------------------------------------------- */
static size_t layout(struct form *f, struct line **out)
{
	struct line *l = xcalloc(f->n + (size_t)f->nsec + 1, sizeof *l);
	size_t k = 0;
	for (int s = 0; s < f->nsec; s++) {
		bool any = false;
		for (size_t i = 0; i < f->n && !any; i++)
			any = f->fields[i].section == s && form_field_shown(f, &f->fields[i]);
		if (!any)
			continue;
		if (f->sec[s].title)
			l[k++] = (struct line){L_HEADING, s};
		if (f->sec[s].collapsed)
			continue;
		for (size_t i = 0; i < f->n; i++)
			if (f->fields[i].section == s && form_field_shown(f, &f->fields[i]))
				l[k++] = (struct line){L_FIELD, (int)i};
	}
	l[k++] = (struct line){L_BUTTON, 0};
	*out = l;
	return k;
}

static bool focusable(struct form *f, const struct line *l)
{
	return l->kind != L_HEADING || f->sec[l->idx].collapsible;
}

static void remember(struct form *f, const struct line *l, size_t n)
{
	if (f->cur >= n)
		f->cur = n - 1;
	f->cur_kind = l[f->cur].kind;
	f->cur_idx = l[f->cur].idx;
}

/* Puts the cursor back on what it was on before the layout changed: the
 * same line, else the heading of a section that was folded, else the next
 * line that takes the cursor. */
static void relocate(struct form *f, const struct line *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (l[i].kind == f->cur_kind && l[i].idx == f->cur_idx) {
			f->cur = i;
			return;
		}
	if (f->cur_kind == L_FIELD && f->cur_idx >= 0 && (size_t)f->cur_idx < f->n) {
		int s = f->fields[f->cur_idx].section;
		for (size_t i = 0; i < n; i++)
			if (l[i].kind == L_HEADING && l[i].idx == s && focusable(f, &l[i])) {
				f->cur = i;
				remember(f, l, n);
				return;
			}
	}
	if (f->cur >= n)
		f->cur = n - 1;
	while (f->cur + 1 < n && !focusable(f, &l[f->cur]))
		f->cur++;
	remember(f, l, n);
}

static void move_focus(struct form *f, int dir, bool wrap)
{
	struct line *l;
	size_t n = layout(f, &l);
	relocate(f, l, n);
	size_t at = f->cur;
	for (size_t step = 0; step < n; step++) {
		if (dir > 0) {
			if (at + 1 >= n) {
				if (!wrap)
					break;
				at = 0;
			} else {
				at++;
			}
		} else {
			if (at == 0) {
				if (!wrap)
					break;
				at = n - 1;
			} else {
				at--;
			}
		}
		if (focusable(f, &l[at])) {
			f->cur = at;
			break;
		}
	}
	remember(f, l, n);
	free(l);
}

void form_focus(struct form *f, struct form_field *fld)
{
	f->cur_kind = L_FIELD;
	f->cur_idx = (int)(fld - f->fields);
	f->sec[fld->section].collapsed = false;
}

static struct form_field *focused(struct form *f)
{
	struct line *l;
	size_t n = layout(f, &l);
	relocate(f, l, n);
	struct form_field *fld = l[f->cur].kind == L_FIELD ? &f->fields[l[f->cur].idx] : NULL;
	free(l);
	return fld;
}

bool form_validate(struct form *f, struct tui *t)
{
	/* the fields of folded sections count too */
	struct form_field *first = NULL;
	size_t bad = 0;
	for (int s = 0; s < f->nsec; s++)
		for (size_t i = 0; i < f->n; i++) {
			struct form_field *fld = &f->fields[i];
			if (fld->section != s || !form_field_shown(f, fld) || check_field(f, t, fld))
				continue;
			if (!first)
				first = fld;
			bad++;
		}
	if (!first)
		return true;
	form_focus(f, first);
	if (bad > 1)
		tui_error(t, "%s: %s (and %zu more to fix)", first->label, first->error, bad - 1);
	else
		tui_error(t, "%s: %s", first->label, first->error);
	return false;
}

/* ---- drawing ------------------------------------------------------------------------ */
static void value_text(struct form *f, struct tui *t, const struct form_field *fld,
		       struct sbuf *b, bool *dim)
{
	*dim = false;
	switch (fld->kind) {
	case FIELD_FLAG: sbuf_puts(b, fld->on ? "[x]" : "[ ]"); return;
	case FIELD_MULTI: {
		size_t k = picked(fld);
		if (fld->nchoices == 0) {
			*dim = true;
			sbuf_puts(b, "(nothing to pick)");
		} else if (k == fld->nchoices) {
			sbuf_printf(b, "all %zu", k);
		} else if (k == 0) {
			sbuf_puts(b, "none");
		} else {
			sbuf_printf(b, "%zu of %zu:", k, fld->nchoices);
			for (size_t i = 0; i < fld->nchoices; i++)
				if (fld->choices[i].on)
					sbuf_printf(b, " %s", fld->choices[i].value);
		}
		sbuf_printf(b, " %s", t->g->more);
		return;
	}
	default: break;
	}
	if (fld->value) {
		sbuf_puts(b, fld->value);
	} else {
		*dim = true;
		if (fld->required)
			sbuf_puts(b, "(required)");
		else if (fld->placeholder)
			sbuf_printf(b, "%s (default)", fld->placeholder);
		else
			sbuf_puts(b, "(default)");
	}
	if (fld->kind == FIELD_CHOICE)
		sbuf_printf(b, " %s", t->g->more);
}

static int label_width(struct form *f)
{
	int lw = 8;
	for (size_t i = 0; i < f->n; i++) {
		int w = utf8_width(f->fields[i].label);
		if (w > lw && form_field_shown(f, &f->fields[i]))
			lw = w;
	}
	return lw > 18 ? 18 : lw;
}

static void draw_field(struct form *f, struct tui *t, const struct form_field *fld, int y,
		       int x, int w, int lw, bool cur)
{
	if (cur)
		tui_fill(t, y, x, w, S_ROW_CUR);
	enum style st = cur ? S_ROW_CUR : S_NORMAL;
	tui_cell(t, y, x + 3, lw, st, fld->label, false);
	/* the last two columns are the scroll marks' */
	int vx = x + 3 + lw + 2, end = x + w - 3;
	struct sbuf b = {0};
	bool dim;
	value_text(f, t, fld, &b, &dim);
	/* the value gets at most half the line when a note or error follows */
	int room = end - vx;
	int vw = utf8_width(b.s);
	if ((fld->note || fld->error) && vw > room / 2)
		vw = room / 2;
	if (vw > room)
		vw = room;
	enum style vs = cur ? S_CELL_CUR : dim ? S_INFO : S_NORMAL;
	if (vw > 0)
		tui_cell(t, y, vx, vw, vs, b.s, false);
	sbuf_free(&b);
	int at = vx + vw + 2;
	if (fld->note && at < end)
		at += tui_put(t, y, at, end - at, cur ? S_ROW_CUR : S_TYPE, fld->note) + 2;
	if (fld->error && at < end)
		tui_cell(t, y, at, end - at < utf8_width(fld->error) ? end - at : utf8_width(fld->error),
			 cur ? S_WARN_CUR : S_WARN, fld->error, false);
}

static size_t section_size(struct form *f, int s)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++)
		k += f->fields[i].section == s && form_field_shown(f, &f->fields[i]);
	return k;
}

static void draw_heading(struct form *f, struct tui *t, int s, int y, int x, int w, bool cur)
{
	if (cur)
		tui_fill(t, y, x, w, S_ROW_CUR);
	int at = x + 1 + tui_put(t, y, x + 1, w - 2, cur ? S_ROW_CUR : S_SECTION, f->sec[s].title);
	if (f->sec[s].collapsible) {
		char buf[96];
		if (f->sec[s].collapsed)
			snprintf(buf, sizeof buf, "  %zu more %s", section_size(f, s), t->g->more);
		else
			snprintf(buf, sizeof buf, "  Enter folds them");
		tui_put(t, y, at, x + w - 1 - at, cur ? S_ROW_CUR : S_INFO, buf);
	}
}

/* Lines of text wrapped to width, at most max of them (the last one ends
 * in an ellipsis when some were left out); returns how many. */
static int wrapped(struct tui *t, const char *text, int width, int max, char ***out)
{
	struct sbuf b = {0};
	tui_wrap(&b, text, width);
	size_t n;
	char **l = str_split(b.s ? b.s : "", '\n', &n);
	sbuf_free(&b);
	while (n && !*l[n - 1]) {
		free(l[--n]);
		l[n] = NULL;
	}
	if ((int)n > max) {
		/* the ellipsis after the last whole word (or list item) that
		 * leaves it room: a value cut short reads as another value */
		char *last = l[max - 1];
		size_t len = strlen(last);
		while (len && utf8_width(last) + utf8_width(t->g->ellipsis) > width) {
			while (len && last[len - 1] != ' ' && last[len - 1] != ',')
				len--;
			while (len && last[len - 1] == ' ')
				len--;
			last[len] = 0;
		}
		char *cut = xasprintf("%s%s", last, t->g->ellipsis);
		free(l[max - 1]);
		l[max - 1] = cut;
		for (size_t i = (size_t)max; i < n; i++) {
			free(l[i]);
			l[i] = NULL;
		}
		n = (size_t)max;
	}
	*out = l;
	return (int)n;
}

static void form_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct form *f = (struct form *)v;
	struct line *l;
	size_t n = layout(f, &l);
	relocate(f, l, n);
	/* under the fields: a rule, the error of the last submission, the
	 * focused line's help and the command the form builds */
	int tall = h >= 30;
	char **err = NULL, **help = NULL, **cmd = NULL;
	int nerr = 0, nhelp = 0, ncmd = 0;
	if (f->error)
		nerr = wrapped(t, f->error, w - 2, 2, &err);
	const struct line *cl = &l[f->cur];
	char *htext;
	if (cl->kind == L_FIELD) {
		const struct form_field *fld = &f->fields[cl->idx];
		htext = xasprintf("%s: %s", fld->label, fld->help);
	} else if (cl->kind == L_HEADING) {
		htext = xasprintf("%s: Enter %s them", f->sec[cl->idx].title,
				  f->sec[cl->idx].collapsed ? "shows" : "folds");
	} else {
		htext = xasprintf("Enter (or S anywhere) checks the fields and runs the command");
	}
	nhelp = wrapped(t, htext, w - 2, tall ? 3 : 2, &help);
	free(htext);
	char **words = build_words(f, true);
	char *line = words_line(words);
	str_list_free(words);
	char *ctext = xasprintf("command: %s", line);
	free(line);
	ncmd = wrapped(t, ctext, w - 2, tall ? 4 : 2, &cmd);
	free(ctext);
	int panel = 1 + nerr + nhelp + ncmd;
	int body = h - panel;
	if (body < 3) {
		body = h;
		panel = 0;
	}
	/* the cursor stays in view, with its section's heading when it can */
	if (f->cur < f->top)
		f->top = f->cur;
	if (f->cur >= f->top + (size_t)body)
		f->top = f->cur - (size_t)body + 1;
	if (f->cur > 0 && f->cur - 1 < f->top && l[f->cur - 1].kind == L_HEADING &&
	    f->cur < f->top + (size_t)body - 1)
		f->top = f->cur - 1;
	if (n <= (size_t)body)
		f->top = 0;
	else if (f->top > n - (size_t)body)
		f->top = n - (size_t)body;
	f->body_y = y;
	f->body_h = body;
	int lw = label_width(f);
	for (int r = 0; r < body; r++) {
		size_t i = f->top + (size_t)r;
		if (i >= n)
			break;
		bool cur = i == f->cur;
		if (l[i].kind == L_HEADING) {
			draw_heading(f, t, l[i].idx, y + r, x, w, cur);
		} else if (l[i].kind == L_FIELD) {
			draw_field(f, t, &f->fields[l[i].idx], y + r, x, w, lw, cur);
		} else {
			char *b = xasprintf("[ %s ]", f->button);
			if (cur)
				tui_fill(t, y + r, x, w, S_ROW_CUR);
			tui_put(t, y + r, x + 3, w - 4, cur ? S_CELL_CUR : S_HINT_KEY, b);
			free(b);
		}
	}
	if (f->top > 0)
		tui_put(t, y, x + w - 2, 1, S_INFO, t->g->up);
	if (f->top + (size_t)body < n)
		tui_put(t, y + body - 1, x + w - 2, 1, S_INFO, t->g->down);
	free(l);
	if (panel) {
		int py = y + body;
		for (int i = 0; i < w; i++)
			tui_put(t, py, x + i, 1, S_RULE, t->g->hline);
		py++;
		for (int i = 0; i < nerr; i++)
			tui_cell(t, py++, x + 1, w - 2, S_WARN, err[i], false);
		for (int i = 0; i < nhelp; i++)
			tui_put(t, py++, x + 1, w - 2, S_INFO, help[i]);
		for (int i = 0; i < ncmd; i++)
			tui_put(t, py++, x + 1, w - 2, S_NORMAL, cmd[i]);
	}
	str_list_free(err);
	str_list_free(help);
	str_list_free(cmd);
}

static void form_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct form *f = (struct form *)v;
	size_t bad = 0;
	for (size_t i = 0; i < f->n; i++)
		bad += f->fields[i].error && form_field_shown(f, &f->fields[i]);
	if (bad)
		snprintf(buf, n, "%zu field%s to fix", bad, bad == 1 ? "" : "s");
	else
		snprintf(buf, n, "S %s", f->button);
}

/* ---- editing ------------------------------------------------------------------------ */
static void edit_accept(struct tui *t, struct view *v, const char *text)
{
	struct form *f = (struct form *)v;
	if (v->cls != &form_class || f->editing < 0 || (size_t)f->editing >= f->n)
		return;
	struct form_field *fld = &f->fields[f->editing];
	f->editing = -1;
	form_set(fld, text);
	field_changed(f, t, fld);
}

static void edit(struct form *f, struct tui *t, struct form_field *fld, const char *init)
{
	f->editing = (int)(fld - f->fields);
	char *label = fld->placeholder ? xasprintf("%s (default %s): ", fld->label, fld->placeholder)
				       : xasprintf("%s: ", fld->label);
	prompt_open(t, P_FIELD, label, init, &f->v, edit_accept);
	free(label);
}

static struct view *pick_new(struct form *f, struct form_field *fld);

static void activate(struct form *f, struct tui *t)
{
	struct line *l;
	size_t n = layout(f, &l);
	relocate(f, l, n);
	struct line cur = l[f->cur];
	free(l);
	if (cur.kind == L_HEADING) {
		f->sec[cur.idx].collapsed = !f->sec[cur.idx].collapsed;
		return;
	}
	if (cur.kind == L_BUTTON) {
		if (form_validate(f, t) && f->ops && f->ops->submit)
			f->ops->submit(f, t);
		return;
	}
	struct form_field *fld = &f->fields[cur.idx];
	switch (fld->kind) {
	case FIELD_FLAG:
		fld->on = !fld->on;
		field_changed(f, t, fld);
		return;
	case FIELD_CHOICE:
	case FIELD_MULTI:
		if (fld->nchoices == 0) {
			tui_error(t, "%s: nothing to pick from%s", fld->label,
				  fld->complete == COMPLETE_DATASET ? " (load a dataset first)" : "");
			return;
		}
		tui_push(t, pick_new(f, fld));
		return;
	default: edit(f, t, fld, fld->value); return;
	}
}

static void k_next(struct tui *t, struct view *v, int key)
{
	move_focus((struct form *)v, +1, key == K_TAB);
}

static void k_prev(struct tui *t, struct view *v, int key)
{
	move_focus((struct form *)v, -1, key == K_BTAB);
}

static void k_page(struct tui *t, struct view *v, int key)
{
	struct form *f = (struct form *)v;
	int steps = f->body_h > 2 ? f->body_h - 1 : 1;
	for (int i = 0; i < steps; i++)
		move_focus(f, key == K_PGUP ? -1 : +1, false);
}

static void k_ends(struct tui *t, struct view *v, int key)
{
	struct form *f = (struct form *)v;
	struct line *l;
	size_t n = layout(f, &l);
	/* the last line is the button; the first may be a plain heading */
	f->cur = key == 'G' || key == K_END ? n - 1 : 0;
	while (f->cur + 1 < n && !focusable(f, &l[f->cur]))
		f->cur++;
	remember(f, l, n);
	free(l);
}

static void k_activate(struct tui *t, struct view *v, int key)
{
	activate((struct form *)v, t);
}

static void k_clear(struct tui *t, struct view *v, int key)
{
	struct form *f = (struct form *)v;
	struct form_field *fld = focused(f);
	if (!fld)
		return;
	if (fld->kind == FIELD_MULTI) {
		/* back to the default: everything */
		for (size_t i = 0; i < fld->nchoices; i++)
			fld->choices[i].on = fld->all_default;
	} else if (fld->kind == FIELD_FLAG) {
		fld->on = false;
	} else {
		form_set(fld, NULL);
	}
	field_changed(f, t, fld);
}

static void k_submit(struct tui *t, struct view *v, int key)
{
	struct form *f = (struct form *)v;
	if (form_validate(f, t) && f->ops && f->ops->submit)
		f->ops->submit(f, t);
}

static void k_cancel(struct tui *t, struct view *v, int key)
{
	tui_pop(t);
	tui_msg(t, "cancelled: nothing ran");
}

static const struct key_binding form_b[] = {
	{{K_TAB, K_DOWN, 'j'}, "next field (Tab goes round)", "next", k_next},
	{{K_BTAB, K_UP, 'k'}, "previous field", NULL, k_prev},
	{{K_ENTER, ' '}, "edit the field or pick from its list; on the button: run", "edit",
	 k_activate},
	{{'S'}, "check every field and run the command", "submit", k_submit},
	{{K_BS, K_DEL}, "clear the field: back to the command's default", "clear", k_clear},
	{{K_PGDN, K_PGUP}, "a page down or up", NULL, k_page},
	{{'g', K_HOME, 'G', K_END}, "first or last field", NULL, k_ends},
	{{K_ESC, 'q'}, "cancel: close the form, nothing runs", "cancel", k_cancel},
	{{0}},
};
static const struct key_table form_keys = {"Form", form_b};

/* Digits typed on a number field start a new value, as in a spreadsheet. */
static bool form_key(struct view *v, struct tui *t, int key)
{
	struct form *f = (struct form *)v;
	if (!((key >= '0' && key <= '9') || key == '.' || key == '-'))
		return false;
	struct form_field *fld = focused(f);
	if (!fld || (fld->kind != FIELD_INT && fld->kind != FIELD_REAL && fld->kind != FIELD_LIST))
		return false;
	char init[2] = {(char)key, 0};
	edit(f, t, fld, init);
	return true;
}

static void form_click(struct view *v, struct tui *t, int y, int x)
{
	struct form *f = (struct form *)v;
	if (y < 0 || y >= f->body_h)
		return;
	struct line *l;
	size_t n = layout(f, &l);
	relocate(f, l, n);
	size_t i = f->top + (size_t)y;
	bool again = i == f->cur;
	if (i < n && focusable(f, &l[i])) {
		f->cur = i;
		remember(f, l, n);
	}
	free(l);
	/* a click on the line that has the cursor acts as Enter */
	if (again && i < n)
		activate(f, t);
}

static bool form_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct form *f = (struct form *)v;
	/* in the order of the layout, folded sections included */
	size_t *order = xcalloc(f->n + 1, sizeof *order), k = 0, at = 0;
	struct form_field *cur = focused(f);
	for (int s = 0; s < f->nsec; s++)
		for (size_t i = 0; i < f->n; i++)
			if (f->fields[i].section == s && form_field_shown(f, &f->fields[i])) {
				if (cur == &f->fields[i])
					at = k;
				order[k++] = i;
			}
	if (k == 0) {
		free(order);
		return false;
	}
	bool found = false;
	/* from the field after the cursor (or, for a new search, the cursor's
	 * own); from the first or last when the cursor is on no field */
	size_t skip = cur && next ? 1 : 0;
	if (!cur)
		at = dir > 0 ? 0 : k - 1;
	for (size_t step = 0; step < k && !found; step++) {
		size_t off = step + skip;
		size_t j = dir > 0 ? (at + off) % k : (at + k * 2 - off) % k;
		struct form_field *fld = &f->fields[order[j]];
		if (tui_strcasestr(fld->label, pat) || tui_strcasestr(fld->key, pat)) {
			form_focus(f, fld);
			found = true;
		}
	}
	free(order);
	return found;
}

static void form_enter(struct view *v, struct tui *t)
{
	struct form *f = (struct form *)v;
	if (f->gen == t->gen)
		return;
	/* a command ran (from the `:` line): the datasets may have changed */
	f->gen = t->gen;
	for (size_t i = 0; i < f->n; i++)
		if (f->fields[i].complete == COMPLETE_DATASET)
			fill_datasets(&f->fields[i], t);
	if (f->ops && f->ops->sync)
		f->ops->sync(f, t);
}

static void form_vfree(struct view *v)
{
	struct form *f = (struct form *)v;
	if (f->ops && f->ops->free)
		f->ops->free(f);
	for (size_t i = 0; i < f->n; i++) {
		struct form_field *fld = &f->fields[i];
		form_clear_choices(fld);
		free(fld->key);
		free(fld->arg);
		free(fld->label);
		free(fld->help);
		free(fld->value);
		free(fld->placeholder);
		free(fld->note);
		free(fld->when);
		free(fld->values);
		free(fld->error);
	}
	free(f->fields);
	for (int s = 0; s < f->nsec; s++)
		free(f->sec[s].title);
	free(f->error);
}

const struct view_class form_class = {
	.name = "form",
	.about = "Form: the options of a command as fields. Enter edits a field or opens its list; "
		 "typing a digit on a number field starts a new value. A wrong value is marked "
		 "beside its field at once. S (or the button at the end) checks every field and runs "
		 "the command shown under the form, as if typed on the : line, so it is kept in the "
		 "session history.",
	.keys = {&form_keys, NULL},
	.draw = form_draw,
	.enter = form_enter,
	.free = form_vfree,
	.info = form_info,
	.search = form_search,
	.click = form_click,
	.key = form_key,
};

/* ---- pick lists: one value, or several ---------------------------------------------- */
struct pick {
	struct view v;
	struct form *form;
	size_t field;
	bool multi, none_row;   /* none_row: an optional choice can be unset */
	bool *on;               /* multi: the ticks until Enter keeps them */
	char *pattern;
};

static struct form_field *pick_field(struct pick *p)
{
	return &p->form->fields[p->field];
}

/* The choice of row r, or -1 for the "(none)" row. */
static long pick_choice(struct pick *p, size_t r)
{
	return p->none_row ? (long)r - 1 : (long)r;
}

static void pick_draw(struct view *v, struct tui *t, int y, int x, int h, int w)
{
	struct pick *p = (struct pick *)v;
	struct form_field *fld = pick_field(p);
	v->sc.page = h;
	scroller_fix(&v->sc);
	int vw = p->none_row ? 6 : 4; /* "(none)" */
	for (size_t i = 0; i < fld->nchoices; i++) {
		int cw = utf8_width(fld->choices[i].value);
		if (cw > vw)
			vw = cw;
	}
	if (vw > w / 2)
		vw = w / 2;
	for (int r = 0; r < h; r++) {
		size_t i = v->sc.top + (size_t)r;
		if (i >= v->sc.n)
			break;
		bool cur = i == v->sc.cur;
		enum style st = cur ? S_ROW_CUR : S_NORMAL;
		if (cur)
			tui_fill(t, y + r, x, w, st);
		long c = pick_choice(p, i);
		const char *val = c < 0 ? "(none)" : fld->choices[c].value;
		bool mark = p->multi ? p->on[c]
				     : c < 0 ? fld->value == NULL
					     : fld->value && strcmp(fld->value, val) == 0;
		const char *box = p->multi ? (mark ? "[x]" : "[ ]") : (mark ? "(*)" : "( )");
		tui_put(t, y + r, x + 2, 3, st, box);
		tui_cell(t, y + r, x + 6, vw, cur ? S_CELL_CUR : c < 0 ? S_INFO : st, val, false);
		if (c >= 0 && fld->choices[c].note)
			tui_put(t, y + r, x + 8 + vw, w - 9 - vw, cur ? st : S_TYPE, fld->choices[c].note);
	}
}

static void pick_info(struct view *v, struct tui *t, char *buf, size_t n)
{
	struct pick *p = (struct pick *)v;
	struct form_field *fld = pick_field(p);
	if (p->multi) {
		size_t k = 0;
		for (size_t i = 0; i < fld->nchoices; i++)
			k += p->on[i];
		snprintf(buf, n, "%zu of %zu ticked", k, fld->nchoices);
	} else {
		snprintf(buf, n, "%zu to pick from", fld->nchoices);
	}
}

struct pick_match {
	struct pick *p;
	const char *pat;
};

static bool pick_matches(void *ctx, size_t i)
{
	struct pick_match *m = ctx;
	long c = pick_choice(m->p, i);
	return c >= 0 && tui_strcasestr(pick_field(m->p)->choices[c].value, m->pat);
}

static bool pick_search(struct view *v, struct tui *t, const char *pat, int dir, bool next)
{
	struct pick_match m = {(struct pick *)v, pat};
	return scroller_find(&v->sc, dir, next, pick_matches, &m);
}

static void pick_click(struct view *v, struct tui *t, int y, int x)
{
	if (y >= 0 && v->sc.top + (size_t)y < v->sc.n) {
		v->sc.cur = v->sc.top + (size_t)y;
		scroller_fix(&v->sc);
	}
}

static void pick_vfree(struct view *v)
{
	struct pick *p = (struct pick *)v;
	free(p->on);
	free(p->pattern);
}

/* Sets the field from the pick and closes the list (the pick is freed). */
static void pick_done(struct tui *t, struct pick *p)
{
	struct form *f = p->form;
	struct form_field *fld = pick_field(p);
	if (p->multi) {
		for (size_t i = 0; i < fld->nchoices; i++)
			fld->choices[i].on = p->on[i];
	} else {
		long c = pick_choice(p, p->v.sc.cur);
		form_set(fld, c < 0 ? NULL : fld->choices[c].value);
	}
	tui_pop(t);
	field_changed(f, t, fld);
}

static void k_pick(struct tui *t, struct view *v, int key)
{
	pick_done(t, (struct pick *)v);
}

static void k_tick(struct tui *t, struct view *v, int key)
{
	struct pick *p = (struct pick *)v;
	p->on[v->sc.cur] = !p->on[v->sc.cur];
	if (v->sc.cur + 1 < v->sc.n)
		v->sc.cur++;
	scroller_fix(&v->sc);
}

static void k_all(struct tui *t, struct view *v, int key)
{
	struct pick *p = (struct pick *)v;
	struct form_field *fld = pick_field(p);
	bool all = true;
	for (size_t i = 0; i < fld->nchoices; i++)
		all &= p->on[i];
	for (size_t i = 0; i < fld->nchoices; i++)
		p->on[i] = !all;
}

static const struct key_binding pick_one_b[] = {
	{{K_ENTER, ' '}, "pick the value", "pick", k_pick},
	{{0}},
};
static const struct key_table pick_one_keys = {"Pick one", pick_one_b};

static const struct key_binding pick_many_b[] = {
	{{' '}, "tick or untick, and on to the next", "tick", k_tick},
	{{'a'}, "tick all, or none when all are ticked", "all", k_all},
	{{K_ENTER}, "keep the ticks", "keep", k_pick},
	{{0}},
};
static const struct key_table pick_many_keys = {"Pick several", pick_many_b};

const struct view_class pick_one_class = {
	.name = "pick",
	.about = "Pick: the values a form's field can take; (*) marks the one it has. Enter picks "
		 "one, Esc leaves the field as it was.",
	.keys = {&pick_one_keys, &nav_keys, NULL},
	.draw = pick_draw,
	.free = pick_vfree,
	.info = pick_info,
	.search = pick_search,
	.click = pick_click,
};

const struct view_class pick_many_class = {
	.name = "pick",
	.about = "Pick several: the values a form's field can take, ticked [x] when in. Space "
		 "ticks, a ticks all (or none), Enter keeps the ticks, Esc leaves the field as it was.",
	.keys = {&pick_many_keys, &nav_keys, NULL},
	.draw = pick_draw,
	.free = pick_vfree,
	.info = pick_info,
	.search = pick_search,
	.click = pick_click,
};

static struct view *pick_new(struct form *f, struct form_field *fld)
{
	struct pick *p = xcalloc(1, sizeof *p);
	view_init(&p->v, fld->kind == FIELD_MULTI ? &pick_many_class : &pick_one_class, fld->label);
	p->form = f;
	p->field = (size_t)(fld - f->fields);
	p->multi = fld->kind == FIELD_MULTI;
	p->none_row = !p->multi && !fld->required;
	p->v.sc.n = fld->nchoices + (p->none_row ? 1 : 0);
	if (p->multi) {
		p->on = xcalloc(fld->nchoices + 1, sizeof *p->on);
		for (size_t i = 0; i < fld->nchoices; i++)
			p->on[i] = fld->choices[i].on;
	} else if (fld->value) {
		for (size_t i = 0; i < fld->nchoices; i++)
			if (strcmp(fld->choices[i].value, fld->value) == 0)
				p->v.sc.cur = i + (p->none_row ? 1 : 0);
	}
	return &p->v;
}
