/* An nginx configuration for the live prediction servers of a workspace:
 * one upstream per served reference (M, M:V, M@ALIAS: replicas of one
 * reference answer alike, replicas of two do not), and the routes of the
 * prediction API to them.  The workspace is what every host's servers
 * record themselves in, so the upstreams span hosts; regenerating the file
 * and `nginx -s reload` follows servers that start and stop.
 *
 * Open-source nginx checks upstreams passively: a replica that refuses or
 * drops max_fails connections within fail_timeout is left out for
 * fail_timeout, and proxy_next_upstream sends the request that met the
 * error to the next replica.  Predictions are pure functions of the
 * request, so retrying a POST is safe (non_idempotent); a timeout is not
 * retried, since the slow replica may still answer and log it.  Only
 * servers that are running now (their process alive) are listed. */
#include "serve.h"
#include "workspace/workspace.h"

#include <string.h>

struct group {
	const char *model, *ref;
	char *name;          /* the upstream's name */
	json_t *servers;     /* borrowed rows of `servers` */
};

/* An nginx identifier from a reference: letters, digits and _ only. */
static char *upstream_name(const char *ref)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "prodml_");
	for (const char *p = ref; *p; p++) {
		if (*p == '@')
			sbuf_puts(&b, "_at_");
		else if (*p == ':')
			sbuf_puts(&b, "_v");
		else
			sbuf_putc(&b, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
						      (*p >= '0' && *p <= '9')
					      ? *p
					      : '_');
	}
	return sbuf_steal(&b);
}

/* The host:port of a server's URL ("http://127.0.0.1:8501"). */
static const char *url_address(const char *url)
{
	const char *p = strstr(url, "://");
	return p ? p + 3 : url;
}

/* A model name as a PCRE literal. */
static void put_regex_literal(struct sbuf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr(".^$*+?()[]{}|\\/", *s))
			sbuf_puts(b, "\\");
		sbuf_putc(b, *s);
	}
}

static bool is_live(json_t *row)
{
	const char *st = json_string_value(json_object_get(row, "status"));
	return st && strcmp(st, "running") == 0 && json_string_value(json_object_get(row, "url"));
}

/* Whether a server row serves what `want` (NULL: all; M: every reference
 * of M; M@A or M:V: that reference) names. */
static bool wanted(json_t *row, const char *want)
{
	if (!want)
		return true;
	const char *model = json_string_value(json_object_get(row, "model"));
	const char *ref = json_string_value(json_object_get(row, "ref"));
	if (strpbrk(want, "@:"))
		return ref && strcmp(ref, want) == 0;
	return model && strcmp(model, want) == 0;
}

static struct group *group_of(struct group **gs, size_t *n, json_t *row)
{
	const char *ref = json_string_value(json_object_get(row, "ref"));
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*gs)[i].ref, ref) == 0)
			return &(*gs)[i];
	*gs = xrealloc(*gs, (*n + 1) * sizeof **gs);
	struct group *g = &(*gs)[(*n)++];
	g->model = json_string_value(json_object_get(row, "model"));
	g->ref = ref;
	g->name = upstream_name(ref);
	g->servers = json_array();
	return g;
}

/* The group a model's requests go to: the reference with the most live
 * replicas, the first started among equals. */
static struct group *route_of(struct group *gs, size_t n, const char *model)
{
	struct group *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(gs[i].model, model) == 0 &&
		    (!best || json_array_size(gs[i].servers) > json_array_size(best->servers)))
			best = &gs[i];
	return best;
}

/* The http-level part: upstreams and one server block. */
static void put_http(struct sbuf *b, struct group *gs, size_t n, const char *listen,
		     const char *model, bool single)
{
	for (size_t i = 0; i < n; i++) {
		sbuf_printf(b, "upstream %s {\n", gs[i].name);
		sbuf_printf(b, "\t# %s: %zu replica%s\n", gs[i].ref, json_array_size(gs[i].servers),
			    json_array_size(gs[i].servers) == 1 ? "" : "s");
		size_t k;
		json_t *row;
		json_array_foreach(gs[i].servers, k, row)
		{
			const char *host = json_string_value(json_object_get(row, "host"));
			sbuf_printf(b, "\tserver %s max_fails=1 fail_timeout=2s;  # server %lld, pid %lld%s%s\n",
				    url_address(json_string_value(json_object_get(row, "url"))),
				    (long long)json_integer_value(json_object_get(row, "id")),
				    (long long)json_integer_value(json_object_get(row, "pid")),
				    host ? ", host " : "", host ? host : "");
		}
		sbuf_puts(b, "\tkeepalive 32;\n}\n\n");
	}
	sbuf_printf(b, "server {\n\tlisten %s;\n", listen);
	sbuf_puts(b, "\tclient_max_body_size 16m;\n"
		     "\tproxy_http_version 1.1;\n"
		     "\tproxy_set_header Connection \"\";\n"
		     "\tproxy_set_header Host $host;\n"
		     "\tproxy_next_upstream error non_idempotent;\n"
		     "\tproxy_connect_timeout 2s;\n");
	/* each model's TensorFlow Serving routes; a model served under two
	 * references goes to the one with the most replicas */
	for (size_t i = 0; i < n; i++) {
		if (route_of(gs, n, gs[i].model) != &gs[i])
			continue;
		sbuf_puts(b, "\n\tlocation ~ ^/v1/models/");
		put_regex_literal(b, gs[i].model);
		sbuf_printf(b, "(/|:|$) {\n\t\tproxy_pass http://%s;\n\t}\n", gs[i].name);
	}
	for (size_t i = 0; i < n; i++)
		if (route_of(gs, n, gs[i].model) != &gs[i])
			sbuf_printf(b, "\t# %s (upstream %s) has no route: %s goes to %s\n", gs[i].ref,
				    gs[i].name, gs[i].model, route_of(gs, n, gs[i].model)->ref);
	/* MLflow's endpoint and the health checks name no model: they are
	 * routed when one model (model) is served */
	if (single)
		sbuf_printf(b, "\n\tlocation ~ ^/(invocations|health|ping|version)$ {\n"
			       "\t\tproxy_pass http://%s;\n\t}\n",
			    route_of(gs, n, model)->name);
	sbuf_puts(b, "}\n");
}

