/* Models: parameter layout, the objective and its gradient, predictions.
 *
 * Every model is   z = linear(dense, cat) + deep(dense, embeddings(cat))
 * with one of the parts absent:
 *   linear, logistic, softmax   linear part over dense and one-hot (cat) inputs
 *   dnn                         deep part only: embeddings + ReLU layers
 *   wide-deep                   wide = linear over the categorical inputs
 *                               (crosses included), deep = the dnn without
 *                               the wide-only crosses
 * The output z is the scaled value, the logit or the class logits. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_TYPE_ROW(id, name_, tasks_, parts_, default_for_, adam_lr_, hint_, note_) \
	[MODEL_##id] = {.name = name_, .tasks = tasks_, .parts = parts_, .default_for = default_for_, \
			.adam_lr = adam_lr_, .hint = hint_, .note = note_},
const struct model_type_info model_types[MODEL_NTYPES] = {MODEL_TYPES(MODEL_TYPE_ROW)};
#undef MODEL_TYPE_ROW

static const char *const task_names[] = {"regression", "binary", "multiclass"};

const char *model_type_name(enum model_type t)
{
	return (unsigned)t < MODEL_NTYPES ? model_types[t].name : "?";
}

bool model_type_parse(const char *s, enum model_type *t)
{
	for (size_t i = 0; i < MODEL_NTYPES; i++)
		if (strcmp(s, model_types[i].name) == 0) {
			*t = (enum model_type)i;
			return true;
		}
	if (strcmp(s, "wide_deep") == 0 || strcmp(s, "widedeep") == 0) {
		*t = MODEL_WIDE_DEEP;
		return true;
	}
	return false;
}

bool model_type_has(enum model_type t, unsigned parts)
{
	return (unsigned)t < MODEL_NTYPES && (model_types[t].parts & parts) == parts;
}

char *model_type_list(unsigned parts, const char *sep, const char *last)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < MODEL_NTYPES; i++)
		n += model_type_has((enum model_type)i, parts);
	struct sbuf b = {0};
	for (size_t i = 0; i < MODEL_NTYPES; i++)
		if (model_type_has((enum model_type)i, parts)) {
			sbuf_printf(&b, "%s%s", k == 0 ? "" : k + 1 == n ? last : sep, model_types[i].name);
			k++;
		}
	return sbuf_steal(&b);
}

enum model_type model_type_default(enum model_task task)
{
	for (size_t i = 0; i < MODEL_NTYPES; i++)
		if (model_types[i].default_for & MT_TASK(task))
			return (enum model_type)i;
	return MODEL_LINEAR;
}

const char *model_task_name(enum model_task t)
{
	return (unsigned)t < PM_ARRAY_LEN(task_names) ? task_names[t] : "?";
}

static void add_block(struct model *m, const char *name, size_t len, bool l2, int group)
{
	struct pblock *b = &m->blocks[m->nblocks++];
	snprintf(b->name, sizeof b->name, "%s", name);
	b->off = m->nparams;
	b->len = len;
	b->l2 = l2;
	b->group = group;
	m->nparams += len;
}

int model_layout(struct model *m, struct pm_err *err)
{
	const struct transform *t = m->tf;
	size_t K = (size_t)m->nout;
	m->nparams = 0;
	m->nblocks = 0;
	bool wide = model_type_has(m->type, MT_WIDE);
	m->has_linear = wide || model_type_has(m->type, MT_LINEAR);
	m->has_deep = model_type_has(m->type, MT_DEEP);
	m->linear_dense = !wide;
	if (m->nhidden < 0 || m->nhidden > MODEL_MAX_LAYERS)
		return pm_errf(err, "a model has at most %d hidden layers", MODEL_MAX_LAYERS);
	if (m->has_deep && m->nhidden == 0)
		return pm_errf(err, "a %s model needs at least one hidden layer", model_type_name(m->type));
	for (int l = 0; l < m->nhidden; l++)
		if (m->hidden[l] <= 0 || m->hidden[l] > 1 << 16)
			return pm_errf(err, "hidden layer %d has %d units", l + 1, m->hidden[l]);
	if (m->has_linear) {
		int g = wide ? 1 : 0;
		if (m->linear_dense) {
			m->off_wd = m->nparams;
			add_block(m, "linear.dense", K * t->ndense, true, g);
		}
		m->off_wc = m->nparams;
		add_block(m, wide ? "wide.cat" : "linear.cat",
			  (size_t)t->cat_total * K, true, g);
		m->off_b = m->nparams;
		add_block(m, wide ? "wide.bias" : "linear.bias", K, false, g);
	}
	free(m->off_emb);
	free(m->emb_col);
	m->off_emb = xcalloc(t->ncat + 1, sizeof *m->off_emb);
	m->emb_col = xcalloc(t->ncat + 1, sizeof *m->emb_col);
	if (m->has_deep) {
		size_t col = t->ndense, start = m->nparams, total = 0;
		for (size_t i = 0; i < t->nfeat; i++) {
			const struct ft_feature *ft = &t->feat[i];
			if (ft->cat_slot < 0)
				continue;
			int e = m->embed[ft->cat_slot];
			m->off_emb[ft->cat_slot] = start + total;
			m->emb_col[ft->cat_slot] = col;
			col += (size_t)e;
			total += (size_t)e * ft->card;
		}
		m->d0 = col;
		if (m->d0 == 0)
			return pm_errf(err, "the deep part has no inputs");
		if (total)
			add_block(m, "embeddings", total, true, 0);
		m->dims[0] = m->d0;
		for (int l = 0; l < m->nhidden; l++)
			m->dims[l + 1] = (size_t)m->hidden[l];
		m->dims[m->nhidden + 1] = K;
		for (int l = 0; l <= m->nhidden; l++) {
			char name[24];
			if (l < m->nhidden)
				snprintf(name, sizeof name, "dense%d.w", l + 1);
			else
				snprintf(name, sizeof name, "out.w");
			m->off_w[l] = m->nparams;
			add_block(m, name, m->dims[l + 1] * m->dims[l], true, 0);
			if (l < m->nhidden)
				snprintf(name, sizeof name, "dense%d.b", l + 1);
			else
				snprintf(name, sizeof name, "out.b");
			m->off_bias[l] = m->nparams;
			add_block(m, name, m->dims[l + 1], false, 0);
		}
	}
	return 0;
}

int model_init(struct model *m, const struct model_spec *spec, struct pm_err *err)
{
	const struct transform *t = m->tf;
	m->type = spec->type;
	m->task = spec->task;
	m->nout = spec->nout;
	m->nhidden = spec->nhidden;
	memcpy(m->hidden, spec->hidden, sizeof m->hidden);
	m->dropout = spec->dropout;
	if (m->nout < 1)
		return pm_errf(err, "a model needs at least one output");
	if (m->dropout < 0 || m->dropout >= 1)
		return pm_errcf(err, PM_E_USAGE, "--dropout must be in [0, 1)");
	if ((unsigned)m->type >= MODEL_NTYPES || !(model_types[m->type].tasks & MT_TASK(m->task)))
		return pm_errcf(err, PM_E_USAGE, "a %s model cannot learn a %s label",
				model_type_name(m->type), model_task_name(m->task));
	free(m->embed);
	m->embed = xcalloc(t->ncat + 1, sizeof *m->embed);
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		if (ft->cat_slot < 0)
			continue;
		if (model_type_has(m->type, MT_WIDE) && ft->wide_only)
			continue;
		m->embed[ft->cat_slot] = ft->embed_dim ? ft->embed_dim
				       : spec->embed_dim ? spec->embed_dim
				       : ft_embed_dim_auto(ft->card);
	}
	if (model_layout(m, err) < 0)
		return -1;
	free(m->params);
	m->params = xcalloc(m->nparams + 1, sizeof *m->params);

	struct rng r;
	rng_seed(&r, spec->seed);
	if (m->has_deep) {
		for (size_t i = 0; i < t->nfeat; i++) {
			const struct ft_feature *ft = &t->feat[i];
			if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
				continue;
			int e = m->embed[ft->cat_slot];
			double sd = 1.0 / sqrt((double)e);
			double *p = m->params + m->off_emb[ft->cat_slot];
			for (size_t k = 0; k < (size_t)e * ft->card; k++)
				p[k] = sd * rng_normal(&r);
		}
		for (int l = 0; l <= m->nhidden; l++) {
			/* He for ReLU layers; the output layer 1/fan_in */
			double sd = sqrt((l < m->nhidden ? 2.0 : 1.0) / (double)m->dims[l]);
			double *w = m->params + m->off_w[l];
			for (size_t k = 0; k < m->dims[l + 1] * m->dims[l]; k++)
				w[k] = sd * rng_normal(&r);
		}
	}
	/* start the bias at the class log-odds: the first epochs then learn
	 * the features, not the base rate */
	double *bias = m->has_linear ? m->params + m->off_b : m->params + m->off_bias[m->nhidden];
	if (m->prior && m->task == TASK_BINARY && m->nout == 1) {
		double p = m->prior[1];
		if (p > 1e-6 && p < 1 - 1e-6)
			bias[0] = log(p / (1 - p));
	} else if (m->prior && m->nout > 1) {
		for (int k = 0; k < m->nout; k++)
			bias[k] = log(m->prior[k] > 1e-6 ? m->prior[k] : 1e-6);
	}
	return 0;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	transform_free(m->tf);
	free(m->label);
	ft_vocab_free(&m->classes);
	free(m->prior);
	free(m->embed);
	free(m->params);
	model_quant_free(m->quant);
	free(m->off_emb);
	free(m->emb_col);
	json_decref(m->hyper);
	json_decref(m->metrics);
	json_decref(m->info);
	free(m);
}

