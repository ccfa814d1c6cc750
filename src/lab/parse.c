/* Reading a lab file into steps. */
#include "lab.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *trimmed(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	char *r = xmalloc(n + 1);
	memcpy(r, s, n);
	r[n] = 0;
	return r;
}

static struct lab_step *new_step(struct lab *l, char *title, size_t line)
{
	l->steps = xrealloc(l->steps, (l->nsteps + 1) * sizeof *l->steps);
	struct lab_step *st = &l->steps[l->nsteps++];
	*st = (struct lab_step){.title = title, .text = xstrdup(""), .line = line};
	return st;
}

static void add_text(struct lab_step *st, const char *t)
{
	struct sbuf b = {0};
	sbuf_puts(&b, st->text);
	/* an empty comment line is a paragraph break; lines of one paragraph join with a space */
	if (*t == 0) {
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_putc(&b, '\n');
	} else {
		if (b.len && b.s[b.len - 1] != '\n')
			sbuf_putc(&b, ' ');
		sbuf_puts(&b, t);
	}
	free(st->text);
	st->text = sbuf_steal(&b);
}

/* The directive keyword of a "#@ KEY rest" line: its length, *rest after it. */
static size_t directive(const char *t, const char **rest)
{
	size_t k = strcspn(t, " \t");
	const char *r = t + k;
	r += strspn(r, " \t");
	*rest = r;
	return k;
}

static bool is_key(const char *t, size_t k, const char *key)
{
	return strlen(key) == k && strncmp(t, key, k) == 0;
}

static int at(struct pm_err *err, const char *path, size_t line, const char *what)
{
	return pm_errcf(err, PM_E_USAGE, "%s:%zu: %s", path, line, what);
}

/* hint_slot: where a "#@ hint" goes, the hint of the last expect or fails
 * (NULL before any, and after a command: a hint belongs to its check) */
static int on_directive(struct lab *l, const char *path, size_t line, const char *t,
			char ***hint_slot, struct pm_err *err)
{
	const char *rest;
	size_t k = directive(t, &rest);
	struct lab_step *st = l->nsteps ? &l->steps[l->nsteps - 1] : NULL;
	struct lab_cmd *c = st && st->ncmds ? &st->cmds[st->ncmds - 1] : NULL;
	if (is_key(t, k, "lab") || is_key(t, k, "course") || is_key(t, k, "time")) {
		char **slot = t[0] == 'l' ? &l->title : t[0] == 'c' ? &l->course : &l->time;
		free(*slot);
		*slot = xstrdup(rest);
		return 0;
	}
	if (is_key(t, k, "step")) {
		if (!*rest)
			return at(err, path, line, "a step needs a title: #@ step TITLE");
		new_step(l, xstrdup(rest), line);
		return 0;
	}
	if (is_key(t, k, "expect")) {
		if (!c)
			return at(err, path, line, "#@ expect comes after the command whose result it checks");
		struct pm_err e = {0};
		if (lab_check_syntax(rest, &e) < 0) {
			char m[600];
			snprintf(m, sizeof m, "#@ expect %s: %s", rest, e.msg);
			return at(err, path, line, m);
		}
		c->checks = xrealloc(c->checks, (c->nchecks + 1) * sizeof *c->checks);
		c->checks[c->nchecks++] = (struct lab_check){.expr = xstrdup(rest), .line = line};
		*hint_slot = &c->checks[c->nchecks - 1].hint;
		return 0;
	}
	if (is_key(t, k, "fails")) {
		if (!c)
			return at(err, path, line, "#@ fails comes after the command that must fail");
		free(c->fails);
		c->fails = xstrdup(rest);
		*hint_slot = &c->fails_hint;
		return 0;
	}
	if (is_key(t, k, "hint")) {
		char **slot = *hint_slot;
		if (!slot)
			return at(err, path, line, "#@ hint comes after the #@ expect or #@ fails it helps with");
		if (*slot) {
			/* a hint may run over several lines */
			char *j = xmalloc(strlen(*slot) + strlen(rest) + 2);
			sprintf(j, "%s %s", *slot, rest);
			free(*slot);
			*slot = j;
		} else {
			*slot = xstrdup(rest);
		}
		return 0;
	}
	char m[200];
	snprintf(m, sizeof m, "unknown directive \"#@ %.*s\" (lab, course, time, step, expect, fails, hint)",
		 (int)(k > 40 ? 40 : k), t);
	return at(err, path, line, m);
}

