/* Schemas: the text format round trip, parse errors with their line, edits,
 * inference from statistics, and each anomaly type from validate_dataset. */
#include "data/data.h"
#include "validate/validate.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct schema *parse_ok(const char *text)
{
	struct schema *s = NULL;
	struct pm_err err = {0};
	int rc = schema_parse(text, strlen(text), "t.schema", "t", &s, &err);
	ck_assert_msg(rc == 0, "parse failed: %s", err.msg);
	return s;
}

static void parse_fails(const char *text, const char *msg)
{
	struct schema *s = NULL;
	struct pm_err err = {0};
	ck_assert_int_eq(schema_parse(text, strlen(text), "t.schema", "t", &s, &err), -1);
	ck_assert_str_eq(err.msg, msg);
}

static const char full[] =
	"# a comment\n"
	"feature fare\n"
	"  type float\n"
	"  presence min_fraction 1\n"
	"  range min 0 max 500\n"
	"  skew jsd 0.1\n"
	"\n"
	"feature payment_type   # trailing comment\n"
	"  type string\n"
	"  domain \"Cash\" \"Credit Card\"\n"
	"  domain \"No \\\"Charge\\\"\"\n"
	"  min_domain_mass 0.9\n"
	"  not_in_env serving\n"
	"  drift linf 0.01 jsd 0.2\n"
	"feature \"odd name\"\n"
	"  type int\n";

START_TEST(parse_full)
{
	struct schema *s = parse_ok(full);
	ck_assert_int_eq(s->n, 3);
	struct schema_feature *f = schema_find(s, "fare");
	ck_assert(f && f->type == PM_FLOAT);
	ck_assert(f->has_min_fraction && f->min_fraction == 1);
	ck_assert(f->has_min && f->min == 0 && f->has_max && f->max == 500);
	ck_assert(f->skew.has[DIST_JSD] && f->skew.t[DIST_JSD] == 0.1 && !f->skew.has[DIST_LINF]);
	f = schema_find(s, "payment_type");
	ck_assert_int_eq(f->ndomain, 3);
	ck_assert_str_eq(f->domain[1], "Credit Card");
	ck_assert_str_eq(f->domain[2], "No \"Charge\"");
	ck_assert(f->has_min_domain_mass && f->min_domain_mass == 0.9);
	ck_assert_int_eq(f->nnot_in_env, 1);
	ck_assert(!schema_in_env(f, "SERVING"));
	ck_assert(schema_in_env(f, "training"));
	ck_assert(schema_in_env(f, NULL));
	ck_assert(f->drift.has[DIST_LINF] && f->drift.t[DIST_LINF] == 0.01 && f->drift.t[DIST_JSD] == 0.2);
	ck_assert(schema_find(s, "odd name")->type == PM_INT);

	/* text -> parse -> text is stable */
	char *t1 = schema_to_text(s);
	struct schema *s2 = parse_ok(t1);
	char *t2 = schema_to_text(s2);
	ck_assert_str_eq(t1, t2);
	ck_assert(strstr(t1, "feature \"odd name\"\n  type int\n"));
	ck_assert(strstr(t1, "  range min 0 max 500\n"));
	ck_assert(strstr(t1, "  domain \"Cash\" \"Credit Card\" \"No \\\"Charge\\\"\"\n"));
	free(t1);
	free(t2);
	schema_free(s);
	schema_free(s2);
}
END_TEST

START_TEST(parse_errors)
{
	parse_fails("feature a\n  type float\n  tpye int\n",
		    "t.schema:3: unknown key \"tpye\" (expected type, presence, range, domain, "
		    "min_domain_mass, not_in_env, skew or drift)");
	parse_fails("  type int\n", "t.schema:1: \"type\" comes before the first `feature NAME` line");
	parse_fails("feature a\n  type real\n",
		    "t.schema:2: unknown type \"real\" (expected int, float, bool, string or "
		    "timestamp)");
	parse_fails("feature a\n  type int\nfeature a\n  type int\n",
		    "t.schema:3: feature a is defined twice");
	parse_fails("feature a\n  type int\n  presence min_fraction 1.5\n",
		    "t.schema:3: min_fraction must be between 0 and 1, not 1.5");
	parse_fails("feature a\n  type int\n  range min x\n", "t.schema:3: min: \"x\" is not a number");
	parse_fails("feature a\n  type int\n  range min 5 max 1\n",
		    "t.schema:3: feature a: min is greater than max");
	parse_fails("feature a\n  type string\n  domain \"open\n",
		    "t.schema:3: unterminated quoted string");
	parse_fails("feature a\n  type int\n  skew kl 0.1\n",
		    "t.schema:3: unknown skew measure \"kl\" (expected linf or jsd)");
	parse_fails("feature a\n  type int\n  drift linf\n",
		    "t.schema:3: drift takes pairs: linf THRESHOLD and/or jsd THRESHOLD");
	parse_fails("feature a\n\nfeature b\n  type int\n", "t.schema: feature a has no type line");
	parse_fails("feature a\n  type int\n  domain \"\xff\"\n", "t.schema:3:11: invalid UTF-8");
}
END_TEST