/* ---- training math ------------------------------------------------------------------ */

struct model_scratch {
	size_t cap;
	double *z, *dz;
	double *a[MODEL_MAX_LAYERS + 1];   /* a[0]: deep input; a[l]: layer l output */
	double *mask[MODEL_MAX_LAYERS + 1];
	double *da, *da2;                  /* gradient w.r.t. activations (widest layer) */
};

struct model_scratch *model_scratch_new(const struct model *m, size_t cap)
{
	struct model_scratch *s = xcalloc(1, sizeof *s);
	size_t K = (size_t)m->nout;
	s->cap = cap;
	s->z = xmalloc(cap * K * sizeof(double));
	s->dz = xmalloc(cap * K * sizeof(double));
	if (m->has_deep) {
		size_t wmax = 0;
		for (int l = 0; l <= m->nhidden; l++) {
			s->a[l] = xmalloc(cap * m->dims[l] * sizeof(double));
			if (l > 0)
				s->mask[l] = xmalloc(cap * m->dims[l] * sizeof(double));
			if (m->dims[l] > wmax)
				wmax = m->dims[l];
		}
		s->da = xmalloc(cap * wmax * sizeof(double));
		s->da2 = xmalloc(cap * wmax * sizeof(double));
	}
	return s;
}

void model_scratch_free(struct model_scratch *s)
{
	if (!s)
		return;
	free(s->z);
	free(s->dz);
	for (int l = 0; l <= MODEL_MAX_LAYERS; l++) {
		free(s->a[l]);
		free(s->mask[l]);
	}
	free(s->da);
	free(s->da2);
	free(s);
}

