/* The versions a server serves: routes (one, or one per --split part),
 * hot reload when an alias or the latest version moves, versions asked
 * for by number or label, and the statistics written to the servers table.
 *
 * A route's current version is swapped under the server's mutex while the
 * requests using the old one keep their reference: no request fails during
 * a reload, and the old version is freed by the last request done with it. */
#include "internal.h"

#include "registry/registry.h"

#include <stdlib.h>
#include <string.h>

void smodel_release(struct smodel *sm)
{
	if (!sm)
		return;
	if (atomic_fetch_sub(&sm->ref, 1) == 1) {
		model_free(sm->m);
		lookup_free(sm->lk);
		free(sm);
	}
}

static void smodel_hold(struct smodel *sm)
{
	atomic_fetch_add(&sm->ref, 1);
}

/* Loads a version (ws_mu held). */
static struct smodel *smodel_load(struct server *sv, const struct reg_version *v,
				  struct pm_err *err)
{
	struct model *m;
	if (reg_load_model(sv->ws, v, &m, err) < 0)
		return NULL;
	struct smodel *sm = xcalloc(1, sizeof *sm);
	atomic_init(&sm->ref, 1);
	sm->m = m;
	sm->version = v->version;
	if (sv->lookup_frame &&
	    lookup_build(m, sv->lookup_frame, sv->lookup, sv->o.lookup_size, 1, &sm->lk, err) < 0) {
		pm_err_prefix(err, "model %s:%lld", v->model, (long long)v->version);
		smodel_release(sm);
		return NULL;
	}
	return sm;
}

/* The registry reference a route follows. */
static char *route_ref(const struct server *sv, const struct route *r)
{
	if (r->alias)
		return xasprintf("%s@%s", sv->model, r->alias);
	if (r->pinned)
		return xasprintf("%s:%lld", sv->model, (long long)r->pinned);
	return xstrdup(sv->model);
}

static int parse_split(struct server *sv, struct pm_err *err)
{
	size_t n;
	char **items = str_split(sv->o.split, ',', &n);
	sv->routes = xcalloc(n + 1, sizeof *sv->routes);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *eq = strchr(items[i], '=');
		int64_t w = 0, v = 0;
		if (!eq || eq == items[i] || !parse_int64(eq + 1, strlen(eq + 1), &w) || w < 0 ||
		    w > 1000000) {
			rc = pm_errcf(err, PM_E_USAGE,
				      "serve: --split expects VERSION=WEIGHT,.. or ALIAS=WEIGHT,.. "
				      "(e.g. 3=90,4=10), got \"%s\"",
				      items[i]);
			break;
		}
		*eq = 0;
		struct route *r = &sv->routes[sv->nroutes++];
		r->label = xstrdup(items[i]);
		r->weight = (int)w;
		if (parse_int64(items[i], strlen(items[i]), &v)) {
			if (v < 1)
				rc = pm_errcf(err, PM_E_USAGE, "serve: --split: version %lld is not a number from 1",
					      (long long)v);
			r->pinned = v;
		} else if (strcmp(items[i], "latest") != 0) {
			r->alias = xstrdup(items[i]);
		}
		sv->total_weight += (int)w;
	}
	str_list_free(items);
	if (rc == 0 && sv->total_weight <= 0)
		rc = pm_errcf(err, PM_E_USAGE, "serve: --split: the weights add up to 0");
	return rc;
}

static int load_lookup_frame(struct server *sv, const struct reg_version *v, struct pm_err *err)
{
	const char *name = sv->lookup_data ? sv->lookup_data : v->train_dataset;
	if (!name)
		return pm_errcf(err, PM_E_USAGE,
				"serve: --lookup: model %s:%lld records no training dataset; name one "
				"with --lookup-data",
				v->model, (long long)v->version);
	struct ws_dataset d;
	if (ws_dataset_get(sv->ws, name, &d, err) < 0)
		return pm_err_prefix(err, "serve: --lookup");
	char *path = ws_artifact_path(sv->ws, d.artifact, err);
	int rc = path ? frame_open(path, name, &sv->lookup_frame, err) : -1;
	free(path);
	ws_dataset_free(&d);
	if (rc < 0)
		return pm_err_prefix(err, "serve: --lookup: dataset '%s'", name);
	if (frame_col_index(sv->lookup_frame, sv->lookup) < 0)
		return pm_errcf(err, PM_E_USAGE, "serve: --lookup: dataset '%s' has no column '%s'", name,
				sv->lookup);
	return 0;
}

