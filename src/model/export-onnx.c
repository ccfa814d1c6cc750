/* models export --format onnx: a model and its transform as one ONNX
 * graph (ai.onnx opset 13, ai.onnx.ml opset 2), serialised by protobuf-c
 * from ONNX's own onnx.proto (src/model/onnx/).
 *
 * The graph takes one [N,1] tensor per raw input (tensor(string) for
 * string columns, tensor(double) for the others: numbers, bools as 0/1,
 * timestamps as microseconds since 1970 UTC) and gives "prediction"
 * [N,K] as model_predict_rows does.  A missing number is NaN, a missing
 * string "" (or one of the missing tokens of CSV files).  Each step
 * follows transform_apply; every number is a double, so the graph differs
 * from prodml only in the order of its sums. */
#include "model/model.h"
#include "model/onnx/onnx.pb-c.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OPSET_ONNX 13
#define OPSET_ML 2
#define IR_VERSION 7 /* the IR of opset 13 */

enum { T_INT64 = ONNX__TENSOR_PROTO__DATA_TYPE__INT64,
       T_DOUBLE = ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE,
       T_STRING = ONNX__TENSOR_PROTO__DATA_TYPE__STRING };

/* The graph being built.  Every message and string lives in one arena,
 * freed at once: protobuf-c's own free functions expect its allocator. */
struct ob {
	void **mem;
	size_t nmem, capmem;
	Onnx__NodeProto **nodes;
	size_t nnodes, capnodes;
	Onnx__TensorProto **inits;
	size_t ninits, capinits;
	unsigned next;
	const struct transform *t; /* its inputs' names are taken */
};

static void *ob_alloc(struct ob *b, size_t n)
{
	if (b->nmem == b->capmem) {
		b->capmem = b->capmem ? 2 * b->capmem : 256;
		b->mem = xrealloc(b->mem, b->capmem * sizeof *b->mem);
	}
	return b->mem[b->nmem++] = xcalloc(1, n ? n : 1);
}

static char *ob_str(struct ob *b, const char *s)
{
	size_t n = strlen(s);
	char *p = ob_alloc(b, n + 1);
	memcpy(p, s, n);
	return p;
}

static void *ob_copy(struct ob *b, const void *src, size_t n)
{
	void *p = ob_alloc(b, n);
	if (n)
		memcpy(p, src, n);
	return p;
}

static void ob_free(struct ob *b)
{
	for (size_t i = 0; i < b->nmem; i++)
		free(b->mem[i]);
	free(b->mem);
	free(b->nodes);
	free(b->inits);
}

/* A name no other tensor has: the stem and a number, never an input's
 * (a column may be called Add_3). */
static char *fresh(struct ob *b, const char *stem)
{
	char buf[64];
	for (;;) {
		snprintf(buf, sizeof buf, "%s_%u", stem, b->next++);
		bool taken = false;
		for (size_t i = 0; i < b->t->ninputs && !taken; i++)
			taken = !strcmp(b->t->inputs[i].name, buf);
		if (!taken)
			return ob_str(b, buf);
	}
}

/* ---- constants ------------------------------------------------------------------ */

static const char *tensor(struct ob *b, const char *stem, int type, const void *data, size_t n,
			  const int64_t *dims, size_t ndims)
{
	Onnx__TensorProto *t = ob_alloc(b, sizeof *t);
	onnx__tensor_proto__init(t);
	t->name = fresh(b, stem);
	t->has_data_type = 1;
	t->data_type = type;
	t->n_dims = ndims;
	t->dims = ob_copy(b, dims, ndims * sizeof *dims);
	if (type == T_DOUBLE) {
		t->n_double_data = n;
		t->double_data = ob_copy(b, data, n * sizeof(double));
	} else {
		t->n_int64_data = n;
		t->int64_data = ob_copy(b, data, n * sizeof(int64_t));
	}
	if (b->ninits == b->capinits) {
		b->capinits = b->capinits ? 2 * b->capinits : 64;
		b->inits = xrealloc(b->inits, b->capinits * sizeof *b->inits);
	}
	b->inits[b->ninits++] = t;
	return t->name;
}

