/* Measuring a model on a dataset for the registry: what `models compare
 * --data` and the promotion gate's slice floors read, on model_evaluate. */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

/* The metrics as the registry shows them: with the rows judged, and an
 * empty object when no row has a usable label. */
static json_t *with_rows(json_t *metrics, json_int_t rows)
{
	if (!rows)
		return json_object();
	json_t *r = json_deep_copy(metrics);
	json_object_set_new(r, "rows", json_integer(rows));
	return r;
}

int reg_measure(const struct model *m, const struct frame *f, int slice_col, int threads,
		json_t **metrics, json_t **slices, struct pm_err *err)
{
	*metrics = NULL;
	if (slices)
		*slices = NULL;
	if (frame_col_index(f, m->label) < 0)
		return pm_errcf(err, PM_E_USAGE, "dataset '%s' has no label column '%s'", f->name,
				m->label);
	struct model_eval e;
	if (model_evaluate(m, f, slices ? slice_col : -1, 0.5, threads, &e, err) < 0)
		return -1;
	*metrics = with_rows(e.metrics, (json_int_t)e.rows);
	if (slices) {
		*slices = json_object();
		size_t i;
		json_t *x;
		json_array_foreach(e.slices, i, x) {
			const char *v = json_string_value(json_object_get(x, "value"));
			if (v) /* the rows where the column is missing: no value names them */
				json_object_set_new(
					*slices, v,
					with_rows(json_object_get(x, "metrics"),
						  json_integer_value(json_object_get(x, "rows"))));
		}
	}
	model_eval_free(&e);
	return 0;
}