static int64_t data_version(struct workspace *ws)
{
	return db_data_version(ws->db);
}

int sv_routes_init(struct server *sv, struct pm_err *err)
{
	/* a server that held the full disk's private lock would keep every
	 * other command out of the workspace while it runs */
	if (ws_open(sv->ws_dir, &sv->ws, err) < 0 || ws_need_room(sv->ws, err) < 0)
		return -1;
	if (!reg_name_valid(sv->model))
		return pm_errcf(err, PM_E_USAGE, "serve: '%s' is not a model name", sv->model);
	if (sv->o.split) {
		if (parse_split(sv, err) < 0)
			return -1;
	} else {
		sv->routes = xcalloc(1, sizeof *sv->routes);
		struct route *r = &sv->routes[sv->nroutes++];
		r->weight = 1;
		sv->total_weight = 1;
		if (sv->o.alias) {
			r->alias = xstrdup(sv->o.alias);
			r->label = xstrdup(sv->o.alias);
		} else if (sv->o.version > 0) {
			r->pinned = sv->o.version;
			r->label = xasprintf("%lld", (long long)sv->o.version);
		} else {
			r->label = xstrdup("latest");
		}
	}
	sv->data_version = data_version(sv->ws);
	for (size_t i = 0; i < sv->nroutes; i++) {
		struct route *r = &sv->routes[i];
		char *ref = route_ref(sv, r);
		struct reg_version v;
		int rc = reg_resolve(sv->ws, ref, &v, err);
		free(ref);
		if (rc < 0)
			return pm_err_prefix(err, "serve");
		if (sv->lookup && !sv->lookup_frame && load_lookup_frame(sv, &v, err) < 0) {
			reg_version_free(&v);
			return -1;
		}
		r->cur = smodel_load(sv, &v, err);
		reg_version_free(&v);
		if (!r->cur)
			return pm_err_prefix(err, "serve");
	}
	return 0;
}

void sv_routes_free(struct server *sv)
{
	for (size_t i = 0; i < sv->nroutes; i++) {
		smodel_release(sv->routes[i].cur);
		free(sv->routes[i].label);
		free(sv->routes[i].alias);
		free(sv->routes[i].error);
	}
	free(sv->routes);
	sv->routes = NULL;
	sv->nroutes = 0;
	for (size_t i = 0; i < sv->ncache; i++)
		smodel_release(sv->cache[i]);
	sv->ncache = 0;
	if (sv->lookup_frame)
		frame_free(sv->lookup_frame);
	sv->lookup_frame = NULL;
	if (sv->ws)
		ws_close(sv->ws);
	sv->ws = NULL;
}

void sv_routes_poll(struct server *sv)
{
	pthread_mutex_lock(&sv->ws_mu);
	int64_t dv = data_version(sv->ws);
	if (dv == sv->data_version) {
		pthread_mutex_unlock(&sv->ws_mu);
		return;
	}
	sv->data_version = dv;
	for (size_t i = 0; i < sv->nroutes; i++) {
		struct route *r = &sv->routes[i];
		if (r->pinned)
			continue;
		char *ref = route_ref(sv, r);
		struct reg_version v;
		struct pm_err e;
		int rc = reg_resolve(sv->ws, ref, &v, &e);
		free(ref);
		if (rc < 0) {
			/* an alias removed: keep serving what we have */
			pthread_mutex_lock(&sv->mu);
			free(r->error);
			r->error = xstrdup(e.msg);
			pthread_mutex_unlock(&sv->mu);
			continue;
		}
		pthread_mutex_lock(&sv->mu);
		int64_t cur = r->cur ? r->cur->version : 0;
		pthread_mutex_unlock(&sv->mu);
		if (v.version != cur && v.version != r->failed_version) {
			struct smodel *sm = smodel_load(sv, &v, &e);
			pthread_mutex_lock(&sv->mu);
			if (sm) {
				struct smodel *old = r->cur;
				r->cur = sm;
				free(r->error);
				r->error = NULL;
				r->failed_version = 0;
				pthread_mutex_unlock(&sv->mu);
				smodel_release(old);
				atomic_fetch_add(&sv->mt.reloads, 1);
			} else {
				r->failed_version = v.version;
				free(r->error);
				r->error = xstrdup(e.msg);
				pthread_mutex_unlock(&sv->mu);
				atomic_fetch_add(&sv->mt.reload_failures, 1);
			}
		}
		reg_version_free(&v);
	}
	pthread_mutex_unlock(&sv->ws_mu);
}

