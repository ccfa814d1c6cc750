/* Unit tests of src/train (in memory, no workspace): models learn known
 * functions, --seed reproduces a run bit for bit, a run resumed from a
 * checkpoint ends with the same weights as an uninterrupted one, early
 * stopping, the shuffle buffer, and the errors for bad input. */
#include "train/train.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* y = 3 x1 - 2 x2 + 5 + noise;  cls = "hi"/"lo" by the sign of x1 + x2;
 * k = one of three classes by x1; cat: a string column the label depends on */
static struct frame *make_frame(const char *name, size_t n, uint64_t seed, double noise)
{
	struct rng r;
	rng_seed(&r, seed);
	struct frame *f = frame_new(name, n, 6);
	column_init(&f->cols[0], "x1", PM_FLOAT, n);
	column_init(&f->cols[1], "x2", PM_FLOAT, n);
	column_init(&f->cols[2], "cat", PM_STRING, n);
	column_init(&f->cols[3], "y", PM_FLOAT, n);
	column_init(&f->cols[4], "cls", PM_STRING, n);
	column_init(&f->cols[5], "k", PM_STRING, n);
	const char *cats[] = {"red", "green", "blue"};
	for (size_t i = 0; i < n; i++) {
		double x1 = rng_normal(&r), x2 = rng_normal(&r);
		size_t c = (size_t)rng_below(&r, 3);
		f->cols[0].v.f64[i] = x1;
		f->cols[1].v.f64[i] = x2;
		f->cols[2].v.code[i] = strdict_intern(f->cols[2].dict, cats[c], strlen(cats[c]));
		f->cols[3].v.f64[i] = 3 * x1 - 2 * x2 + 5 + (double)c + noise * rng_normal(&r);
		const char *cl = x1 + x2 + 0.3 * rng_normal(&r) > 0 ? "hi" : "lo";
		f->cols[4].v.code[i] = strdict_intern(f->cols[4].dict, cl, 2);
		const char *k = x1 < -0.5 ? "a" : x1 < 0.5 ? "b" : "c";
		f->cols[5].v.code[i] = strdict_intern(f->cols[5].dict, k, 1);
		for (int j = 0; j < 6; j++)
			f->cols[j].valid[i] = 1;
	}
	for (int j = 0; j < 6; j++)
		column_count_missing(&f->cols[j]);
	return f;
}

static void config(struct train_config *c, const char *label, const char *feats)
{
	train_config_init(c);
	c->model_name = strdup("m");
	c->data = strdup("train");
	c->label = strdup(label);
	c->features = str_split(feats, ',', &c->nfeatures);
	c->threads = 2;
}

static double metric(struct train_result *r, const char *k)
{
	json_t *v = json_object_get(r->metrics, k);
	ck_assert_msg(json_is_number(v), "metric %s", k);
	return json_number_value(v);
}

START_TEST(test_linear_learns)
{
	struct frame *tr = make_frame("train", 2000, 1, 0.1), *ev = make_frame("eval", 500, 2, 0.1);
	struct train_config c;
	config(&c, "y", "x1,x2,cat");
	c.epochs = 15;
	c.lr = 0.02;
	c.schedule = LR_COSINE;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, tr, ev, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.model->type, MODEL_LINEAR);
	/* the noise has sd 0.1: a fitted model gets close to it */
	ck_assert_double_lt(metric(&r, "rmse"), 0.12);
	ck_assert_double_gt(metric(&r, "r2"), 0.99);
	ck_assert_double_gt(metric(&r, "baseline_rmse"), 3.0);
	ck_assert_int_eq(json_array_size(r.history), 15);
	/* evaluate through the prediction path: the same numbers, exactly */
	double *p = malloc(500 * sizeof *p), *y = malloc(500 * sizeof *y);
	ck_assert_int_eq(model_predict_frame(r.model, ev, NULL, 500, 1, p, &err), 0);
	for (size_t i = 0; i < 500; i++)
		ck_assert_int_eq(model_label_value(r.model, &ev->cols[3], i, &y[i]), 1);
	json_t *m2 = model_metrics(r.model, y, p, 500);
	ck_assert_double_eq(json_number_value(json_object_get(m2, "rmse")), metric(&r, "rmse"));
	json_decref(m2);
	free(p);
	free(y);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(tr);
	frame_free(ev);
}
END_TEST

