/* Training configuration: defaults and the JSON a run keeps of it. */
#include "train.h"

#include <stdlib.h>
#include <string.h>

static const char *const opt_names[] = {"sgd", "adam", "adagrad", "ftrl", "lbfgs", "auto"};
static const char *const sched_names[] = {"constant", "exponential", "step", "cosine"};

const char *opt_kind_name(enum opt_kind k)
{
	return (unsigned)k < PM_ARRAY_LEN(opt_names) ? opt_names[k] : "?";
}

bool opt_kind_parse(const char *s, enum opt_kind *k)
{
	for (size_t i = 0; i < PM_ARRAY_LEN(opt_names); i++)
		if (strcmp(s, opt_names[i]) == 0) {
			*k = (enum opt_kind)i;
			return true;
		}
	return false;
}

const char *lr_schedule_name(enum lr_schedule s)
{
	return (unsigned)s < PM_ARRAY_LEN(sched_names) ? sched_names[s] : "?";
}

bool lr_schedule_parse(const char *s, enum lr_schedule *out)
{
	for (size_t i = 0; i < PM_ARRAY_LEN(sched_names); i++)
		if (strcmp(s, sched_names[i]) == 0) {
			*out = (enum lr_schedule)i;
			return true;
		}
	return false;
}

enum opt_kind train_optimizer(const struct train_config *c, enum model_type type)
{
	if (c->opt != OPT_AUTO)
		return c->opt;
	/* parameter servers apply mini-batch gradients as they come */
	if (c->ps > 0)
		return OPT_ADAM;
	/* a model without hidden layers has a convex objective: solve it */
	return model_type_has(type, MT_DEEP) ? OPT_ADAM : OPT_LBFGS;
}

void train_config_init(struct train_config *c)
{
	memset(c, 0, sizeof *c);
	c->epochs = 10;
	c->batch = 64;
	c->lr = 0;
	c->opt = OPT_AUTO;
	c->max_iter = TRAIN_MAX_ITER;
	c->tol = TRAIN_TOL;
	c->wide_opt = OPT_FTRL;
	c->momentum = 0.9;
	c->schedule = LR_CONSTANT;
	c->lr_decay = 0.5;
	c->lr_step = 5;
	c->seed = 42;
	c->workers = 1;
	c->max_staleness = TRAIN_MAX_STALENESS;
	c->bucket_kb = TRAIN_BUCKET_KB;
}

int train_config_procs(const struct train_config *c)
{
	return c->workers + c->ps;
}