/* Scalars broadcast against [N,1] and [N,K]. */
static const char *cdouble(struct ob *b, double v)
{
	return tensor(b, "c", T_DOUBLE, &v, 1, NULL, 0);
}

static const char *cint(struct ob *b, int64_t v)
{
	return tensor(b, "c", T_INT64, &v, 1, NULL, 0);
}

/* A [1,n] row, compared against each [N,1] value. */
static const char *crow(struct ob *b, int type, const void *v, size_t n)
{
	int64_t dims[2] = {1, (int64_t)n};
	return tensor(b, "row", type, v, n, dims, 2);
}

/* ---- nodes ------------------------------------------------------------------------ */

static Onnx__AttributeProto *attr_int(struct ob *b, const char *name, int64_t v)
{
	Onnx__AttributeProto *a = ob_alloc(b, sizeof *a);
	onnx__attribute_proto__init(a);
	a->name = ob_str(b, name);
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_i = 1;
	a->i = v;
	return a;
}

static Onnx__AttributeProto *attr_ints(struct ob *b, const char *name, const int64_t *v, size_t n)
{
	Onnx__AttributeProto *a = ob_alloc(b, sizeof *a);
	onnx__attribute_proto__init(a);
	a->name = ob_str(b, name);
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	a->n_ints = n;
	a->ints = ob_copy(b, v, n * sizeof *v);
	return a;
}

/* One node of one output; in[] ends at NULL, attrs[] at NULL. */
static const char *node(struct ob *b, const char *op, const char *domain, const char *const *in,
			Onnx__AttributeProto *const *attrs)
{
	Onnx__NodeProto *n = ob_alloc(b, sizeof *n);
	onnx__node_proto__init(n);
	n->op_type = ob_str(b, op);
	if (domain)
		n->domain = ob_str(b, domain);
	while (in[n->n_input])
		n->n_input++;
	n->input = ob_alloc(b, n->n_input * sizeof *n->input);
	for (size_t i = 0; i < n->n_input; i++)
		n->input[i] = ob_str(b, in[i]);
	n->n_output = 1;
	n->output = ob_alloc(b, sizeof *n->output);
	n->output[0] = fresh(b, op);
	n->name = n->output[0];
	while (attrs && attrs[n->n_attribute])
		n->n_attribute++;
	n->attribute = ob_copy(b, attrs, n->n_attribute * sizeof *n->attribute);
	if (b->nnodes == b->capnodes) {
		b->capnodes = b->capnodes ? 2 * b->capnodes : 64;
		b->nodes = xrealloc(b->nodes, b->capnodes * sizeof *b->nodes);
	}
	b->nodes[b->nnodes++] = n;
	return n->output[0];
}

static const char *op1(struct ob *b, const char *op, const char *x)
{
	return node(b, op, NULL, (const char *[]){x, NULL}, NULL);
}

static const char *op2(struct ob *b, const char *op, const char *x, const char *y)
{
	return node(b, op, NULL, (const char *[]){x, y, NULL}, NULL);
}

static const char *where(struct ob *b, const char *c, const char *x, const char *y)
{
	return node(b, "Where", NULL, (const char *[]){c, x, y, NULL}, NULL);
}

static const char *cast(struct ob *b, const char *x, int to)
{
	return node(b, "Cast", NULL, (const char *[]){x, NULL},
		    (Onnx__AttributeProto *[]){attr_int(b, "to", to), NULL});
}

/* Floor modulo (the sign of the divisor), as ts_parts' floordiv needs. */
static const char *fmod_floor(struct ob *b, const char *x, int64_t d)
{
	return node(b, "Mod", NULL, (const char *[]){x, cint(b, d), NULL},
		    (Onnx__AttributeProto *[]){attr_int(b, "fmod", 0), NULL});
}

/* Sum over axis 1, kept ([N,1]) or dropped. */
static const char *sum_axis1(struct ob *b, const char *x, bool keep)
{
	int64_t one = 1, dims = 1;
	const char *axes = tensor(b, "axes", T_INT64, &one, 1, &dims, 1);
	return node(b, "ReduceSum", NULL, (const char *[]){x, axes, NULL},
		    (Onnx__AttributeProto *[]){attr_int(b, "keepdims", keep), NULL});
}

