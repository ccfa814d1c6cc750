/* Evaluation metrics.  Definitions follow scikit-learn where it has one
 * (roc_auc_score, average_precision_score, log_loss with eps 1e-15,
 * r2_score), so users can compare figures directly. */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct scored {
	double s, y;
};

static int cmp_scored_asc(const void *a, const void *b)
{
	double x = ((const struct scored *)a)->s, y = ((const struct scored *)b)->s;
	return x < y ? -1 : x > y;
}

/* Both areas from one sort (the sort is what they cost). */
static void auc_and_ap(const double *y, const double *score, size_t n, double *auc, double *ap);

double metric_auc(const double *y, const double *score, size_t n)
{
	double a, p;
	auc_and_ap(y, score, n, &a, &p);
	return a;
}

double metric_pr_auc(const double *y, const double *score, size_t n)
{
	double a, p;
	auc_and_ap(y, score, n, &a, &p);
	return p;
}

static void auc_and_ap(const double *y, const double *score, size_t n, double *auc, double *ap_out)
{
	struct scored *v = xmalloc((n ? n : 1) * sizeof *v);
	double npos = 0;
	for (size_t i = 0; i < n; i++) {
		v[i].s = score[i];
		v[i].y = y[i];
		npos += y[i] > 0.5;
	}
	double nneg = (double)n - npos;
	*auc = *ap_out = NAN;
	if (npos == 0) {
		free(v);
		return;
	}
	qsort(v, n, sizeof *v, cmp_scored_asc);
	if (nneg > 0) {
		/* rank sum of the positives, ties sharing their average rank */
		long double rsum = 0;
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && v[j].s == v[i].s)
				j++;
			double avg = ((double)i + 1 + (double)j) / 2.0;
			for (size_t k = i; k < j; k++)
				if (v[k].y > 0.5)
					rsum += avg;
			i = j;
		}
		*auc = (double)((rsum - npos * (npos + 1) / 2.0) / (npos * nneg));
	}
	/* average precision: walk thresholds from the highest score down;
	 * tied scores form one step */
	double tp = 0, fp = 0, prev_recall = 0, ap = 0;
	for (size_t i = n; i > 0;) {
		size_t j = i;
		while (j > 0 && v[j - 1].s == v[i - 1].s) {
			j--;
			if (v[j].y > 0.5)
				tp++;
			else
				fp++;
		}
		double recall = tp / npos, precision = tp / (tp + fp);
		ap += (recall - prev_recall) * precision;
		prev_recall = recall;
		i = j;
	}
	free(v);
	*ap_out = ap;
}

json_t *metrics_regression(const double *y, const double *pred, size_t n, double train_mean)
{
	long double se = 0, ae = 0, sy = 0, bse = 0, bae = 0;
	for (size_t i = 0; i < n; i++) {
		double d = pred[i] - y[i];
		se += d * d;
		ae += fabs(d);
		sy += y[i];
		double b = train_mean - y[i];
		bse += b * b;
		bae += fabs(b);
	}
	double mean = n ? (double)(sy / n) : NAN;
	long double st = 0;
	for (size_t i = 0; i < n; i++)
		st += (y[i] - mean) * (y[i] - mean);
	double r2 = st > 0 ? 1.0 - (double)(se / st) : NAN;
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "n", (json_int_t)n, "rmse",
			 json_num(n ? sqrt((double)(se / n)) : NAN), "mae", json_num(n ? (double)(ae / n) : NAN),
			 "r2", json_num(r2), "mse", json_num(n ? (double)(se / n) : NAN), "baseline_rmse",
			 json_num(n ? sqrt((double)(bse / n)) : NAN), "baseline_mae",
			 json_num(n ? (double)(bae / n) : NAN));
}

static double clamp_p(double p)
{
	const double eps = 1e-15;
	return p < eps ? eps : p > 1 - eps ? 1 - eps : p;
}

