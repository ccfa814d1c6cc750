/* Unit tests of src/model: the gradient of every model against central
 * differences (with L2 and dropout), predictions that do not depend on the
 * batch, the model file round trip and its corruption checks, the backend
 * interface. */
#include "model/model.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NROWS 24

static struct frame *make_frame(uint64_t seed)
{
	struct rng r;
	rng_seed(&r, seed);
	struct frame *f = frame_new("g", NROWS, 4);
	column_init(&f->cols[0], "x1", PM_FLOAT, NROWS);
	column_init(&f->cols[1], "x2", PM_FLOAT, NROWS);
	column_init(&f->cols[2], "s", PM_STRING, NROWS);
	column_init(&f->cols[3], "h", PM_INT, NROWS);
	const char *words[] = {"a", "b", "c", "d"};
	for (size_t i = 0; i < NROWS; i++) {
		f->cols[0].v.f64[i] = rng_normal(&r) * 3 + 1;
		f->cols[0].valid[i] = i != 5;
		f->cols[1].v.f64[i] = rng_uniform(&r) * 10;
		f->cols[1].valid[i] = 1;
		const char *w = words[rng_below(&r, 4)];
		f->cols[2].v.code[i] = strdict_intern(f->cols[2].dict, w, 1);
		f->cols[2].valid[i] = 1;
		f->cols[3].v.i64[i] = (int64_t)rng_below(&r, 5);
		f->cols[3].valid[i] = 1;
	}
	for (size_t c = 0; c < 4; c++)
		column_count_missing(&f->cols[c]);
	return f;
}

struct fixture {
	struct frame *f;
	struct model *m;
	double *dense, *y;
	uint32_t *cat;
};

static void setup(struct fixture *fx, enum model_type type, enum model_task task, int nout,
		  double dropout)
{
	fx->f = make_frame(7);
	const char *cols[] = {"x1", "x2", "s", "h"};
	struct ft_options o = {.columns = cols, .ncolumns = 4, .spec = "h=onehot", .crosses = "s*h:13"};
	struct pm_err err = {0};
	fx->m = calloc(1, sizeof *fx->m);
	ck_assert_msg(transform_fit(fx->f, NULL, 0, &o, &fx->m->tf, &err) == 0, "%s", err.msg);
	if (task != TASK_REGRESSION) {
		int k = task == TASK_BINARY ? 2 : nout;
		fx->m->prior = calloc((size_t)k, sizeof(double));
		for (int i = 0; i < k; i++) {
			char name[8];
			snprintf(name, sizeof name, "c%d", i);
			ft_vocab_add(&fx->m->classes, name, strlen(name));
			fx->m->prior[i] = 1.0 / k;
		}
		ft_vocab_index(&fx->m->classes);
	}
	fx->m->label = strdup("y");
	fx->m->label_type = task == TASK_REGRESSION ? PM_FLOAT : PM_STRING;
	fx->m->label_mean = 2.0;
	fx->m->label_std = 3.0;
	struct model_spec spec = {.type = type, .task = task, .nout = nout, .nhidden = 2,
				  .hidden = {5, 3}, .dropout = dropout, .seed = 11};
	if (type != MODEL_DNN && type != MODEL_WIDE_DEEP)
		spec.nhidden = 0;
	ck_assert_msg(model_init(fx->m, &spec, &err) == 0, "%s", err.msg);
	/* random weights everywhere (the linear part starts at zero) */
	struct rng r;
	rng_seed(&r, 99);
	for (size_t i = 0; i < fx->m->nparams; i++)
		fx->m->params[i] = 0.5 * rng_normal(&r);
	const struct transform *t = fx->m->tf;
	fx->dense = calloc(NROWS * t->ndense + 1, sizeof(double));
	fx->cat = calloc(NROWS * t->ncat + 1, sizeof(uint32_t));
	fx->y = calloc(NROWS, sizeof(double));
	int colmap[8];
	ck_assert_int_eq(transform_bind(t, fx->f, colmap, &err), 0);
	ck_assert_int_eq(transform_apply_rows(t, fx->f, colmap, NULL, NROWS, fx->dense, fx->cat, 1, &err), 0);
	for (size_t i = 0; i < NROWS; i++)
		fx->y[i] = task == TASK_REGRESSION ? rng_normal(&r) : (double)rng_below(&r, task == TASK_BINARY && nout == 1 ? 2 : (uint64_t)nout);
}