START_TEST(test_logistic_and_softmax_chosen)
{
	struct frame *tr = make_frame("train", 2000, 3, 0.1), *ev = make_frame("eval", 500, 4, 0.1);
	struct train_config c;
	config(&c, "cls", "x1,x2");
	c.epochs = 5;
	c.lr = 0.05;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, tr, ev, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.model->type, MODEL_LOGISTIC);
	ck_assert_int_eq(r.model->task, TASK_BINARY);
	ck_assert_str_eq(r.model->classes.str[1], "lo"); /* by bytes: hi, lo */
	ck_assert_double_gt(metric(&r, "auc"), 0.97);
	train_result_free(&r);
	train_config_free(&c);

	config(&c, "k", "x1,x2");
	c.epochs = 5;
	c.lr = 0.05;
	ck_assert_msg(train_model(&c, tr, ev, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(r.model->type, MODEL_SOFTMAX);
	ck_assert_int_eq(r.model->nout, 3);
	ck_assert_double_gt(metric(&r, "accuracy"), 0.9);
	train_result_free(&r);
	train_config_free(&c);

	/* --positive puts "hi" last */
	config(&c, "cls", "x1,x2");
	c.positive = strdup("hi");
	c.epochs = 1;
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), 0);
	ck_assert_str_eq(r.model->classes.str[1], "hi");
	train_result_free(&r);
	train_config_free(&c);
	frame_free(tr);
	frame_free(ev);
}
END_TEST

START_TEST(test_dnn_learns_nonlinear)
{
	/* y depends on cat (embedded) and non-linearly on x1 */
	struct frame *tr = make_frame("train", 3000, 5, 0.1), *ev = make_frame("eval", 500, 6, 0.1);
	for (size_t i = 0; i < 3000; i++)
		tr->cols[3].v.f64[i] = fabs(tr->cols[0].v.f64[i]) * 2 + (double)tr->cols[2].v.code[i];
	for (size_t i = 0; i < 500; i++)
		ev->cols[3].v.f64[i] = fabs(ev->cols[0].v.f64[i]) * 2 +
				       (double)(strcmp(ev->cols[2].dict->str[ev->cols[2].v.code[i]],
						       tr->cols[2].dict->str[0]) == 0 ? 0 :
						strcmp(ev->cols[2].dict->str[ev->cols[2].v.code[i]], tr->cols[2].dict->str[1]) == 0 ? 1 : 2);
	struct train_config c;
	config(&c, "y", "x1,cat");
	c.type_given = true;
	c.type = MODEL_DNN;
	c.nhidden = 2;
	c.hidden[0] = 16;
	c.hidden[1] = 8;
	c.epochs = 20;
	c.lr = 0.01;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, tr, ev, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	/* a linear model cannot fit |x1|: its rmse stays near 1.2 */
	ck_assert_double_lt(metric(&r, "rmse"), 0.3);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(tr);
	frame_free(ev);
}
END_TEST

static int keep_ckpt(void *ctx, const struct train_epoch *ep, const struct sbuf *ck,
		     struct pm_err *err)
{
	struct sbuf *keep = ctx;
	keep->len = 0;
	sbuf_add(keep, ck->s, ck->len);
	return 0;
}

static void check_resume(enum model_type type, double dropout)
{
	struct frame *tr = make_frame("train", 1500, 7, 0.3), *ev = make_frame("eval", 300, 8, 0.3);
	struct train_config c;
	config(&c, "cls", "x1,x2,cat");
	c.type_given = true;
	c.type = type;
	c.nhidden = type == MODEL_DNN || type == MODEL_WIDE_DEEP ? 2 : 0;
	c.hidden[0] = 8;
	c.hidden[1] = 4;
	c.dropout = dropout;
	c.epochs = 4;
	c.batch = 32;
	c.shuffle_buffer = 200;
	if (type == MODEL_WIDE_DEEP)
		c.crosses = strdup("cat*x1:16");
	struct pm_err err = {0};
	struct train_result full, part, resumed;
	ck_assert_msg(train_model(&c, tr, ev, NULL, 0, NULL, &full, &err) == 0, "%s", err.msg);

	struct sbuf ck = {0};
	struct train_hooks h = {.on_epoch = keep_ckpt, .ctx = &ck, .want_checkpoints = true,
				.crash_after = 2};
	ck_assert_int_eq(train_model(&c, tr, ev, NULL, 0, &h, &part, &err), -1);
	ck_assert_str_eq(err.msg, "simulated crash after epoch 2");
	h.crash_after = 0;
	ck_assert_msg(train_model(&c, tr, ev, ck.s, ck.len, &h, &resumed, &err) == 0, "%s", err.msg);
	ck_assert(resumed.resumed);
	ck_assert_int_eq(resumed.epochs_run, 4);
	ck_assert_int_eq(json_array_size(resumed.history), 4);
	ck_assert_uint_eq(resumed.model->nparams, full.model->nparams);
	ck_assert_int_eq(memcmp(resumed.model->params, full.model->params,
				full.model->nparams * sizeof(double)), 0);
	ck_assert_double_eq(metric(&resumed, "auc"), metric(&full, "auc"));
	sbuf_free(&ck);
	train_result_free(&full);
	train_result_free(&resumed);
	train_config_free(&c);
	frame_free(tr);
	frame_free(ev);
}