/* Mutated schema files never crash the parser: each either parses or
 * fails with a "t.schema:..." message. */
START_TEST(parse_fuzz)
{
	unsigned seed = 7;
	size_t n = strlen(full);
	char *buf = malloc(n + 64);
	static const char alphabet[] = "\"\\#\n \tfeature type domain range min max 0.5 -1 x\xff\xc3";
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(buf, full, n);
		size_t len = n;
		int edits = 1 + rand_r(&seed) % 6;
		for (int e = 0; e < edits; e++) {
			size_t at = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0: /* replace a byte */
				buf[at] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
				break;
			case 1: /* cut the rest */
				len = at;
				break;
			default: /* delete a byte */
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			}
			if (len == 0)
				break;
		}
		struct schema *s = NULL;
		struct pm_err err = {0};
		if (schema_parse(buf, len, "t.schema", "t", &s, &err) == 0) {
			char *t = schema_to_text(s);
			struct schema *s2 = NULL;
			/* what it writes, it reads back the same */
			ck_assert_msg(schema_parse(t, strlen(t), "x", "t", &s2, &err) == 0, "%s", err.msg);
			char *t2 = schema_to_text(s2);
			ck_assert_str_eq(t, t2);
			free(t);
			free(t2);
			schema_free(s2);
			schema_free(s);
		} else {
			ck_assert_msg(strncmp(err.msg, "t.schema", 8) == 0, "%s", err.msg);
		}
	}
	free(buf);
}
END_TEST

START_TEST(set_keys)
{
	struct schema *s = parse_ok("feature a\n  type int\nfeature p\n  type string\n");
	struct pm_err err = {0};
	char *v1[] = {"0.5"}, *v2[] = {"linf", "0.01"}, *v3[] = {"Cash"}, *v4[] = {"serving"},
	     *v5[] = {"2"}, *v6[] = {"1"}, *bad[] = {"x"}, *none[] = {"none"};
	ck_assert_int_eq(schema_set(s, "a", "min_fraction", v1, 1, &err), 0);
	ck_assert_int_eq(schema_set(s, "p", "skew", v2, 2, &err), 0);
	ck_assert_int_eq(schema_set(s, "p", "domain+", v3, 1, &err), 0);
	ck_assert_int_eq(schema_set(s, "p", "not_in_env", v4, 1, &err), 0);
	ck_assert_int_eq(schema_set(s, "a", "min", v5, 1, &err), 0);
	ck_assert_int_eq(schema_set(s, "a", "max", v6, 1, &err), -1);
	ck_assert_str_eq(err.msg, "feature a: min is greater than max");
	ck_assert(!schema_find(s, "a")->has_max);
	ck_assert_int_eq(schema_set(s, "a", "max", bad, 1, &err), -1);
	ck_assert_str_eq(err.msg, "max: \"x\" is not a number");
	ck_assert_int_eq(schema_set(s, "zz", "min", v5, 1, &err), -1);
	ck_assert_str_eq(err.msg, "schema t has no feature zz (set its type first to add it)");
	ck_assert_int_eq(schema_set(s, "a", "color", v5, 1, &err), -1);
	ck_assert_str_eq(err.msg, "schema set: unknown key \"color\" (expected "
				  "type|min_fraction|domain+|domain-|min|max|min_domain_mass|"
				  "not_in_env|in_env|skew|drift)");
	ck_assert_int_eq(schema_set(s, "p", "domain-", bad, 1, &err), -1);
	ck_assert_str_eq(err.msg, "feature p: \"x\" is not in the domain");
	char *t = schema_to_text(s);
	ck_assert(strstr(t, "feature a\n  type int\n  presence min_fraction 0.5\n  range min 2\n"));
	ck_assert(strstr(t, "feature p\n  type string\n  domain \"Cash\"\n  not_in_env serving\n"
			    "  skew linf 0.01\n"));
	free(t);
	ck_assert_int_eq(schema_set(s, "p", "skew", none, 1, &err), 0);
	ck_assert_int_eq(schema_set(s, "p", "domain-", v3, 1, &err), 0);
	ck_assert_int_eq(schema_set(s, "p", "in_env", v4, 1, &err), 0);
	char *ty[] = {"float"};
	ck_assert_int_eq(schema_set(s, "new", "type", ty, 1, &err), 0);
	t = schema_to_text(s);
	ck_assert(strstr(t, "feature p\n  type string\n  domain\n\nfeature new\n  type float\n"));
	free(t);
	schema_free(s);
}
END_TEST

