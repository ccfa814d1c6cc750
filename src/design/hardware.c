/* Training time per hardware choice.  A choice is estimated only from a
 * measurement made on it: the model's newest finished run on that
 * hardware (its threads, its MPI workers, a GPU device), else the
 * design's newest training probe with those threads.  A choice nothing
 * measured says so and names the command that measures it: rates do not
 * carry over from one kind of hardware to another (memory bandwidth,
 * all-reduce, transfers), so none is scaled from another. */
#include "design.h"
#include "train/train.h"
#include "workspace/workspace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct hw {
	char kind[8];   /* cpu, workers, gpu */
	int n;          /* threads, workers; 0 for gpu */
};

static char *hw_text(const struct hw *h)
{
	if (strcmp(h->kind, "gpu") == 0)
		return xstrdup("gpu");
	if (strcmp(h->kind, "workers") == 0)
		return xasprintf("workers %d", h->n);
	return xasprintf("cpu %d thread%s", h->n, h->n == 1 ? "" : "s");
}

static bool hw_eq(const struct hw *a, const struct hw *b)
{
	return strcmp(a->kind, b->kind) == 0 && a->n == b->n;
}

/* The hardware a run trained on, from its configuration. */
static struct hw run_hw(json_t *cfg)
{
	struct hw h = {"cpu", (int)json_integer_value(json_object_get(cfg, "threads"))};
	const char *dev = json_string_value(json_object_get(cfg, "device"));
	int workers = (int)json_integer_value(json_object_get(cfg, "workers"));
	if (dev && (strcmp(dev, "cuda") == 0 || strcmp(dev, "gpu") == 0))
		h = (struct hw){"gpu", 0};
	else if (workers > 1)
		h = (struct hw){"workers", workers};
	return h;
}

/* The train command of a run's options, one epoch, with the hardware option. */
static char *train_line(json_t *cfg, const char *model, const char *data, const char *hw_opt)
{
	struct sbuf b = {0};
	sbuf_printf(&b, "train %s --data %s --label", model, data);
	design_word(&b, json_string_value(json_object_get(cfg, "label")));
	json_t *fs = json_object_get(cfg, "features"), *f;
	struct sbuf feats = {0};
	size_t i;
	json_array_foreach(fs, i, f)
		sbuf_printf(&feats, "%s%s", i ? "," : "", json_string_value(f));
	if (feats.len) {
		sbuf_puts(&b, " --features");
		design_word(&b, feats.s);
	}
	sbuf_free(&feats);
	if (json_is_string(json_object_get(cfg, "model")))
		sbuf_printf(&b, " --model %s", json_string_value(json_object_get(cfg, "model")));
	sbuf_printf(&b, " --epochs 1 %s", hw_opt);
	return sbuf_steal(&b);
}

struct choices {
	struct hw *hw;
	json_t **est;   /* the measurement (NULL: none yet) */
	size_t n;
};

static size_t choice_add(struct choices *c, struct hw h)
{
	for (size_t i = 0; i < c->n; i++)
		if (hw_eq(&c->hw[i], &h))
			return i;
	c->hw = xrealloc(c->hw, (c->n + 1) * sizeof *c->hw);
	c->est = xrealloc(c->est, (c->n + 1) * sizeof *c->est);
	c->hw[c->n] = h;
	c->est[c->n] = NULL;
	return c->n++;
}

static json_t *measured(double rows, double secs, int64_t nrows, int64_t epochs, char *src)
{
	double rate = rows / secs, t = (double)nrows * (double)epochs / rate;
	char a[32], b[32];
	snprintf(a, sizeof a, "%.6g", rate);
	snprintf(b, sizeof b, "%.6g", t);
	char *ar = xasprintf("%lld rows × %lld epochs / %s rows/s = %s s", (long long)nrows,
			     (long long)epochs, a, b);
	json_t *o = json_pack("{s:b,s:o,s:I,s:o,s:s,s:s}", "measured", 1, "rows_per_s", json_num(rate),
			      "epochs", (json_int_t)epochs, "seconds", json_num(t), "arithmetic", ar,
			      "source", src);
	free(ar);
	free(src);
	return o;
}

