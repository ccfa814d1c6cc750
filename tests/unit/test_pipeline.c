/* Unit tests of src/pipeline: the file syntax and its errors (each with
 * the exact message and line), cycles named by their steps, the order of
 * the steps, parameters and ${STEP.FIELD}, `when`, the cache key, and the
 * Argo export's DAG. */
#include "pipeline/pipeline.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct pipeline *parse_ok(const char *text)
{
	struct pipeline *p = NULL;
	struct pm_err err = {0};
	ck_assert_msg(pipeline_parse(text, "t.pl", &p, &err) == 0, "%s", err.msg);
	return p;
}

static void parse_fails(const char *text, const char *msg)
{
	struct pipeline *p = NULL;
	struct pm_err err = {0};
	ck_assert_int_eq(pipeline_parse(text, "t.pl", &p, &err), -1);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(err.msg, msg);
}

START_TEST(test_parse)
{
	struct pipeline *p = parse_ok(
		"# taxi\n"
		"pipeline taxi\n"
		"param data = 'datasets/taxi/train.csv'\n"
		"param epochs=3\n"
		"\n"
		"step ingest : load taxi_raw ${data}   # the raw file\n"
		"step train: train fare --data taxi_raw --label fare --epochs ${epochs} after ingest retries 2\n"
		"step gate : models promote fare:${train.version} --to production\n"
		"    after train\n"
		"    when train.metrics.r2 >= 0.5\n"
		"step check: validate taxi_raw --schema 'a after b' after ingest, train\n");
	ck_assert_str_eq(p->name, "taxi");
	ck_assert_int_eq(p->nparams, 2);
	ck_assert_str_eq(p->params[0].value, "datasets/taxi/train.csv");
	ck_assert_str_eq(p->params[1].name, "epochs");
	ck_assert_str_eq(p->params[1].value, "3");
	ck_assert_int_eq(p->nsteps, 4);
	ck_assert_str_eq(p->steps[0].command, "load taxi_raw ${data}");
	ck_assert_int_eq(p->steps[0].nafter, 0);
	ck_assert_int_eq(p->steps[0].retries, -1);
	ck_assert_str_eq(p->steps[1].command, "train fare --data taxi_raw --label fare --epochs ${epochs}");
	ck_assert_int_eq(p->steps[1].retries, 2);
	ck_assert_int_eq(p->steps[1].line, 7);
	ck_assert_str_eq(p->steps[2].after[0], "train");
	ck_assert_str_eq(p->steps[2].when->step, "train");
	ck_assert_str_eq(p->steps[2].when->field, "metrics.r2");
	ck_assert_int_eq(p->steps[2].when->op, PL_GE);
	ck_assert_str_eq(p->steps[2].when->value, "0.5");
	/* a quoted clause word stays in the command */
	ck_assert_str_eq(p->steps[3].command, "validate taxi_raw --schema 'a after b'");
	ck_assert_int_eq(p->steps[3].nafter, 2);
	ck_assert_int_eq(p->steps[3].deps[1], 1);
	pipeline_free(p);
}
END_TEST