START_TEST(test_resume_logistic)
{
	check_resume(MODEL_LOGISTIC, 0);
}
END_TEST

START_TEST(test_resume_dnn_dropout)
{
	check_resume(MODEL_DNN, 0.2);
}
END_TEST

START_TEST(test_resume_wide_deep)
{
	check_resume(MODEL_WIDE_DEEP, 0);
}
END_TEST

START_TEST(test_seed_reproducible)
{
	struct frame *tr = make_frame("train", 800, 9, 0.3);
	struct train_config c;
	config(&c, "y", "x1,x2,cat");
	c.type_given = true;
	c.type = MODEL_DNN;
	c.nhidden = 1;
	c.hidden[0] = 8;
	c.dropout = 0.1;
	c.epochs = 2;
	c.seed = 123;
	struct train_result a, b, d;
	struct pm_err err = {0};
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &a, &err), 0);
	c.threads = 1; /* the thread count does not change the result */
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &b, &err), 0);
	ck_assert_int_eq(memcmp(a.model->params, b.model->params, a.model->nparams * sizeof(double)), 0);
	c.seed = 124;
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &d, &err), 0);
	ck_assert_int_ne(memcmp(a.model->params, d.model->params, a.model->nparams * sizeof(double)), 0);
	/* no eval data: metrics are on the training data */
	ck_assert_str_eq(json_string_value(json_object_get(a.metrics, "evaluated_on")), "train");
	train_result_free(&a);
	train_result_free(&b);
	train_result_free(&d);
	train_config_free(&c);
	frame_free(tr);
}
END_TEST

START_TEST(test_early_stopping)
{
	/* AUC on a small eval set stops improving after a few epochs */
	struct frame *tr = make_frame("train", 1000, 10, 0.1), *ev = make_frame("eval", 100, 11, 0.1);
	for (size_t i = 0; i < 100; i++) {
		const char *cl = ev->cols[0].v.f64[i] + ev->cols[1].v.f64[i] > 0 ? "hi" : "lo";
		ev->cols[4].v.code[i] = strdict_intern(ev->cols[4].dict, cl, 2);
	}
	struct train_config c;
	config(&c, "cls", "x1,x2");
	c.epochs = 20;
	c.patience = 2;
	c.lr = 0.1;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, tr, ev, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert(r.stopped_early);
	ck_assert_int_eq(r.epochs_run, r.best_epoch + 2);
	ck_assert_int_lt(r.epochs_run, 20);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(tr);
	frame_free(ev);
}
END_TEST

/* the defaults without --epochs: a linear fit plateaus within a few
 * epochs, the run stops `patience` epochs after its best one on the
 * held-out share of the training rows, and keeps that epoch's weights */