void train_config_free(struct train_config *c)
{
	free(c->model_name);
	free(c->data);
	free(c->eval);
	free(c->label);
	for (size_t i = 0; i < c->nfeatures; i++)
		free(c->features[i]);
	free(c->features);
	free(c->device);
	free(c->hosts);
	free(c->transform);
	free(c->crosses);
	free(c->positive);
	free(c->slice);
	free(c->description);
	free(c->target_metric);
	memset(c, 0, sizeof *c);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *train_config_to_json(const struct train_config *c)
{
	json_t *feats = json_null();
	if (c->features) {
		feats = json_array();
		for (size_t i = 0; i < c->nfeatures; i++)
			json_array_append_new(feats, json_string(c->features[i]));
	}
	json_t *hidden = json_array();
	for (int l = 0; l < c->nhidden; l++)
		json_array_append_new(hidden, json_integer(c->hidden[l]));
	json_t *j = json_object();
	json_object_set_new(j, "model_name", str_or_null(c->model_name));
	json_object_set_new(j, "data", str_or_null(c->data));
	json_object_set_new(j, "eval", str_or_null(c->eval));
	json_object_set_new(j, "label", str_or_null(c->label));
	json_object_set_new(j, "features", feats);
	json_object_set_new(j, "model", c->type_given ? json_string(model_type_name(c->type)) : json_null());
	json_object_set_new(j, "hidden", hidden);
	json_object_set_new(j, "dropout", json_real(c->dropout));
	json_object_set_new(j, "epochs", json_integer(c->epochs));
	/* only when set, so that runs with --epochs keep their bytes */
	if (c->auto_epochs)
		json_object_set_new(j, "auto_epochs", json_true());
	if (c->holdout > 0)
		json_object_set_new(j, "holdout", json_real(c->holdout));
	json_object_set_new(j, "batch", json_integer((json_int_t)c->batch));
	json_object_set_new(j, "lr", json_real(c->lr));
	json_object_set_new(j, "optimizer", json_string(opt_kind_name(c->opt)));
	/* only when they apply, so that runs by epochs keep their bytes */
	if (c->opt == OPT_LBFGS || c->opt == OPT_AUTO) {
		json_object_set_new(j, "max_iter", json_integer(c->max_iter));
		json_object_set_new(j, "tol", json_real(c->tol));
	}
	json_object_set_new(j, "wide_optimizer", json_string(opt_kind_name(c->wide_opt)));
	json_object_set_new(j, "wide_lr", json_real(c->wide_lr));
	json_object_set_new(j, "momentum", json_real(c->momentum));
	json_object_set_new(j, "l2", json_real(c->l2));
	if (c->l2_auto)
		json_object_set_new(j, "l2_auto", json_true());
	json_object_set_new(j, "schedule", json_string(lr_schedule_name(c->schedule)));
	json_object_set_new(j, "lr_decay", json_real(c->lr_decay));
	json_object_set_new(j, "lr_step", json_integer(c->lr_step));
	/* a string: seeds use all 64 bits, JSON integers are signed */
	char seed[24];
	snprintf(seed, sizeof seed, "%llu", (unsigned long long)c->seed);
	json_object_set_new(j, "seed", json_string(seed));
	json_object_set_new(j, "device", str_or_null(c->device));
	if (c->gpus > 0)
		json_object_set_new(j, "gpus", json_integer(c->gpus));
	json_object_set_new(j, "workers", json_integer(c->workers));
	if (c->hosts)
		json_object_set_new(j, "hosts", json_string(c->hosts));
	if (c->workers > 1 && c->ps == 0)
		json_object_set_new(j, "bucket_kb", json_integer(c->bucket_kb));
	/* only with parameter servers, so that other runs keep their bytes */
	if (c->ps > 0) {
		json_object_set_new(j, "strategy", json_string("ps"));
		json_object_set_new(j, "ps", json_integer(c->ps));
		json_object_set_new(j, "max_staleness", json_integer(c->max_staleness));
	}
	json_object_set_new(j, "patience", json_integer(c->patience));
	json_object_set_new(j, "shuffle_buffer", json_integer((json_int_t)c->shuffle_buffer));
	json_object_set_new(j, "no_cache", json_boolean(c->no_cache));
	json_object_set_new(j, "transform", str_or_null(c->transform));
	json_object_set_new(j, "cross", str_or_null(c->crosses));
	json_object_set_new(j, "topk", json_integer(c->topk));
	json_object_set_new(j, "hash_buckets", json_integer(c->hash_buckets));
	json_object_set_new(j, "embed", json_integer(c->embed_dim));
	json_object_set_new(j, "positive", str_or_null(c->positive));
	/* only when given, so that models trained without them keep their bytes */
	if (c->slice)
		json_object_set_new(j, "slice", json_string(c->slice));
	if (c->description)
		json_object_set_new(j, "description", json_string(c->description));
	json_object_set_new(j, "threads", json_integer(c->threads));
	json_object_set_new(j, "max_seconds", json_real(c->max_seconds));
	json_object_set_new(j, "target_metric", str_or_null(c->target_metric));
	json_object_set_new(j, "target", json_real(c->target));
	return j;
}

static char *get_str(json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));
	return s ? xstrdup(s) : NULL;
}

static double get_num(json_t *j, const char *k, double dflt)
{
	json_t *v = json_object_get(j, k);
	return json_is_number(v) ? json_number_value(v) : dflt;
}

