/* Fuzz target for the schema text parser (`schema load`).  Any input
 * parses or fails with a message naming "fuzz.schema:LINE"; a parsed
 * schema prints as text that parses back to the same schema, whose text
 * is the same again (the text form is its own fixed point), and converts
 * to JSON.
 *
 * With libFuzzer: sh tests/fuzz/run.sh SECONDS schema
 * In `make check`: tests/unit/test_fuzz_schema replays
 * tests/fuzz/corpus/schema (tests/fuzz/replay.h). */
#include "validate/validate.h"

#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "fuzz_schema: check failed at line %d: %s\n", __LINE__, \
				#cond);                                                  \
			abort();                                                         \
		}                                                                        \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema *s = NULL;
	struct pm_err err = {0};
	if (schema_parse((const char *)data, size, "fuzz.schema", "f", &s, &err) < 0) {
		CHECK(strncmp(err.msg, "fuzz.schema", 11) == 0);
		return 0;
	}
	char *text = schema_to_text(s);
	struct schema *t = NULL;
	int rc = schema_parse(text, strlen(text), "again", "f", &t, &err);
	if (rc < 0)
		fprintf(stderr, "fuzz_schema: its own text does not parse: %s\n%s", err.msg, text);
	CHECK(rc == 0);
	char *again = schema_to_text(t);
	CHECK(strcmp(text, again) == 0);
	json_t *j = schema_to_json(t);
	CHECK(j != NULL);
	json_decref(j);
	free(again);
	free(text);
	schema_free(t);
	schema_free(s);
	return 0;
}

#ifdef PM_FUZZ_DRIVER
#include "replay.h"

int main(int argc, char **argv)
{
	int n = fuzz_replay("schema", argc, argv);
	if (n < 0)
		return 1;
	printf("fuzz_schema: %d inputs replayed\n", n);
	return 0;
}
#endif