START_TEST(test_early_stopping_holdout)
{
	struct frame *tr = make_frame("train", 1000, 12, 1.0);
	struct train_config c;
	config(&c, "y", "x1,x2,cat");
	c.auto_epochs = true;
	c.epochs = TRAIN_MAX_EPOCHS;
	c.patience = TRAIN_PATIENCE;
	c.holdout = TRAIN_HOLDOUT;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(r.watched, "holdout");
	ck_assert_uint_eq(r.eval_rows, 100);
	ck_assert_uint_eq(r.train_rows, 900);
	ck_assert(r.stopped_early);
	ck_assert_str_eq(r.stopped_by, "patience");
	ck_assert_int_lt(r.epochs_run, TRAIN_MAX_EPOCHS);
	ck_assert_int_eq(r.epochs_run, r.best_epoch + TRAIN_PATIENCE);
	/* the best epoch has the lowest held-out loss of the run */
	double best = json_real_value(json_object_get(json_array_get(r.history, (size_t)r.best_epoch - 1), "eval_loss"));
	for (size_t e = 0; e < json_array_size(r.history); e++)
		ck_assert(json_real_value(json_object_get(json_array_get(r.history, e), "eval_loss")) >= best);
	/* the final metrics cover every training row, held out or not */
	ck_assert_int_eq((int)json_integer_value(json_object_get(r.metrics, "n")), 1000);
	/* a run of exactly best_epoch epochs on the same rows ends with the
	 * same weights: those of the best epoch were kept */
	struct train_config d;
	config(&d, "y", "x1,x2,cat");
	d.epochs = r.best_epoch;
	d.holdout = TRAIN_HOLDOUT;
	struct train_result q;
	ck_assert_msg(train_model(&d, tr, NULL, NULL, 0, NULL, &q, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(q.epochs_run, r.best_epoch);
	ck_assert_ptr_null(q.stopped_by);
	ck_assert_int_eq(memcmp(r.model->params, q.model->params, r.model->nparams * sizeof(double)), 0);
	train_result_free(&q);
	train_config_free(&d);
	train_result_free(&r);
	frame_free(tr);
	/* too few rows to hold out 10%: the training loss is watched */
	tr = make_frame("train", 150, 13, 1.0);
	ck_assert_msg(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(r.watched, "training");
	ck_assert_uint_eq(r.train_rows, 150);
	ck_assert_uint_eq(r.eval_rows, 0);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(tr);
}
END_TEST

START_TEST(test_errors)
{
	struct frame *tr = make_frame("train", 100, 12, 0.1);
	struct train_config c;
	struct train_result r;
	struct pm_err err = {0};

	config(&c, "nope", "x1");
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 'train' has no column 'nope' (the --label)");
	train_config_free(&c);

	config(&c, "y", "x1,y");
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "the label 'y' cannot also be a feature");
	train_config_free(&c);

	config(&c, "cls", "x1");
	c.type_given = true;
	c.type = MODEL_LINEAR;
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "label 'cls' is string; a linear model needs a numeric label (try --model logistic or softmax)");
	train_config_free(&c);

	config(&c, "k", "x1");
	c.type_given = true;
	c.type = MODEL_LOGISTIC;
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "label 'k' has 3 distinct values; a logistic model needs exactly two (try --model softmax)");
	train_config_free(&c);

	config(&c, "y", "x1");
	c.device = strdup("gpu");
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "GPU backend not built: configure with --enable-cuda");
	train_config_free(&c);

	/* NaN in an input stops the run and names row and feature */
	tr->cols[1].v.f64[6] = NAN;
	config(&c, "y", "x1,x2");
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 'train': row 7: feature 'x2': value is NaN");
	train_config_free(&c);
	tr->cols[1].v.f64[6] = 0;
	tr->cols[3].v.f64[9] = INFINITY;
	config(&c, "y", "x1,x2");
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_str_eq(err.msg, "dataset 'train' row 10: label 'y' is infinite");
	train_config_free(&c);
	tr->cols[3].v.f64[9] = 1;

	/* a learning rate far too high diverges, and the message says so */
	config(&c, "y", "x1,x2");
	c.opt = OPT_SGD;
	c.lr = 1e6;
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), -1);
	ck_assert_msg(strncmp(err.msg, "training diverged at epoch 1", 28) == 0, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "lower --lr (now 1e+06)") != NULL, "%s", err.msg);
	train_config_free(&c);
	frame_free(tr);
}
END_TEST

START_TEST(test_missing_labels_skipped)
{
	struct frame *tr = make_frame("train", 200, 13, 0.1);
	tr->cols[3].valid[0] = tr->cols[3].valid[5] = tr->cols[3].valid[7] = 0;
	struct train_config c;
	config(&c, "y", "x1,x2");
	c.epochs = 1;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &r, &err), 0);
	ck_assert_uint_eq(r.train_rows, 197);
	ck_assert_uint_eq(r.skipped_missing_label, 3);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(tr);
}
END_TEST