void model_deep_input(const struct model *m, const double *dense, const uint32_t *cat, size_t n,
		       double *a0)
{
	const struct transform *t = m->tf;
	for (size_t i = 0; i < n; i++) {
		double *row = a0 + i * m->d0;
		memcpy(row, dense + i * t->ndense, t->ndense * sizeof(double));
		for (size_t i2 = 0; i2 < t->nfeat; i2++) {
			const struct ft_feature *ft = &t->feat[i2];
			if (ft->cat_slot < 0)
				continue;
			int e = m->embed[ft->cat_slot];
			if (!e)
				continue;
			uint32_t c = cat[i * t->ncat + (size_t)ft->cat_slot] - ft->cat_off;
			memcpy(row + m->emb_col[ft->cat_slot],
			       m->params + m->off_emb[ft->cat_slot] + (size_t)c * (size_t)e,
			       (size_t)e * sizeof(double));
		}
	}
}

static int check_cats(const struct model *m, const struct batch *b, struct pm_err *err)
{
	const struct transform *t = m->tf;
	for (size_t i = 0; i < b->n * t->ncat; i++)
		if (b->cat[i] >= t->cat_total)
			return pm_errf(err, "categorical index %u out of range", b->cat[i]);
	return 0;
}

int model_grad_layers(const struct model *m, size_t *from)
{
	int n = 0;
	/* with a linear part the output's bias is summed with it, at the end */
	if (m->has_deep && !m->has_linear)
		for (int l = m->nhidden; l >= 0; l--)
			if (m->off_w[l] > 0)
				from[n++] = m->off_w[l];
	from[n++] = 0;
	return n;
}

/* The l2 term of the gradient over params [lo, hi). */
static void l2_range(const struct model *m, double l2, double *grad, size_t lo, size_t hi)
{
	if (l2 <= 0)
		return;
	for (size_t bi = 0; bi < m->nblocks; bi++) {
		const struct pblock *pb = &m->blocks[bi];
		size_t a = pb->off > lo ? pb->off : lo, z = pb->off + pb->len < hi ? pb->off + pb->len : hi;
		if (pb->l2)
			for (size_t k = a; k < z; k++)
				grad[k] += l2 * m->params[k];
	}
}