static const char *concat1(struct ob *b, const char **in, size_t n)
{
	if (n == 1)
		return in[0];
	const char **list = ob_alloc(b, (n + 1) * sizeof *list);
	memcpy(list, in, n * sizeof *list);
	return node(b, "Concat", NULL, list,
		    (Onnx__AttributeProto *[]){attr_int(b, "axis", 1), NULL});
}

/* ---- the transform ---------------------------------------------------------------- */

/* value_space: clip, then log1p(max(v, 0)). */
static const char *value_space(struct ob *b, const struct ft_feature *ft, const char *v)
{
	if (ft->clip) {
		v = op2(b, "Max", v, cdouble(b, ft->clip_lo));
		v = op2(b, "Min", v, cdouble(b, ft->clip_hi));
	}
	if (ft->log1p)
		v = op1(b, "Log", op2(b, "Add", op2(b, "Max", v, cdouble(b, 0)), cdouble(b, 1)));
	return v;
}

/* The strings that read as missing (data_is_missing_token). */
static const char *const missing_tokens[] = {"", "NA", "N/A", "NaN", "nan", "null", "NULL"};

static const char *onehot_string(struct ob *b, const struct ft_feature *ft, const char *x,
				 int64_t miss_idx)
{
	size_t ntok = sizeof missing_tokens / sizeof *missing_tokens, n = ft->vocab.n;
	ProtobufCBinaryData *keys = ob_alloc(b, (n + ntok) * sizeof *keys);
	int64_t *vals = ob_alloc(b, (n + ntok) * sizeof *vals);
	for (size_t i = 0; i < n; i++) {
		keys[i] = (ProtobufCBinaryData){ft->vocab.len[i], (uint8_t *)ft->vocab.str[i]};
		vals[i] = (int64_t)i;
	}
	size_t k = n;
	for (size_t i = 0; i < ntok; i++)
		if (ft_vocab_find(&ft->vocab, missing_tokens[i], strlen(missing_tokens[i])) < 0) {
			keys[k] = (ProtobufCBinaryData){strlen(missing_tokens[i]),
							(uint8_t *)missing_tokens[i]};
			vals[k++] = miss_idx;
		}
	Onnx__AttributeProto *ks = ob_alloc(b, sizeof *ks);
	onnx__attribute_proto__init(ks);
	ks->name = ob_str(b, "keys_strings");
	ks->has_type = 1;
	ks->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS;
	ks->n_strings = k;
	ks->strings = keys;
	return node(b, "LabelEncoder", "ai.onnx.ml", (const char *[]){x, NULL},
		    (Onnx__AttributeProto *[]){ks, attr_ints(b, "values_int64s", vals, k),
					       attr_int(b, "default_int64", (int64_t)n), NULL});
}

/* A number's category: the vocabulary's keys are numbers printed, so the
 * value equal to a key's number is that key (ft_value_key prints each
 * number one way). */
static int onehot_number(struct ob *b, const struct ft_feature *ft, const char *x,
			 const char *miss, int64_t miss_idx, const char **out, struct pm_err *err)
{
	size_t n = ft->vocab.n;
	const char *oov = cint(b, (int64_t)n);
	if (!n) {
		*out = where(b, miss, cint(b, miss_idx), op2(b, "Add", oov, op2(b, "Mul", cast(b, x, T_INT64), cint(b, 0))));
		return 0;
	}
	double *keys = ob_alloc(b, n * sizeof *keys);
	int64_t *pos = ob_alloc(b, n * sizeof *pos);
	for (size_t i = 0; i < n; i++) {
		if (!parse_double(ft->vocab.str[i], ft->vocab.len[i], &keys[i]))
			return pm_errf(err, "feature '%s': vocabulary entry '%s' of a numeric column is not a number",
				       ft->name, ft->vocab.str[i]);
		pos[i] = (int64_t)i;
	}
	const char *eq = cast(b, op2(b, "Equal", x, crow(b, T_DOUBLE, keys, n)), T_INT64);
	const char *at = sum_axis1(b, op2(b, "Mul", eq, crow(b, T_INT64, pos, n)), true);
	const char *none = op2(b, "Equal", sum_axis1(b, eq, true), cint(b, 0));
	*out = where(b, miss, cint(b, miss_idx), where(b, none, oov, at));
	return 0;
}