static void teardown(struct fixture *fx)
{
	model_free(fx->m);
	frame_free(fx->f);
	free(fx->dense);
	free(fx->cat);
	free(fx->y);
}

/* Max relative error between the analytic gradient and central differences. */
static double grad_check(struct fixture *fx, double l2, bool train)
{
	struct model *m = fx->m;
	struct pm_err berr = {0};
	const struct backend *be = backend_cpu(&berr);
	ck_assert_msg(be != NULL, "%s", berr.msg);
	struct model_scratch *s = model_scratch_new(m, NROWS);
	struct batch b = {.n = NROWS, .dense = fx->dense, .cat = fx->cat, .y = fx->y};
	double *g = calloc(m->nparams, sizeof *g);
	double loss;
	struct pm_err err = {0};
	ck_assert_int_eq(model_loss_grad(m, be, s, &b, l2, train, 1234, &loss, g, &err), 0);
	ck_assert(isfinite(loss));
	double worst = 0;
	size_t used = 0;
	for (size_t i = 0; i < m->nparams; i++) {
		double keep = m->params[i], h = 1e-6, lp, lm;
		m->params[i] = keep + h;
		model_loss_grad(m, be, s, &b, l2, train, 1234, &lp, NULL, &err);
		m->params[i] = keep - h;
		model_loss_grad(m, be, s, &b, l2, train, 1234, &lm, NULL, &err);
		m->params[i] = keep;
		double num = (lp - lm) / (2 * h);
		double den = fabs(num) + fabs(g[i]);
		double rel = den > 1e-7 ? fabs(num - g[i]) / den : fabs(num - g[i]);
		if (rel > worst)
			worst = rel;
		used += g[i] != 0;
	}
	/* the check must have looked at real gradients */
	ck_assert_uint_gt(used, m->nparams / 4);
	free(g);
	model_scratch_free(s);
	return worst;
}

START_TEST(test_grad_linear)
{
	struct fixture fx;
	setup(&fx, MODEL_LINEAR, TASK_REGRESSION, 1, 0);
	double e = grad_check(&fx, 0.01, true);
	ck_assert_msg(e < 1e-6, "relative error %g", e);
	teardown(&fx);
}
END_TEST

START_TEST(test_grad_logistic)
{
	struct fixture fx;
	setup(&fx, MODEL_LOGISTIC, TASK_BINARY, 1, 0);
	double e = grad_check(&fx, 0.05, true);
	ck_assert_msg(e < 1e-6, "relative error %g", e);
	teardown(&fx);
}
END_TEST

START_TEST(test_grad_softmax)
{
	struct fixture fx;
	setup(&fx, MODEL_SOFTMAX, TASK_MULTICLASS, 3, 0);
	double e = grad_check(&fx, 0.02, true);
	ck_assert_msg(e < 1e-6, "relative error %g", e);
	teardown(&fx);
}
END_TEST

START_TEST(test_grad_dnn_regression)
{
	struct fixture fx;
	setup(&fx, MODEL_DNN, TASK_REGRESSION, 1, 0);
	double e = grad_check(&fx, 0.01, true);
	ck_assert_msg(e < 1e-5, "relative error %g", e);
	teardown(&fx);
}
END_TEST

START_TEST(test_grad_dnn_dropout)
{
	/* the dropout masks come from the seed, so the objective is a fixed
	 * function of the weights and its gradient can be checked */
	struct fixture fx;
	setup(&fx, MODEL_DNN, TASK_BINARY, 1, 0.3);
	double e = grad_check(&fx, 0.01, true);
	ck_assert_msg(e < 1e-5, "relative error %g", e);
	teardown(&fx);
}
END_TEST

START_TEST(test_grad_dnn_multiclass)
{
	struct fixture fx;
	setup(&fx, MODEL_DNN, TASK_MULTICLASS, 4, 0);
	double e = grad_check(&fx, 0, true);
	ck_assert_msg(e < 1e-5, "relative error %g", e);
	teardown(&fx);
}
END_TEST

