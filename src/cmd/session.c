/* The session: workspace, loaded datasets, settings, history, progress. */
#include "cmd.h"

#include "data/data.h"
#include "lab/lab.h"
#include "workspace/workspace.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct bar_state {
	double start, last;
	char what[64];
};

/* Draws a progress bar on stderr when it is a terminal; at most 10 times a
 * second so that progress costs nothing on fast work. */
static void draw_progress(void *ctx, const char *what, double done, double total)
{
	struct session *s = ctx;
	if (s->quiet || !s->tty)
		return;
	static const int width = 30;
	double now = now_seconds();
	struct bar_state *st = (struct bar_state *)s->progress_state;
	if (!st)
		return;
	if (strncmp(st->what, what, sizeof st->what - 1) != 0) {
		snprintf(st->what, sizeof st->what, "%s", what);
		st->start = now;
		st->last = 0;
	}
	bool finished = total > 0 && done >= total;
	if (!finished && now - st->last < 0.1)
		return;
	st->last = now;
	double frac = total > 0 ? done / total : 0;
	if (frac > 1)
		frac = 1;
	int fill = (int)(frac * width);
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[width] = 0;
	double el = now - st->start;
	double eta = frac > 0.01 ? el / frac - el : 0;
	fprintf(s->errs, "\r%-16.16s [%s] %3.0f%%  %5.1fs", what, bar, frac * 100, el);
	if (!finished && eta > 0)
		fprintf(s->errs, "  ETA %.0fs ", eta);
	else
		fprintf(s->errs, "          ");
	if (finished)
		fputc('\n', s->errs);
	fflush(s->errs);
}

void session_init(struct session *s, const char *ws_dir, volatile int *cancel)
{
	memset(s, 0, sizeof *s);
	s->ws_dir = xstrdup(ws_dir);
	s->cancel = cancel;
	s->out = stdout;
	s->errs = stderr;
	s->tty = isatty(STDERR_FILENO);
	s->progress.report = draw_progress;
	s->progress.ctx = s;
	s->progress.cancel = cancel;
	s->progress_state = xcalloc(1, sizeof(struct bar_state));
}

void session_free(struct session *s)
{
	while (s->frames) {
		struct loaded_frame *lf = s->frames;
		s->frames = lf->next;
		frame_free(lf->frame);
		free(lf->fingerprint);
		free(lf);
	}
	settings_free(&s->settings);
	for (size_t i = 0; i < s->nhistory; i++)
		free(s->history[i]);
	free(s->history);
	free(s->jobs);
	lab_free(s->lab);
	free(s->lab_note);
	ws_close(s->ws);
	free(s->ws_dir);
	free(s->progress_state);
	memset(s, 0, sizeof *s);
}

int session_ws(struct session *s, struct workspace **ws, struct pm_err *err)
{
	if (!s->ws && ws_open(s->ws_dir, &s->ws, err) < 0)
		return -1;
	*ws = s->ws;
	return 0;
}

void session_forget_frame(struct session *s, const char *name)
{
	for (struct loaded_frame **p = &s->frames; *p; p = &(*p)->next) {
		if (strcmp((*p)->frame->name, name) == 0) {
			struct loaded_frame *lf = *p;
			*p = lf->next;
			frame_free(lf->frame);
			free(lf->fingerprint);
			free(lf);
			return;
		}
	}
}

int session_frame(struct session *s, const char *name, struct frame **f, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct ws_dataset d;
	if (ws_dataset_get(ws, name, &d, err) < 0)
		return -1;
	/* reuse the mapping while the dataset still names the same content */
	for (struct loaded_frame *lf = s->frames; lf; lf = lf->next) {
		if (strcmp(lf->frame->name, name) == 0) {
			if (strcmp(lf->fingerprint, d.artifact) == 0) {
				ws_dataset_free(&d);
				*f = lf->frame;
				return 0;
			}
			session_forget_frame(s, name);
			break;
		}
	}
	char *path = ws_artifact_path(ws, d.artifact, err);
	if (!path) {
		ws_dataset_free(&d);
		return pm_err_prefix(err, "dataset %s", name);
	}
	struct frame *fr;
	int rc = frame_open(path, name, &fr, err);
	free(path);
	if (rc < 0) {
		/* a cache torn by a power cut before write-back: the source can
		 * give it again */
		if (err->code == PM_E_DAMAGED && d.source && *d.source) {
			size_t n = strlen(err->msg);
			snprintf(err->msg + n, sizeof err->msg - n, "; load it again: load %s %s",
				 name, d.source);
		}
		ws_dataset_free(&d);
		return pm_err_prefix(err, "dataset %s", name);
	}
	struct loaded_frame *lf = xcalloc(1, sizeof *lf);
	lf->frame = fr;
	lf->fingerprint = xstrdup(d.artifact);
	lf->next = s->frames;
	s->frames = lf;
	ws_dataset_free(&d);
	*f = fr;
	return 0;
}