START_TEST(test_pipeline_shuffle)
{
	struct frame *f = make_frame("train", 103, 14, 0.1);
	const char *cols[] = {"x1"};
	struct ft_options o = {.columns = cols, .ncolumns = 1, .spec = "x1=raw"};
	struct transform *tf;
	struct pm_err err = {0};
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &tf, &err), 0);
	double *dense = malloc(103 * sizeof *dense), *y = malloc(103 * sizeof *y);
	for (size_t i = 0; i < 103; i++)
		dense[i] = y[i] = (double)i;
	struct pipe_source src = {.n = 103, .dense = dense, .cat = NULL, .y = y, .tf = tf};
	size_t buffers[] = {1, 10, 0};
	for (int bi = 0; bi < 3; bi++) {
		struct pipeline *p;
		ck_assert_int_eq(pipeline_start(&src, 10, buffers[bi], 77, &p, &err), 0);
		int seen[103] = {0};
		size_t total = 0, batches = 0, pos = 0;
		bool in_order = true;
		for (;;) {
			struct batch b;
			double w;
			ck_assert_int_eq(pipeline_next(p, &b, &w, &err), 0);
			if (b.n == 0)
				break;
			batches++;
			for (size_t i = 0; i < b.n; i++) {
				ck_assert_double_eq(b.dense[i], b.y[i]);
				seen[(size_t)b.y[i]]++;
				in_order &= (size_t)b.y[i] == pos++;
			}
			total += b.n;
		}
		pipeline_stop(p);
		ck_assert_uint_eq(total, 103);
		ck_assert_uint_eq(batches, 11);
		for (size_t i = 0; i < 103; i++)
			ck_assert_int_eq(seen[i], 1);
		/* a buffer of one row does not shuffle; a bigger one does */
		ck_assert(in_order == (buffers[bi] == 1));
	}
	free(dense);
	free(y);
	transform_free(tf);
	frame_free(f);
}
END_TEST

START_TEST(test_no_cache_same_result)
{
	struct frame *tr = make_frame("train", 600, 15, 0.2);
	struct train_config c;
	config(&c, "y", "x1,x2,cat");
	c.epochs = 2;
	struct train_result a, b;
	struct pm_err err = {0};
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &a, &err), 0);
	c.no_cache = true;
	ck_assert_int_eq(train_model(&c, tr, NULL, NULL, 0, NULL, &b, &err), 0);
	ck_assert_int_eq(memcmp(a.model->params, b.model->params, a.model->nparams * sizeof(double)), 0);
	train_result_free(&a);
	train_result_free(&b);
	train_config_free(&c);
	frame_free(tr);
}
END_TEST

START_TEST(test_config_json_roundtrip)
{
	struct train_config c, d;
	config(&c, "y", "x1,x2");
	c.type_given = true;
	c.type = MODEL_WIDE_DEEP;
	c.nhidden = 2;
	c.hidden[0] = 64;
	c.hidden[1] = 32;
	c.seed = 18446744073709551615ULL;
	c.crosses = strdup("a*b:100");
	c.wide_opt = OPT_ADAGRAD;
	c.auto_epochs = true;
	c.holdout = 0.25;
	json_t *j = train_config_to_json(&c);
	struct pm_err err = {0};
	ck_assert_int_eq(train_config_from_json(j, &d, &err), 0);
	ck_assert_uint_eq(d.seed, c.seed);
	ck_assert_int_eq(d.type, MODEL_WIDE_DEEP);
	ck_assert_int_eq(d.hidden[1], 32);
	ck_assert_str_eq(d.crosses, "a*b:100");
	ck_assert_int_eq(d.wide_opt, OPT_ADAGRAD);
	ck_assert(d.auto_epochs);
	ck_assert_double_eq(d.holdout, 0.25);
	ck_assert_uint_eq(d.nfeatures, 2);
	ck_assert_str_eq(d.features[1], "x2");
	json_decref(j);
	train_config_free(&c);
	train_config_free(&d);
}
END_TEST

START_TEST(test_lr_schedules)
{
	struct train_config c;
	train_config_init(&c);
	c.epochs = 11;
	ck_assert_double_eq(lr_at(&c, 0.1, 5), 0.1);
	c.schedule = LR_EXPONENTIAL;
	c.lr_decay = 0.5;
	ck_assert_double_eq_tol(lr_at(&c, 0.1, 2), 0.025, 1e-15);
	c.schedule = LR_STEP;
	c.lr_step = 5;
	ck_assert_double_eq_tol(lr_at(&c, 0.1, 4), 0.1, 1e-15);
	ck_assert_double_eq_tol(lr_at(&c, 0.1, 5), 0.05, 1e-15);
	c.schedule = LR_COSINE;
	ck_assert_double_eq_tol(lr_at(&c, 0.1, 0), 0.1, 1e-15);
	ck_assert_double_eq_tol(lr_at(&c, 0.1, 5), 0.1 * (0.01 + 0.99 * 0.5), 1e-15);
	ck_assert_double_eq_tol(lr_at(&c, 0.1, 10), 0.001, 1e-15);
}
END_TEST