START_TEST(test_grad_wide_deep)
{
	struct fixture fx;
	setup(&fx, MODEL_WIDE_DEEP, TASK_BINARY, 1, 0.2);
	/* the cross is wide only: no embedding for it */
	size_t cross_slot = (size_t)fx.m->tf->feat[fx.m->tf->nfeat - 1].cat_slot;
	ck_assert_int_eq(fx.m->embed[cross_slot], 0);
	ck_assert(!fx.m->linear_dense);
	double e = grad_check(&fx, 0.01, true);
	ck_assert_msg(e < 1e-5, "relative error %g", e);
	teardown(&fx);
}
END_TEST

/* model_loss_grad_ready: the calls come at model_grad_layers' cuts, in
 * order, and the part each announces is already the final gradient (the
 * one model_loss_grad gives, bit for bit): what lets the trainer start
 * summing it over the workers. */
struct ready_log {
	const double *grad, *want;
	size_t np, from[MODEL_MAX_LAYERS + 3];
	int n;
	bool final;
};

static void ready_cb(void *ctx, size_t from)
{
	struct ready_log *r = ctx;
	if (r->n < MODEL_MAX_LAYERS + 3)
		r->from[r->n] = from;
	r->n++;
	if (memcmp(r->grad + from, r->want + from, (r->np - from) * sizeof *r->grad) != 0)
		r->final = false;
}

static void check_ready(enum model_type type, enum model_task task, int nout, int want_calls)
{
	struct fixture fx;
	setup(&fx, type, task, nout, 0.2);
	struct model *m = fx.m;
	struct pm_err err = {0};
	const struct backend *be = backend_cpu(&err);
	struct model_scratch *s = model_scratch_new(m, NROWS);
	struct batch b = {.n = NROWS, .dense = fx.dense, .cat = fx.cat, .y = fx.y};
	double *want = calloc(m->nparams, sizeof *want), *g = calloc(m->nparams, sizeof *g);
	double l1, l2;
	ck_assert_int_eq(model_loss_grad(m, be, s, &b, 0.01, true, 77, &l1, want, &err), 0);
	struct ready_log log = {.grad = g, .want = want, .np = m->nparams, .final = true};
	struct grad_ready r = {.fn = ready_cb, .ctx = &log};
	ck_assert_int_eq(model_loss_grad_ready(m, be, s, &b, 0.01, true, 77, &l2, g, &r, &err), 0);
	ck_assert(l1 == l2);
	ck_assert(memcmp(g, want, m->nparams * sizeof *g) == 0);
	size_t cuts[MODEL_MAX_LAYERS + 3];
	int n = model_grad_layers(m, cuts);
	ck_assert_int_eq(n, want_calls);
	ck_assert_int_eq(log.n, n);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(log.from[i], cuts[i]);
	ck_assert_uint_eq(cuts[n - 1], 0);
	ck_assert_msg(log.final, "a part was announced before it was final");
	free(want);
	free(g);
	model_scratch_free(s);
	teardown(&fx);
}

START_TEST(test_grad_ready)
{
	/* a DNN of 2 hidden layers over embeddings: out, dense2, dense1, then
	 * the embeddings; wide & deep sums the output's bias with its linear
	 * part, so one call at the end; a linear model one */
	check_ready(MODEL_DNN, TASK_REGRESSION, 1, 4);
	check_ready(MODEL_DNN, TASK_MULTICLASS, 3, 4);
	check_ready(MODEL_WIDE_DEEP, TASK_BINARY, 1, 1);
	check_ready(MODEL_LINEAR, TASK_REGRESSION, 1, 1);
}
END_TEST