/* Microseconds since 1970 as int64, as value_us makes them. */
static const char *value_us(struct ob *b, const struct ft_feature *ft, const char *x)
{
	if (!ft->unix_seconds)
		return cast(b, x, T_INT64);
	const char *fl = op1(b, "Floor", x);
	const char *frac = op1(b, "Floor", op2(b, "Add", op2(b, "Mul", op2(b, "Sub", x, fl), cdouble(b, 1e6)),
					       cdouble(b, 0.5)));
	return op2(b, "Add", op2(b, "Mul", cast(b, fl, T_INT64), cint(b, 1000000)), cast(b, frac, T_INT64));
}

/* The part of a timestamp, as ts_parts and civil_from_days compute it;
 * after the floor modulo every division is of non-negative numbers, where
 * ONNX's truncating Div is C's. */
static const char *datepart(struct ob *b, const struct ft_feature *ft, const char *us)
{
	const int64_t day = 86400000000LL;
	const char *rem = fmod_floor(b, us, day);
	if (ft->part == FT_PART_HOUR)
		return op2(b, "Div", rem, cint(b, 3600000000LL));
	const char *days = op2(b, "Div", op2(b, "Sub", us, rem), cint(b, day));
	if (ft->part == FT_PART_DOW || ft->part == FT_PART_WEEKEND)
		return fmod_floor(b, op2(b, "Add", days, cint(b, 4)), 7);
	const char *doe = fmod_floor(b, op2(b, "Add", days, cint(b, 719468)), 146097);
	const char *yoe = op2(b, "Div",
			      op2(b, "Sub",
				  op2(b, "Add", op2(b, "Sub", doe, op2(b, "Div", doe, cint(b, 1460))),
				      op2(b, "Div", doe, cint(b, 36524))),
				  op2(b, "Div", doe, cint(b, 146096))),
			      cint(b, 365));
	const char *doy = op2(b, "Sub", doe,
			      op2(b, "Sub",
				  op2(b, "Add", op2(b, "Mul", yoe, cint(b, 365)), op2(b, "Div", yoe, cint(b, 4))),
				  op2(b, "Div", yoe, cint(b, 100))));
	const char *mp = op2(b, "Div", op2(b, "Add", op2(b, "Mul", doy, cint(b, 5)), cint(b, 2)), cint(b, 153));
	/* month - 1: mp < 10 ? mp + 2 : mp - 10 */
	return fmod_floor(b, op2(b, "Add", mp, cint(b, 2)), 12);
}

/* The graph of transform_apply: dense[ndense] ([N,1] doubles) and each
 * categorical slot's index within its feature ([N,1] int64). */