/* grad[from, *done) is final: its l2 term, then the caller hears of it */
static void grad_done(const struct model *m, double l2, double *grad, const struct grad_ready *r,
		      size_t from, size_t *done)
{
	if (!r || from >= *done)
		return;
	l2_range(m, l2, grad, from, *done);
	*done = from;
	r->fn(r->ctx, from);
}

int model_loss_grad(const struct model *m, const struct backend *be, struct model_scratch *s,
		    const struct batch *b, double l2, bool train, uint64_t dropout_seed,
		    double *loss, double *grad, struct pm_err *err)
{
	return model_loss_grad_ready(m, be, s, b, l2, train, dropout_seed, loss, grad, NULL, err);
}

int model_loss_grad_ready(const struct model *m, const struct backend *be,
			  struct model_scratch *s, const struct batch *b, double l2, bool train,
			  uint64_t dropout_seed, double *loss, double *grad,
			  const struct grad_ready *ready, struct pm_err *err)
{
	size_t done = m->nparams;
	const struct transform *t = m->tf;
	size_t n = b->n, K = (size_t)m->nout, nd = t->ndense, nc = t->ncat;
	const double *P = m->params;
	if (n > s->cap)
		return pm_errf(err, "batch of %zu rows exceeds the scratch capacity %zu", n, s->cap);
	if (n == 0) {
		*loss = 0;
		if (grad)
			memset(grad, 0, m->nparams * sizeof *grad);
		return 0;
	}
	if (check_cats(m, b, err) < 0)
		return -1;
	double *z = s->z;
	memset(z, 0, n * K * sizeof *z);

	/* forward */
	if (m->has_linear) {
		if (m->linear_dense && nd)
			be->gemm(be, false, true, n, K, nd, 1.0, b->dense, nd, P + m->off_wd, nd, 0.0, z, K);
		for (size_t i = 0; i < n; i++) {
			double *zi = z + i * K;
			for (size_t j = 0; j < nc; j++) {
				const double *w = P + m->off_wc + (size_t)b->cat[i * nc + j] * K;
				for (size_t k = 0; k < K; k++)
					zi[k] += w[k];
			}
			for (size_t k = 0; k < K; k++)
				zi[k] += P[m->off_b + k];
		}
	}
	int L = m->nhidden;
	if (m->has_deep) {
		model_deep_input(m, b->dense, b->cat, n, s->a[0]);
		struct rng r;
		rng_seed(&r, dropout_seed);
		for (int l = 0; l < L; l++) {
			size_t din = m->dims[l], dout = m->dims[l + 1];
			double *out = s->a[l + 1];
			be->gemm(be, false, true, n, dout, din, 1.0, s->a[l], din, P + m->off_w[l], din, 0.0,
				 out, dout);
			const double *bias = P + m->off_bias[l];
			double *mask = s->mask[l + 1];
			bool drop = train && m->dropout > 0;
			double keep = 1.0 / (1.0 - m->dropout);
			for (size_t i = 0; i < n; i++)
				for (size_t k = 0; k < dout; k++) {
					double v = out[i * dout + k] + bias[k];
					v = v > 0 ? v : 0;
					double mk = 1.0;
					if (drop)
						mk = rng_uniform(&r) < m->dropout ? 0.0 : keep;
					mask[i * dout + k] = mk;
					out[i * dout + k] = v * mk;
				}
		}
		size_t hl = m->dims[L];
		be->gemm(be, false, true, n, K, hl, 1.0, s->a[L], hl, P + m->off_w[L], hl, 1.0, z, K);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < K; k++)
				z[i * K + k] += P[m->off_bias[L] + k];
	}

	/* loss and dz */
	double *dz = s->dz;
	long double total = 0;
	double inv = 1.0 / (double)n;
	for (size_t i = 0; i < n; i++) {
		const double *zi = z + i * K;
		double *di = dz + i * K;
		double y = b->y[i];
		if (m->task == TASK_REGRESSION) {
			double d = zi[0] - y;
			total += d * d;
			di[0] = 2.0 * d * inv;
		} else if (K == 1) {
			/* one exp serves the loss and the sigmoid */
			double v = zi[0], e = exp(-fabs(v));
			total += (v > 0 ? v : 0) - y * v + log1p(e);
			double p = v >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
			di[0] = (p - y) * inv;
		} else {
			size_t yc = (size_t)y;
			double mx = zi[0];
			for (size_t k = 1; k < K; k++)
				if (zi[k] > mx)
					mx = zi[k];
			double se = 0;
			for (size_t k = 0; k < K; k++)
				se += exp(zi[k] - mx);
			double lse = mx + log(se);
			total += lse - zi[yc];
			for (size_t k = 0; k < K; k++)
				di[k] = (exp(zi[k] - lse) - (k == yc ? 1.0 : 0.0)) * inv;
		}
	}
	double obj = (double)(total / n);
	long double reg = 0;
	for (size_t bi = 0; bi < m->nblocks; bi++)
		if (m->blocks[bi].l2)
			for (size_t k = 0; k < m->blocks[bi].len; k++) {
				double w = P[m->blocks[bi].off + k];
				reg += w * w;
			}
	obj += 0.5 * l2 * (double)reg;
	*loss = obj;
	if (!isfinite(obj))
		return 0;  /* the trainer names the divergence */
	if (!grad)
		return 0;

	/* backward */
	memset(grad, 0, m->nparams * sizeof *grad);
	if (m->has_linear) {
		if (m->linear_dense && nd)
			be->gemm(be, true, false, K, nd, n, 1.0, dz, K, b->dense, nd, 0.0, grad + m->off_wd, nd);
		for (size_t i = 0; i < n; i++) {
			const double *di = dz + i * K;
			for (size_t j = 0; j < nc; j++) {
				double *g = grad + m->off_wc + (size_t)b->cat[i * nc + j] * K;
				for (size_t k = 0; k < K; k++)
					g[k] += di[k];
			}
			for (size_t k = 0; k < K; k++)
				grad[m->off_b + k] += di[k];
		}
	}
	if (m->has_deep) {
		size_t hl = m->dims[L];
		be->gemm(be, true, false, K, hl, n, 1.0, dz, K, s->a[L], hl, 0.0, grad + m->off_w[L], hl);
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < K; k++)
				grad[m->off_bias[L] + k] += dz[i * K + k];
		/* da = dz * W_out  (n x hl) */
		double *da = s->da, *da2 = s->da2;
		be->gemm(be, false, false, n, hl, K, 1.0, dz, K, P + m->off_w[L], hl, 0.0, da, hl);
		if (!m->has_linear)
			grad_done(m, l2, grad, ready, m->off_w[L], &done);
		bool need_da0 = false;
		for (size_t j = 0; j < nc; j++)
			if (m->embed[j])
				need_da0 = true;
		for (int l = L - 1; l >= 0; l--) {
			size_t din = m->dims[l], dout = m->dims[l + 1];
			const double *a = s->a[l + 1], *mask = s->mask[l + 1];
			for (size_t i = 0; i < n * dout; i++)
				da[i] = a[i] > 0 ? da[i] * mask[i] : 0.0;
			be->gemm(be, true, false, dout, din, n, 1.0, da, dout, s->a[l], din, 0.0,
				 grad + m->off_w[l], din);
			double *gb = grad + m->off_bias[l];
			for (size_t i = 0; i < n; i++)
				for (size_t k = 0; k < dout; k++)
					gb[k] += da[i * dout + k];
			/* the output layer's bias shares a sum with the linear part's */
			if (!m->has_linear)
				grad_done(m, l2, grad, ready, m->off_w[l], &done);
			if (l > 0 || need_da0) {
				be->gemm(be, false, false, n, din, dout, 1.0, da, dout, P + m->off_w[l], din,
					 0.0, da2, din);
				double *tmp = da;
				da = da2;
				da2 = tmp;
			}
		}
		if (need_da0) {
			/* da now holds d objective / d a0 */
			for (size_t i = 0; i < t->nfeat; i++) {
				const struct ft_feature *ft = &t->feat[i];
				if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
					continue;
				size_t e = (size_t)m->embed[ft->cat_slot], slot = (size_t)ft->cat_slot;
				for (size_t r = 0; r < n; r++) {
					uint32_t c = b->cat[r * nc + slot] - ft->cat_off;
					double *g = grad + m->off_emb[slot] + (size_t)c * e;
					const double *src = da + r * m->d0 + m->emb_col[slot];
					for (size_t k = 0; k < e; k++)
						g[k] += src[k];
				}
			}
		}
	}
	if (ready) {
		grad_done(m, l2, grad, ready, 0, &done);
		return 0;
	}
	if (l2 > 0)
		for (size_t bi = 0; bi < m->nblocks; bi++)
			if (m->blocks[bi].l2)
				for (size_t k = 0; k < m->blocks[bi].len; k++)
					grad[m->blocks[bi].off + k] += l2 * P[m->blocks[bi].off + k];
	return 0;
}