START_TEST(test_predict_matches_training_math)
{
	/* predictions (fixed-order kernel) agree with the BLAS forward pass of
	 * training, and one row alone gives the same bits as in a batch */
	enum model_type types[] = {MODEL_LOGISTIC, MODEL_DNN, MODEL_WIDE_DEEP};
	for (size_t ti = 0; ti < 3; ti++) {
		struct fixture fx;
		setup(&fx, types[ti], TASK_BINARY, 1, 0);
		struct model *m = fx.m;
		const struct transform *t = m->tf;
		double *p = calloc(NROWS, sizeof *p);
		model_predict_rows(m, fx.dense, fx.cat, NROWS, p);
		/* log loss from predictions == objective of loss_grad without l2 */
		double ll = 0;
		for (size_t i = 0; i < NROWS; i++)
			ll -= fx.y[i] > 0.5 ? log(p[i]) : log(1 - p[i]);
		ll /= NROWS;
		struct model_scratch *s = model_scratch_new(m, NROWS);
		struct batch b = {.n = NROWS, .dense = fx.dense, .cat = fx.cat, .y = fx.y};
		double loss;
		struct pm_err err = {0};
		ck_assert_int_eq(model_loss_grad(m, backend_cpu(&err), s, &b, 0, false, 0, &loss, NULL, &err), 0);
		ck_assert_double_eq_tol(loss, ll, 1e-12);
		model_scratch_free(s);
		for (size_t i = 0; i < NROWS; i++) {
			double one;
			model_predict_rows(m, fx.dense + i * t->ndense, fx.cat + i * t->ncat, 1, &one);
			ck_assert_int_eq(memcmp(&one, &p[i], sizeof one), 0);
		}
		/* and from raw values, the serving path */
		struct ft_value in[8];
		int colmap[8];
		transform_bind(t, fx.f, colmap, &err);
		transform_row_values(t, fx.f, colmap, 3, in);
		double v;
		ck_assert_int_eq(model_predict_values(m, in, &v, &err), 0);
		ck_assert_int_eq(memcmp(&v, &p[3], sizeof v), 0);
		/* and model_predict_frame, threaded */
		double *pf = calloc(NROWS, sizeof *pf);
		ck_assert_int_eq(model_predict_frame(m, fx.f, NULL, NROWS, 2, pf, &err), 0);
		ck_assert_int_eq(memcmp(pf, p, NROWS * sizeof *p), 0);
		free(pf);
		free(p);
		teardown(&fx);
	}
}
END_TEST

START_TEST(test_predict_rows_same_bits_in_any_block)
{
	/* the deep part runs several rows at a time; a row's bits do not
	 * depend on which rows share its block, nor on the block being cut */
	struct {
		enum model_type type;
		enum model_task task;
		int nout;
	} cases[] = {{MODEL_DNN, TASK_REGRESSION, 1},
		     {MODEL_DNN, TASK_MULTICLASS, 4},
		     {MODEL_WIDE_DEEP, TASK_BINARY, 1}};
	for (size_t ci = 0; ci < PM_ARRAY_LEN(cases); ci++) {
		struct fixture fx;
		setup(&fx, cases[ci].type, cases[ci].task, cases[ci].nout, 0);
		const struct transform *t = fx.m->tf;
		size_t K = (size_t)fx.m->nout;
		double *all = calloc(NROWS * K, sizeof *all), *part = calloc(NROWS * K, sizeof *part);
		model_predict_rows(fx.m, fx.dense, fx.cat, NROWS, all);
		for (size_t from = 0; from < 5; from++) {
			for (size_t n = 1; from + n <= NROWS; n += 3) {
				model_predict_rows(fx.m, fx.dense + from * t->ndense, fx.cat + from * t->ncat,
						   n, part);
				ck_assert_msg(memcmp(part, all + from * K, n * K * sizeof *part) == 0,
					      "case %zu: rows %zu..%zu differ", ci, from, from + n);
			}
		}
		/* and not all zeros or equal: the check compares real outputs */
		ck_assert(all[0] != all[K] || all[K] != all[2 * K]);
		free(all);
		free(part);
		teardown(&fx);
	}
}
END_TEST

START_TEST(test_regression_output_scale)
{
	/* a linear model with zero weights predicts the training mean */
	struct fixture fx;
	setup(&fx, MODEL_LINEAR, TASK_REGRESSION, 1, 0);
	memset(fx.m->params, 0, fx.m->nparams * sizeof(double));
	double p;
	model_predict_rows(fx.m, fx.dense, fx.cat, 1, &p);
	ck_assert_double_eq(p, 2.0);
	fx.m->params[fx.m->off_b] = 1.0; /* one std up */
	model_predict_rows(fx.m, fx.dense, fx.cat, 1, &p);
	ck_assert_double_eq(p, 5.0);
	teardown(&fx);
}
END_TEST

