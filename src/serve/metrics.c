/* Server metrics: counters and histograms in atomics (no lock on the
 * request path), a reservoir of recent latencies for p50/p99, and the
 * Prometheus text exposition of it all. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

const int sv_codes[SV_NCODES] = {200, 400, 401, 404, 405, 413, 415, 500, 503, 0};
const double sv_lat_bounds[SV_LAT_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
					       0.005,  0.01,    0.025,  0.05,  0.1,
					       0.25,   0.5,     1,      2.5};

static int code_index(int status)
{
	for (int i = 0; i < SV_NCODES - 1; i++)
		if (sv_codes[i] == status)
			return i;
	return SV_NCODES - 1;
}

void sv_metrics_request(struct sv_metrics *mt, int status, uint64_t latency_us, size_t rows)
{
	atomic_fetch_add(&mt->requests, 1);
	atomic_fetch_add(&mt->rows, rows);
	atomic_fetch_add(&mt->by_code[code_index(status)], 1);
	double s = (double)latency_us / 1e6;
	int b = 0;
	while (b < SV_LAT_BUCKETS && s > sv_lat_bounds[b])
		b++;
	atomic_fetch_add(&mt->lat_bucket[b], 1);
	atomic_fetch_add(&mt->lat_sum_us, latency_us);
	unsigned long long k = atomic_fetch_add(&mt->nres, 1);
	atomic_store(&mt->reservoir[k % SV_RESERVOIR], latency_us);
}

void sv_metrics_batch(struct sv_metrics *mt, size_t rows)
{
	atomic_fetch_add(&mt->batches, 1);
	atomic_fetch_add(&mt->batch_rows, rows);
	int b = 0;
	while (b < SV_BATCH_BUCKETS && rows > ((size_t)1 << b))
		b++;
	atomic_fetch_add(&mt->batch_bucket[b], 1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void sv_metrics_quantiles(struct sv_metrics *mt, double *p50, double *p99)
{
	unsigned long long n = atomic_load(&mt->nres);
	if (n > SV_RESERVOIR)
		n = SV_RESERVOIR;
	if (n == 0) {
		*p50 = *p99 = 0;
		return;
	}
	uint64_t *v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = atomic_load(&mt->reservoir[i]);
	qsort(v, n, sizeof *v, cmp_u64);
	/* nearest rank */
	size_t i50 = (size_t)((double)n * 0.50 + 0.999999) - 1;
	size_t i99 = (size_t)((double)n * 0.99 + 0.999999) - 1;
	*p50 = (double)v[i50 < n ? i50 : n - 1];
	*p99 = (double)v[i99 < n ? i99 : n - 1];
	free(v);
}