struct fp_job {
	const struct frame *f;
	char fp[17];
};

static void *fp_thread(void *arg)
{
	struct fp_job *j = arg;
	frame_fingerprint(j->f, j->fp);
	return NULL;
}

int session_store_frame(struct session *s, struct frame *f, const char *source,
			const char *artifact_hint, struct pm_err *err)
{
	struct workspace *ws;
	if (ws_dataset_name_check(f->name, err) < 0 || session_ws(s, &ws, err) < 0) {
		frame_free(f);
		return -1;
	}
	char sha[65];
	struct fp_job fj = {.f = f};
	if (artifact_hint) {
		snprintf(sha, sizeof sha, "%s", artifact_hint);
		frame_fingerprint(f, fj.fp);
	} else {
		/* The fingerprint is taken while the file is written:
		 * for a frame parsed into its file, in the same read of its
		 * values as the file's sums; else on a thread of its own. */
		bool in_save = f->build != NULL;
		pthread_t th;
		bool threaded = !in_save && pthread_create(&th, NULL, fp_thread, &fj) == 0;
		char *tmp = ws_artifact_tmp(ws);
		int rc = frame_save_fp(f, tmp, session_sync_full(s), sha, in_save ? fj.fp : NULL, err);
		if (threaded)
			pthread_join(th, NULL);
		else if (!in_save)
			frame_fingerprint(f, fj.fp);
		if (rc == 0)
			rc = ws_artifact_place(ws, tmp, sha, err);
		if (rc < 0)
			unlink(tmp);
		free(tmp);
		if (rc < 0) {
			frame_free(f);
			return -1;
		}
	}
	char *fp = fj.fp;
	struct ws_dataset d = {.name = f->name,
			       .artifact = sha,
			       .fingerprint = fp,
			       .rows = (int64_t)f->nrows,
			       .cols = (int64_t)f->ncols,
			       .source = (char *)source};
	if (ws_dataset_put(ws, &d, err) < 0) {
		frame_free(f);
		return -1;
	}
	session_forget_frame(s, f->name);
	struct loaded_frame *lf = xcalloc(1, sizeof *lf);
	lf->frame = f;
	lf->fingerprint = xstrdup(sha);
	lf->next = s->frames;
	s->frames = lf;
	return 0;
}

const char *settings_get(const struct setting *list, const char *key)
{
	for (const struct setting *st = list; st; st = st->next)
		if (strcmp(st->key, key) == 0)
			return st->value;
	return NULL;
}

void settings_put(struct setting **list, const char *key, const char *value)
{
	for (struct setting *st = *list; st; st = st->next) {
		if (strcmp(st->key, key) == 0) {
			free(st->value);
			st->value = xstrdup(value);
			return;
		}
	}
	struct setting *st = xcalloc(1, sizeof *st);
	st->key = xstrdup(key);
	st->value = xstrdup(value);
	st->next = *list;
	*list = st;
}

void settings_free(struct setting **list)
{
	while (*list) {
		struct setting *st = *list;
		*list = st->next;
		free(st->key);
		free(st->value);
		free(st);
	}
}

const char *session_get(const struct session *s, const char *key)
{
	return settings_get(s->settings, key);
}

void session_set(struct session *s, const char *key, const char *value)
{
	settings_put(&s->settings, key, value);
}

bool session_sync_full(const struct session *s)
{
	const char *v = session_get(s, "sync");
	return v && strcmp(v, "full") == 0;
}

int session_threads(const struct session *s)
{
	const char *t = session_get(s, "threads");
	int64_t n;
	if (t && parse_int64(t, strlen(t), &n) && n > 0 && n <= 256)
		return (int)n;
	return pm_ncpu();
}
