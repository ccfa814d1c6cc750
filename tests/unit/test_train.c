/* Unit tests of src/train (in memory, no workspace): models learn known
 * functions, --seed reproduces a run bit for bit, a run resumed from a
 * checkpoint ends with the same weights as an uninterrupted one, early
 * stopping, the shuffle buffer, and the errors for bad input. */
#include "train/train.h"
#include "train/internal.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* these tests are of training by epochs; the solver's are below */
	c->opt = OPT_ADAM;
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
	{
		/* the probe's reason; with a GPU, the solver's */
		struct gpu_info gi;
		struct pm_err perr = {0};
		char want[1100];
		if (gpu_probe(&gi, &perr) < 0)
			snprintf(want, sizeof want, "--device cuda: %s", perr.msg);
		else
			snprintf(want, sizeof want, "--device cuda: the lbfgs solver runs on the CPU; --optimizer adam or sgd trains on the GPU");
		ck_assert_str_eq(err.msg, want);
	}
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

/* Two workers' pipelines with complementary shards hand out, batch for
 * batch, the rows of the one-worker pipeline of the same seed: the global
 * batches are the same, each split between the workers by its shard. */
START_TEST(test_pipeline_shards)
{
	struct frame *f = make_frame("train", 103, 14, 0.1);
	const char *cols[] = {"x1"};
	struct ft_options o = {.columns = cols, .ncolumns = 1, .spec = "x1=raw"};
	struct transform *tf;
	struct pm_err err = {0};
	ck_assert_int_eq(transform_fit(f, NULL, 0, &o, &tf, &err), 0);
	double dense[103], y[103];
	unsigned char mine[2][103];
	for (size_t i = 0; i < 103; i++) {
		dense[i] = y[i] = (double)i;
		mine[0][i] = dist_shard_of(i, 2) == 0;
		mine[1][i] = !mine[0][i];
	}
	struct pipe_source one = {.n = 103, .dense = dense, .y = y, .tf = tf};
	struct pipe_source part[2] = {one, one};
	part[0].mine = mine[0];
	part[1].mine = mine[1];
	struct pipeline *p1, *p[2];
	ck_assert_int_eq(pipeline_start(&one, 10, 0, 77, &p1, &err), 0);
	for (int r = 0; r < 2; r++)
		ck_assert_int_eq(pipeline_start(&part[r], 10, 0, 77, &p[r], &err), 0);
	size_t batches = 0, got[2] = {0, 0};
	for (;;) {
		struct batch b1, b[2];
		double w;
		ck_assert_int_eq(pipeline_next(p1, &b1, &w, &err), 0);
		for (int r = 0; r < 2; r++) {
			ck_assert_int_eq(pipeline_next(p[r], &b[r], &w, &err), 0);
			ck_assert_uint_eq(pipeline_drawn(p[r]), b1.n);
		}
		if (b1.n == 0)
			break;
		batches++;
		ck_assert_uint_eq(b[0].n + b[1].n, b1.n);
		/* in the batch's order, each row to its shard */
		size_t k[2] = {0, 0};
		for (size_t i = 0; i < b1.n; i++) {
			int r = mine[0][(size_t)b1.y[i]] ? 0 : 1;
			ck_assert_double_eq(b[r].y[k[r]++], b1.y[i]);
		}
		got[0] += b[0].n;
		got[1] += b[1].n;
	}
	ck_assert_uint_eq(batches, 11);
	ck_assert_uint_eq(got[0] + got[1], 103);
	pipeline_stop(p1);
	pipeline_stop(p[0]);
	pipeline_stop(p[1]);
	transform_free(tf);
	frame_free(f);
}
END_TEST

/* The shard of a row: splitmix64's finalizer of its number (values from an
 * independent Python computation), about even, and all rows to rank 0 of 1. */