START_TEST(test_parse_errors)
{
	parse_fails("step a : load x f.csv\n", "t.pl:1: a pipeline file starts with `pipeline NAME`");
	parse_fails("# nothing\n", "t.pl:1: a pipeline file starts with `pipeline NAME`");
	parse_fails("pipeline p\n", "t.pl:1: pipeline p has no steps");
	parse_fails("pipeline p q\n", "t.pl:1: `pipeline NAME`: NAME is letters, digits, '_', '-', '.'");
	parse_fails("pipeline p\nstep a load x\n", "t.pl:2: a step is `step NAME : COMMAND`");
	parse_fails("pipeline p\nstep a b : load x\n",
		    "t.pl:2: 'a b' is not a step name (letters, digits, '_', '-', '.')");
	parse_fails("pipeline p\nstep a :\n", "t.pl:2: step 'a' has no command");
	parse_fails("pipeline p\nstep a : after b\n", "t.pl:2: step 'a' has no command");
	parse_fails("pipeline p\nstep a : load x 'f.csv\n", "t.pl:2: unterminated quote");
	parse_fails("pipeline p\nstep a : datasets\nstep a : datasets\n",
		    "t.pl:3: step 'a' is already defined on line 2");
	parse_fails("pipeline p\nparam k = 1\nparam k = 2\nstep a : datasets\n",
		    "t.pl:3: parameter 'k' is already defined on line 2");
	parse_fails("pipeline p\nparam k\n", "t.pl:2: a parameter is `param NAME = VALUE`");
	parse_fails("pipeline p\nstep a : datasets\nstep b : datasets after zzz\n",
		    "t.pl:3: step 'b' comes after 'zzz', which is not a step of this pipeline");
	parse_fails("pipeline p\nstep ingest : datasets\nstep b : datasets after ingst\n",
		    "t.pl:3: step 'b' comes after 'ingst', which is not a step of this pipeline; did you "
		    "mean 'ingest'?");
	parse_fails("pipeline p\nstep a : datasets retries x\n", "t.pl:2: `retries` takes a number from 0 to 100");
	parse_fails("pipeline p\nstep a : datasets after\n", "t.pl:2: `after` needs the names of steps: after A,B");
	parse_fails("pipeline p\nstep a : datasets when a.b > 1 2\n",
		    "t.pl:2: `when` takes STEP.FIELD OP VALUE, for example `when train.metrics.r2 > 0.5`");
	parse_fails("pipeline p\nstep a : datasets\nstep b : datasets after a when a.x ~ 1\n",
		    "t.pl:3: `when`: unknown comparison '~' (use < <= > >= == !=)");
	parse_fails("pipeline p\nstep a : datasets\nstep b : datasets when a.x > 1\n",
		    "t.pl:3: step 'b': `when a.x > 1` tests step 'a', which is not upstream of it");
	parse_fails("pipeline p\nparam data = x\nstep a : load t ${dta}\n",
		    "t.pl:3: step 'a' uses ${dta}, which is not a parameter (add `param dta = ...`)");
	parse_fails("pipeline p\nstep a : datasets\nstep b : models show m:${a.version}\n",
		    "t.pl:3: step 'b' uses ${a.version}, but 'a' is not a step upstream of it");
	parse_fails("pipeline p\nstep a : load t ${x\n", "t.pl:2: step 'a': '${' without a closing '}'");
	parse_fails("pipeline p\n  after a\n", "t.pl:2: `after` before any step");
	parse_fails("pipeline p\nstep a : datasets\nbogus line\n",
		    "t.pl:3: expected `param`, `step` or an indented clause, not 'bogus'");
	parse_fails("pipeline p\nstep a : datasets\npipeline q\n",
		    "t.pl:3: one pipeline per file: the name is already 'p'");
}
END_TEST

START_TEST(test_cycles)
{
	parse_fails("pipeline p\nstep a : datasets after a\n", "t.pl:2: the steps form a cycle: a -> a");
	parse_fails("pipeline p\n"
		    "step src : datasets\n"
		    "step a : datasets after src, c\n"
		    "step b : datasets after a\n"
		    "step c : datasets after b\n",
		    "t.pl:3: the steps form a cycle: a -> b -> c -> a");
}
END_TEST

START_TEST(test_order)
{
	struct pipeline *p = parse_ok("pipeline p\n"
				      "step d : datasets after b, c\n"
				      "step c : datasets after a\n"
				      "step b : datasets after a\n"
				      "step a : datasets\n"
				      "step e : datasets\n");
	size_t order[5];
	struct pm_err err = {0};
	ck_assert_int_eq(pipeline_order(p, order, &err), 0);
	const char *want[] = {"a", "c", "b", "d", "e"};
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(p->steps[order[i]].name, want[i]);
	ck_assert(pipeline_upstream(p, 3, 0));  /* a is upstream of d */
	ck_assert(!pipeline_upstream(p, 0, 3)); /* d is not upstream of a */
	ck_assert(!pipeline_upstream(p, 1, 2)); /* c and b are siblings */
	ck_assert(!pipeline_upstream(p, 4, 0));
	pipeline_free(p);
}
END_TEST

