/* The keys of a design and their checks.  A choice the data or the
 * machine cannot carry is refused here, when it is made, not when the
 * design is applied: static serving over a continuous key, a GPU that is
 * not built or not present, a price that is not a number. */
#include "design.h"
#include "data/data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct design_key design_keys[] = {
	{"training", "static|schedule EVERY|on-data GLOB|on-drift",
	 "train once, or retrain on a schedule (EVERY: 90s, 30m, 1h, 2d), when files matching GLOB "
	 "arrive, or when monitoring opens a drift alert"},
	{"serving", "dynamic|static|hybrid",
	 "compute each prediction on demand, answer from a precomputed table of every key, or a "
	 "table of the most frequent keys with the model for the rest"},
	{"inference", "online|batch", "a server answers requests, or predict writes a file per run"},
	{"hardware", "cpu [THREADS]|gpu|workers N",
	 "where training and serving run (cpu: all CPUs when THREADS is not given)"},
	{"batching", "off|MAX_BATCH [MAX_WAIT]",
	 "server-side batching: rows run together, and the longest wait for a batch to fill "
	 "(microseconds, or with us, ms or s; default 1000)"},
	{"keys", "COL[,COL..]", "the key column(s) of static and hybrid serving's lookup table"},
	{"table_size", "N", "hybrid: the N most frequent keys are kept in the table (0: all)"},
	{"epochs", "N", "epochs per training run (0: as the model's last run)"},
	{"traffic", "N|log", "predictions per day, for cost per prediction (log: from the request log)"},
	{"port", "N", "the server's TCP port (0: any free port)"},
	{"canary", "PERCENT", "online: apply serves the newest version to PERCENT of the requests beside "
			      "the current one (serve --split; 0: the newest alone)"},
	{"monitor.drift", "X", "drift threshold (distance) that opens an alert"},
	{"monitor.skew", "X", "training-serving skew threshold (distance)"},
	{"monitor.p99_ms", "X", "p99 latency in milliseconds that opens an alert"},
	{"monitor.error_rate", "X", "fraction of failed requests that opens an alert"},
	{"price.cpu_hour", "X", "price of one CPU thread for one hour"},
	{"price.gpu_hour", "X", "price of one GPU for one hour"},
	{"price.gb_month", "X", "price of one GB of memory or storage for a month"},
	{0}};

static int bad_value(const char *key, const char *value, struct pm_err *err)
{
	for (const struct design_key *k = design_keys; k->key; k++)
		if (strcmp(k->key, key) == 0)
			return pm_errcf(err, PM_E_USAGE, "design key %s: '%s' is not %s", key, value,
					k->value);
	return pm_errcf(err, PM_E_USAGE, "design key %s: bad value '%s'", key, value);
}

static int parse_count(const char *key, const char *s, int64_t min, int64_t *out,
		       struct pm_err *err)
{
	if (!parse_int64(s, strlen(s), out) || *out < min)
		return bad_value(key, s, err);
	return 0;
}

/* A wait in microseconds: a bare number, or with us, ms or s. */
static bool parse_wait(const char *s, int64_t *us)
{
	size_t n = strlen(s);
	double scale = 1;
	if (n > 2 && strcmp(s + n - 2, "us") == 0)
		n -= 2;
	else if (n > 2 && strcmp(s + n - 2, "ms") == 0)
		n -= 2, scale = 1e3;
	else if (n > 1 && s[n - 1] == 's')
		n -= 1, scale = 1e6;
	double v;
	if (!parse_double(s, n, &v) || !(v >= 0) || v * scale > 6e7)
		return false;
	*us = (int64_t)llround(v * scale);
	return true;
}