START_TEST(test_dist_shards_and_hostfile)
{
	int two[10] = {1, 1, 0, 1, 0, 0, 0, 1, 0, 0}, three[10] = {1, 2, 1, 0, 1, 2, 2, 0, 1, 1};
	for (size_t r = 0; r < 10; r++) {
		ck_assert_int_eq(dist_shard_of(r, 2), two[r]);
		ck_assert_int_eq(dist_shard_of(r, 3), three[r]);
		ck_assert_int_eq(dist_shard_of(r, 1), 0);
	}
	size_t zero = 0;
	for (size_t r = 0; r < 100000; r++)
		zero += dist_shard_of(r, 2) == 0;
	ck_assert_uint_eq(zero, 50101);

	char path[] = "/tmp/prodml-hostsXXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	struct pm_err err = {0};
	const char *good = "# the cluster\nnode1 slots=4\n\nnode2.example.org slots=2 max_slots=8\n";
	ck_assert_int_eq(write(fd, good, strlen(good)), (int)strlen(good));
	close(fd);
	ck_assert_msg(dist_check_hostfile(path, &err) == 0, "%s", err.msg);
	FILE *fp = fopen(path, "w");
	fputs("node1 slots=4\nnode2 slots=0\n", fp);
	fclose(fp);
	ck_assert_int_eq(dist_check_hostfile(path, &err), -1);
	char want[256];
	snprintf(want, sizeof want, "%s:2: 'slots=0': expected slots=N (N >= 1)", path);
	ck_assert_str_eq(err.msg, want);
	fp = fopen(path, "w");
	fputs("no/de slots=1\n", fp);
	fclose(fp);
	ck_assert_int_eq(dist_check_hostfile(path, &err), -1);
	snprintf(want, sizeof want, "%s:1: 'no/de' is not a host name", path);
	ck_assert_str_eq(err.msg, want);
	unlink(path);
	ck_assert_int_eq(dist_check_hostfile(path, &err), -1);
	snprintf(want, sizeof want, "--hosts %s: No such file or directory", path);
	ck_assert_str_eq(err.msg, want);

	/* the launch is read from mpirun's environment */
	int rank = -1, size = -1;
	setenv("OMPI_COMM_WORLD_RANK", "3", 1);
	setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
	ck_assert(dist_launched(&rank, &size));
	ck_assert_int_eq(rank, 3);
	ck_assert_int_eq(size, 4);
	unsetenv("OMPI_COMM_WORLD_RANK");
	unsetenv("OMPI_COMM_WORLD_SIZE");
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


/* ---- the lbfgs solver --------------------------------------------------------------- */

/* Solves A x = b (n x n, row-major, both overwritten) by Gaussian
 * elimination with partial pivoting: the independent computation the
 * solver's optima are checked against. */
static void solve_dense(size_t n, long double *A, long double *b, double *x)
{
	for (size_t c = 0; c < n; c++) {
		size_t p = c;
		for (size_t r = c + 1; r < n; r++)
			if (fabsl(A[r * n + c]) > fabsl(A[p * n + c]))
				p = r;
		for (size_t k = 0; k < n; k++) {
			long double t = A[c * n + k];
			A[c * n + k] = A[p * n + k];
			A[p * n + k] = t;
		}
		long double t = b[c];
		b[c] = b[p];
		b[p] = t;
		ck_assert(fabsl(A[c * n + c]) > 1e-12);
		for (size_t r = c + 1; r < n; r++) {
			long double f = A[r * n + c] / A[c * n + c];
			for (size_t k = c; k < n; k++)
				A[r * n + k] -= f * A[c * n + k];
			b[r] -= f * b[c];
		}
	}
	for (size_t c = n; c-- > 0;) {
		long double s = b[c];
		for (size_t k = c + 1; k < n; k++)
			s -= A[c * n + k] * x[k];
		x[c] = (double)(s / A[c * n + c]);
	}
}

/* Least squares by the normal equations over design rows x (n x d). */
static void least_squares(const double *x, const double *y, size_t n, size_t d, double *w)
{
	long double *A = calloc(d * d, sizeof *A), *b = calloc(d, sizeof *b);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++) {
			b[j] += x[i * d + j] * y[i];
			for (size_t k = 0; k < d; k++)
				A[j * d + k] += x[i * d + j] * x[i * d + k];
		}
	solve_dense(d, A, b, w);
	free(A);
	free(b);
}

static void check_solved(const struct train_result *r, double tol)
{
	ck_assert_str_eq(r->solver, "lbfgs");
	ck_assert(r->converged);
	ck_assert_str_eq(r->stopped_by, "gradient");
	ck_assert_int_gt(r->iterations, 0);
	ck_assert_int_lt(r->iterations, TRAIN_MAX_ITER);
	ck_assert(r->grad_norm <= tol * (r->grad_norm0 > 1 ? r->grad_norm0 : 1));
}

/* Linear regression by default is the least-squares fit: the same
 * predictions as the normal equations over [1, x1, x2, one-hot cat less
 * one level] (the one-hot's extra level and the standardization do not
 * change the fitted values). */
