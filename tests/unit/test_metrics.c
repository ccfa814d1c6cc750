/* Unit tests of the evaluation metrics.  Expected values were computed
 * independently with scikit-learn 1.2 (roc_auc_score,
 * average_precision_score, log_loss, precision/recall/f1, r2_score) and
 * by hand for the small cases; they are hard-coded here. */
#include "model/model.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double get(json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);
	ck_assert_msg(json_is_number(v), "metric %s missing", k);
	return json_number_value(v);
}

START_TEST(test_auc_hand_worked)
{
	/* all positives above all negatives */
	double y1[] = {0, 0, 1, 1}, s1[] = {0.1, 0.2, 0.3, 0.4};
	ck_assert_double_eq(metric_auc(y1, s1, 4), 1.0);
	/* reversed */
	double s2[] = {0.4, 0.3, 0.2, 0.1};
	ck_assert_double_eq(metric_auc(y1, s2, 4), 0.0);
	/* a tie between a positive and a negative counts half: pairs (n,p):
	 * (0.1,0.5) (0.1,0.5)... 3 of 4 pairs won, 1 tied -> 3.5/4 */
	double y3[] = {0, 0, 1, 1}, s3[] = {0.1, 0.5, 0.5, 0.9};
	ck_assert_double_eq(metric_auc(y3, s3, 4), 0.875);
	/* one class only: undefined */
	double y4[] = {1, 1};
	ck_assert(isnan(metric_auc(y4, s1, 2)));
}
END_TEST

START_TEST(test_binary_vs_sklearn)
{
	double y[] = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0};
	double p[] = {0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.6, 0.3, 0.05};
	ck_assert_double_eq_tol(metric_auc(y, p, 10), 0.82, 1e-15);
	ck_assert_double_eq_tol(metric_pr_auc(y, p, 10), 0.8261904761904761, 1e-15);
	json_t *m = metrics_binary(y, p, 10, 0.5, 0.3);
	ck_assert_double_eq_tol(get(m, "auc"), 0.82, 1e-15);
	ck_assert_double_eq_tol(get(m, "logloss"), 0.49000383365623723, 1e-14);
	ck_assert_double_eq_tol(get(m, "accuracy"), 0.7, 1e-15);
	ck_assert_double_eq_tol(get(m, "precision"), 0.75, 1e-15);
	ck_assert_double_eq_tol(get(m, "recall"), 0.6, 1e-15);
	ck_assert_double_eq_tol(get(m, "f1"), 0.6666666666666665, 1e-14);
	/* baselines: majority class of training (negative, prior 0.3) is right
	 * on 5 of 10; log loss of always predicting 0.3 */
	ck_assert_double_eq_tol(get(m, "baseline_accuracy"), 0.5, 1e-15);
	ck_assert_double_eq_tol(get(m, "baseline_logloss"), 0.7803238741323343, 1e-14);
	json_t *cm = json_object_get(m, "confusion");
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(cm, 0), 0)), 4);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(cm, 0), 1)), 1);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(cm, 1), 0)), 2);
	ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(cm, 1), 1)), 3);
	json_decref(m);
}
END_TEST

START_TEST(test_regression_vs_sklearn)
{
	double y[] = {3, -0.5, 2, 7}, p[] = {2.5, 0.0, 2, 8};
	json_t *m = metrics_regression(y, p, 4, 2.0);
	ck_assert_double_eq_tol(get(m, "rmse"), 0.6123724356957945, 1e-15);
	ck_assert_double_eq_tol(get(m, "mae"), 0.5, 1e-15);
	ck_assert_double_eq_tol(get(m, "r2"), 0.9486081370449679, 1e-15);
	ck_assert_double_eq_tol(get(m, "mse"), 0.375, 1e-15);
	/* predicting the training mean 2.0 for every row */
	ck_assert_double_eq_tol(get(m, "baseline_rmse"), 2.839454172900137, 1e-14);
	ck_assert_double_eq_tol(get(m, "baseline_mae"), 2.125, 1e-15);
	ck_assert_int_eq(json_integer_value(json_object_get(m, "n")), 4);
	json_decref(m);
}
END_TEST

