/* Fuzz target for the prediction request parser of `serve`: the JSON
 * bodies of TensorFlow Serving's :predict and MLflow's /invocations
 * (instances, inputs, dataframe_split, dataframe_records) and MLflow's
 * text/csv, parsed into rows for a real model (tests/fuzz/corpus/model/
 * fare.pml: trip_miles, payment_type, trip_start_timestamp), predicted
 * and answered, as src/serve/http.c does without the network.
 *
 * The first byte of an input picks the API and Content-Type (see kinds
 * below); the rest is the body.  Every input gets an answer: 200 with
 * one prediction per row, or a 4xx/5xx error naming a field.
 *
 * With libFuzzer: sh tests/fuzz/run.sh SECONDS request
 * In `make check`: tests/unit/test_fuzz_request replays
 * tests/fuzz/corpus/request (tests/fuzz/replay.h). */
#include "serve/internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_request: check failed at line %d: %s\n", __LINE__, \
				#cond);                                                   \
			abort();                                                          \
		}                                                                         \
	} while (0)

static const struct {
	enum sv_api api;
	const char *ct;
} kinds[] = {
	{API_TF_PREDICT, "application/json"},
	{API_MLFLOW, "application/json"},
	{API_MLFLOW, "text/csv"},
	{API_TF_PREDICT, NULL},
};

static struct model *model;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *src = getenv("srcdir");
	char *path = xasprintf("%s/tests/fuzz/corpus/model/fare.pml", src && *src ? src : ".");
	struct pm_err err = {0};
	if (model_load_file(path, &model, &err) < 0) {
		fprintf(stderr, "fuzz_request: %s (run from the source root or set srcdir)\n",
			err.msg);
		exit(1);
	}
	free(path);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct server sv;
	memset(&sv, 0, sizeof sv);
	sv.budget.limit = (size_t)1 << 30;
	/* the request holds one reference; ours keeps the model */
	struct smodel *sm = calloc(1, sizeof *sm);
	atomic_init(&sm->ref, 2);
	sm->m = model;
	struct sv_req r;
	memset(&r, 0, sizeof r);
	r.sv = &sv;
	r.sm = sm;
	r.api = kinds[data[0] % PM_ARRAY_LEN(kinds)].api;
	sbuf_add(&r.body, (const char *)data + 1, size - 1);
	CHECK(sv_req_take(&r, size - 1));
	if (sv_parse_rows(&r, kinds[data[0] % PM_ARRAY_LEN(kinds)].ct) == 0) {
		sv_predict_inline(&r);
		sv_answer_predictions(&r);
	}
	CHECK(r.status >= 200 && r.status < 600);
	if (r.status == 200) {
		json_t *j = json_loadb(r.resp.s, r.resp.len, 0, NULL);
		CHECK(j != NULL);
		json_t *p = json_object_get(j, r.columnar ? "outputs" : "predictions");
		CHECK(json_array_size(p) == r.n);
		json_decref(j);
	} else {
		CHECK(r.error != NULL);
	}
	/* as http.c ends a request: the budget is given back whole */
	sv_req_release(&r);
	sv_req_give(&r, r.held);
	CHECK(atomic_load(&sv.budget.used) == 0);
	CHECK(atomic_load(&sm->ref) == 1);
	free(sm);
	return 0;
}

#ifdef PM_FUZZ_DRIVER
#include "replay.h"

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int n = fuzz_replay("request", argc, argv);
	model_free(model);
	if (n < 0)
		return 1;
	printf("fuzz_request: %d inputs replayed\n", n);
	return 0;
}
#endif
