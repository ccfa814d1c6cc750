/* The batching sweep of `design probe --serve`: the settings it measures,
 * and which of them serves best.  Batching trades latency for throughput
 * only when batches fill: a batch larger than the requests in flight waits
 * for its timeout every time, so the sweep measures rather than assumes,
 * on this machine, this model and the probe's concurrency. */
#include "design.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* max batch × longest wait; batch 1 (no batching) has no wait */
static const int grid_batch[] = {4, 16};
static const int64_t grid_wait_us[] = {250, 2000};

size_t design_sweep_grid(json_t *d, struct design_batching *out)
{
	size_t n = 0;
	out[n++] = (struct design_batching){1, 0};
	for (size_t i = 0; i < sizeof grid_batch / sizeof *grid_batch; i++)
		for (size_t j = 0; j < sizeof grid_wait_us / sizeof *grid_wait_us; j++)
			out[n++] = (struct design_batching){grid_batch[i], grid_wait_us[j]};
	/* the design's own setting is measured too, where the grid lacks it */
	json_t *b = json_object_get(d, "batching");
	struct design_batching own = {(int)json_integer_value(json_object_get(b, "max_batch")),
				      json_integer_value(json_object_get(b, "max_wait_us"))};
	if (own.max_batch <= 1)
		own = (struct design_batching){1, 0};
	for (size_t i = 0; i < n; i++)
		if (out[i].max_batch == own.max_batch && out[i].max_wait_us == own.max_wait_us)
			return n;
	out[n++] = own;
	return n;
}

char *design_batching_text(int max_batch, int64_t max_wait_us)
{
	if (max_batch <= 1)
		return xstrdup("off");
	return xasprintf("max batch %d, wait %lld us", max_batch, (long long)max_wait_us);
}

int design_sweep_pick(json_t *settings, double p99_limit_ms, char **why)
{
	int best = -1;
	bool limited = isfinite(p99_limit_ms) && p99_limit_ms > 0;
	size_t i, n = json_array_size(settings);
	json_t *s;
	/* within the latency limit, when there is one: the most requests per second */
	json_array_foreach(settings, i, s)
	{
		double rps = json_number_value(json_object_get(s, "req_per_s"));
		double p99 = json_number_value(json_object_get(s, "p99_ms"));
		if (json_integer_value(json_object_get(s, "errors")) > 0 || !(rps > 0) ||
		    (limited && !(p99 <= p99_limit_ms)))
			continue;
		if (best < 0 ||
		    rps > json_number_value(json_object_get(json_array_get(settings, (size_t)best), "req_per_s")))
			best = (int)i;
	}
	char lim[32] = "";
	if (limited)
		snprintf(lim, sizeof lim, "%.6g", p99_limit_ms);
	if (best >= 0) {
		*why = limited ? xasprintf("the most requests per second of the %zu settings whose p99 is "
					   "within monitor.p99_ms %s",
					   n, lim)
			       : xasprintf("the most requests per second of the %zu settings (no "
					   "monitor.p99_ms to hold p99 under)",
					   n);
		return best;
	}
	/* none within the limit: the lowest p99 */
	json_array_foreach(settings, i, s)
	{
		double p99 = json_number_value(json_object_get(s, "p99_ms"));
		if (json_integer_value(json_object_get(s, "errors")) > 0 || !(p99 > 0))
			continue;
		if (best < 0 ||
		    p99 < json_number_value(json_object_get(json_array_get(settings, (size_t)best), "p99_ms")))
			best = (int)i;
	}
	if (best >= 0)
		*why = xasprintf("no setting's p99 is within monitor.p99_ms %s: the lowest p99 of the %zu", lim, n);
	else
		*why = xasprintf("none of the %zu settings answered every request", n);
	return best;
}

json_t *design_sweep_estimate(json_t *d, json_t *probe)
{
	const char *name = json_string_value(json_object_get(d, "name"));
	json_t *settings = json_object_get(probe, "settings");
	if (!probe || !json_array_size(settings)) {
		char *s = xasprintf("no measurement: run `design probe %s --serve`", name);
		json_t *o = json_pack("{s:s}", "source", s);
		free(s);
		return o;
	}
	json_t *b = json_object_get(d, "batching");
	int own_b = (int)json_integer_value(json_object_get(b, "max_batch"));
	int64_t own_w = own_b > 1 ? json_integer_value(json_object_get(b, "max_wait_us")) : 0;
	if (own_b < 1)
		own_b = 1;
	json_t *monitor = json_object_get(d, "monitor");
	double limit = json_is_number(json_object_get(monitor, "p99_ms"))
			       ? json_number_value(json_object_get(monitor, "p99_ms"))
			       : NAN;
	char *why;
	int best = design_sweep_pick(settings, limit, &why);
	json_t *out = json_pack("{s:O,s:o,s:s}", "settings", settings, "best",
				best >= 0 ? json_integer(best) : json_null(), "why", why);
	free(why);
	/* the design's own setting, when the sweep measured it */
	json_t *s;
	size_t i;
	json_int_t own = -1;
	json_array_foreach(settings, i, s)
	{
		int mb = (int)json_integer_value(json_object_get(s, "max_batch"));
		int64_t w = mb > 1 ? json_integer_value(json_object_get(s, "max_wait_us")) : 0;
		if (mb == own_b && w == own_w)
			own = (json_int_t)i;
	}
	json_object_set_new(out, "design", own >= 0 ? json_integer(own) : json_null());
	char *src = xasprintf("probe %lld (`design probe --serve`: %zu settings, %lld requests each from "
			      "%lld connections)",
			      (long long)json_integer_value(json_object_get(probe, "id")),
			      json_array_size(settings),
			      (long long)json_integer_value(json_object_get(probe, "requests")),
			      (long long)json_integer_value(json_object_get(probe, "threads")));
	json_object_set_new(out, "source", json_string(src));
	free(src);
	/* the pick as the design would say it */
	if (best >= 0) {
		json_t *bs = json_array_get(settings, (size_t)best);
		int mb = (int)json_integer_value(json_object_get(bs, "max_batch"));
		char *t = design_batching_text(mb, json_integer_value(json_object_get(bs, "max_wait_us")));
		char *set = mb > 1 ? xasprintf("design set %s batching %d %lldus", name, mb,
					       (long long)json_integer_value(json_object_get(bs, "max_wait_us")))
				   : xasprintf("design set %s batching off", name);
		char *pick;
		if (own == best)
			pick = xasprintf("the design's setting (%s) is the best measured", t);
		else
			pick = xasprintf("the best measured is %s; the design has %s (`%s` picks it)", t,
					 own >= 0 ? "another setting" : "one the sweep did not measure", set);
		json_object_set_new(out, "pick", json_string(pick));
		free(pick);
		free(set);
		free(t);
	}
	return out;
}