/* ---- predictions ------------------------------------------------------------------------ */

/* A dot product in one fixed order, so a row's result never depends on
 * the batch it came in (BLAS may pick other kernels for other shapes). */
static double dot_fixed(const double *a, const double *b, size_t n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t k = 0;
	for (; k + 4 <= n; k += 4) {
		s0 += a[k] * b[k];
		s1 += a[k + 1] * b[k + 1];
		s2 += a[k + 2] * b[k + 2];
		s3 += a[k + 3] * b[k + 3];
	}
	for (; k < n; k++)
		s0 += a[k] * b[k];
	return (s0 + s1) + (s2 + s3);
}

static void finish_output(const struct model *m, double *z)
{
	size_t K = (size_t)m->nout;
	if (m->task == TASK_REGRESSION) {
		z[0] = z[0] * m->label_std + m->label_mean;
	} else if (K == 1) {
		double v = z[0];
		z[0] = v >= 0 ? 1.0 / (1.0 + exp(-v)) : exp(v) / (1.0 + exp(v));
	} else {
		double mx = z[0], se = 0;
		for (size_t k = 1; k < K; k++)
			if (z[k] > mx)
				mx = z[k];
		for (size_t k = 0; k < K; k++) {
			z[k] = exp(z[k] - mx);
			se += z[k];
		}
		for (size_t k = 0; k < K; k++)
			z[k] /= se;
	}
}