size_t sv_route_next(struct route *routes, size_t n, int total_weight, int64_t *cycle)
{
	int64_t t = total_weight, c = ++*cycle;
	size_t best = n;
	/* the shares of the cycle's c requests exceed the served counts by
	 * exactly one in sum, so some route is behind */
	for (size_t k = 0; k < n; k++) {
		const struct route *r = &routes[k];
		if (c * r->weight - t * r->served <= 0)
			continue;
		if (best == n || (r->served + 1) * routes[best].weight < (routes[best].served + 1) * r->weight)
			best = k;
	}
	routes[best].served++;
	/* at the cycle's end every route has served its weight: start again */
	if (c == t) {
		*cycle = 0;
		for (size_t k = 0; k < n; k++)
			routes[k].served = 0;
	}
	return best;
}

static struct smodel *find_loaded(struct server *sv, int64_t version)
{
	for (size_t i = 0; i < sv->nroutes; i++)
		if (sv->routes[i].cur && sv->routes[i].cur->version == version)
			return sv->routes[i].cur;
	for (size_t i = 0; i < sv->ncache; i++)
		if (sv->cache[i]->version == version)
			return sv->cache[i];
	return NULL;
}

int sv_model_get(struct server *sv, int64_t version, const char *label, struct smodel **out,
		 struct pm_err *err)
{
	if (!version && !label) {
		pthread_mutex_lock(&sv->mu);
		size_t k = sv->nroutes > 1 ? sv_route_next(sv->routes, sv->nroutes, sv->total_weight,
							    &sv->route_cycle) : 0;
		struct smodel *sm = sv->routes[k].cur;
		smodel_hold(sm);
		pthread_mutex_unlock(&sv->mu);
		*out = sm;
		return 0;
	}
	if (label) {
		char *ref = xasprintf("%s@%s", sv->model, label);
		struct reg_version v;
		pthread_mutex_lock(&sv->ws_mu);
		int rc = reg_resolve(sv->ws, ref, &v, err);
		pthread_mutex_unlock(&sv->ws_mu);
		free(ref);
		if (rc < 0)
			return -1;
		version = v.version;
		reg_version_free(&v);
	}
	pthread_mutex_lock(&sv->mu);
	struct smodel *sm = find_loaded(sv, version);
	if (sm) {
		smodel_hold(sm);
		pthread_mutex_unlock(&sv->mu);
		*out = sm;
		return 0;
	}
	pthread_mutex_unlock(&sv->mu);

	pthread_mutex_lock(&sv->ws_mu);
	struct reg_version v;
	int rc = reg_version_get(sv->ws, sv->model, version, &v, err);
	struct smodel *loaded = NULL;
	if (rc == 0) {
		loaded = smodel_load(sv, &v, err);
		reg_version_free(&v);
		if (!loaded)
			rc = -1;
	}
	pthread_mutex_unlock(&sv->ws_mu);
	if (rc < 0)
		return -1;
	pthread_mutex_lock(&sv->mu);
	sm = find_loaded(sv, version);
	if (sm) {
		/* another request loaded it meanwhile */
		smodel_hold(sm);
		pthread_mutex_unlock(&sv->mu);
		smodel_release(loaded);
		*out = sm;
		return 0;
	}
	struct smodel *evict = NULL;
	if (sv->ncache == SV_CACHE) {
		evict = sv->cache[0];
		memmove(sv->cache, sv->cache + 1, (SV_CACHE - 1) * sizeof *sv->cache);
		sv->ncache--;
	}
	sv->cache[sv->ncache++] = loaded;
	smodel_hold(loaded);
	pthread_mutex_unlock(&sv->mu);
	smodel_release(evict);
	*out = loaded;
	return 0;
}