/* Static and hybrid serving need a finite key space over the dataset. */
static int check_static(json_t *d, const struct frame *f, char *const *inputs, const char *serving,
			struct pm_err *err)
{
	if (strcmp(serving, "dynamic") == 0)
		return 0;
	json_t *keys = json_object_get(d, "keys");
	if (!json_array_size(keys))
		return pm_errcf(err, PM_E_USAGE,
				"%s serving needs the key column(s) first: `design set %s keys COL`",
				serving, json_string_value(json_object_get(d, "name")));
	struct design_keyspace ks;
	if (design_keyspace(f, keys, inputs, &ks, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < ks.ncols; i++)
		if (ks.cols[i].continuous) {
			rc = pm_errcf(err, PM_E_USAGE,
				      "%s serving over key column %s: it is continuous (%s, %zu distinct "
				      "values in %s), so no finite table holds its keys; use dynamic "
				      "serving or a categorical or integer key",
				      serving, ks.cols[i].name, ks.cols[i].type, ks.cols[i].distinct, f->name);
			break;
		}
	if (rc == 0 && ks.differs) {
		char *why = design_static_why(&ks, f->name);
		rc = pm_errcf(err, PM_E_USAGE, "%s serving: %s", serving, why);
		free(why);
	}
	design_keyspace_free(&ks);
	return rc;
}

static int set_training(json_t *d, char **w, size_t n, const char *value, struct pm_err *err)
{
	json_t *t = NULL;
	int64_t us;
	if (n == 1 && strcmp(w[0], "static") == 0)
		t = json_pack("{s:s}", "kind", "static");
	else if (n == 1 && strcmp(w[0], "on-drift") == 0)
		t = json_pack("{s:s}", "kind", "on-drift");
	else if (n == 2 && strcmp(w[0], "schedule") == 0) {
		if (!duration_parse(w[1], &us))
			return pm_errcf(err, PM_E_USAGE,
					"design key training: '%s' is not a period (90s, 30m, 1h, 2d)", w[1]);
		t = json_pack("{s:s,s:s}", "kind", "schedule", "every", w[1]);
	} else if (n == 2 && strcmp(w[0], "on-data") == 0)
		t = json_pack("{s:s,s:s}", "kind", "on-data", "glob", w[1]);
	if (!t)
		return bad_value("training", value, err);
	json_object_set_new(d, "training", t);
	return 0;
}

static int set_hardware(json_t *d, char **w, size_t n, const char *value,
			const struct design_env *env, struct pm_err *err)
{
	int64_t v = 0;
	if (strcmp(w[0], "cpu") == 0 && n <= 2) {
		if (n == 2 && parse_count("hardware", w[1], 1, &v, err) < 0)
			return -1;
		if (v > env->ncpus)
			return pm_errcf(err, PM_E_USAGE,
					"design key hardware: cpu %lld is not on this machine: it has %d "
					"CPUs",
					(long long)v, env->ncpus);
		json_object_set_new(d, "hardware", json_pack("{s:s,s:I}", "kind", "cpu", "threads",
							     (json_int_t)v));
		return 0;
	}
	if (strcmp(w[0], "gpu") == 0 && n == 1)
		return pm_errcf(err, PM_E_USAGE,
				env->gpu_missing ? "design key hardware: gpu is not on this machine: %s"
						 : "design key hardware: gpu: designs do not estimate GPU "
						   "training yet; train on it with `train --device cuda`",
				env->gpu_missing ? env->gpu_missing : "");
	if (strcmp(w[0], "workers") == 0 && n == 2) {
		if (parse_count("hardware", w[1], 1, &v, err) < 0)
			return -1;
		if (!env->have_mpi)
			return pm_errcf(err, PM_E_USAGE,
					"design key hardware: workers %lld is not built: multi-worker "
					"training needs MPI (apt-get install openmpi-bin libopenmpi-dev, "
					"then ./configure --with-mpi)",
					(long long)v);
		json_object_set_new(d, "hardware", json_pack("{s:s,s:I}", "kind", "workers", "workers",
							     (json_int_t)v));
		return 0;
	}
	return bad_value("hardware", value, err);
}

static int unknown_key(const char *key, struct pm_err *err)
{
	struct str_near nr;
	str_near_init(&nr, key);
	struct sbuf all = {0};
	for (const struct design_key *k = design_keys; k->key; k++) {
		str_near_offer(&nr, k->key);
		sbuf_printf(&all, "%s%s", all.len ? ", " : "", k->key);
	}
	if (nr.best)
		pm_errcf(err, PM_E_USAGE, "unknown design key '%s'; did you mean '%s'?", key, nr.best);
	else
		pm_errcf(err, PM_E_USAGE, "unknown design key '%s' (keys: %s)", key, all.s);
	sbuf_free(&all);
	return -1;
}

int design_set(json_t *d, const struct frame *f, char *const *inputs, const struct design_env *env,
	       const char *key, const char *value, struct pm_err *err)
{
	size_t n = 0;
	char **w = NULL;
	int rc = 0;
	/* the value's words: "schedule 1h" */
	{
		char **parts = str_split(value, ' ', &n);
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (*parts[i])
				parts[m++] = parts[i];
			else
				free(parts[i]);
		parts[m] = NULL;
		w = parts;
		n = m;
	}
	int64_t v;
	double x;
	if (n == 0) {
		rc = pm_errcf(err, PM_E_USAGE, "design key %s: no value", key);
	} else if (strcmp(key, "training") == 0) {
		rc = set_training(d, w, n, value, err);
	} else if (strcmp(key, "serving") == 0) {
		if (n != 1 || (strcmp(w[0], "dynamic") && strcmp(w[0], "static") && strcmp(w[0], "hybrid")))
			rc = bad_value(key, value, err);
		else if ((rc = check_static(d, f, inputs, w[0], err)) == 0)
			json_object_set_new(d, "serving", json_string(w[0]));
	} else if (strcmp(key, "inference") == 0) {
		if (n != 1 || (strcmp(w[0], "online") && strcmp(w[0], "batch")))
			rc = bad_value(key, value, err);
		else
			json_object_set_new(d, "inference", json_string(w[0]));
	} else if (strcmp(key, "hardware") == 0) {
		rc = set_hardware(d, w, n, value, env, err);
	} else if (strcmp(key, "batching") == 0) {
		int64_t wait = 1000;
		if (n == 1 && strcmp(w[0], "off") == 0)
			v = 1;
		else if (n > 2 || parse_count(key, w[0], 1, &v, err) < 0)
			rc = n > 2 ? bad_value(key, value, err) : -1;
		else if (n == 2 && !parse_wait(w[1], &wait))
			rc = pm_errcf(err, PM_E_USAGE,
				      "design key batching: '%s' is not a wait (microseconds, or with us, "
				      "ms or s, at most 60s)",
				      w[1]);
		if (rc == 0)
			json_object_set_new(d, "batching", json_pack("{s:I,s:I}", "max_batch", (json_int_t)v,
								     "max_wait_us", (json_int_t)wait));
	} else if (strcmp(key, "keys") == 0) {
		size_t nc;
		char **cols = n == 1 ? str_split(w[0], ',', &nc) : NULL;
		if (!cols) {
			rc = bad_value(key, value, err);
		} else {
			json_t *keys = json_array();
			for (size_t i = 0; i < nc; i++)
				json_array_append_new(keys, json_string(cols[i]));
			str_list_free(cols);
			struct design_keyspace ks;
			json_t *old = json_incref(json_object_get(d, "keys"));
			json_object_set(d, "keys", keys);
			const char *serving = json_string_value(json_object_get(d, "serving"));
			if (design_keyspace(f, keys, NULL, &ks, err) < 0)
				rc = -1;
			else
				design_keyspace_free(&ks);
			if (rc == 0 && serving)
				rc = check_static(d, f, inputs, serving, err);
			if (rc < 0)
				json_object_set(d, "keys", old);
			json_decref(old);
			json_decref(keys);
		}
	} else if (strcmp(key, "table_size") == 0 || strcmp(key, "epochs") == 0 ||
		   strcmp(key, "port") == 0) {
		if (n != 1 || parse_count(key, w[0], 0, &v, err) < 0)
			rc = n != 1 ? bad_value(key, value, err) : -1;
		else if (strcmp(key, "port") == 0 && v > 65535)
			rc = bad_value(key, value, err);
		else
			json_object_set_new(d, key, json_integer(v));
	} else if (strcmp(key, "canary") == 0) {
		if (n != 1 || !parse_int64(w[0], strlen(w[0]), &v) || v < 0 || v > 99)
			rc = pm_errcf(err, PM_E_USAGE,
				      "design key canary: '%s' is not a percentage of the requests, 0 to 99 "
				      "(0: no canary)",
				      value);
		else
			json_object_set_new(d, "canary", json_integer(v));
	} else if (strcmp(key, "traffic") == 0) {
		if (n == 1 && strcmp(w[0], "log") == 0)
			json_object_set_new(d, "traffic_per_day", json_null());
		else if (n != 1 || !parse_double(w[0], strlen(w[0]), &x) || !(x >= 0) || !isfinite(x))
			rc = pm_errcf(err, PM_E_USAGE,
				      "design key traffic: '%s' is not a number of predictions per day "
				      "(or log)",
				      value);
		else
			json_object_set_new(d, "traffic_per_day", json_real(x));
	} else if (str_prefix(key, "monitor.") || str_prefix(key, "price.")) {
		bool price = str_prefix(key, "price.");
		const struct design_key *k = design_keys;
		while (k->key && strcmp(k->key, key))
			k++;
		if (!k->key)
			rc = unknown_key(key, err);
		else if (n != 1 || !parse_double(w[0], strlen(w[0]), &x) || !(x >= 0) || !isfinite(x))
			rc = pm_errcf(err, PM_E_USAGE, "design key %s: '%s' is not a number (%s)", key,
				      value, price ? "a price, 0 or more" : "a threshold, 0 or more");
		else
			json_object_set_new(json_object_get(d, price ? "prices" : "monitor"),
					    strchr(key, '.') + 1, json_real(x));
	} else {
		rc = unknown_key(key, err);
	}
	str_list_free(w);
	return rc;
}