json_t *design_hardware_estimates(struct workspace *ws, json_t *d, int64_t nrows, int64_t epochs,
				  const struct design_env *env)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	const char *model = json_string_value(json_object_get(d, "model"));
	if (epochs <= 0)
		epochs = 1;
	struct choices c = {0};
	/* the choices always shown: the design's own and one thread (the
	 * baseline any machine has); others when something measured them */
	json_t *dh = json_object_get(d, "hardware");
	const char *dkind = json_string_value(json_object_get(dh, "kind"));
	int dthreads = (int)json_integer_value(json_object_get(dh, "threads"));
	int dworkers = (int)json_integer_value(json_object_get(dh, "workers"));
	struct hw mine = {"cpu", dthreads > 0 ? dthreads : env->ncpus};
	if (dkind && strcmp(dkind, "workers") == 0)
		mine = (struct hw){"workers", dworkers};
	else if (dkind && strcmp(dkind, "gpu") == 0)
		mine = (struct hw){"gpu", 0};
	choice_add(&c, mine);
	choice_add(&c, (struct hw){"cpu", 1});
	/* the model's runs, newest first: the newest on each hardware */
	struct run_brief *runs;
	size_t nr = 0;
	struct pm_err e;
	json_t *last_cfg = NULL;   /* the newest run's options, for the command that measures */
	if (run_briefs(ws, &runs, &nr, &e) < 0)
		nr = 0, runs = NULL;
	for (size_t i = 0; i < nr; i++) {
		if (strcmp(runs[i].model, model) || strcmp(runs[i].state, "done"))
			continue;
		json_t *run;
		if (run_get(ws, runs[i].id, &run, &e) < 0)
			continue;
		struct hw h = run_hw(json_object_get(run, "config"));
		if (!last_cfg)
			last_cfg = json_incref(json_object_get(run, "config"));
		json_decref(run);
		size_t k = choice_add(&c, h);
		if (c.est[k])
			continue;
		struct run_detail rd;
		if (run_detail_read(ws, runs[i].id, &rd, &e) < 0)
			continue;
		double rows, secs;
		design_run_measured(&rd, &rows, &secs);
		if (secs > 0) {
			char a[32], b[32];
			snprintf(a, sizeof a, "%.6g", rows);
			snprintf(b, sizeof b, "%.6g", secs);
			c.est[k] = measured(rows, secs, nrows, epochs,
					    xasprintf("run %lld (%s:%lld, %zu epochs: %s rows in %s s)",
						      (long long)runs[i].id, model, (long long)rd.version,
						      rd.nep, a, b));
			json_object_set_new(c.est[k], "run", json_integer(runs[i].id));
		}
		run_detail_free(&rd);
	}
	run_briefs_free(runs, nr);
	/* the design's training probes, newest first, for CPU thread counts no run measured */
	json_t *probes = design_probes(ws, name, "train"), *p;
	size_t i;
	json_array_foreach(probes, i, p)
	{
		int th = (int)json_integer_value(json_object_get(p, "threads"));
		double rows = (double)json_integer_value(json_object_get(p, "rows"));
		double secs = json_number_value(json_object_get(p, "seconds"));
		size_t k = choice_add(&c, (struct hw){"cpu", th});
		if (c.est[k] || !(secs > 0) || !(rows > 0))
			continue;
		c.est[k] = measured(rows, secs, nrows, epochs,
				    xasprintf("probe %lld (one epoch of %.0f rows in %.6g s)",
					      (long long)json_integer_value(json_object_get(p, "id")), rows, secs));
		json_object_set_new(c.est[k], "probe", json_incref(json_object_get(p, "id")));
	}
	json_decref(probes);
	json_t *out = json_array();
	for (size_t k = 0; k < c.n; k++) {
		const struct hw *h = &c.hw[k];
		json_t *o = c.est[k];
		if (!o) {
			char *how;
			if (strcmp(h->kind, "cpu") == 0)
				how = xasprintf("not measured: run `design probe %s --threads %d`", name, h->n);
			else if (strcmp(h->kind, "workers") == 0 && !env->have_mpi)
				how = xstrdup("not measured: multi-worker training needs MPI (./configure "
					      "--with-mpi)");
			else if (strcmp(h->kind, "gpu") == 0 && env->gpu_missing)
				how = xasprintf("not measured: %s", env->gpu_missing);
			else if (!last_cfg)
				how = xasprintf("not measured: train model %s on it (it has no run whose "
						"options to repeat)",
						model);
			else {
				char *opt = strcmp(h->kind, "gpu") == 0 ? xstrdup("--device cuda")
									 : xasprintf("--workers %d", h->n);
				char *line = train_line(last_cfg, model, json_string_value(json_object_get(d, "data")), opt);
				how = xasprintf("not measured: run `%s` (one epoch; it registers a version)", line);
				free(line);
				free(opt);
			}
			o = json_pack("{s:b,s:s}", "measured", 0, "source", how);
			free(how);
		}
		char *t = hw_text(h);
		json_object_set_new(o, "hardware", json_string(t));
		free(t);
		json_object_set_new(o, "kind", json_string(h->kind));
		if (h->n)
			json_object_set_new(o, strcmp(h->kind, "cpu") == 0 ? "threads" : "workers",
					    json_integer(h->n));
		json_object_set_new(o, "design", json_boolean(hw_eq(h, &mine)));
		json_array_append_new(out, o);
	}
	json_decref(last_cfg);
	free(c.hw);
	free(c.est);
	return out;
}