/* The wide part of one row: z[k] = its linear score (0 without one). */
static void linear_part(const struct model *m, const double *x, const uint32_t *c, double *z)
{
	const struct transform *t = m->tf;
	size_t K = (size_t)m->nout, nd = t->ndense, nc = t->ncat;
	const double *P = m->params;
	for (size_t k = 0; k < K; k++)
		z[k] = 0;
	if (!m->has_linear)
		return;
	for (size_t k = 0; k < K; k++) {
		double v = m->linear_dense ? dot_fixed(P + m->off_wd + k * nd, x, nd) : 0.0;
		for (size_t j = 0; j < nc; j++)
			v += P[m->off_wc + (size_t)c[j] * K + k];
		z[k] = v + P[m->off_b + k];
	}
}

/* ---- the deep part, ROWS rows at a time.  Each lane of a vector is one
 * row, and each row goes through exactly the operations of dot_fixed in
 * the same order (vector arithmetic is element-wise IEEE, with no fused
 * multiply-add on these targets), so a row's bits are the same alone or in
 * a block: the block only shares the loads of the weights. */
#define ROWS 4
typedef double vrow __attribute__((vector_size(ROWS * sizeof(double)), aligned(8)));
typedef long long vmask __attribute__((vector_size(ROWS * sizeof(double))));

/* The sum as dot_fixed ends it, the bias, and relu (as v > 0 ? v : 0, so
 * NaN gives 0) when asked. */
#define LAYER_FINISH(dst, s0, s1, s2, s3, b, relu)                                \
	do {                                                                       \
		vrow v_ = (((s0) + (s1)) + ((s2) + (s3))) + (b);                   \
		if (relu)                                                          \
			v_ = (vrow)((vmask)v_ & (v_ > zero));                      \
		(dst) = v_;                                                        \
	} while (0)

/* o[k] = act(sum_kk W[k][kk] a[kk] + bias[k]) for every lane; relu or none.
 * Two outputs at a time share the loads of a.  Built for AVX2 too, picked
 * at run time: the same operations, four lanes to an instruction. */