/* One parameter in one block: optimizer steps by hand. */
static double opt_steps(enum opt_kind k, double w0, const double *g, int n, double lr)
{
	struct model m = {0};
	double w = w0;
	m.nparams = 1;
	m.params = &w;
	m.nblocks = 1;
	m.blocks[0] = (struct pblock){.name = "w", .off = 0, .len = 1, .l2 = true, .group = 0};
	struct optimizer o;
	optim_init(&o, &m, k, k, 0.9);
	double lrs[2] = {lr, lr};
	for (int i = 0; i < n; i++)
		optim_step(&o, &m, &w, &g[i], lrs);
	optim_free(&o);
	return w;
}

START_TEST(test_optimizer_steps)
{
	const double g[] = {2, 1};
	/* momentum 0.9: v = -0.2, w = 0.8; v = 0.9 * -0.2 - 0.1 = -0.28, w = 0.52 */
	ck_assert_double_eq_tol(opt_steps(OPT_SGD, 1, g, 1, 0.1), 0.8, 1e-15);
	ck_assert_double_eq_tol(opt_steps(OPT_SGD, 1, g, 2, 0.1), 0.52, 1e-15);
	/* Adam's first step moves by lr * g / |g| (bias-corrected): 1 - 0.1 */
	ck_assert_double_eq_tol(opt_steps(OPT_ADAM, 1, g, 1, 0.1), 0.9, 1e-8);
	/* second step: m = 0.9*0.2 + 0.1*1 = 0.28, v = 0.999*0.004 + 0.001 = 0.004996;
	 * mhat = 0.28/0.19, vhat = 0.004996/0.001999 */
	double w1 = 1 - 0.1 * 2 / (2 + 1e-8);
	double w2 = w1 - 0.1 * (0.28 / 0.19) / (sqrt(0.004996 / (1 - 0.999 * 0.999)) + 1e-8);
	ck_assert_double_eq_tol(opt_steps(OPT_ADAM, 1, g, 2, 0.1), w2, 1e-12);
	/* AdaGrad from an accumulator of 0.1: w = 1 - 0.1 * 2 / sqrt(4.1) */
	ck_assert_double_eq_tol(opt_steps(OPT_ADAGRAD, 1, g, 1, 0.1), 1 - 0.2 / (sqrt(4.1) + 1e-7), 1e-12);
	/* FTRL-Proximal from w = 0 (alpha 0.1, beta 1): n = 4, sigma = 20,
	 * z = 2, w = -z / ((1 + 2) / 0.1) = -1/15 */
	ck_assert_double_eq_tol(opt_steps(OPT_FTRL, 0, g, 1, 0.1), -1.0 / 15, 1e-15);
	/* second: n = 5, sigma = (sqrt 5 - 2)/0.1, z = 2 + 1 + sigma/15 */
	double sig = (sqrt(5.0) - 2) / 0.1, z = 3 + sig / 15;
	ck_assert_double_eq_tol(opt_steps(OPT_FTRL, 0, g, 2, 0.1), -z / ((1 + sqrt(5.0)) / 0.1), 1e-15);
	/* FTRL starting from a non-zero weight keeps it until a gradient moves it */
	const double g0[] = {0};
	ck_assert_double_eq_tol(opt_steps(OPT_FTRL, 0.75, g0, 1, 0.1), 0.75, 1e-15);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("train");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_linear_learns);
	tcase_add_test(tc, test_logistic_and_softmax_chosen);
	tcase_add_test(tc, test_dnn_learns_nonlinear);
	tcase_add_test(tc, test_resume_logistic);
	tcase_add_test(tc, test_resume_dnn_dropout);
	tcase_add_test(tc, test_resume_wide_deep);
	tcase_add_test(tc, test_seed_reproducible);
	tcase_add_test(tc, test_early_stopping);
	tcase_add_test(tc, test_early_stopping_holdout);
	tcase_add_test(tc, test_errors);
	tcase_add_test(tc, test_missing_labels_skipped);
	tcase_add_test(tc, test_pipeline_shuffle);
	tcase_add_test(tc, test_no_cache_same_result);
	tcase_add_test(tc, test_config_json_roundtrip);
	tcase_add_test(tc, test_lr_schedules);
	tcase_add_test(tc, test_optimizer_steps);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