json_t *metrics_binary(const double *y, const double *p, size_t n, double threshold,
		       double prior_pos)
{
	double tp = 0, fp = 0, tn = 0, fn = 0;
	long double ll = 0, bll = 0;
	double pb = clamp_p(prior_pos);
	for (size_t i = 0; i < n; i++) {
		bool pos = y[i] > 0.5, pred = p[i] >= threshold;
		if (pos && pred)
			tp++;
		else if (pos)
			fn++;
		else if (pred)
			fp++;
		else
			tn++;
		double q = clamp_p(p[i]);
		ll -= pos ? log(q) : log(1 - q);
		bll -= pos ? log(pb) : log(1 - pb);
	}
	double prec = tp + fp > 0 ? tp / (tp + fp) : 0, rec = tp + fn > 0 ? tp / (tp + fn) : 0;
	double f1 = prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0;
	/* the majority class of training predicted for every row */
	double base_acc = n ? (prior_pos >= 0.5 ? tp + fn : tn + fp) / (double)n : NAN;
	json_t *cm = json_pack("[[I,I],[I,I]]", (json_int_t)tn, (json_int_t)fp, (json_int_t)fn,
			       (json_int_t)tp);
	double auc, ap;
	auc_and_ap(y, p, n, &auc, &ap);
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "n",
			 (json_int_t)n, "auc", json_num(auc), "pr_auc", json_num(ap), "accuracy", json_num(n ? (tp + tn) / (double)n : NAN),
			 "logloss", json_num(n ? (double)(ll / n) : NAN), "precision", json_num(prec), "recall",
			 json_num(rec), "f1", json_num(f1), "threshold", json_num(threshold), "positive_rate",
			 json_num(n ? (tp + fn) / (double)n : NAN), "confusion", cm, "baseline_accuracy",
			 json_num(base_acc), "baseline_logloss", json_num(n ? (double)(bll / n) : NAN));
}

json_t *metrics_multiclass(const double *y, const double *prob, size_t n, size_t k,
			   const double *prior, const struct ft_vocab *classes)
{
	size_t *cm = xcalloc(k * k, sizeof *cm);
	long double ll = 0, bll = 0;
	size_t correct = 0, major = 0;
	for (size_t c = 1; c < k; c++)
		if (prior && prior[c] > prior[major])
			major = c;
	size_t base_correct = 0;
	for (size_t i = 0; i < n; i++) {
		size_t t = (size_t)y[i], best = 0;
		const double *pi = prob + i * k;
		for (size_t c = 1; c < k; c++)
			if (pi[c] > pi[best])
				best = c;
		cm[t * k + best]++;
		correct += best == t;
		base_correct += major == t;
		ll -= log(clamp_p(pi[t]));
		if (prior)
			bll -= log(clamp_p(prior[t]));
	}
	json_t *per = json_array(), *cmj = json_array();
	double mp = 0, mr = 0, mf = 0, mauc = 0;
	size_t nauc = 0;
	double *yb = xmalloc((n ? n : 1) * sizeof *yb), *sc = xmalloc((n ? n : 1) * sizeof *sc);
	for (size_t c = 0; c < k; c++) {
		double tp = (double)cm[c * k + c], colsum = 0, rowsum = 0;
		json_t *row = json_array();
		for (size_t d = 0; d < k; d++) {
			colsum += (double)cm[d * k + c];
			rowsum += (double)cm[c * k + d];
			json_array_append_new(row, json_integer((json_int_t)cm[c * k + d]));
		}
		json_array_append_new(cmj, row);
		double p = colsum > 0 ? tp / colsum : 0, r = rowsum > 0 ? tp / rowsum : 0;
		double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
		mp += p;
		mr += r;
		mf += f;
		for (size_t i = 0; i < n; i++) {
			yb[i] = (size_t)y[i] == c;
			sc[i] = prob[i * k + c];
		}
		double auc = metric_auc(yb, sc, n);
		if (isfinite(auc)) {
			mauc += auc;
			nauc++;
		}
		json_t *cls = classes && c < classes->n ? json_stringn(classes->str[c], classes->len[c]) : NULL;
		json_array_append_new(per, json_pack("{s:o,s:o,s:o,s:o,s:o,s:I}", "class",
						     cls ? cls : json_integer((json_int_t)c), "precision", json_num(p),
						     "recall", json_num(r), "f1", json_num(f), "auc", json_num(auc),
						     "support", (json_int_t)rowsum));
	}
	free(yb);
	free(sc);
	free(cm);
	double K = (double)k;
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "n", (json_int_t)n,
			 "accuracy", json_num(n ? (double)correct / (double)n : NAN), "logloss",
			 json_num(n ? (double)(ll / n) : NAN), "auc", json_num(nauc ? mauc / (double)nauc : NAN),
			 "precision", json_num(mp / K), "recall", json_num(mr / K), "f1", json_num(mf / K), "per_class",
			 per, "confusion", cmj, "baseline_accuracy",
			 json_num(n ? (double)base_correct / (double)n : NAN), "baseline_logloss",
			 json_num(n && prior ? (double)(bll / n) : NAN));
}

