/* Fuzz target for the model file reader (what `models import` and every
 * load of a version go through).  The input is read as it is, which
 * exercises the checks of magic, version, lengths and checksum; then with
 * its last 32 bytes replaced by the sha256 of the rest, so that mutations
 * reach the header and the weights instead of stopping at the checksum.
 * A model that loads serialises to a file that loads to the same file
 * again and predicts a row of missing values without touching memory it
 * does not own.
 *
 * With libFuzzer: sh tests/fuzz/run.sh SECONDS model
 * In `make check`: tests/unit/test_fuzz_model replays
 * tests/fuzz/corpus/model (tests/fuzz/replay.h). */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "fuzz_model: check failed at line %d: %s\n", __LINE__, \
				#cond);                                                 \
			abort();                                                        \
		}                                                                       \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_model(const uint8_t *data, size_t size)
{
	struct model *m = NULL;
	struct pm_err err = {0};
	if (model_deserialize(data, size, "fuzz.pml", &m, NULL, NULL, NULL, &err) < 0) {
		CHECK(strncmp(err.msg, "fuzz.pml", 8) == 0);
		return;
	}
	struct sbuf a = {0}, b = {0};
	CHECK(model_serialize(m, NULL, NULL, 0, &a, &err) == 0);
	struct model *m2 = NULL;
	int rc = model_deserialize(a.s, a.len, "again", &m2, NULL, NULL, NULL, &err);
	if (rc < 0)
		fprintf(stderr, "fuzz_model: its own file does not load: %s\n", err.msg);
	CHECK(rc == 0);
	CHECK(model_serialize(m2, NULL, NULL, 0, &b, &err) == 0);
	CHECK(a.len == b.len && memcmp(a.s, b.s, a.len) == 0);
	/* one row of missing values, through the transform as at serving */
	const struct transform *t = m->tf;
	struct ft_value *in = calloc(t->ninputs + 1, sizeof *in);
	for (size_t i = 0; i < t->ninputs; i++)
		in[i].missing = true;
	double *dense = calloc(t->ndense + 1, sizeof *dense);
	uint32_t *cat = calloc(t->ncat + 1, sizeof *cat);
	double *out = calloc((size_t)m->nout + 1, sizeof *out);
	if (transform_apply(t, in, dense, cat, &err) == 0)
		model_predict_rows(m, dense, cat, 1, out);
	free(in);
	free(dense);
	free(cat);
	free(out);
	sbuf_free(&a);
	sbuf_free(&b);
	model_free(m2);
	model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_model(data, size);
	if (size < 32)
		return 0;
	uint8_t *fixed = malloc(size);
	memcpy(fixed, data, size);
	struct sha256 c;
	sha256_init(&c);
	sha256_update(&c, fixed, size - 32);
	sha256_final(&c, fixed + size - 32);
	read_model(fixed, size);
	free(fixed);
	return 0;
}

#ifdef PM_FUZZ_DRIVER
#include "replay.h"

int main(int argc, char **argv)
{
	int n = fuzz_replay("model", argc, argv);
	if (n < 0)
		return 1;
	printf("fuzz_model: %d inputs replayed\n", n);
	return 0;
}
#endif
