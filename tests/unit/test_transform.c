/* Unit tests of src/features: each transform against hand-worked values,
 * OOV and missing values, overrides and their errors, the JSON round trip,
 * and the same bits through the training and the serving paths. */
#include "features/features.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* x: 1 2 3 NA 4 (float), s: b a b NA c (string), n: 10 20 30 40 50 (int),
 * t: timestamps, b: bool */
static struct frame *make_frame(void)
{
	struct frame *f = frame_new("t", 5, 5);
	column_init(&f->cols[0], "x", PM_FLOAT, 5);
	column_init(&f->cols[1], "s", PM_STRING, 5);
	column_init(&f->cols[2], "n", PM_INT, 5);
	column_init(&f->cols[3], "ts", PM_TIMESTAMP, 5);
	column_init(&f->cols[4], "b", PM_BOOL, 5);
	const double x[] = {1, 2, 3, 0, 4};
	const char *s[] = {"b", "a", "b", NULL, "c"};
	for (size_t i = 0; i < 5; i++) {
		struct column *c = &f->cols[0];
		c->v.f64[i] = x[i];
		c->valid[i] = i != 3;
		c = &f->cols[1];
		if (s[i]) {
			c->v.code[i] = strdict_intern(c->dict, s[i], strlen(s[i]));
			c->valid[i] = 1;
		}
		f->cols[2].v.i64[i] = 10 * (int64_t)(i + 1);
		f->cols[2].valid[i] = 1;
		int64_t us;
		ck_assert(ts_parse("2024-03-09 13:45:00", 19, &us));
		f->cols[3].v.i64[i] = us + (int64_t)i * 86400 * 1000000LL; /* Sat, Sun, Mon, .. */
		f->cols[3].valid[i] = 1;
		f->cols[4].v.b[i] = i % 2;
		f->cols[4].valid[i] = 1;
	}
	for (size_t c = 0; c < 5; c++)
		column_count_missing(&f->cols[c]);
	return f;
}

static struct transform *fit(struct frame *f, const char *const *cols, size_t n, const char *spec,
			     const char *cross)
{
	struct ft_options o = {.columns = cols, .ncolumns = n, .spec = spec, .crosses = cross};
	struct transform *t = NULL;
	struct pm_err err = {0};
	int rc = transform_fit(f, NULL, 0, &o, &t, &err);
	ck_assert_msg(rc == 0, "fit: %s", err.msg);
	return t;
}

/* Applies t to every row of f: dense and cat arrays (caller frees). */
static void apply_all(struct transform *t, struct frame *f, double **dense, uint32_t **cat)
{
	int colmap[16];
	struct pm_err err = {0};
	ck_assert_int_eq(transform_bind(t, f, colmap, &err), 0);
	*dense = calloc(f->nrows * t->ndense + 1, sizeof **dense);
	*cat = calloc(f->nrows * t->ncat + 1, sizeof **cat);
	ck_assert_msg(transform_apply_rows(t, f, colmap, NULL, f->nrows, *dense, *cat, 2, &err) == 0,
		      "%s", err.msg);
}

#define EPS 1e-12