/* ---- frames for inference and validation ------------------------------------ */

static struct frame *frame_of(const char *csv)
{
	struct frame *f = NULL;
	struct pm_err err = {0};
	struct csv_options o = {.threads = 1};
	int rc = frame_parse_csv(csv, strlen(csv), "test.csv", "d", &o, &f, NULL, &err);
	ck_assert_msg(rc == 0, "csv: %s", err.msg);
	return f;
}

static struct dataset_stats *stats_of(const struct frame *f)
{
	struct dataset_stats *st;
	struct pm_err err = {0};
	struct stats_options o = {.threads = 1, .keep_sorted = true};
	ck_assert_int_eq(stats_compute(f, &o, &st, &err), 0);
	return st;
}

START_TEST(infer)
{
	struct frame *f = frame_of("x,p,flag,when\n"
				   "1,b,true,2024-01-01\n"
				   "2,a,false,2024-01-02\n"
				   ",a,true,2024-01-03\n");
	struct dataset_stats *st = stats_of(f);
	struct schema *s = schema_infer(st, "d", true);
	char *t = schema_to_text(s);
	ck_assert_str_eq(t, "# prodml schema d\n"
			    "# One block per feature: edit it with `schema set` or by hand,\n"
			    "# read it back with `schema load`.\n"
			    "\nfeature x\n  type int\n  range min 1 max 2\n"
			    "\nfeature p\n  type string\n  presence min_fraction 1\n  domain \"a\" \"b\"\n"
			    "\nfeature flag\n  type bool\n  presence min_fraction 1\n"
			    "\nfeature when\n  type timestamp\n  presence min_fraction 1\n");
	free(t);
	schema_free(s);
	stats_free(st);
	frame_free(f);
}
END_TEST

static struct anomalies run(const char *data_csv, const char *schema_text, const char *env,
			    const char *base_csv)
{
	struct frame *f = frame_of(data_csv);
	struct dataset_stats *st = stats_of(f);
	struct schema *s = parse_ok(schema_text);
	struct frame *bf = base_csv ? frame_of(base_csv) : NULL;
	struct dataset_stats *bst = bf ? stats_of(bf) : NULL;
	struct validate_options o = {.env = env, .baseline = bst, .baseline_name = "base",
				     .previous = bst, .previous_name = "prev"};
	struct anomalies an;
	struct pm_err err = {0};
	ck_assert_int_eq(validate_dataset(f, st, s, &o, &an, &err), 0);
	/* descriptions name values from the frames: keep them as text */
	json_t *j = anomalies_to_json(&an);
	json_decref(j);
	schema_free(s);
	stats_free(st);
	stats_free(bst);
	frame_free(bf);
	frame_free(f);
	return an;
}

#define expect_one(an, f, t) expect_one_at(an, f, t, __LINE__)
static void expect_one_at(struct anomalies *an, const char *feature, const char *type, int line)
{
	ck_assert_msg(an->n == 1, "line %d: %zu anomalies, first %s", line, an->n,
		      an->n ? an->a[0].type : "-");
	ck_assert_str_eq(an->a[0].feature, feature);
	ck_assert_str_eq(an->a[0].type, type);
}