static json_t *task_metrics(const struct model *m, const double *y, const double *pred, size_t n,
			    double threshold)
{
	switch (m->task) {
	case TASK_REGRESSION:
		return metrics_regression(y, pred, n, m->label_mean);
	case TASK_BINARY:
		if (m->nout == 1)
			return metrics_binary(y, pred, n, threshold, m->prior ? m->prior[1] : 0.5);
		/* a two-class softmax: judged on P(class 1) */
		{
			double *p1 = xmalloc((n ? n : 1) * sizeof *p1);
			for (size_t i = 0; i < n; i++)
				p1[i] = pred[i * 2 + 1];
			json_t *j = metrics_binary(y, p1, n, threshold, m->prior ? m->prior[1] : 0.5);
			free(p1);
			return j;
		}
	case TASK_MULTICLASS:
		return metrics_multiclass(y, pred, n, (size_t)m->nout, m->prior, &m->classes);
	}
	return json_object();
}

json_t *model_eval_metrics(const struct model *m, const double *y, const double *pred, size_t n,
			   double threshold)
{
	json_t *j = task_metrics(m, y, pred, n, threshold);
	if (m->task != TASK_REGRESSION) {
		/* the names of the confusion matrix's rows and columns */
		json_t *names = json_array();
		for (size_t c = 0; c < m->classes.n; c++)
			json_array_append_new(names, json_stringn(m->classes.str[c], m->classes.len[c]));
		json_object_set_new(j, "classes", names);
	}
	return j;
}

json_t *model_metrics(const struct model *m, const double *y, const double *pred, size_t n)
{
	return model_eval_metrics(m, y, pred, n, 0.5);
}

const char *model_loss_metric(const struct model *m)
{
	/* the held-out loss: smoother from epoch to epoch than accuracy or
	 * AUC, so keeping the best epoch and early stopping follow the fit */
	return m->task == TASK_REGRESSION ? "rmse" : "logloss";
}

const char *model_primary_metric(const char *task, bool *higher_better)
{
	/* what a user reads a model by: AUC does not depend on a threshold,
	 * and a multi-class AUC is a macro average that few read, while
	 * accuracy is what a user of several classes checks first */
	static const char *const by_task[][2] = {
		{"regression", "rmse"}, {"binary", "auc"}, {"multiclass", "accuracy"}};
	for (size_t i = 0; task && i < PM_ARRAY_LEN(by_task); i++)
		if (strcmp(task, by_task[i][0]) == 0) {
			if (higher_better)
				*higher_better = model_metric_higher_better(by_task[i][1], NULL);
			return by_task[i][1];
		}
	if (higher_better)
		*higher_better = false;
	return NULL;
}

bool model_metric_higher_better(const char *name, bool *known)
{
	static const char *const higher[] = {"auc", "pr_auc", "accuracy", "precision", "recall", "f1", "r2"};
	static const char *const lower[] = {"rmse", "mae", "mse", "logloss", "loss"};
	if (known)
		*known = true;
	for (size_t i = 0; i < PM_ARRAY_LEN(higher); i++)
		if (strcmp(name, higher[i]) == 0)
			return true;
	for (size_t i = 0; i < PM_ARRAY_LEN(lower); i++)
		if (strcmp(name, lower[i]) == 0)
			return false;
	if (known)
		*known = false;
	return false;
}