START_TEST(test_standardize_impute_indicator)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x"};
	struct transform *t = fit(f, cols, 1, NULL, NULL);
	ck_assert_uint_eq(t->ndense, 2); /* value + missing indicator (x had a missing value) */
	ck_assert_uint_eq(t->ncat, 0);
	double *d;
	uint32_t *c;
	apply_all(t, f, &d, &c);
	/* mean 2.5, population std sqrt(1.25) */
	ck_assert_double_eq_tol(d[0], -1.3416407864998738, EPS);
	ck_assert_double_eq(d[1], 0);
	ck_assert_double_eq_tol(d[6], 0.0, EPS);       /* missing -> mean -> 0 */
	ck_assert_double_eq(d[7], 1.0);         /* indicator */
	ck_assert_double_eq_tol(d[8], 1.3416407864998738, EPS);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_minmax_log1p_clip)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x"};
	double *d;
	uint32_t *c;
	struct transform *t = fit(f, cols, 1, "x=minmax+noindicator", NULL);
	ck_assert_uint_eq(t->ndense, 1);
	apply_all(t, f, &d, &c);
	ck_assert_double_eq_tol(d[0], 0.0, EPS);
	ck_assert_double_eq_tol(d[1], 1.0 / 3, EPS);
	ck_assert_double_eq_tol(d[3], 0.5, EPS);   /* missing: mean 2.5 -> (2.5-1)/3 */
	ck_assert_double_eq_tol(d[4], 1.0, EPS);
	free(d);
	free(c);
	transform_free(t);

	t = fit(f, cols, 1, "x=log1p", NULL);
	apply_all(t, f, &d, &c);
	/* log1p(1..4): mean 1.1968729356955115, std 0.3425949239197277 */
	ck_assert_double_eq_tol(d[0], -1.470324631119148, 1e-12);
	ck_assert_double_eq_tol(d[6], 0.16313736397609913, 1e-12); /* impute 2.5 -> log1p */
	free(d);
	free(c);
	transform_free(t);

	t = fit(f, cols, 1, "x=clip:0:2.5", NULL);
	apply_all(t, f, &d, &c);
	/* clipped 1 2 2.5 2.5: mean 2, std 0.6123724356957945 */
	ck_assert_double_eq_tol(d[0], -1.6329931618554523, 1e-12);
	ck_assert_double_eq_tol(d[8], 0.5 / 0.6123724356957945, 1e-12);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_impute_median_mode_const)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x"};
	struct transform *t = fit(f, cols, 1, "x=impute:median+raw", NULL);
	ck_assert_double_eq(t->feat[0].impute_value, 2.5);
	transform_free(t);
	t = fit(f, cols, 1, "x=impute:mode+raw", NULL); /* all once: the smallest */
	ck_assert_double_eq(t->feat[0].impute_value, 1.0);
	transform_free(t);
	t = fit(f, cols, 1, "x=impute:const:-7+raw", NULL);
	double *d;
	uint32_t *c;
	apply_all(t, f, &d, &c);
	ck_assert_double_eq(d[6], -7.0);
	ck_assert_double_eq(d[7], 1.0);
	ck_assert_double_eq(d[8], 4.0);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_bucketize)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x"};
	double *d;
	uint32_t *c;
	struct transform *t = fit(f, cols, 1, "x=bucketize:2:3", NULL);
	ck_assert_uint_eq(t->ncat, 1);
	ck_assert_uint_eq(t->cat_total, 4); /* 3 buckets + missing */
	apply_all(t, f, &d, &c);
	ck_assert_uint_eq(c[0], 0);  /* 1 < 2 */
	ck_assert_uint_eq(c[1], 1);  /* 2: boundaries <= 2: one */
	ck_assert_uint_eq(c[2], 2);
	ck_assert_uint_eq(c[3], 3);  /* missing */
	ck_assert_uint_eq(c[4], 2);
	free(d);
	free(c);
	transform_free(t);

	/* quantiles of 1 2 3 4 in 2 buckets: boundary sorted[2] = 3 */
	t = fit(f, cols, 1, "x=bucketize:q2", NULL);
	ck_assert_uint_eq(t->feat[0].nbounds, 1);
	ck_assert_double_eq(t->feat[0].bounds[0], 3.0);
	apply_all(t, f, &d, &c);
	ck_assert_uint_eq(c[0], 0);
	ck_assert_uint_eq(c[1], 0);
	ck_assert_uint_eq(c[2], 1);
	ck_assert_uint_eq(c[4], 1);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_onehot_vocab_oov)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x", "s"};
	struct transform *t = fit(f, cols, 2, NULL, NULL);
	const struct ft_feature *s = &t->feat[1];
	/* counts b:2 a:1 c:1 -> b, then ties by bytes a, c */
	ck_assert_uint_eq(s->vocab.n, 3);
	ck_assert_str_eq(s->vocab.str[0], "b");
	ck_assert_str_eq(s->vocab.str[1], "a");
	ck_assert_str_eq(s->vocab.str[2], "c");
	ck_assert_uint_eq(s->card, 5);          /* + OOV + missing */
	ck_assert_uint_eq(s->cat_off, 0);
	double *d;
	uint32_t *c;
	apply_all(t, f, &d, &c);
	ck_assert_uint_eq(c[0], 0);
	ck_assert_uint_eq(c[1], 1);
	ck_assert_uint_eq(c[3], 4);             /* missing */
	ck_assert_uint_eq(c[4], 2);
	free(d);
	free(c);

	/* serving: an unseen value goes to OOV */
	struct ft_value in[2];
	struct pm_err err = {0};
	ck_assert_int_eq(ft_value_parse(PM_FLOAT, "3", 1, &in[0], &err), 0);
	ck_assert_int_eq(ft_value_parse(PM_STRING, "zebra", 5, &in[1], &err), 0);
	double dd[2];
	uint32_t cc[1];
	ck_assert_int_eq(transform_apply(t, in, dd, cc, &err), 0);
	ck_assert_uint_eq(cc[0], 3);
	transform_free(t);

	/* top-2: c falls out of the vocabulary and reads as OOV */
	t = fit(f, cols + 1, 1, "s=onehot:2", NULL);
	ck_assert_uint_eq(t->feat[0].vocab.n, 2);
	apply_all(t, f, &d, &c);
	ck_assert_uint_eq(c[4], 2);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_hash_and_cross)
{
	struct frame *f = make_frame();
	const char *cols[] = {"s", "n"};
	struct transform *t = fit(f, cols, 2, "s=hash:7,n=onehot", "s*n:11");
	ck_assert_uint_eq(t->nfeat, 3);
	ck_assert_uint_eq(t->feat[0].card, 8);
	ck_assert_uint_eq(t->feat[2].card, 12);
	ck_assert(t->feat[2].wide_only);
	ck_assert_str_eq(t->feat[2].name, "s_x_n");
	/* int keys are printed integers: "10".."50" */
	ck_assert_str_eq(t->feat[1].vocab.str[0], "10");
	double *d;
	uint32_t *c;
	apply_all(t, f, &d, &c);
	/* rows 0 and 2 both have s = b: same bucket; missing -> bucket 7 */
	ck_assert_uint_eq(c[0 * 3 + 0], c[2 * 3 + 0]);
	ck_assert_uint_lt(c[0], 7);
	ck_assert_uint_eq(c[3 * 3 + 0], 7);
	/* the cross of (b, 10) and (b, 30) differ (almost surely) but stay in range */
	uint32_t off = t->feat[2].cat_off;
	ck_assert_uint_ge(c[0 * 3 + 2], off);
	ck_assert_uint_lt(c[0 * 3 + 2], off + 11);
	ck_assert_uint_eq(c[3 * 3 + 2], off + 11); /* missing s */
	/* the serving path hashes the same text */
	struct ft_value in[2];
	struct pm_err err = {0};
	ft_value_parse(PM_STRING, "b", 1, &in[0], &err);
	ft_value_parse(PM_INT, "30", 2, &in[1], &err);
	double dd[1];
	uint32_t cc[3];
	ck_assert_int_eq(transform_apply(t, in, dd, cc, &err), 0);
	ck_assert_uint_eq(cc[0], c[2 * 3 + 0]);
	ck_assert_uint_eq(cc[2], c[2 * 3 + 2]);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_dateparts)
{
	struct frame *f = make_frame();
	const char *cols[] = {"ts"};
	struct transform *t = fit(f, cols, 1, NULL, NULL);
	ck_assert_uint_eq(t->nfeat, 4);      /* hour, dow, month, weekend */
	ck_assert_uint_eq(t->ndense, 1);
	ck_assert_uint_eq(t->ncat, 3);
	double *d;
	uint32_t *c;
	apply_all(t, f, &d, &c);
	/* 2024-03-09 13:45 UTC is a Saturday */
	ck_assert_uint_eq(c[0], 13);              /* hour */
	ck_assert_uint_eq(c[1], 25 + 6);          /* dow, after 25 hour categories */
	ck_assert_uint_eq(c[2], 25 + 8 + 2);      /* March */
	ck_assert_double_eq(d[0], 1.0);           /* weekend */
	ck_assert_uint_eq(c[3 + 1], 25 + 0);      /* Sunday */
	ck_assert_double_eq(d[1], 1.0);
	ck_assert_uint_eq(c[6 + 1], 25 + 1);      /* Monday */
	ck_assert_double_eq(d[2], 0.0);
	free(d);
	free(c);
	transform_free(t);

	/* an int column read as unix seconds: 1393673400 = 2014-03-01 11:30 Sat */
	f->cols[2].v.i64[0] = 1393673400;
	const char *cols2[] = {"n"};
	t = fit(f, cols2, 1, "n=dateparts", NULL);
	ck_assert(t->feat[0].unix_seconds);
	apply_all(t, f, &d, &c);
	ck_assert_uint_eq(c[0], 11);
	ck_assert_uint_eq(c[1], 25 + 6);
	ck_assert_uint_eq(c[2], 25 + 8 + 2);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_bool_raw)
{
	struct frame *f = make_frame();
	const char *cols[] = {"b"};
	struct transform *t = fit(f, cols, 1, NULL, NULL);
	ck_assert_uint_eq(t->ndense, 1);
	double *d;
	uint32_t *c;
	apply_all(t, f, &d, &c);
	ck_assert_double_eq(d[0], 0.0);
	ck_assert_double_eq(d[1], 1.0);
	free(d);
	free(c);
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_errors)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x", "s"};
	struct ft_options o = {.columns = cols, .ncolumns = 2};
	struct transform *t = NULL;
	struct pm_err err = {0};

	o.spec = "x=wobble";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--transform x: unknown step 'wobble' (standardize, minmax, raw, "
				  "log1p, clip, bucketize, onehot, hash, dateparts, impute, indicator, "
				  "noindicator, embed)");
	o.spec = "s=log1p";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--transform s: clip, log1p and scaling apply to numeric features only");
	o.spec = "s=bucketize:1:2";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--transform s: a string column cannot be scaled or bucketized");
	o.spec = "y=raw";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--transform: 'y' is not one of the features");
	o.spec = "x=clip:3:1";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--transform x: clip needs clip:LOW:HIGH with LOW <= HIGH");
	o.spec = NULL;
	o.crosses = "s";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--cross: 's' needs two or more columns joined by '*'");
	o.crosses = "s*nope";
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "--cross s*nope: dataset 't' has no column 'nope'");
	const char *bad[] = {"zz"};
	o.columns = bad;
	o.ncolumns = 1;
	o.crosses = NULL;
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 't' has no column 'zz'");

	/* a NaN in the data is named with its row; at fit time and at apply time */
	f->cols[0].v.f64[1] = NAN;
	o.columns = cols;
	o.ncolumns = 1;
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 't': row 2: feature 'x': value is NaN");
	f->cols[0].v.f64[1] = 2;
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), 0);
	f->cols[0].v.f64[4] = INFINITY;
	double d[10];
	uint32_t c[5];
	int colmap[1];
	ck_assert_int_eq(transform_bind(t, f, colmap, &err), 0);
	ck_assert_int_eq(transform_apply_rows(t, f, colmap, NULL, 5, d, c, 1, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 't' row 5: feature 'x': value is +Inf");
	/* serving: a string that is not a number */
	struct ft_value v = {.is_str = true, .str = "abc", .len = 3};
	ck_assert_int_eq(transform_apply(t, &v, d, c, &err), -1);
	ck_assert_str_eq(err.msg, "feature 'x': 'abc' is not a number");
	transform_free(t);

	/* binding: a missing column, a string column where numbers are needed */
	const char *cx[] = {"x"};
	o.columns = cx;
	f->cols[0].v.f64[4] = 4;
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &t, &err), 0);
	free(f->cols[0].name);
	f->cols[0].name = strdup("x2");
	ck_assert_int_eq(transform_bind(t, f, colmap, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 't' has no column 'x' (the model needs it)");
	free(f->cols[1].name);
	f->cols[1].name = strdup("x");
	ck_assert_int_eq(transform_bind(t, f, colmap, &err), -1);
	ck_assert_str_eq(err.msg, "column 'x' of dataset 't' is string; the model expects float");
	transform_free(t);
	frame_free(f);
}
END_TEST

START_TEST(test_json_roundtrip_bits)
{
	struct frame *f = make_frame();
	const char *cols[] = {"x", "s", "n", "ts", "b"};
	struct transform *t = fit(f, cols, 5, "x=log1p,n=bucketize:q3", "s*n:5");
	json_t *j = transform_to_json(t);
	char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(j);
	json_error_t je;
	json_t *j2 = json_loads(text, 0, &je);
	free(text);
	struct transform *t2 = NULL;
	struct pm_err err = {0};
	ck_assert_msg(transform_from_json(j2, &t2, &err) == 0, "%s", err.msg);
	json_decref(j2);
	ck_assert_uint_eq(t2->ndense, t->ndense);
	ck_assert_uint_eq(t2->ncat, t->ncat);
	ck_assert_uint_eq(t2->cat_total, t->cat_total);
	double *d1, *d2;
	uint32_t *c1, *c2;
	apply_all(t, f, &d1, &c1);
	apply_all(t2, f, &d2, &c2);
	ck_assert_int_eq(memcmp(d1, d2, f->nrows * t->ndense * sizeof *d1), 0);
	ck_assert_int_eq(memcmp(c1, c2, f->nrows * t->ncat * sizeof *c1), 0);

	/* the serving path: each row as text through ft_value_parse gives the
	 * same bits as the frame path used at training */
	double *dd = calloc(t->ndense + 1, sizeof *dd);
	uint32_t *cc = calloc(t->ncat + 1, sizeof *cc);
	for (size_t r = 0; r < f->nrows; r++) {
		struct ft_value in[5];
		char bufs[5][64];
		for (size_t i = 0; i < t2->ninputs; i++) {
			int ci = frame_col_index(f, t2->inputs[i].name);
			const struct column *col = &f->cols[ci];
			const char *txt = column_present(col, r) ? column_text(col, r, bufs[i], 64) : "";
			if (col->type == PM_FLOAT && column_present(col, r))
				fmt_double(col->v.f64[r], bufs[i], 64), txt = bufs[i];
			ck_assert_int_eq(ft_value_parse(t2->inputs[i].type, txt, strlen(txt), &in[i], &err), 0);
		}
		ck_assert_int_eq(transform_apply(t2, in, dd, cc, &err), 0);
		ck_assert_int_eq(memcmp(dd, d1 + r * t->ndense, t->ndense * sizeof *dd), 0);
		ck_assert_int_eq(memcmp(cc, c1 + r * t->ncat, t->ncat * sizeof *cc), 0);
	}
	free(dd);
	free(cc);
	free(d1);
	free(d2);
	free(c1);
	free(c2);
	transform_free(t);
	transform_free(t2);
	frame_free(f);
}
END_TEST

START_TEST(test_fit_rows_only)
{
	/* learned from the given rows only: rows 0 and 1 (x = 1, 2) */
	struct frame *f = make_frame();
	const char *cols[] = {"x"};
	struct ft_options o = {.columns = cols, .ncolumns = 1};
	struct transform *t = NULL;
	struct pm_err err = {0};
	size_t rows[] = {0, 1};
	ck_assert_int_eq(transform_fit(f, rows, 2, &o, &t, &err), 0);
	ck_assert_double_eq(t->feat[0].center, 1.5);
	ck_assert_double_eq(t->feat[0].div, 0.5);
	ck_assert(!t->feat[0].indicator); /* no missing value among them */
	transform_free(t);
	frame_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("transform");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_standardize_impute_indicator);
	tcase_add_test(tc, test_minmax_log1p_clip);
	tcase_add_test(tc, test_impute_median_mode_const);
	tcase_add_test(tc, test_bucketize);
	tcase_add_test(tc, test_onehot_vocab_oov);
	tcase_add_test(tc, test_hash_and_cross);
	tcase_add_test(tc, test_dateparts);
	tcase_add_test(tc, test_bool_raw);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_json_roundtrip_bits);
	tcase_add_test(tc, test_fit_rows_only);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