START_TEST(test_values_and_subst)
{
	struct pipeline *p = parse_ok("pipeline p\nparam data = a.csv\nparam n = 1\n"
				      "step a : load t ${data}\n"
				      "step b : train m --data t --label y --epochs ${n} after a\n"
				      "step c : models promote m:${b.version} after b\n");
	struct pm_err err = {0};
	char *over[] = {"n=5"};
	json_t *v;
	ck_assert_int_eq(pipeline_values(p, over, 1, &v, &err), 0);
	char *out;
	ck_assert_int_eq(pipeline_subst(p->steps[1].command, v, NULL, "x", &out, &err), 0);
	ck_assert_str_eq(out, "train m --data t --label y --epochs 5");
	free(out);
	/* before the run, a step's result is not known: the reference stays */
	ck_assert_int_eq(pipeline_subst(p->steps[2].command, v, NULL, "x", &out, &err), 0);
	ck_assert_str_eq(out, "models promote m:${b.version}");
	free(out);
	json_t *res = json_loads("{\"b\":{\"version\":7,\"metrics\":{\"r2\":0.25}}}", 0, NULL);
	ck_assert_int_eq(pipeline_subst(p->steps[2].command, v, res, "x", &out, &err), 0);
	ck_assert_str_eq(out, "models promote m:7");
	free(out);
	ck_assert_int_eq(pipeline_subst("${b.nope}", v, res, "step c", &out, &err), -1);
	ck_assert_str_eq(err.msg, "step c: ${b.nope}: the result of step b has no value 'nope'");
	json_decref(v);
	char *bad[] = {"epochs=5"};
	ck_assert_int_eq(pipeline_values(p, bad, 1, &v, &err), -1);
	ck_assert_str_eq(err.msg, "--param epochs=5: pipeline p has no parameter 'epochs' (it has: data, n)");
	char *noeq[] = {"n"};
	ck_assert_int_eq(pipeline_values(p, noeq, 1, &v, &err), -1);
	ck_assert_str_eq(err.msg, "--param 'n': expected KEY=VALUE");
	json_decref(res);
	pipeline_free(p);
}
END_TEST

START_TEST(test_when)
{
	struct pipeline *p = parse_ok("pipeline p\nparam floor = 0.5\n"
				      "step t : datasets\n"
				      "step a : datasets after t when t.metrics.r2 > ${floor}\n"
				      "step b : datasets after t when t.anomalies == 0\n"
				      "step c : datasets after t when t.model == fare\n"
				      "step d : datasets after t when t.model < 3\n"
				      "step e : datasets after t when t.missing != 1\n");
	json_t *v, *res = json_loads("{\"t\":{\"metrics\":{\"r2\":0.75},\"anomalies\":[1,2],\"model\":\"fare\"}}",
				     0, NULL);
	struct pm_err err = {0};
	ck_assert_int_eq(pipeline_values(p, NULL, 0, &v, &err), 0);
	ck_assert_int_eq(pipeline_when(p->steps[1].when, v, res, &err), 1);
	ck_assert_int_eq(pipeline_when(p->steps[2].when, v, res, &err), 0); /* two anomalies */
	ck_assert_int_eq(pipeline_when(p->steps[3].when, v, res, &err), 1);
	ck_assert_int_eq(pipeline_when(p->steps[4].when, v, res, &err), -1);
	ck_assert_str_eq(err.msg, "when t.model < 3: 'fare' and '3' are not both numbers");
	ck_assert_int_eq(pipeline_when(p->steps[5].when, v, res, &err), -1);
	ck_assert_str_eq(err.msg, "when t.missing != 1: the result of step t has no field 'missing'");
	json_decref(v);
	json_decref(res);
	pipeline_free(p);
}
END_TEST