static void help_type(struct sbuf *b, const char *name, const char *type, const char *help)
{
	sbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void sv_answer_metrics(struct sv_req *r)
{
	struct server *sv = r->sv;
	struct sv_metrics *mt = &sv->mt;
	struct sbuf *b = &r->resp;
	char lbl[256];
	snprintf(lbl, sizeof lbl, "model=\"%s\"", sv->model);

	help_type(b, "prodml_requests_total", "counter", "HTTP requests answered, by status code.");
	for (int i = 0; i < SV_NCODES; i++) {
		unsigned long long v = atomic_load(&mt->by_code[i]);
		if (i == SV_NCODES - 1)
			sbuf_printf(b, "prodml_requests_total{%s,code=\"other\"} %llu\n", lbl, v);
		else
			sbuf_printf(b, "prodml_requests_total{%s,code=\"%d\"} %llu\n", lbl, sv_codes[i], v);
	}
	unsigned long long errors = 0;
	for (int i = 1; i < SV_NCODES; i++)
		errors += atomic_load(&mt->by_code[i]);
	help_type(b, "prodml_request_errors_total", "counter", "Requests answered with an error status.");
	sbuf_printf(b, "prodml_request_errors_total{%s} %llu\n", lbl, errors);
	help_type(b, "prodml_predictions_total", "counter", "Rows predicted (or looked up).");
	sbuf_printf(b, "prodml_predictions_total{%s} %llu\n", lbl, atomic_load(&mt->rows));

	help_type(b, "prodml_request_duration_seconds", "histogram",
		  "Time from the request's arrival to its answer.");
	unsigned long long cum = 0;
	for (int i = 0; i <= SV_LAT_BUCKETS; i++) {
		cum += atomic_load(&mt->lat_bucket[i]);
		if (i < SV_LAT_BUCKETS) {
			char le[32];
			fmt_double(sv_lat_bounds[i], le, sizeof le);
			sbuf_printf(b, "prodml_request_duration_seconds_bucket{%s,le=\"%s\"} %llu\n", lbl, le,
				    cum);
		} else {
			sbuf_printf(b, "prodml_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n", lbl,
				    cum);
		}
	}
	sbuf_printf(b, "prodml_request_duration_seconds_sum{%s} ", lbl);
	sv_put_double(b, (double)atomic_load(&mt->lat_sum_us) / 1e6);
	sbuf_printf(b, "\nprodml_request_duration_seconds_count{%s} %llu\n", lbl, cum);

	help_type(b, "prodml_batch_size", "histogram", "Rows per batch run by the model.");
	cum = 0;
	for (int i = 0; i <= SV_BATCH_BUCKETS; i++) {
		cum += atomic_load(&mt->batch_bucket[i]);
		if (i < SV_BATCH_BUCKETS)
			sbuf_printf(b, "prodml_batch_size_bucket{%s,le=\"%zu\"} %llu\n", lbl, (size_t)1 << i,
				    cum);
		else
			sbuf_printf(b, "prodml_batch_size_bucket{%s,le=\"+Inf\"} %llu\n", lbl, cum);
	}
	sbuf_printf(b, "prodml_batch_size_sum{%s} %llu\n", lbl, atomic_load(&mt->batch_rows));
	sbuf_printf(b, "prodml_batch_size_count{%s} %llu\n", lbl, cum);

	help_type(b, "prodml_queue_depth", "gauge", "Rows waiting in the batching queue.");
	sbuf_printf(b, "prodml_queue_depth{%s} %zu\n", lbl,
		    sv->batcher ? batcher_depth(sv->batcher) : (size_t)0);
	help_type(b, "prodml_queue_capacity", "gauge", "Rows the batching queue holds before 503.");
	sbuf_printf(b, "prodml_queue_capacity{%s} %zu\n", lbl,
		    sv->batcher ? batcher_capacity(sv->batcher) : (size_t)0);
	help_type(b, "prodml_inflight_requests", "gauge", "Requests being answered.");
	sbuf_printf(b, "prodml_inflight_requests{%s} %d\n", lbl, atomic_load(&sv->inflight));

	help_type(b, "prodml_inflight_bytes", "gauge",
		  "Memory taken by request bodies and decoded rows in flight.");
	sbuf_printf(b, "prodml_inflight_bytes{%s} %zu\n", lbl, atomic_load(&sv->budget.used));
	help_type(b, "prodml_inflight_bytes_limit", "gauge",
		  "The memory that requests in flight may take (--max-inflight-mb).");
	sbuf_printf(b, "prodml_inflight_bytes_limit{%s} %zu\n", lbl, sv->budget.limit);
	help_type(b, "prodml_inflight_refused_total", "counter",
		  "Requests answered 503 because that memory was taken.");
	sbuf_printf(b, "prodml_inflight_refused_total{%s} %llu\n", lbl,
		    atomic_load(&sv->budget.refused));

	help_type(b, "prodml_model_version", "gauge", "Version served by each route.");
	pthread_mutex_lock(&sv->mu);
	size_t entries = 0, bytes = 0;
	for (size_t i = 0; i < sv->nroutes; i++) {
		struct smodel *sm = sv->routes[i].cur;
		sbuf_printf(b, "prodml_model_version{%s,route=\"%s\"} %lld\n", lbl, sv->routes[i].label,
			    sm ? (long long)sm->version : 0LL);
		if (sm && sm->lk) {
			entries += sm->lk->keys->n;
			bytes += sm->lk->bytes;
		}
	}
	pthread_mutex_unlock(&sv->mu);
	unsigned long long hits = atomic_load(&mt->lookup_hits);
	unsigned long long misses = atomic_load(&mt->lookup_misses);
	help_type(b, "prodml_reloads_total", "counter", "Versions swapped in by hot reload.");
	sbuf_printf(b, "prodml_reloads_total{%s} %llu\n", lbl, atomic_load(&mt->reloads));
	help_type(b, "prodml_reload_failures_total", "counter", "Versions that failed to load.");
	sbuf_printf(b, "prodml_reload_failures_total{%s} %llu\n", lbl,
		    atomic_load(&mt->reload_failures));
	if (sv->lookup) {
		help_type(b, "prodml_lookup_entries", "gauge", "Keys in the lookup tables.");
		sbuf_printf(b, "prodml_lookup_entries{%s} %zu\n", lbl, entries);
		help_type(b, "prodml_lookup_bytes", "gauge", "Memory of the lookup tables.");
		sbuf_printf(b, "prodml_lookup_bytes{%s} %zu\n", lbl, bytes);
		help_type(b, "prodml_lookup_hits_total", "counter",
			  "Rows answered from the lookup table.");
		sbuf_printf(b, "prodml_lookup_hits_total{%s} %llu\n", lbl, hits);
		help_type(b, "prodml_lookup_misses_total", "counter",
			  "Rows whose key was not in the table (computed by the model).");
		sbuf_printf(b, "prodml_lookup_misses_total{%s} %llu\n", lbl, misses);
	}
	help_type(b, "prodml_request_log_total", "counter", "Requests written to the request log.");
	sbuf_printf(b, "prodml_request_log_total{%s} %llu\n", lbl, atomic_load(&mt->logged));
	help_type(b, "prodml_request_log_pending", "gauge",
		  "Requests in the spool, not yet in the request log's table.");
	sbuf_printf(b, "prodml_request_log_pending{%s} %llu\n", lbl,
		    atomic_load(&mt->log_spooled) - atomic_load(&mt->logged));
	help_type(b, "prodml_request_log_dropped_total", "counter",
		  "Sampled requests not logged: the queue or the spool was full, or the spool "
		  "could not be written.");
	sbuf_printf(b, "prodml_request_log_dropped_total{%s} %llu\n", lbl,
		    atomic_load(&mt->log_dropped));
	help_type(b, "prodml_request_log_compacted_total", "counter",
		  "Logged requests past the retention rolled up into per-minute rollups.");
	sbuf_printf(b, "prodml_request_log_compacted_total{%s} %llu\n", lbl,
		    atomic_load(&mt->log_compacted));
	r->status = 200;
	r->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