__attribute__((target_clones("avx2", "default")))
static void layer_rows(const double *W, const double *bias, size_t din, size_t dout, const vrow *a,
		       vrow *o, bool relu)
{
	const vrow zero = {0};
	size_t k = 0;
	for (; k + 2 <= dout; k += 2) {
		const double *w = W + k * din, *u = w + din;
		vrow s0 = zero, s1 = zero, s2 = zero, s3 = zero;
		vrow t0 = zero, t1 = zero, t2 = zero, t3 = zero;
		size_t kk = 0;
		for (; kk + 4 <= din; kk += 4) {
			vrow a0 = a[kk], a1 = a[kk + 1], a2 = a[kk + 2], a3 = a[kk + 3];
			s0 += w[kk] * a0;
			t0 += u[kk] * a0;
			s1 += w[kk + 1] * a1;
			t1 += u[kk + 1] * a1;
			s2 += w[kk + 2] * a2;
			t2 += u[kk + 2] * a2;
			s3 += w[kk + 3] * a3;
			t3 += u[kk + 3] * a3;
		}
		for (; kk < din; kk++) {
			s0 += w[kk] * a[kk];
			t0 += u[kk] * a[kk];
		}
		LAYER_FINISH(o[k], s0, s1, s2, s3, bias[k], relu);
		LAYER_FINISH(o[k + 1], t0, t1, t2, t3, bias[k + 1], relu);
	}
	for (; k < dout; k++) {
		const double *w = W + k * din;
		vrow s0 = zero, s1 = zero, s2 = zero, s3 = zero;
		size_t kk = 0;
		for (; kk + 4 <= din; kk += 4) {
			s0 += w[kk] * a[kk];
			s1 += w[kk + 1] * a[kk + 1];
			s2 += w[kk + 2] * a[kk + 2];
			s3 += w[kk + 3] * a[kk + 3];
		}
		for (; kk < din; kk++)
			s0 += w[kk] * a[kk];
		LAYER_FINISH(o[k], s0, s1, s2, s3, bias[k], relu);
	}
}

/* The deep part of n <= ROWS rows: z (n x K, the linear part in it) += the
 * output layer.  Lanes past n compute a copy of the first row and are
 * dropped: lanes never mix.  in: ROWS x d0 scratch; h1, h2: wmax vectors. */
static void deep_rows(const struct model *m, const double *dense, const uint32_t *cat, size_t n,
		      double *z, double *in, vrow *h1, vrow *h2)
{
	size_t K = (size_t)m->nout, d0 = m->d0;
	const double *P = m->params;
	model_deep_input(m, dense, cat, n, in);
	for (size_t r = n; r < ROWS; r++)
		memcpy(in + r * d0, in, d0 * sizeof *in);
	for (size_t kk = 0; kk < d0; kk++)
		for (size_t r = 0; r < ROWS; r++)
			h1[kk][r] = in[r * d0 + kk];
	vrow *a = h1, *o = h2;
	for (int l = 0; l < m->nhidden; l++) {
		layer_rows(P + m->off_w[l], P + m->off_bias[l], m->dims[l], m->dims[l + 1], a, o, true);
		vrow *tmp = a;
		a = o;
		o = tmp;
	}
	int L = m->nhidden;
	layer_rows(P + m->off_w[L], P + m->off_bias[L], m->dims[L], K, a, o, false);
	for (size_t r = 0; r < n; r++)
		for (size_t k = 0; k < K; k++)
			z[r * K + k] += o[k][r];
}

void model_predict_rows(const struct model *m, const double *dense, const uint32_t *cat,
			size_t n, double *out)
{
	const struct transform *t = m->tf;
	size_t K = (size_t)m->nout, nd = t->ndense, nc = t->ncat;
	size_t wmax = m->d0 > K ? m->d0 : K;
	for (int l = 1; l <= m->nhidden; l++)
		if (m->dims[l] > wmax)
			wmax = m->dims[l];
	vrow *v1 = NULL, *v2 = NULL;
	double *in = NULL;
	if (m->quant) {
		void *scratch = xmalloc(model_quant_scratch_size(m));
		in = xmalloc((MODEL_QROWS * m->d0 + 1) * sizeof *in);
		for (size_t i = 0; i < n; i += MODEL_QROWS) {
			size_t rows = n - i < MODEL_QROWS ? n - i : MODEL_QROWS;
			double *z = out + i * K;
			for (size_t r = 0; r < rows; r++)
				linear_part(m, dense + (i + r) * nd, cat + (i + r) * nc, z + r * K);
			model_deep_input(m, dense + i * nd, cat + i * nc, rows, in);
			model_quant_deep(m, in, rows, z, scratch);
			for (size_t r = 0; r < rows; r++)
				finish_output(m, z + r * K);
		}
		free(scratch);
		free(in);
		return;
	}
	if (m->has_deep) {
		v1 = xmalloc(wmax * sizeof *v1);
		v2 = xmalloc(wmax * sizeof *v2);
		in = xmalloc(ROWS * m->d0 * sizeof *in);
	}
	for (size_t i = 0; i < n; i += ROWS) {
		size_t rows = n - i < ROWS ? n - i : ROWS;
		double *z = out + i * K;
		for (size_t r = 0; r < rows; r++)
			linear_part(m, dense + (i + r) * nd, cat + (i + r) * nc, z + r * K);
		if (m->has_deep)
			deep_rows(m, dense + i * nd, cat + i * nc, rows, z, in, v1, v2);
		for (size_t r = 0; r < rows; r++)
			finish_output(m, z + r * K);
	}
	free(v1);
	free(v2);
	free(in);
}