START_TEST(test_cache_key)
{
	struct pl_fp a[] = {{PL_DATASET, "taxi", "14a28cef24f9a3fb"}, {PL_FILE, "f.csv", "ab"}};
	struct pl_fp b[] = {{PL_FILE, "f.csv", "ab"}, {PL_DATASET, "taxi", "14a28cef24f9a3fb"}};
	struct pl_fp c[] = {{PL_FILE, "f.csv", "ac"}, {PL_DATASET, "taxi", "14a28cef24f9a3fb"}};
	char k1[65], k2[65], k3[65], k4[65], k5[65];
	pipeline_cache_key("train m --data taxi", "0.1.0", a, 2, k1);
	pipeline_cache_key("train m --data taxi", "0.1.0", b, 2, k2);
	ck_assert_str_eq(k1, k2); /* the order of the inputs does not matter */
	pipeline_cache_key("train m --data taxi", "0.1.0", c, 2, k3);
	ck_assert_str_ne(k1, k3); /* one input's content does */
	pipeline_cache_key("train m --data taxi ", "0.1.0", a, 2, k4);
	ck_assert_str_ne(k1, k4); /* and the command, */
	pipeline_cache_key("train m --data taxi", "0.1.1", a, 2, k5);
	ck_assert_str_ne(k1, k5); /* and the version */
	ck_assert_int_eq(strlen(k1), 64);
	/* the key is sha256 of its documented bytes: pinned, so that a change
	 * of the key's recipe (which orphans every cached step) is deliberate */
	char k0[65];
	pipeline_cache_key("datasets", "0.1.0", NULL, 0, k0);
	struct sha256 h;
	uint8_t d[32];
	char want[65];
	sha256_init(&h);
	sha256_update(&h, "prodml step cache 1\0" "0.1.0\0" "datasets", 35);
	sha256_final(&h, d);
	sha256_hex(d, want);
	ck_assert_str_eq(k0, want);
}
END_TEST

START_TEST(test_argo)
{
	struct pipeline *p = parse_ok("pipeline Taxi_Fare\nparam data = a.csv\n"
				      "step ingest : load t ${data}\n"
				      "step fit_1 : train m --data t --label y after ingest retries 2\n"
				      "step gate : models promote m:${fit_1.version} after fit_1 when fit_1.metrics.r2 > 0.5\n");
	struct sbuf y = {0};
	pipeline_argo(p, &y);
	ck_assert_ptr_nonnull(strstr(y.s, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "  generateName: taxi-fare-\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "  entrypoint: taxi-fare\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "      - name: data\n        value: \"a.csv\"\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "          - name: fit-1\n            template: fit-1\n"
					  "            dependencies: [\"ingest\"]\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "\"-c\", \"load t {{workflow.parameters.data}}\"]"));
	/* a field of an upstream task's output reaches the command as an input parameter */
	ck_assert_ptr_nonnull(strstr(y.s, "            arguments:\n              parameters:\n"
					  "                - name: fit-1-version\n"
					  "                  value: \"{{=jsonpath(tasks['fit-1'].outputs.result, '$.version')}}\"\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "    - name: gate\n      inputs:\n        parameters:\n"
					  "          - name: fit-1-version\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "\"-c\", \"models promote m:{{inputs.parameters.fit-1-version}}\"]"));
	ck_assert_ptr_nonnull(strstr(y.s, "    - name: fit-1\n      retryStrategy:\n        limit: \"2\"\n"));
	ck_assert_ptr_nonnull(strstr(y.s, "when: \"{{=jsonpath(tasks['fit-1'].outputs.result, "
					  "'$.metrics.r2') > 0.5}}\""));
	sbuf_free(&y);
	pipeline_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_cycles);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_values_and_subst);
	tcase_add_test(tc, test_when);
	tcase_add_test(tc, test_cache_key);
	tcase_add_test(tc, test_argo);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
