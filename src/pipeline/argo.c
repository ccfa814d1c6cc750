/* A pipeline as an Argo Workflows Workflow (the engine under Kubeflow
 * Pipelines): one container template per step running the same prodml
 * command, a DAG template whose tasks carry the `after` edges, the
 * parameters as workflow parameters, `retries` as retryStrategy.limit and
 * `when` and ${STEP.FIELD} as expressions over the upstream task's output
 * (its stdout: the command's JSON).  Every step mounts one volume that holds the
 * workspace, as every step shares it here. */
#include "pipeline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Argo names are DNS labels: lower case, digits, '-'. */
static char *dns_name(const char *s)
{
	char *d = xstrdup(s);
	for (char *p = d; *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '-';
	return d;
}

static void yaml_str(struct sbuf *b, const char *s)
{
	sbuf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sbuf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sbuf_puts(b, "\\n");
		else
			sbuf_putc(b, *s);
	}
	sbuf_putc(b, '"');
}

static bool is_param(const struct pipeline *p, const char *k, size_t len)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strlen(p->params[i].name) == len && strncmp(p->params[i].name, k, len) == 0)
			return true;
	return false;
}

/* ${k} becomes {{workflow.parameters.k}}; ${STEP.FIELD}, a field of an
 * upstream task's output, is the template's input parameter STEP-FIELD,
 * which the DAG task fills in.  refs (when not NULL) gets each such
 * reference once. */
static char *argo_subst(const struct pipeline *p, const char *text, json_t *refs)
{
	struct sbuf b = {0};
	const char *s = text;
	for (const char *q; (q = strstr(s, "${")) && strchr(q, '}');) {
		const char *e = strchr(q, '}');
		size_t len = (size_t)(e - q - 2);
		sbuf_add(&b, s, (size_t)(q - s));
		if (is_param(p, q + 2, len)) {
			sbuf_printf(&b, "{{workflow.parameters.%.*s}}", (int)len, q + 2);
		} else {
			char *k = xstrndup(q + 2, len), *name = dns_name(k);
			sbuf_printf(&b, "{{inputs.parameters.%s}}", name);
			if (refs)
				json_object_set_new(refs, name, json_string(k));
			free(k);
			free(name);
		}
		s = e + 1;
	}
	sbuf_puts(&b, s);
	return sbuf_steal(&b);
}

/* The expression for a field of an upstream task's JSON output. */
static void task_field(struct sbuf *b, const char *step, const char *field)
{
	char *up = dns_name(step);
	sbuf_printf(b, "jsonpath(tasks['%s'].outputs.result, '$.%s')", up, field);
	free(up);
}

static const char *const op_text[] = {"<", "<=", ">", ">=", "==", "!="};

static void argo_when(struct sbuf *b, const struct pipeline *p, const struct pl_when *w)
{
	char *v = argo_subst(p, w->value, NULL);
	double d;
	bool num = parse_double(w->value, strlen(w->value), &d);
	struct sbuf e = {0};
	sbuf_puts(&e, "{{=");
	task_field(&e, w->step, w->field);
	sbuf_printf(&e, " %s %s%s%s}}", op_text[w->op], num ? "" : "'", v, num ? "" : "'");
	sbuf_puts(b, "            when: ");
	yaml_str(b, e.s);
	sbuf_putc(b, '\n');
	sbuf_free(&e);
	free(v);
}

/* The task's arguments: the upstream fields its command uses. */
static void task_arguments(struct sbuf *b, json_t *refs)
{
	if (!json_object_size(refs))
		return;
	sbuf_puts(b, "            arguments:\n              parameters:\n");
	const char *name;
	json_t *k;
	json_object_foreach(refs, name, k) {
		const char *ref = json_string_value(k), *dot = strchr(ref, '.');
		char *step = xstrndup(ref, (size_t)(dot - ref));
		struct sbuf e = {0};
		sbuf_puts(&e, "{{=");
		task_field(&e, step, dot + 1);
		sbuf_puts(&e, "}}");
		sbuf_printf(b, "                - name: %s\n                  value: ", name);
		yaml_str(b, e.s);
		sbuf_putc(b, '\n');
		sbuf_free(&e);
		free(step);
	}
}

void pipeline_argo(const struct pipeline *p, struct sbuf *b)
{
	char *name = dns_name(p->name);
	sbuf_printf(b, "# prodml pipeline %s as an Argo Workflow: argo submit FILE\n", p->name);
	sbuf_puts(b, "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n");
	sbuf_printf(b, "  generateName: %s-\n", name);
	sbuf_printf(b, "spec:\n  entrypoint: %s\n  arguments:\n    parameters:\n", name);
	sbuf_printf(b, "      - name: image\n        value: \"prodml:%s\"\n", PACKAGE_VERSION);
	sbuf_puts(b, "      - name: workspace\n        value: \"/work/.prodml\"\n");
	for (size_t i = 0; i < p->nparams; i++) {
		sbuf_printf(b, "      - name: %s\n        value: ", p->params[i].name);
		yaml_str(b, p->params[i].value);
		sbuf_putc(b, '\n');
	}
	sbuf_puts(b, "  volumeClaimTemplates:\n    - metadata:\n        name: work\n      spec:\n"
		     "        accessModes: [\"ReadWriteOnce\"]\n        resources:\n          requests:\n"
		     "            storage: 1Gi\n");
	sbuf_printf(b, "  templates:\n    - name: %s\n      dag:\n        tasks:\n", name);
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct pl_step *st = &p->steps[i];
		char *t = dns_name(st->name);
		sbuf_printf(b, "          - name: %s\n            template: %s\n", t, t);
		if (st->nafter) {
			sbuf_puts(b, "            dependencies: [");
			for (size_t k = 0; k < st->nafter; k++) {
				char *d = dns_name(st->after[k]);
				sbuf_printf(b, "%s\"%s\"", k ? ", " : "", d);
				free(d);
			}
			sbuf_puts(b, "]\n");
		}
		json_t *refs = json_object();
		free(argo_subst(p, st->command, refs));
		task_arguments(b, refs);
		json_decref(refs);
		if (st->when)
			argo_when(b, p, st->when);
		free(t);
	}
	for (size_t i = 0; i < p->nsteps; i++) {
		const struct pl_step *st = &p->steps[i];
		json_t *refs = json_object();
		char *t = dns_name(st->name), *cmd = argo_subst(p, st->command, refs);
		sbuf_printf(b, "    - name: %s\n", t);
		if (json_object_size(refs)) {
			sbuf_puts(b, "      inputs:\n        parameters:\n");
			const char *name;
			json_t *k;
			json_object_foreach(refs, name, k)
				sbuf_printf(b, "          - name: %s\n", name);
		}
		json_decref(refs);
		if (st->retries > 0)
			sbuf_printf(b, "      retryStrategy:\n        limit: \"%d\"\n", st->retries);
		sbuf_puts(b, "      container:\n        image: \"{{workflow.parameters.image}}\"\n"
			     "        command: [\"prodml\"]\n"
			     "        args: [\"-q\", \"-W\", \"{{workflow.parameters.workspace}}\", \"-o\", \"json\", \"-c\", ");
		yaml_str(b, cmd);
		sbuf_puts(b, "]\n        workingDir: /work\n        volumeMounts:\n"
			     "          - name: work\n            mountPath: /work\n");
		free(t);
		free(cmd);
	}
	free(name);
}