int servers_nginx_conf(struct workspace *ws, const struct nginx_conf_opts *o, char **text,
		       json_t **info, struct pm_err *err)
{
	json_t *list;
	if (servers_list(ws, &list, err) < 0)
		return -1;
	struct group *gs = NULL;
	size_t n = 0;
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row)
		if (is_live(row) && wanted(row, o->want))
			json_array_append(group_of(&gs, &n, row)->servers, row);
	if (!n) {
		json_decref(list);
		if (o->want)
			return pm_errcf(err, PM_E_NOTFOUND,
					"servers nginx-conf: no running server serves %s (`serve %s --replicas 2 "
					"--detach` starts two)",
					o->want, o->want);
		return pm_errcf(err, PM_E_NOTFOUND,
				"servers nginx-conf: no running servers (`serve M --replicas 2 --detach` "
				"starts two)");
	}
	bool single = true;
	for (i = 1; i < n; i++)
		if (strcmp(gs[i].model, gs[0].model) != 0)
			single = false;

	struct sbuf b = {0};
	sbuf_printf(&b, "# nginx load balancer for the prediction servers of %s\n", ws->dir);
	sbuf_puts(&b, "# made by `prodml servers nginx-conf`; make it again and `nginx -s reload` when\n"
		      "# servers start or stop.  Replicas are checked passively: one that refuses a\n"
		      "# connection is left out for 2 s and the request goes to the next one.\n\n");
	if (o->full) {
		/* paths are relative to nginx's prefix (nginx -p DIR) */
		sbuf_puts(&b, "worker_processes 1;\n"
			      "pid nginx.pid;\n"
			      "error_log error.log warn;\n"
			      "events {\n\tworker_connections 1024;\n}\n"
			      "http {\n"
			      "\tlog_format prodml '$remote_addr [$time_local] \"$request\" $status "
			      "$upstream_addr $upstream_status $request_time';\n"
			      "\taccess_log access.log prodml;\n"
			      "\tclient_body_temp_path client_body_temp;\n"
			      "\tproxy_temp_path proxy_temp;\n"
			      "\tfastcgi_temp_path fastcgi_temp;\n"
			      "\tuwsgi_temp_path uwsgi_temp;\n"
			      "\tscgi_temp_path scgi_temp;\n\n");
		struct sbuf inner = {0};
		put_http(&inner, gs, n, o->listen, gs[0].model, single);
		/* indent the http block's contents */
		const char *p = inner.s;
		while (*p) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			if (len)
				sbuf_printf(&b, "\t%.*s\n", (int)len, p);
			else
				sbuf_puts(&b, "\n");
			p += len + (e ? 1 : 0);
		}
		sbuf_free(&inner);
		sbuf_puts(&b, "}\n");
	} else {
		put_http(&b, gs, n, o->listen, gs[0].model, single);
	}

	json_t *ups = json_array();
	for (i = 0; i < n; i++) {
		json_t *ids = json_array();
		size_t k;
		json_array_foreach(gs[i].servers, k, row)
			json_array_append_new(ids, json_pack("{s:O,s:O}", "id", json_object_get(row, "id"),
							     "url", json_object_get(row, "url")));
		json_array_append_new(ups, json_pack("{s:s,s:s,s:s,s:b,s:o}", "upstream", gs[i].name,
						     "model", gs[i].model, "ref", gs[i].ref, "routed",
						     route_of(gs, n, gs[i].model) == &gs[i], "servers", ids));
		free(gs[i].name);
		json_decref(gs[i].servers);
	}
	free(gs);
	json_decref(list);
	*info = json_pack("{s:s,s:o}", "listen", o->listen, "upstreams", ups);
	*text = sbuf_steal(&b);
	return 0;
}