static int transform_graph(struct ob *b, const struct transform *t, const char *const *inputs,
			   const char **dense, const char **cat, struct pm_err *err)
{
	for (size_t i = 0; i < t->nfeat; i++) {
		const struct ft_feature *ft = &t->feat[i];
		const char *x = inputs[ft->input];
		bool str = t->inputs[ft->input].type == PM_STRING;
		const char *miss = str ? NULL : op1(b, "IsNaN", x);
		const char *idx = NULL;
		switch (ft->kind) {
		case FT_NUMERIC: {
			const char *v = where(b, miss, cdouble(b, ft->impute_value), x);
			v = value_space(b, ft, v);
			dense[ft->dense_off] = op2(b, "Div", op2(b, "Sub", v, cdouble(b, ft->center)),
						   cdouble(b, ft->div));
			if (ft->indicator)
				dense[ft->dense_off + 1] = cast(b, miss, T_DOUBLE);
			continue;
		}
		case FT_BUCKETIZE: {
			const char *v = value_space(b, ft, where(b, miss, cdouble(b, 0), x));
			const char *at;
			if (ft->nbounds)
				at = sum_axis1(b, cast(b, op2(b, "GreaterOrEqual", v,
							     crow(b, T_DOUBLE, ft->bounds, ft->nbounds)),
						       T_INT64),
					       true);
			else /* one bucket: 0 in the shape of v */
				at = op2(b, "Mul", cast(b, v, T_INT64), cint(b, 0));
			idx = where(b, miss, cint(b, ft->card - 1), at);
			break;
		}
		case FT_ONEHOT: {
			int64_t miss_idx = ft->impute == FT_IMPUTE_MODE && ft->vocab.n ? 0 : ft->card - 1;
			if (str)
				idx = onehot_string(b, ft, x, miss_idx);
			else if (onehot_number(b, ft, x, miss, miss_idx, &idx, err) < 0)
				return -1;
			break;
		}
		case FT_HASH:
			return pm_errf(err, "feature '%s' is hashed with xxHash64, which no ONNX operator "
				       "computes: train with --transform '%s=onehot' instead", ft->name, ft->name);
		case FT_CROSS:
			return pm_errf(err, "feature '%s' is a cross hashed with xxHash64, which no ONNX "
				       "operator computes: train without --cross", ft->name);
		case FT_DATEPART: {
			const char *us = value_us(b, ft, where(b, miss, cdouble(b, 0), x));
			const char *p = datepart(b, ft, us);
			if (ft->part == FT_PART_WEEKEND) {
				const char *we = op2(b, "Or", op2(b, "Equal", p, cint(b, 0)),
						     op2(b, "Equal", p, cint(b, 6)));
				dense[ft->dense_off] = where(b, miss, cdouble(b, 0), cast(b, we, T_DOUBLE));
				continue;
			}
			idx = where(b, miss, cint(b, ft->card - 1), p);
			break;
		}
		}
		cat[ft->cat_slot] = idx;
	}
	return 0;
}

/* ---- the model ------------------------------------------------------------------ */

/* A row-major [rows x cols] matrix of the parameters. */
static const char *matrix(struct ob *b, const char *stem, const double *p, size_t rows, size_t cols)
{
	int64_t dims[2] = {(int64_t)rows, (int64_t)cols};
	return tensor(b, stem, T_DOUBLE, p, rows * cols, dims, 2);
}

static const char *vector(struct ob *b, const char *stem, const double *p, size_t n)
{
	int64_t dims = (int64_t)n;
	return tensor(b, stem, T_DOUBLE, p, n, &dims, 1);
}

/* The scores z [N,K] before the output's function. */
static const char *model_graph(struct ob *b, const struct model *m, const char **dense,
			       const char **cat)
{
	const struct transform *t = m->tf;
	const double *P = m->params;
	size_t K = (size_t)m->nout, nd = t->ndense, nc = t->ncat;
	const char *x = nd ? concat1(b, dense, nd) : NULL;
	const char *z = NULL;
	if (m->has_linear) {
		z = vector(b, "bias", P + m->off_b, K);
		/* Gemm, not MatMul: ONNX Runtime fuses a MatMul with a scalar
		 * Div before it (a lone standardized feature) into FusedMatMul,
		 * whose scale is a float32 attribute (7 digits, not 16) */
		if (m->linear_dense && nd)
			z = node(b, "Gemm", NULL,
				 (const char *[]){x, matrix(b, "linear_dense", P + m->off_wd, K, nd), z, NULL},
				 (Onnx__AttributeProto *[]){attr_int(b, "transB", 1), NULL});
		if (nc) {
			const char **g = ob_alloc(b, nc * sizeof *g);
			for (size_t i = 0; i < t->nfeat; i++)
				if (t->feat[i].cat_slot >= 0)
					g[t->feat[i].cat_slot] = op2(b, "Add", cat[t->feat[i].cat_slot],
								     cint(b, t->feat[i].cat_off));
			const char *w = matrix(b, m->linear_dense ? "linear_cat" : "wide_cat", P + m->off_wc,
					       t->cat_total, K);
			z = op2(b, "Add", sum_axis1(b, op2(b, "Gather", w, concat1(b, g, nc)), false), z);
		}
	}
	if (m->has_deep) {
		const char **in = ob_alloc(b, (nc + 1) * sizeof *in);
		size_t n = 0;
		if (nd)
			in[n++] = x;
		for (size_t i = 0; i < t->nfeat; i++) {
			const struct ft_feature *ft = &t->feat[i];
			if (ft->cat_slot < 0 || !m->embed[ft->cat_slot])
				continue;
			const char *e = matrix(b, "embedding", P + m->off_emb[ft->cat_slot], ft->card,
					       (size_t)m->embed[ft->cat_slot]);
			in[n++] = op1(b, "Flatten", op2(b, "Gather", e, cat[ft->cat_slot]));
		}
		const char *a = concat1(b, in, n);
		for (int l = 0; l <= m->nhidden; l++) {
			const char *w = matrix(b, l < m->nhidden ? "dense_w" : "out_w", P + m->off_w[l],
					       m->dims[l + 1], m->dims[l]);
			const char *bias = vector(b, l < m->nhidden ? "dense_b" : "out_b", P + m->off_bias[l],
						  m->dims[l + 1]);
			a = node(b, "Gemm", NULL, (const char *[]){a, w, bias, NULL},
				 (Onnx__AttributeProto *[]){attr_int(b, "transB", 1), NULL});
			if (l < m->nhidden)
				a = op1(b, "Relu", a);
		}
		z = z ? op2(b, "Add", z, a) : a;
	}
	return z;
}