START_TEST(test_file_roundtrip_and_corruption)
{
	struct fixture fx;
	setup(&fx, MODEL_WIDE_DEEP, TASK_MULTICLASS, 3, 0.1);
	struct model *m = fx.m;
	m->metrics = json_pack("{s:f}", "accuracy", 0.75);
	m->hyper = json_pack("{s:i}", "epochs", 3);
	struct sbuf out = {0};
	struct pm_err err = {0};
	double state[3] = {1.5, -2, 3};
	struct model_array extra = {.name = "adam.m", .data = state, .len = 3};
	json_t *xh = json_pack("{s:i}", "epoch", 2);
	ck_assert_int_eq(model_serialize(m, xh, &extra, 1, &out, &err), 0);
	json_decref(xh);

	struct model *m2 = NULL;
	json_t *xh2 = NULL;
	struct model_array *ex = NULL;
	size_t nex = 0;
	ck_assert_msg(model_deserialize(out.s, out.len, "m.pm", &m2, &xh2, &ex, &nex, &err) == 0, "%s",
		      err.msg);
	ck_assert_uint_eq(m2->nparams, m->nparams);
	ck_assert_int_eq(memcmp(m2->params, m->params, m->nparams * sizeof(double)), 0);
	ck_assert_uint_eq(nex, 1);
	ck_assert_str_eq(ex[0].name, "adam.m");
	ck_assert_double_eq(ex[0].data[1], -2.0);
	ck_assert_int_eq(json_integer_value(json_object_get(xh2, "epoch")), 2);
	ck_assert_double_eq(json_real_value(json_object_get(m2->metrics, "accuracy")), 0.75);
	ck_assert_str_eq(m2->classes.str[2], "c2");
	double *p1 = calloc(NROWS * 3, sizeof *p1), *p2 = calloc(NROWS * 3, sizeof *p2);
	model_predict_rows(m, fx.dense, fx.cat, NROWS, p1);
	model_predict_rows(m2, fx.dense, fx.cat, NROWS, p2);
	ck_assert_int_eq(memcmp(p1, p2, NROWS * 3 * sizeof *p1), 0);
	free(p1);
	free(p2);
	model_arrays_free(ex, nex);
	json_decref(xh2);
	model_free(m2);

	/* one flipped byte in the weights */
	out.s[out.len - 40] ^= 1;
	ck_assert_int_eq(model_deserialize(out.s, out.len, "m.pm", &m2, NULL, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "m.pm: checksum mismatch: the model file is corrupted");
	out.s[out.len - 40] ^= 1;
	/* truncated */
	ck_assert_int_eq(model_deserialize(out.s, out.len - 9, "m.pm", &m2, NULL, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "m.pm: truncated model file (or trailing bytes)");
	ck_assert_int_eq(model_deserialize(out.s, 30, "m.pm", &m2, NULL, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "m.pm: truncated model file");
	ck_assert_int_eq(model_deserialize("hello world, this is text", 25, "m.pm", &m2, NULL, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "m.pm: not a prodml model file");
	/* a newer format */
	out.s[8] = 9;
	ck_assert_int_eq(model_deserialize(out.s, out.len, "m.pm", &m2, NULL, NULL, NULL, &err), -1);
	ck_assert_str_eq(err.msg, "m.pm: model file format 9 is newer than this prodml reads (2)");
	/* every truncation length is an error, never a crash */
	out.s[8] = 1;
	for (size_t n = 0; n < out.len; n += 1 + n / 16)
		ck_assert_int_eq(model_deserialize(out.s, n, "m.pm", &m2, NULL, NULL, NULL, &err), -1);
	sbuf_free(&out);
	teardown(&fx);
}
END_TEST

START_TEST(test_backend)
{
	const struct backend *be;
	struct pm_err err = {0};
	/* [1 2; 3 4] * [5 6; 7 8]^T = [17 23; 39 53] */
	double a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, c[4] = {0};
	be = backend_cpu(&err);
	ck_assert_ptr_nonnull(be);
	ck_assert_str_eq(be->name, "cpu");
	be->gemm(be, false, true, 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2);
	ck_assert_double_eq(c[0], 17);
	ck_assert_double_eq(c[1], 23);
	ck_assert_double_eq(c[2], 39);
	ck_assert_double_eq(c[3], 53);
	/* A^T * B = [1 3; 2 4] [5 6; 7 8] = [26 30; 38 44] */
	be->gemm(be, true, false, 2, 2, 2, 1.0, a, 2, b, 2, 0.0, c, 2);
	ck_assert_double_eq(c[0], 26);
	ck_assert_double_eq(c[3], 44);
}
END_TEST

START_TEST(test_rng_reproducible)
{
	struct rng a, b;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		ck_assert_uint_eq(rng_next(&a), rng_next(&b));
	for (int i = 0; i < 1000; i++)
		ck_assert_uint_lt(rng_below(&a, 7), 7);
	ck_assert_uint_ne(rng_derive(1, 2), rng_derive(1, 3));
	/* mean of many normals is near 0 */
	double s = 0;
	for (int i = 0; i < 100000; i++)
		s += rng_normal(&a);
	ck_assert_double_lt(fabs(s / 100000), 0.02);
}
END_TEST

START_TEST(test_type_errors)
{
	struct fixture fx;
	setup(&fx, MODEL_LINEAR, TASK_REGRESSION, 1, 0);
	struct model_spec spec = {.type = MODEL_LOGISTIC, .task = TASK_REGRESSION, .nout = 1};
	struct pm_err err = {0};
	ck_assert_int_eq(model_init(fx.m, &spec, &err), -1);
	ck_assert_str_eq(err.msg, "a logistic model cannot learn a regression label");
	spec = (struct model_spec){.type = MODEL_DNN, .task = TASK_REGRESSION, .nout = 1};
	ck_assert_int_eq(model_init(fx.m, &spec, &err), -1);
	ck_assert_str_eq(err.msg, "a dnn model needs at least one hidden layer");
	teardown(&fx);
}
END_TEST

/* The table of model types is what --model, its errors, the TUI and the
 * trainer read: its lists and lookups against the five types spelled out. */
START_TEST(test_type_table)
{
	ck_assert_str_eq(MODEL_TYPE_WORDS, "linear|logistic|softmax|dnn|wide-deep");
	char *l = model_type_list(0, ", ", ", ");
	ck_assert_str_eq(l, "linear, logistic, softmax, dnn, wide-deep");
	free(l);
	l = model_type_list(MT_DEEP, ", ", " or ");
	ck_assert_str_eq(l, "dnn or wide-deep");
	free(l);
	l = model_type_list(MT_WIDE, "|", "|");
	ck_assert_str_eq(l, "wide-deep");
	free(l);
	l = model_type_list(MT_WIDE | MT_LINEAR, "|", "|");
	ck_assert_str_eq(l, "");
	free(l);
	for (int t = 0; t < MODEL_NTYPES; t++) {
		enum model_type back;
		ck_assert(model_type_parse(model_type_name((enum model_type)t), &back));
		ck_assert_int_eq(back, t);
	}
	enum model_type t;
	ck_assert(model_type_parse("wide_deep", &t) && t == MODEL_WIDE_DEEP);
	ck_assert(!model_type_parse("tree", &t));
	ck_assert_str_eq(model_type_name(MODEL_NTYPES), "?");
	ck_assert_int_eq(model_type_default(TASK_REGRESSION), MODEL_LINEAR);
	ck_assert_int_eq(model_type_default(TASK_BINARY), MODEL_LOGISTIC);
	ck_assert_int_eq(model_type_default(TASK_MULTICLASS), MODEL_SOFTMAX);
	ck_assert(model_type_has(MODEL_SOFTMAX, MT_CLASS_OUTPUTS));
	ck_assert(!model_type_has(MODEL_LOGISTIC, MT_CLASS_OUTPUTS));
	ck_assert(!model_type_has(MODEL_NTYPES, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_grad_linear);
	tcase_add_test(tc, test_grad_logistic);
	tcase_add_test(tc, test_grad_softmax);
	tcase_add_test(tc, test_grad_dnn_regression);
	tcase_add_test(tc, test_grad_dnn_dropout);
	tcase_add_test(tc, test_grad_dnn_multiclass);
	tcase_add_test(tc, test_grad_wide_deep);
	tcase_add_test(tc, test_grad_ready);
	tcase_add_test(tc, test_predict_matches_training_math);
	tcase_add_test(tc, test_predict_rows_same_bits_in_any_block);
	tcase_add_test(tc, test_regression_output_scale);
	tcase_add_test(tc, test_file_roundtrip_and_corruption);
	tcase_add_test(tc, test_backend);
	tcase_add_test(tc, test_rng_reproducible);
	tcase_add_test(tc, test_type_errors);
	tcase_add_test(tc, test_type_table);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