START_TEST(test_multiclass_vs_sklearn)
{
	double y[] = {0, 1, 2, 2, 1, 0};
	double p[] = {.7, .2, .1, .3, .4, .3, .1, .1, .8, .5, .2, .3, .2, .5, .3, .3, .3, .4};
	double prior[] = {0.5, 0.25, 0.25};
	struct ft_vocab cl = {0};
	ft_vocab_add(&cl, "low", 3);
	ft_vocab_add(&cl, "mid", 3);
	ft_vocab_add(&cl, "high", 4);
	ft_vocab_index(&cl);
	json_t *m = metrics_multiclass(y, p, 6, 3, prior, &cl);
	ck_assert_double_eq_tol(get(m, "logloss"), 0.7662003360564857, 1e-14);
	ck_assert_double_eq_tol(get(m, "accuracy"), 0.6666666666666666, 1e-15);
	ck_assert_double_eq_tol(get(m, "auc"), 0.8541666666666666, 1e-14);
	ck_assert_double_eq_tol(get(m, "precision"), 0.6666666666666666, 1e-15);
	ck_assert_double_eq_tol(get(m, "recall"), 0.6666666666666666, 1e-15);
	ck_assert_double_eq_tol(get(m, "f1"), 0.6666666666666666, 1e-15);
	ck_assert_double_eq_tol(get(m, "baseline_logloss"), 1.1552453009332422, 1e-14);
	/* majority class of training is "low": 2 of 6 */
	ck_assert_double_eq_tol(get(m, "baseline_accuracy"), 2.0 / 6, 1e-15);
	json_t *cm = json_object_get(m, "confusion");
	int want[3][3] = {{1, 0, 1}, {0, 2, 0}, {1, 0, 1}};
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			ck_assert_int_eq(json_integer_value(json_array_get(json_array_get(cm, (size_t)i), (size_t)j)),
					 want[i][j]);
	json_t *pc = json_object_get(m, "per_class");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(pc, 2), "class")), "high");
	json_decref(m);
	ft_vocab_free(&cl);
}
END_TEST

START_TEST(test_empty_gives_nulls)
{
	json_t *m = metrics_regression(NULL, NULL, 0, 1.0);
	ck_assert(json_is_null(json_object_get(m, "rmse")));
	json_decref(m);
	double y[] = {1, 1}, p[] = {0.5, 0.7};
	m = metrics_binary(y, p, 2, 0.5, 0.5);
	ck_assert(json_is_null(json_object_get(m, "auc")));   /* one class only */
	ck_assert_double_eq(get(m, "accuracy"), 1.0);
	json_decref(m);
}
END_TEST

/* one metric per task, with its direction, for every place that judges a version */
START_TEST(test_primary_metric_per_task)
{
	bool hb = true;
	ck_assert_str_eq(model_primary_metric("regression", &hb), "rmse");
	ck_assert(!hb);
	ck_assert_str_eq(model_primary_metric("binary", &hb), "auc");
	ck_assert(hb);
	ck_assert_str_eq(model_primary_metric("multiclass", &hb), "accuracy");
	ck_assert(hb);
	ck_assert_ptr_null(model_primary_metric("ranking", NULL));
	ck_assert_ptr_null(model_primary_metric(NULL, NULL));
	for (int t = TASK_REGRESSION; t <= TASK_MULTICLASS; t++)
		ck_assert_ptr_nonnull(model_primary_metric(model_task_name((enum model_task)t), NULL));
	bool known;
	ck_assert(!model_metric_higher_better("logloss", &known) && known);
	ck_assert(model_metric_higher_better("r2", &known) && known);
	model_metric_higher_better("speed", &known);
	ck_assert(!known);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_auc_hand_worked);
	tcase_add_test(tc, test_binary_vs_sklearn);
	tcase_add_test(tc, test_regression_vs_sklearn);
	tcase_add_test(tc, test_multiclass_vs_sklearn);
	tcase_add_test(tc, test_empty_gives_nulls);
	tcase_add_test(tc, test_primary_metric_per_task);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