START_TEST(anomaly_each_type)
{
	struct anomalies an;
	an = run("a\n1\n", "feature a\n type int\nfeature b\n type string\n", NULL, NULL);
	expect_one(&an, "b", ANOMALY_MISSING_COLUMN);
	anomalies_free(&an);
	/* the label is not expected at serving */
	an = run("a\n1\n", "feature a\n type int\nfeature b\n type int\n not_in_env serving\n",
		 "serving", NULL);
	ck_assert_int_eq(an.n, 0);
	anomalies_free(&an);
	an = run("a,c\n1,2\n", "feature a\n type int\n", NULL, NULL);
	expect_one(&an, "c", ANOMALY_NEW_COLUMN);
	ck_assert_str_eq(an.a[0].description,
			 "New column: c (int) is not in schema t. If it is a new feature, add it "
			 "with `schema set t c type int` (or infer the schema again); otherwise "
			 "drop it upstream.");
	anomalies_free(&an);
	/* 1 of 8 values outside the domain: 12.5% */
	an = run("p\nA\nA\nA\nA\nA\nA\nA\nZ\n", "feature p\n type string\n domain \"A\"\n", NULL,
		 NULL);
	expect_one(&an, "p", ANOMALY_UNEXPECTED_STRING);
	ck_assert(strstr(an.a[0].description, "Values not in the schema's domain: \"Z\" (12.5%)."));
	anomalies_free(&an);
	an = run("p\nA\nA\nA\nA\nA\nA\nA\nZ\n",
		 "feature p\n type string\n domain \"A\"\n min_domain_mass 0.9\n", NULL, NULL);
	expect_one(&an, "p", ANOMALY_DOMAIN_MASS);
	ck_assert(strstr(an.a[0].description,
			 "Only 87.5% of the values are in the domain, below min_domain_mass 0.9"));
	anomalies_free(&an);
	an = run("p\nA\nA\nA\nA\nA\nA\nA\nZ\n",
		 "feature p\n type string\n domain \"A\"\n min_domain_mass 0.85\n", NULL, NULL);
	ck_assert_int_eq(an.n, 0);
	anomalies_free(&an);
	an = run("n\n1\n2.5\n3\n", "feature n\n type int\n", NULL, NULL);
	expect_one(&an, "n", ANOMALY_DATA_TYPE);
	ck_assert(strstr(an.a[0].description,
			 "The schema says int, but the data reads as float: 1 of 3 values (33.3%) "
			 "are not integers: \"2.5\" (33.3%)."));
	anomalies_free(&an);
	an = run("n\n1\nabc\n3\nabc\n", "feature n\n type float\n", NULL, NULL);
	expect_one(&an, "n", ANOMALY_DATA_TYPE);
	ck_assert(strstr(an.a[0].description, "2 of 4 values (50.0%) are not numbers: \"abc\" (50.0%)"));
	anomalies_free(&an);
	an = run("n,m\n1,a\n,b\n3,c\n,d\n",
		 "feature n\n type int\n presence min_fraction 1\nfeature m\n type string\n", NULL,
		 NULL);
	expect_one(&an, "n", ANOMALY_PRESENCE);
	ck_assert(strstr(an.a[0].description,
			 "Only 50.0% of the rows have a value (min_fraction 1): 2 of 4 rows have"));
	anomalies_free(&an);
	an = run("n\n-1\n5\n-3\n", "feature n\n type int\n range min 0\n", NULL, NULL);
	expect_one(&an, "n", ANOMALY_BELOW_MIN);
	ck_assert(strstr(an.a[0].description,
			 "2 of 3 values (66.7%) are below the minimum 0; the smallest is -3."));
	anomalies_free(&an);
	an = run("n\n1\n500\n7\n", "feature n\n type int\n range min 0 max 100\n", NULL, NULL);
	expect_one(&an, "n", ANOMALY_ABOVE_MAX);
	anomalies_free(&an);
	an = run("x\n1.5\ninf\n-inf\n", "feature x\n type float\n", NULL, NULL);
	expect_one(&an, "x", ANOMALY_NAN_INF);
	ck_assert(strstr(an.a[0].description, "NaN: 0, infinite: 2 (+Inf 1, -Inf 1), of 3 values."));
	anomalies_free(&an);
	an = run("a\n", "feature a\n type int\n", NULL, NULL);
	expect_one(&an, "", ANOMALY_NO_DATA);
	anomalies_free(&an);
}
END_TEST

START_TEST(anomaly_skew_drift)
{
	/* base: Cash 3/4, Card 1/4; data: Cash 1/4, Card 3/4 -> L-inf 0.5 at
	 * "Card" (ties go to the last value in byte order: "Cash") */
	const char *base = "p\nCash\nCash\nCash\nCard\n";
	const char *data = "p\nCash\nCard\nCard\nCard\n";
	struct anomalies an =
		run(data, "feature p\n type string\n skew linf 0.1\n", NULL, base);
	expect_one(&an, "p", "COMPARATOR_L_INFINITY_HIGH");
	ck_assert(strstr(an.a[0].description,
			 "The L-infinity distance between d and baseline base is 0.5, above the "
			 "skew threshold 0.1; the value with the largest difference is \"Cash\" "
			 "(25.0% in d, 75.0% in base)."));
	anomalies_free(&an);
	an = run(data, "feature p\n type string\n drift linf 0.5\n", NULL, base);
	ck_assert_int_eq(an.n, 0); /* not above: TFDV's comparison is > */
	anomalies_free(&an);
	/* JSD of value counts: p = (.75,.25), q = (.25,.75) -> 0.1887 */
	an = run(data, "feature p\n type string\n drift jsd 0.18\n", NULL, base);
	expect_one(&an, "p", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH");
	ck_assert(strstr(an.a[0].description,
			 "divergence between d and previous span prev is 0.188722, above the "
			 "drift threshold 0.18."));
	anomalies_free(&an);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parse_full);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, parse_fuzz);
	tcase_add_test(tc, set_keys);
	tcase_add_test(tc, infer);
	tcase_add_test(tc, anomaly_each_type);
	tcase_add_test(tc, anomaly_skew_drift);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