int lab_parse(const char *text, const char *path, lab_line_complete_fn complete,
	      struct lab **out, struct pm_err *err)
{
	struct lab *l = xcalloc(1, sizeof *l);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	if (bl > 7 && strcmp(base + bl - 7, ".prodml") == 0)
		bl -= 7;
	l->name = trimmed(base, bl);
	l->path = xstrdup(path);
	l->title = xstrdup("");
	l->course = xstrdup("");
	l->time = xstrdup("");
	struct sbuf pending = {0}; /* a command line continued on the next lines */
	size_t line = 0, cmd_line = 0;
	const char *p = text;
	char **hint_slot = NULL;
	struct lab_step intro = {.text = xstrdup("")}; /* comments before the first step */
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		line++;
		char *t = trimmed(p, n);
		p += n + (e ? 1 : 0);
		if (pending.len) {
			sbuf_putc(&pending, '\n');
			sbuf_puts(&pending, t);
			free(t);
		} else if (t[0] == '#' && t[1] == '@') {
			const char *d = t + 2;
			d += strspn(d, " \t");
			int rc = on_directive(l, path, line, d, &hint_slot, err);
			free(t);
			if (rc < 0)
				goto fail;
			continue;
		} else if (t[0] == '#' || t[0] == 0) {
			const char *c = t[0] == '#' ? t + 1 : t;
			if (*c == ' ')
				c++;
			/* "#!" lines and a blank line are not text */
			if (t[0] == '#' && t[1] != '!') {
				struct lab_step *st = l->nsteps ? &l->steps[l->nsteps - 1] : NULL;
				if (!st) {
					add_text(&intro, c);
				} else if (st->ncmds == 0) {
					add_text(st, c);
				}
			}
			free(t);
			continue;
		} else {
			sbuf_puts(&pending, t);
			cmd_line = line;
			hint_slot = NULL;
			free(t);
		}
		if (!complete(pending.s))
			continue;
		if (l->nsteps == 0) {
			/* a plain script: one step, named and explained by the
			 * opening comment (below) */
			new_step(l, NULL, cmd_line);
		}
		struct lab_step *st = &l->steps[l->nsteps - 1];
		st->cmds = xrealloc(st->cmds, (st->ncmds + 1) * sizeof *st->cmds);
		st->cmds[st->ncmds++] = (struct lab_cmd){.text = sbuf_steal(&pending), .line = cmd_line};
	}
	if (pending.len) {
		at(err, path, cmd_line, "unterminated quote or trailing backslash");
		goto fail;
	}
	for (size_t i = 0; i < l->nsteps; i++) {
		if (l->steps[i].ncmds == 0) {
			char m[300];
			snprintf(m, sizeof m, "step \"%.200s\" has no command", l->steps[i].title);
			at(err, path, l->steps[i].line, m);
			goto fail;
		}
	}
	if (l->nsteps == 0) {
		at(err, path, line ? line : 1, "no command: a lab runs at least one");
		goto fail;
	}
	/* the opening comment: the title when none was given, the rest the
	 * first step's text when that step has none */
	char *in = intro.text;
	intro.text = NULL;
	if (!l->title[0] && in[0]) {
		size_t k = strcspn(in, ".:\n");
		free(l->title);
		l->title = trimmed(in, k);
	}
	if (!l->steps[0].title)
		l->steps[0].title = xstrdup(l->title[0] ? l->title : l->name);
	if (!l->steps[0].text[0] && in[0]) {
		free(l->steps[0].text);
		l->steps[0].text = in;
	} else {
		free(in);
	}
	sbuf_free(&pending);
	*out = l;
	return 0;
fail:
	free(intro.text);
	sbuf_free(&pending);
	lab_free(l);
	return -1;
}

int lab_read(const char *path, lab_line_complete_fn complete, struct lab **out,
	     struct pm_err *err)
{
	char *text;
	size_t len;
	if (fs_read_all(path, &text, &len, err) < 0)
		return -1;
	if (strlen(text) != len) {
		free(text);
		return pm_errcf(err, PM_E_USAGE, "%s: a lab is text, and this file holds a NUL byte", path);
	}
	int rc = lab_parse(text, path, complete, out, err);
	free(text);
	return rc;
}

void lab_free(struct lab *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nsteps; i++) {
		struct lab_step *st = &l->steps[i];
		for (size_t j = 0; j < st->ncmds; j++) {
			struct lab_cmd *c = &st->cmds[j];
			for (size_t k = 0; k < c->nchecks; k++) {
				free(c->checks[k].expr);
				free(c->checks[k].hint);
			}
			free(c->checks);
			free(c->text);
			free(c->fails);
			free(c->fails_hint);
		}
		free(st->cmds);
		free(st->title);
		free(st->text);
	}
	free(l->steps);
	free(l->name);
	free(l->path);
	free(l->title);
	free(l->course);
	free(l->time);
	free(l);
}

size_t lab_nchecks(const struct lab *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->nsteps; i++)
		for (size_t j = 0; j < l->steps[i].ncmds; j++)
			n += l->steps[i].cmds[j].nchecks + (l->steps[i].cmds[j].fails != NULL);
	return n;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

int lab_find(const char *dir, const char *name, char **path, struct pm_err *err)
{
	/* a path names its file by the extension: a bare name never leaves dir */
	if (ends_with(name, ".prodml")) {
		if (!fs_exists(name))
			return pm_errcf(err, PM_E_NOTFOUND, "%s: no such lab file", name);
		*path = xstrdup(name);
		return 0;
	}
	if (!str_name_valid(name))
		return pm_errcf(err, PM_E_USAGE, "\"%s\" is not a lab name (see `lab list`)", name);
	char *p = xmalloc(strlen(dir) + strlen(name) + 10);
	sprintf(p, "%s/%s.prodml", dir, name);
	if (!fs_exists(p)) {
		free(p);
		return pm_errcf(err, PM_E_NOTFOUND, "no lab \"%s\" in %s (see `lab list`)", name, dir);
	}
	*path = p;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_names(const char *dir, char ***names, size_t *n, struct pm_err *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return pm_errcf(err, PM_E_NOTFOUND, "%s: cannot read the labs' folder (%s)", dir,
				strerror(errno));
	char **v = NULL;
	size_t k = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !ends_with(de->d_name, ".prodml"))
			continue;
		v = xrealloc(v, (k + 2) * sizeof *v);
		v[k] = xstrdup(de->d_name);
		v[k][strlen(v[k]) - 7] = 0;
		v[++k] = NULL;
	}
	closedir(d);
	if (!v)
		v = xcalloc(1, sizeof *v);
	qsort(v, k, sizeof *v, cmp_str);
	*names = v;
	*n = k;
	return 0;
}