START_TEST(test_solver_linear_is_least_squares)
{
	struct frame *f = make_frame("train", 400, 7, 0.7);
	struct train_config c;
	config(&c, "y", "x1,x2,cat");
	c.opt = OPT_AUTO;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, f, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	check_solved(&r, TRAIN_TOL);
	ck_assert_int_eq(r.epochs_run, 1);
	ck_assert_int_eq(r.train_rows, 400);   /* no rows held out */
	size_t n = f->nrows, d = 5;
	double *x = calloc(n * d, sizeof *x), *y = calloc(n, sizeof *y), w[5];
	for (size_t i = 0; i < n; i++) {
		uint32_t code = f->cols[2].v.code[i];
		x[i * d] = 1;
		x[i * d + 1] = f->cols[0].v.f64[i];
		x[i * d + 2] = f->cols[1].v.f64[i];
		x[i * d + 3] = code == 1;
		x[i * d + 4] = code == 2;
		y[i] = f->cols[3].v.f64[i];
	}
	least_squares(x, y, n, d, w);
	double *pred = calloc(n, sizeof *pred), worst = 0;
	ck_assert(model_predict_frame(r.model, f, NULL, n, 1, pred, &err) == 0);
	for (size_t i = 0; i < n; i++) {
		double ls = 0;
		for (size_t j = 0; j < d; j++)
			ls += w[j] * x[i * d + j];
		if (fabs(pred[i] - ls) > worst)
			worst = fabs(pred[i] - ls);
	}
	ck_assert_msg(worst < 1e-6, "largest difference from least squares %g", worst);
	free(x);
	free(y);
	free(pred);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(f);
}
END_TEST

/* Logistic regression is the maximum of the likelihood with the penalty
 * l2/2 |w|^2 on the weights of the standardized features: the same
 * probabilities as Newton's method run here on those features. */