json_t *sv_routes_json(struct server *sv)
{
	json_t *a = json_array();
	pthread_mutex_lock(&sv->mu);
	for (size_t i = 0; i < sv->nroutes; i++) {
		struct route *r = &sv->routes[i];
		json_t *o = json_pack("{s:s,s:I}", "route", r->label, "version",
				      (json_int_t)(r->cur ? r->cur->version : 0));
		if (sv->nroutes > 1)
			json_object_set_new(o, "weight", json_integer(r->weight));
		if (r->error)
			json_object_set_new(o, "error", json_string(r->error));
		if (r->cur && r->cur->lk)
			json_object_set_new(o, "lookup_entries", json_integer((json_int_t)r->cur->lk->keys->n));
		json_array_append_new(a, o);
	}
	pthread_mutex_unlock(&sv->mu);
	return a;
}

void sv_stats_flush(struct server *sv, const char *status)
{
	if (!sv->o.server_id)
		return;
	double now = now_seconds();
	unsigned long long req = atomic_load(&sv->mt.requests);
	if (sv->last_time > 0 && now > sv->last_time)
		sv->rps = (double)(req - sv->last_requests) / (now - sv->last_time);
	sv->last_requests = req;
	sv->last_time = now;
	double p50, p99;
	sv_metrics_quantiles(&sv->mt, &p50, &p99);
	unsigned long long errors = 0;
	for (int i = 1; i < SV_NCODES; i++)
		errors += atomic_load(&sv->mt.by_code[i]);
	json_t *routes = sv_routes_json(sv);
	char *versions = json_dumps(routes, JSON_COMPACT);
	json_decref(routes);
	int64_t version = 0;
	size_t entries = 0, bytes = 0;
	unsigned long long hits = atomic_load(&sv->mt.lookup_hits);
	unsigned long long misses = atomic_load(&sv->mt.lookup_misses);
	pthread_mutex_lock(&sv->mu);
	if (sv->nroutes && sv->routes[0].cur)
		version = sv->routes[0].cur->version;
	for (size_t i = 0; i < sv->nroutes; i++) {
		struct smodel *sm = sv->routes[i].cur;
		if (sm && sm->lk) {
			entries += sm->lk->keys->n;
			bytes += sm->lk->bytes;
		}
	}
	pthread_mutex_unlock(&sv->mu);
	char t[64];
	ts_now_iso(t, sizeof t);
	pthread_mutex_lock(&sv->ws_mu);
	struct db_stmt *st;
	struct pm_err e;
	if (ws_prepare(sv->ws,
		       "UPDATE servers SET status = coalesce(?, status), version = ?, versions = ?, "
		       "requests = ?, errors = ?, rows = ?, rps = ?, p50_us = ?, p99_us = ?, "
		       "lookup_entries = ?, lookup_bytes = ?, lookup_hits = ?, lookup_misses = ?, "
		       "updated = ? WHERE id = ?",
		       &st, &e) == 0) {
		if (status)
			db_bind_text(st, 1, status, -1, DB_STATIC);
		else
			db_bind_null(st, 1);
		db_bind_int64(st, 2, version);
		db_bind_text(st, 3, versions, -1, DB_STATIC);
		db_bind_int64(st, 4, (int64_t)req);
		db_bind_int64(st, 5, (int64_t)errors);
		db_bind_int64(st, 6, (int64_t)atomic_load(&sv->mt.rows));
		db_bind_double(st, 7, sv->rps);
		db_bind_double(st, 8, p50);
		db_bind_double(st, 9, p99);
		if (sv->lookup) {
			db_bind_int64(st, 10, (int64_t)entries);
			db_bind_int64(st, 11, (int64_t)bytes);
			db_bind_int64(st, 12, (int64_t)hits);
			db_bind_int64(st, 13, (int64_t)misses);
		}
		db_bind_text(st, 14, t, -1, DB_TRANSIENT);
		db_bind_int64(st, 15, sv->o.server_id);
		db_step(st);
		db_finalize(st);
	}
	pthread_mutex_unlock(&sv->ws_mu);
	free(versions);
}