/* ---- the model file ---------------------------------------------------------------- */

static Onnx__ValueInfoProto *value_info(struct ob *b, const char *name, int type, int64_t cols)
{
	Onnx__TensorShapeProto__Dimension **dim = ob_alloc(b, 2 * sizeof *dim);
	for (int i = 0; i < 2; i++) {
		dim[i] = ob_alloc(b, sizeof **dim);
		onnx__tensor_shape_proto__dimension__init(dim[i]);
	}
	dim[0]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
	dim[0]->dim_param = ob_str(b, "N");
	dim[1]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
	dim[1]->dim_value = cols;
	Onnx__TensorShapeProto *shape = ob_alloc(b, sizeof *shape);
	onnx__tensor_shape_proto__init(shape);
	shape->n_dim = 2;
	shape->dim = dim;
	Onnx__TypeProto__Tensor *tt = ob_alloc(b, sizeof *tt);
	onnx__type_proto__tensor__init(tt);
	tt->has_elem_type = 1;
	tt->elem_type = type;
	tt->shape = shape;
	Onnx__TypeProto *tp = ob_alloc(b, sizeof *tp);
	onnx__type_proto__init(tp);
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	Onnx__ValueInfoProto *v = ob_alloc(b, sizeof *v);
	onnx__value_info_proto__init(v);
	v->name = ob_str(b, name);
	v->type = tp;
	return v;
}

static Onnx__StringStringEntryProto *prop(struct ob *b, const char *key, const char *value)
{
	Onnx__StringStringEntryProto *e = ob_alloc(b, sizeof *e);
	onnx__string_string_entry_proto__init(e);
	e->key = ob_str(b, key);
	e->value = ob_str(b, value);
	return e;
}

static Onnx__OperatorSetIdProto *opset(struct ob *b, const char *domain, int64_t v)
{
	Onnx__OperatorSetIdProto *o = ob_alloc(b, sizeof *o);
	onnx__operator_set_id_proto__init(o);
	o->domain = ob_str(b, domain);
	o->has_version = 1;
	o->version = v;
	return o;
}

/* Two inputs of one name would be one tensor. */
static int check_inputs(const struct transform *t, struct pm_err *err)
{
	for (size_t i = 0; i < t->ninputs; i++) {
		if (!strcmp(t->inputs[i].name, "prediction"))
			return pm_errf(err, "input '%s' has the name of the ONNX model's output", t->inputs[i].name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t->inputs[i].name, t->inputs[j].name))
				return pm_errf(err, "two inputs are named '%s'", t->inputs[i].name);
	}
	return 0;
}