int model_predict_values(const struct model *m, const struct ft_value *in, double *out,
			 struct pm_err *err)
{
	const struct transform *t = m->tf;
	double *dense = xmalloc((t->ndense + 1) * sizeof *dense);
	uint32_t *cat = xmalloc((t->ncat + 1) * sizeof *cat);
	int rc = transform_apply(t, in, dense, cat, err);
	if (rc == 0)
		model_predict_rows(m, dense, cat, 1, out);
	free(dense);
	free(cat);
	return rc;
}

struct pred_job {
	const struct model *m;
	const struct frame *f;
	const int *colmap;
	const size_t *rows;
	size_t n;
	double *out;
};

#define PRED_CHUNK 2048

static int pred_chunk(void *ctx, size_t k, struct pm_err *err)
{
	struct pred_job *j = ctx;
	const struct transform *t = j->m->tf;
	size_t lo = k * PRED_CHUNK, hi = lo + PRED_CHUNK;
	if (hi > j->n)
		hi = j->n;
	double *dense = xmalloc(((hi - lo) * t->ndense + 1) * sizeof *dense);
	uint32_t *cat = xmalloc(((hi - lo) * t->ncat + 1) * sizeof *cat);
	int rc = transform_apply_rows(t, j->f, j->colmap, j->rows + lo, hi - lo, dense, cat, 1, err);
	if (rc == 0)
		model_predict_rows(j->m, dense, cat, hi - lo, j->out + lo * (size_t)j->m->nout);
	free(dense);
	free(cat);
	return rc;
}

int model_predict_frame(const struct model *m, const struct frame *f, const size_t *rows,
			size_t n, int threads, double *out, struct pm_err *err)
{
	int *colmap = xmalloc((m->tf->ninputs + 1) * sizeof *colmap);
	if (transform_bind(m->tf, f, colmap, err) < 0) {
		free(colmap);
		return -1;
	}
	size_t *all = NULL;
	if (!rows) {
		/* explicit row numbers, so errors name the real row */
		all = xmalloc((n ? n : 1) * sizeof *all);
		for (size_t i = 0; i < n; i++)
			all[i] = i;
		rows = all;
	}
	size_t nchunks = (n + PRED_CHUNK - 1) / PRED_CHUNK;
	struct pred_job j = {.m = m, .f = f, .colmap = colmap, .rows = rows, .n = n, .out = out};
	int rc = par_for_err(nchunks, threads, pred_chunk, &j, err);
	free(all);
	free(colmap);
	return rc;
}

/* The key of a label value: bools read false/true, numbers as in
 * ft_value_key, strings as they are. */
static size_t label_key(const struct column *c, size_t row, char *buf, size_t n, const char **key)
{
	if (c->type == PM_BOOL) {
		*key = c->v.b[row] ? "true" : "false";
		return strlen(*key);
	}
	struct ft_value v = {0};
	switch (c->type) {
	case PM_STRING:
		v.is_str = true;
		v.str = c->dict->str[c->v.code[row]];
		v.len = c->dict->len[c->v.code[row]];
		break;
	case PM_FLOAT:
		v.num = c->v.f64[row];
		break;
	default:
		v.num = (double)c->v.i64[row];
		break;
	}
	return ft_value_key(&v, buf, n, key);
}

int model_label_value(const struct model *m, const struct column *c, size_t row, double *y)
{
	if (!column_present(c, row))
		return 0;
	if (m->task == TASK_REGRESSION) {
		*y = column_num(c, row);
		return 1;
	}
	char buf[64];
	const char *key;
	size_t len = label_key(c, row, buf, sizeof buf, &key);
	int64_t k = ft_vocab_find(&m->classes, key, len);
	if (k < 0)
		return -1;
	*y = (double)k;
	return 1;
}

size_t model_label_key(const struct column *c, size_t row, char *buf, size_t n, const char **key)
{
	return label_key(c, row, buf, n, key);
}
