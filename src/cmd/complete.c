/* Completion of the word at the cursor, from the command table and the
 * workspace.  Faces (readline, the TUI command line) only display it. */
#include "cmd.h"

#include "data/data.h"
#include "workspace/workspace.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

struct cands {
	char **v;
	size_t n, cap;
	const char *prefix;
};

static void add(struct cands *c, const char *s)
{
	if (!str_prefix(s, c->prefix))
		return;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	xgrow((void **)&c->v, &c->cap, c->n + 2, sizeof *c->v);
	c->v[c->n++] = xstrdup(s);
	c->v[c->n] = NULL;
}

static void add_names(struct session *s, struct cands *c, enum ws_names_kind kind)
{
	struct workspace *ws;
	struct pm_err err;
	if (session_ws(s, &ws, &err) < 0)
		return;
	char **v = ws_names(ws, kind);
	for (size_t i = 0; v[i]; i++)
		add(c, v[i]);
	str_list_free(v);
}

static void add_files(struct cands *c)
{
	const char *slash = strrchr(c->prefix, '/');
	char *dir = slash ? xstrndup(c->prefix, (size_t)(slash - c->prefix) + 1) : xstrdup("");
	DIR *d = opendir(*dir ? dir : ".");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' && (slash ? slash[1] : c->prefix[0]) != '.')
				continue;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *full = xasprintf("%s%s", dir, e->d_name);
			char *shown = fs_is_dir(full) ? xasprintf("%s/", full) : xstrdup(full);
			add(c, shown);
			free(full);
			free(shown);
		}
		closedir(d);
	}
	free(dir);
}

static void add_kind(struct session *s, struct cands *c, enum complete_kind k, const char *words,
		     const char *dataset)
{
	switch (k) {
	case COMPLETE_FILE: add_files(c); break;
	case COMPLETE_DATASET: add_names(s, c, WS_NAMES_DATASETS); break;
	case COMPLETE_SCHEMA: add_names(s, c, WS_NAMES_SCHEMAS); break;
	case COMPLETE_MODEL: add_names(s, c, WS_NAMES_MODELS); break;
	case COMPLETE_COMMAND:
		for (size_t i = 0, n = cmd_count(); i < n; i++) {
			char *first = xstrdup(cmd_at(i)->name);
			char *sp = strchr(first, ' ');
			if (sp)
				*sp = 0;
			add(c, first);
			free(first);
		}
		break;
	case COMPLETE_SETTING: {
		for (const struct setting_doc *d = cmd_settings; d->key; d++)
			add(c, d->key);
		break;
	}
	case COMPLETE_COLUMN: {
		struct frame *f;
		struct pm_err err;
		if (dataset && session_frame(s, dataset, &f, &err) == 0)
			for (size_t i = 0; i < f->ncols; i++)
				add(c, f->cols[i].name);
		break;
	}
	case COMPLETE_WORDS: {
		if (!words)
			break;
		char **w = str_split(words, '|', NULL);
		for (char **p = w; *p; p++)
			add(c, *p);
		str_list_free(w);
		break;
	}
	case COMPLETE_NONE: break;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cmd_complete(struct session *s, const char *line, size_t point, size_t *word_start)
{
	/* the current command starts after the last ';' before the cursor */
	size_t start = 0;
	for (size_t i = 0; i < point; i++)
		if (line[i] == ';')
			start = i + 1;
	char *text = xstrndup(line + start, point - start);
	size_t nwords = 0;
	char **words = NULL;
	size_t cap = 0;
	char *p = text;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *e = p;
		while (*e && *e != ' ' && *e != '\t')
			e++;
		xgrow((void **)&words, &cap, nwords + 2, sizeof *words);
		words[nwords++] = xstrndup(p, (size_t)(e - p));
		if (!*e)
			break;
		p = e;
	}
	/* the last word is the one being completed (possibly empty) */
	const char *cur = words[nwords - 1];
	*word_start = point - strlen(cur);
	struct cands c = {.prefix = cur};
	int used = 0;
	const struct cmd_entry *e = nwords > 1 ? cmd_find((int)nwords - 1, words, &used) : NULL;
	/* a command name, or the next word of a subcommand: also after a
	 * command that is one itself (`models` lists, `models show` is one of
	 * its subcommands), so a subcommand added to the table completes */
	if (!e || (size_t)used + 1 == nwords) {
		for (size_t i = 0, n = cmd_count(); i < n; i++) {
			const char *name = cmd_at(i)->name;
			size_t k = 0;
			const char *q = name;
			bool ok = true;
			for (; k + 1 < nwords && ok; k++) {
				size_t wl = strlen(words[k]);
				if (strncmp(q, words[k], wl) != 0 || q[wl] != ' ')
					ok = false;
				else
					q += wl + 1;
			}
			if (!ok)
				continue;
			char *w = xstrdup(q);
			char *sp = strchr(w, ' ');
			if (sp)
				*sp = 0;
			add(&c, w);
			free(w);
		}
	}
	if (e) {
		/* positional index and the option being valued, if any */
		int pos = 0;
		const struct cmd_opt *valued = NULL;
		const char *dataset = NULL;
		for (size_t i = (size_t)used; i + 1 < nwords; i++) {
			const struct cmd_opt *o = NULL;
			for (const struct cmd_opt *x = e->opts; x && x->name; x++)
				if (strcmp(x->name, words[i]) == 0)
					o = x;
			if (o) {
				if (o->arg) {
					if (i + 2 == nwords)
						valued = o;
					else if (strcmp(o->name, "--data") == 0)
						dataset = words[i + 1];
					i++;
				}
				continue;
			}
			if (pos == 0 && e->pos_complete[0] == COMPLETE_DATASET && !dataset)
				dataset = words[i];
			pos++;
		}
		if (valued) {
			add_kind(s, &c, valued->complete, valued->words, dataset);
		} else if (cur[0] == '-') {
			for (const struct cmd_opt *x = e->opts; x && x->name; x++)
				add(&c, x->name);
		} else if (pos < CMD_MAX_POS_COMPLETE) {
			add_kind(s, &c, e->pos_complete[pos], NULL, dataset);
		}
	}
	for (size_t i = 0; i < nwords; i++)
		free(words[i]);
	free(words);
	free(text);
	if (c.n > 1)
		qsort(c.v, c.n, sizeof *c.v, cmp_str);
	if (!c.v)
		c.v = xcalloc(1, sizeof *c.v);
	return c.v;
}