START_TEST(test_solver_logistic_is_newton_optimum)
{
	struct frame *f = make_frame("train", 300, 11, 0);
	for (int with_l2 = 0; with_l2 < 2; with_l2++) {
		struct train_config c;
		config(&c, "cls", "x1,x2");
		c.opt = OPT_LBFGS;
		c.l2 = with_l2 ? 0.05 : 0;
		/* the default --tol leaves about 1e-5 in the probabilities of this
		 * unpenalized fit; closer to the optimum, they agree to 1e-6 */
		c.tol = 1e-9;
		struct train_result r;
		struct pm_err err = {0};
		ck_assert_msg(train_model(&c, f, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
		check_solved(&r, c.tol);
		/* the positive class: "lo" sorts after "hi" */
		size_t n = f->nrows;
		double mean[2] = {0, 0}, sd[2] = {0, 0}, *x = calloc(n * 3, sizeof *x),
		       *y = calloc(n, sizeof *y);
		for (int j = 0; j < 2; j++) {
			for (size_t i = 0; i < n; i++)
				mean[j] += f->cols[j].v.f64[i] / (double)n;
			for (size_t i = 0; i < n; i++)
				sd[j] += (f->cols[j].v.f64[i] - mean[j]) * (f->cols[j].v.f64[i] - mean[j]) / (double)n;
			sd[j] = sqrt(sd[j]);
		}
		for (size_t i = 0; i < n; i++) {
			x[i * 3] = 1;
			x[i * 3 + 1] = (f->cols[0].v.f64[i] - mean[0]) / sd[0];
			x[i * 3 + 2] = (f->cols[1].v.f64[i] - mean[1]) / sd[1];
			const char *k = f->cols[4].dict->str[f->cols[4].v.code[i]];
			y[i] = strcmp(k, r.model->classes.str[1]) == 0;
		}
		double w[3] = {0, 0, 0};
		for (int it = 0; it < 50; it++) {
			/* gradient and Hessian of the mean log loss + l2/2 (w1^2 + w2^2) */
			long double H[9] = {0}, g[3] = {0};
			for (size_t i = 0; i < n; i++) {
				double z = w[0] * x[i * 3] + w[1] * x[i * 3 + 1] + w[2] * x[i * 3 + 2];
				double p = 1 / (1 + exp(-z));
				for (int a = 0; a < 3; a++) {
					g[a] += (p - y[i]) * x[i * 3 + a] / n;
					for (int b = 0; b < 3; b++)
						H[a * 3 + b] += p * (1 - p) * x[i * 3 + a] * x[i * 3 + b] / n;
				}
			}
			for (int a = 1; a < 3; a++) {
				g[a] += c.l2 * w[a];
				H[a * 3 + a] += c.l2;
			}
			double step[3];
			solve_dense(3, H, g, step);
			for (int a = 0; a < 3; a++)
				w[a] -= step[a];
		}
		double *pred = calloc(n, sizeof *pred), worst = 0;
		ck_assert(model_predict_frame(r.model, f, NULL, n, 1, pred, &err) == 0);
		for (size_t i = 0; i < n; i++) {
			double z = w[0] + w[1] * x[i * 3 + 1] + w[2] * x[i * 3 + 2];
			double p = 1 / (1 + exp(-z));
			if (fabs(pred[i] - p) > worst)
				worst = fabs(pred[i] - p);
		}
		ck_assert_msg(worst < 1e-6, "l2 %g: largest difference from Newton's optimum %g", c.l2, worst);
		free(x);
		free(y);
		free(pred);
		train_result_free(&r);
		train_config_free(&c);
	}
	frame_free(f);
}
END_TEST

/* Softmax with the default penalty (scikit-learn's C=1: l2 = 1/rows, here
 * needed, as the classes of k are separable by x1): the gradient of the
 * objective, computed here from the predictions, is zero at the result. */
START_TEST(test_solver_softmax_gradient_zero)
{
	struct frame *f = make_frame("train", 300, 5, 0);
	struct train_config c;
	config(&c, "k", "x1,x2");
	c.opt = OPT_AUTO;
	c.l2_auto = true;
	struct train_result r;
	struct pm_err err = {0};
	ck_assert_msg(train_model(&c, f, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	check_solved(&r, TRAIN_TOL);
	const struct model *m = r.model;
	ck_assert_int_eq(m->nout, 3);
	json_t *l2 = json_object_get(m->hyper, "l2");
	ck_assert_double_eq_tol(json_number_value(l2), 1.0 / 300, 1e-15);
	size_t n = f->nrows;
	double *pred = calloc(n * 3, sizeof *pred);
	ck_assert(model_predict_frame(m, f, NULL, n, 1, pred, &err) == 0);
	double mean[2] = {0, 0}, sd[2] = {0, 0};
	for (int j = 0; j < 2; j++) {
		for (size_t i = 0; i < n; i++)
			mean[j] += f->cols[j].v.f64[i] / (double)n;
		for (size_t i = 0; i < n; i++)
			sd[j] += (f->cols[j].v.f64[i] - mean[j]) * (f->cols[j].v.f64[i] - mean[j]) / (double)n;
		sd[j] = sqrt(sd[j]);
	}
	/* d/dW[k][j] = mean (p_k - [y = k]) x_j + l2 W[k][j]; d/db[k] without l2 */
	double gw[3][2] = {{0}}, gb[3] = {0};
	for (size_t i = 0; i < n; i++) {
		const char *k = f->cols[5].dict->str[f->cols[5].v.code[i]];
		for (size_t cl = 0; cl < 3; cl++) {
			double e = pred[i * 3 + cl] - (strcmp(k, m->classes.str[cl]) == 0);
			gb[cl] += e / (double)n;
			for (int j = 0; j < 2; j++)
				gw[cl][j] += e * (f->cols[j].v.f64[i] - mean[j]) / sd[j] / (double)n;
		}
	}
	double norm = 0;
	for (size_t cl = 0; cl < 3; cl++) {
		norm += gb[cl] * gb[cl];
		for (int j = 0; j < 2; j++) {
			double g = gw[cl][j] + m->params[m->off_wd + cl * 2 + j] / 300.0;
			norm += g * g;
		}
	}
	ck_assert_msg(sqrt(norm) < 1e-6, "gradient norm at the result %g", sqrt(norm));
	free(pred);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(f);
}
END_TEST

/* The course's babyweight data (datasets/course): linear regression at the
 * defaults gives the least-squares fit over [1, mother_age,
 * gestation_weeks, one-hot is_male and plurality less one level each],
 * solved here. */
START_TEST(test_solver_babyweight_least_squares)
{
	const char *src = getenv("srcdir");
	char *path = xasprintf("%s/datasets/course/babyweight/train.csv", src ? src : ".");
	char *cols[] = {"weight_pounds", "is_male", "mother_age", "plurality", "gestation_weeks",
			"hashmonth", NULL};
	struct csv_options o = {.no_header = true, .columns = cols};
	struct frame *f = NULL;
	struct pm_err err = {0};
	ck_assert_msg(frame_read_csv(path, "train", &o, &f, NULL, &err) == 0, "%s", err.msg);
	free(path);
	struct train_config c;
	config(&c, "weight_pounds", "is_male,mother_age,plurality,gestation_weeks");
	c.opt = OPT_AUTO;
	c.l2_auto = true;
	struct train_result r;
	ck_assert_msg(train_model(&c, f, NULL, NULL, 0, NULL, &r, &err) == 0, "%s", err.msg);
	check_solved(&r, TRAIN_TOL);
	size_t n = f->nrows;
	ck_assert_int_eq(n, 26518);
	/* is_male is a string column (True, False, Unknown), plurality too */
	const struct column *sex = &f->cols[1], *pl = &f->cols[3];
	ck_assert_int_eq(sex->type, PM_STRING);
	size_t ns = sex->dict->n, np = pl->dict->n, d = 3 + ns - 1 + np - 1;
	double *x = calloc(n * d, sizeof *x), *y = calloc(n, sizeof *y), *w = calloc(d, sizeof *w);
	for (size_t i = 0; i < n; i++) {
		double *xi = x + i * d;
		ck_assert(column_present(&f->cols[0], i) && column_present(&f->cols[2], i) &&
			  column_present(&f->cols[4], i));
		xi[0] = 1;
		xi[1] = column_num(&f->cols[2], i);
		xi[2] = column_num(&f->cols[4], i);
		if (sex->v.code[i] > 0)
			xi[2 + sex->v.code[i]] = 1;
		if (pl->v.code[i] > 0)
			xi[2 + ns - 1 + pl->v.code[i]] = 1;
		y[i] = column_num(&f->cols[0], i);
	}
	least_squares(x, y, n, d, w);
	double *pred = calloc(n, sizeof *pred), worst = 0;
	ck_assert(model_predict_frame(r.model, f, NULL, n, 1, pred, &err) == 0);
	for (size_t i = 0; i < n; i++) {
		double ls = 0;
		for (size_t j = 0; j < d; j++)
			ls += w[j] * x[i * d + j];
		if (fabs(pred[i] - ls) > worst)
			worst = fabs(pred[i] - ls);
	}
	ck_assert_msg(worst < 1e-5, "largest difference from least squares %g lb", worst);
	free(x);
	free(y);
	free(w);
	free(pred);
	train_result_free(&r);
	train_config_free(&c);
	frame_free(f);
}
END_TEST

static int rosenbrock(void *ctx, const double *x, double *g, double *f, struct pm_err *err)
{
	(void)ctx;
	(void)err;
	double a = 1 - x[0], b = x[1] - x[0] * x[0];
	*f = a * a + 100 * b * b;
	g[0] = -2 * a - 400 * x[0] * b;
	g[1] = 200 * b;
	return 0;
}

/* The minimizer alone: Rosenbrock's valley, minimum 0 at (1, 1); and the
 * iteration cap. */
START_TEST(test_lbfgs_rosenbrock)
{
	double x[2] = {-1.2, 1};
	struct lbfgs_opts o = {.max_iter = 500, .tol = 1e-10};
	struct lbfgs_result r;
	struct pm_err err = {0};
	ck_assert(lbfgs_minimize(2, x, rosenbrock, NULL, &o, &r, &err) == 0);
	ck_assert(r.converged);
	ck_assert_double_eq_tol(x[0], 1, 1e-8);
	ck_assert_double_eq_tol(x[1], 1, 1e-8);
	ck_assert(r.f < 1e-16);
	double y[2] = {-1.2, 1};
	o.max_iter = 3;
	ck_assert(lbfgs_minimize(2, y, rosenbrock, NULL, &o, &r, &err) == 0);
	ck_assert(!r.converged);
	ck_assert_int_eq(r.iterations, 3);
	ck_assert_str_eq(r.stopped_by, "max_iter");
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
	tcase_add_test(tc, test_pipeline_shards);
	tcase_add_test(tc, test_dist_shards_and_hostfile);
	tcase_add_test(tc, test_config_json_roundtrip);
	tcase_add_test(tc, test_lr_schedules);
	tcase_add_test(tc, test_optimizer_steps);
	tcase_add_test(tc, test_solver_linear_is_least_squares);
	tcase_add_test(tc, test_solver_logistic_is_newton_optimum);
	tcase_add_test(tc, test_solver_softmax_gradient_zero);
	tcase_add_test(tc, test_solver_babyweight_least_squares);
	tcase_add_test(tc, test_lbfgs_rosenbrock);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