int model_export_onnx(const struct model *m, const char *name, const char *path,
		      struct model_onnx_info *info, struct pm_err *err)
{
	const struct transform *t = m->tf;
	unsigned known = MT_LINEAR | MT_WIDE | MT_DEEP | MT_CLASS_OUTPUTS;
	if (model_types[m->type].parts & ~known)
		return pm_errf(err, "a %s model has parts that the ONNX export does not know",
			       model_type_name(m->type));
	if (check_inputs(t, err) < 0)
		return -1;
	struct ob b = {.t = t};
	const char **inputs = ob_alloc(&b, t->ninputs * sizeof *inputs);
	const char **dense = ob_alloc(&b, t->ndense * sizeof *dense);
	const char **cat = ob_alloc(&b, t->ncat * sizeof *cat);
	Onnx__ValueInfoProto **in = ob_alloc(&b, t->ninputs * sizeof *in);
	for (size_t i = 0; i < t->ninputs; i++) {
		inputs[i] = t->inputs[i].name;
		in[i] = value_info(&b, t->inputs[i].name, t->inputs[i].type == PM_STRING ? T_STRING : T_DOUBLE, 1);
	}
	if (transform_graph(&b, t, inputs, dense, cat, err) < 0) {
		ob_free(&b);
		return -1;
	}
	const char *z = model_graph(&b, m, dense, cat);
	size_t K = (size_t)m->nout;
	const char *y;
	if (m->task == TASK_REGRESSION)
		y = op2(&b, "Add", op2(&b, "Mul", z, cdouble(&b, m->label_std)), cdouble(&b, m->label_mean));
	else if (K == 1)
		y = op1(&b, "Sigmoid", z);
	else
		y = node(&b, "Softmax", NULL, (const char *[]){z, NULL},
			 (Onnx__AttributeProto *[]){attr_int(&b, "axis", 1), NULL});
	/* the last node's output is the graph's */
	Onnx__NodeProto *last = b.nodes[b.nnodes - 1];
	if (strcmp(last->output[0], y)) {
		y = op1(&b, "Identity", y);
		last = b.nodes[b.nnodes - 1];
	}
	last->output[0] = ob_str(&b, "prediction");
	Onnx__ValueInfoProto *out = value_info(&b, "prediction", T_DOUBLE, (int64_t)K);

	Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
	g.name = ob_str(&b, name);
	g.n_node = b.nnodes;
	g.node = b.nodes;
	g.n_initializer = b.ninits;
	g.initializer = b.inits;
	g.n_input = t->ninputs;
	g.input = in;
	g.n_output = 1;
	g.output = &out;

	json_t *classes = ft_vocab_to_json(&m->classes);
	char *cls = json_dumps(classes, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(classes);
	Onnx__StringStringEntryProto *props[] = {
		prop(&b, "prodml.model", name),
		prop(&b, "prodml.type", model_type_name(m->type)),
		prop(&b, "prodml.task", model_task_name(m->task)),
		prop(&b, "prodml.label", m->label ? m->label : ""),
		prop(&b, "prodml.classes", cls ? cls : "[]"),
	};
	free(cls);
	Onnx__OperatorSetIdProto *ops[] = {opset(&b, "", OPSET_ONNX), opset(&b, "ai.onnx.ml", OPSET_ML)};
	Onnx__ModelProto mp = ONNX__MODEL_PROTO__INIT;
	mp.has_ir_version = 1;
	mp.ir_version = IR_VERSION;
	mp.n_opset_import = 2;
	mp.opset_import = ops;
	mp.producer_name = ob_str(&b, "prodml");
	mp.producer_version = ob_str(&b, PACKAGE_VERSION);
	mp.doc_string = ob_str(&b, "prodml model with its feature transform: one [N,1] input per raw "
				   "feature (NaN or \"\" when missing), prediction [N,K]");
	mp.graph = &g;
	mp.n_metadata_props = sizeof props / sizeof *props;
	mp.metadata_props = props;

	size_t len = onnx__model_proto__get_packed_size(&mp);
	if (len > INT32_MAX) { /* protobuf's limit: readers refuse larger messages */
		ob_free(&b);
		return pm_errf(err, "the ONNX model would be %zu bytes, over protobuf's 2 GiB", len);
	}
	uint8_t *buf = xmalloc(len + 1);
	onnx__model_proto__pack(&mp, buf);
	int rc = fs_write_atomic(path, buf, len, err);
	if (rc == 0 && info) {
		info->bytes = len;
		info->nodes = b.nnodes;
		info->opset = OPSET_ONNX;
		info->ml_opset = OPSET_ML;
	}
	free(buf);
	ob_free(&b);
	return rc;
}