int train_config_from_json(json_t *j, struct train_config *c, struct pm_err *err)
{
	train_config_init(c);
	if (!json_is_object(j))
		return pm_errf(err, "run configuration is not an object");
	c->model_name = get_str(j, "model_name");
	c->data = get_str(j, "data");
	c->eval = get_str(j, "eval");
	c->label = get_str(j, "label");
	json_t *f = json_object_get(j, "features");
	if (json_is_array(f)) {
		c->nfeatures = json_array_size(f);
		c->features = xcalloc(c->nfeatures + 1, sizeof *c->features);
		for (size_t i = 0; i < c->nfeatures; i++)
			c->features[i] = xstrdup(json_string_value(json_array_get(f, i)) ?: "");
	}
	const char *t = json_string_value(json_object_get(j, "model"));
	if (t) {
		if (!model_type_parse(t, &c->type))
			return pm_errf(err, "run configuration: unknown model '%s'", t);
		c->type_given = true;
	}
	json_t *h = json_object_get(j, "hidden");
	c->nhidden = (int)json_array_size(h);
	if (c->nhidden > MODEL_MAX_LAYERS)
		return pm_errf(err, "run configuration: too many hidden layers");
	for (int l = 0; l < c->nhidden; l++)
		c->hidden[l] = (int)json_integer_value(json_array_get(h, (size_t)l));
	c->dropout = get_num(j, "dropout", 0);
	c->epochs = (int)get_num(j, "epochs", 10);
	c->auto_epochs = json_is_true(json_object_get(j, "auto_epochs"));
	c->holdout = get_num(j, "holdout", 0);
	c->batch = (size_t)get_num(j, "batch", 64);
	c->lr = get_num(j, "lr", 0);
	const char *o = json_string_value(json_object_get(j, "optimizer"));
	if (o && !opt_kind_parse(o, &c->opt))
		return pm_errf(err, "run configuration: unknown optimizer '%s'", o);
	c->max_iter = (int)get_num(j, "max_iter", TRAIN_MAX_ITER);
	c->tol = get_num(j, "tol", TRAIN_TOL);
	o = json_string_value(json_object_get(j, "wide_optimizer"));
	if (o && !opt_kind_parse(o, &c->wide_opt))
		return pm_errf(err, "run configuration: unknown optimizer '%s'", o);
	c->wide_lr = get_num(j, "wide_lr", 0);
	c->momentum = get_num(j, "momentum", 0.9);
	c->l2 = get_num(j, "l2", 0);
	c->l2_auto = json_is_true(json_object_get(j, "l2_auto"));
	o = json_string_value(json_object_get(j, "schedule"));
	if (o && !lr_schedule_parse(o, &c->schedule))
		return pm_errf(err, "run configuration: unknown schedule '%s'", o);
	c->lr_decay = get_num(j, "lr_decay", 0.5);
	c->lr_step = (int)get_num(j, "lr_step", 5);
	const char *seed = json_string_value(json_object_get(j, "seed"));
	if (seed)
		c->seed = strtoull(seed, NULL, 10);
	c->device = get_str(j, "device");
	c->gpus = (int)json_integer_value(json_object_get(j, "gpus"));
	c->workers = (int)get_num(j, "workers", 1);
	c->hosts = get_str(j, "hosts");
	c->ps = (int)get_num(j, "ps", 0);
	c->max_staleness = (int)get_num(j, "max_staleness", TRAIN_MAX_STALENESS);
	c->bucket_kb = (int)get_num(j, "bucket_kb", TRAIN_BUCKET_KB);
	c->patience = (int)get_num(j, "patience", 0);
	c->shuffle_buffer = (size_t)get_num(j, "shuffle_buffer", 0);
	c->no_cache = json_is_true(json_object_get(j, "no_cache"));
	c->transform = get_str(j, "transform");
	c->crosses = get_str(j, "cross");
	c->topk = (uint32_t)get_num(j, "topk", 0);
	c->hash_buckets = (uint32_t)get_num(j, "hash_buckets", 0);
	c->embed_dim = (int)get_num(j, "embed", 0);
	c->positive = get_str(j, "positive");
	c->slice = get_str(j, "slice");
	c->description = get_str(j, "description");
	c->threads = (int)get_num(j, "threads", 0);
	c->max_seconds = get_num(j, "max_seconds", 0);
	c->target_metric = get_str(j, "target_metric");
	c->target = get_num(j, "target", 0);
	if (!c->data || !c->label)
		return pm_errf(err, "run configuration: no dataset or label");
	return 0;
}
