/* Serving commands: predict (batch), serve (the online prediction
 * service, in the foreground or detached), servers, serve stop. */
#include "cmd.h"

#include "data/data.h"
#include "registry/registry.h"
#include "serve/serve.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- predict ---------------------------------------------------------------------------- */

static int load_version(struct session *s, const char *ref, struct reg_version *v,
			struct model **m, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	if (reg_resolve(ws, ref, v, err) < 0)
		return -1;
	if (reg_load_model(ws, v, m, err) < 0) {
		reg_version_free(v);
		return -1;
	}
	return 0;
}

static int exec_predict(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	const char *data = call_opt(call, "--data"), *file = call_opt(call, "--file");
	const char *out = call_opt(call, "--out");
	if (!!data == !!file)
		return pm_errcf(err, PM_E_USAGE, "predict: give the rows with --data NAME or --file PATH");
	if (!out)
		return pm_errcf(err, PM_E_USAGE, "predict: --out FILE is required (the predictions CSV)");
	long long chunk;
	if (call_opt_int(call, "--chunk-bytes", 0, &chunk, err) < 0)
		return -1;
	if (chunk < 0 || (chunk > 0 && chunk < 64))
		return pm_errcf(err, PM_E_USAGE, "predict: --chunk-bytes must be at least 64");
	struct frame *f = NULL;
	if (data && session_frame(s, data, &f, err) < 0)
		return -1;
	struct reg_version v;
	struct model *m;
	if (load_version(s, call->argv[0], &v, &m, err) < 0)
		return -1;
	size_t nkeys = 0;
	char **keys = call_opt(call, "--keys") ? str_split(call_opt(call, "--keys"), ',', &nkeys)
					       : NULL;
	struct predict_opts o = {.out = out, .rejects = call_opt(call, "--rejects"),
				 .keys = (const char *const *)keys, .nkeys = nkeys,
				 .threads = session_threads(s), .chunk_bytes = (size_t)chunk,
				 .progress = &s->progress};
	struct predict_stats st;
	int rc = f ? predict_frame(m, f, &o, &st, err) : predict_file(m, file, &o, &st, err);
	if (rc == 0) {
		json_t *cols = json_array();
		for (size_t i = 0; i < nkeys; i++)
			json_array_append_new(cols, json_string(keys[i]));
		char **pc = serve_pred_columns(m);
		for (char **c = pc; *c; c++)
			json_array_append_new(cols, json_string(*c));
		str_list_free(pc);
		json_t *ex = json_array();
		for (size_t i = 0; i < st.nexamples; i++) {
			json_t *e = json_pack("{s:I,s:s}", "row", (json_int_t)st.examples[i].row, "reason",
					      st.examples[i].reason);
			if (st.examples[i].line)
				json_object_set_new(e, "line", json_integer((json_int_t)st.examples[i].line));
			json_array_append_new(ex, e);
		}
		call->result = json_pack(
			"{s:s,s:I,s:s,s:s,s:s,s:o,s:I,s:I,s:I,s:o,s:f,s:o}", "model", v.model, "version",
			(json_int_t)v.version, "task", model_task_name(m->task), "input",
			data ? data : file, "out", out, "columns", cols, "rows", (json_int_t)st.rows,
			"predicted", (json_int_t)st.predicted, "rejected", (json_int_t)st.rejected,
			"rejects_file", st.rejects_path ? json_string(st.rejects_path) : json_null(),
			"seconds", st.seconds, "first_rejects", ex);
	}
	predict_stats_free(&st);
	str_list_free(keys);
	model_free(m);
	reg_version_free(&v);
	return rc;
}

static void render_predict(struct session *s, const struct cmd_call *call, json_t *r,
			   struct sbuf *out)
{
	(void)s;
	(void)call;
	sbuf_printf(out, "%s:%lld: %lld rows -> %s: %lld predicted, %lld rejected",
		    json_string_value(json_object_get(r, "model")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    (long long)json_integer_value(json_object_get(r, "rows")),
		    json_string_value(json_object_get(r, "out")),
		    (long long)json_integer_value(json_object_get(r, "predicted")),
		    (long long)json_integer_value(json_object_get(r, "rejected")));
	json_t *rf = json_object_get(r, "rejects_file");
	if (json_is_string(rf))
		sbuf_printf(out, " (see %s)", json_string_value(rf));
	sbuf_putc(out, '\n');
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(r, "first_rejects"), i, e)
	{
		json_t *line = json_object_get(e, "line");
		if (line)
			sbuf_printf(out, "  line %lld: %s\n", (long long)json_integer_value(line),
				    json_string_value(json_object_get(e, "reason")));
		else
			sbuf_printf(out, "  row %lld: %s\n",
				    (long long)json_integer_value(json_object_get(e, "row")),
				    json_string_value(json_object_get(e, "reason")));
	}
}

/* ---- serve ------------------------------------------------------------------------------ */

/* A host name, an IPv4 address or an IPv6 one (without brackets). */
static bool host_name_ok(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 253 || *h == '-' || *h == '.')
		return false;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') || (*h >= '0' && *h <= '9') ||
		      *h == '.' || *h == '-' || *h == ':'))
			return false;
	return true;
}

struct serve_args {
	struct serve_options o;
	char *model, *alias, *token;
	char *ref;
	const char *files;  /* the workspace's directory (its servers/ logs) */
};

static void serve_args_free(struct serve_args *a)
{
	free(a->model);
	free(a->alias);
	free(a->ref);
	if (a->token) {
		memset(a->token, 0, strlen(a->token));
		free(a->token);
	}
}

static int read_token(const char *path, char **out, struct pm_err *err)
{
	char *data;
	size_t len;
	if (fs_read_all(path, &data, &len, err) < 0)
		return pm_err_prefix(err, "serve: --token-file");
	char *t = str_trim(data);
	size_t n = strlen(t);
	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ' || t[n - 1] == '\t'))
		t[--n] = 0;
	if (n == 0 || strpbrk(t, " \t\r\n")) {
		memset(data, 0, len);
		free(data);
		return pm_errcf(err, PM_E_USAGE,
				"serve: --token-file %s must hold one token (no spaces), got %s", path,
				n ? "several words" : "nothing");
	}
	*out = xstrdup(t);
	memset(data, 0, len);
	free(data);
	return 0;
}

static int parse_serve(struct session *s, struct cmd_call *call, struct serve_args *a,
		       struct pm_err *err)
{
	memset(a, 0, sizeof *a);
	const char *ref = call->argv[0];
	const char *at = strchr(ref, '@'), *colon = strchr(ref, ':');
	const char *split = call_opt(call, "--split");
	a->ref = xstrdup(ref);
	if (at && colon)
		return pm_errcf(err, PM_E_USAGE, "serve: use MODEL, MODEL:VERSION or MODEL@ALIAS, got '%s'",
				ref);
	if ((at || colon) && split)
		return pm_errcf(err, PM_E_USAGE,
				"serve: --split names the versions itself; serve MODEL --split %s", split);
	const char *sep = at ? at : colon;
	a->model = sep ? xstrndup(ref, (size_t)(sep - ref)) : xstrdup(ref);
	if (at)
		a->alias = xstrdup(at + 1);
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	/* fail here, with the registry's words, before any socket or fork */
	struct reg_version v;
	if (reg_resolve(ws, ref, &v, err) < 0)
		return pm_err_prefix(err, "serve");
	if (colon)
		a->o.version = v.version;
	reg_version_free(&v);

	long long port, max_batch, timeout, queue, threads, max_body, lookup_size, max_conns,
		max_client, max_inflight;
	double sample, read_timeout;
	if (call_opt_int(call, "--port", 8501, &port, err) < 0 ||
	    call_opt_int(call, "--max-batch", 1, &max_batch, err) < 0 ||
	    call_opt_int(call, "--batch-timeout-us", 1000, &timeout, err) < 0 ||
	    call_opt_int(call, "--queue-rows", 4096, &queue, err) < 0 ||
	    call_opt_int(call, "--threads", 0, &threads, err) < 0 ||
	    call_opt_int(call, "--max-body", 16 << 20, &max_body, err) < 0 ||
	    call_opt_int(call, "--max-inflight-mb", 512, &max_inflight, err) < 0 ||
	    call_opt_int(call, "--lookup-size", 0, &lookup_size, err) < 0 ||
	    call_opt_double(call, "--log-sample", 1.0, &sample, err) < 0 ||
	    call_opt_double(call, "--read-timeout-s", 5.0, &read_timeout, err) < 0 ||
	    call_opt_int(call, "--max-connections", 0, &max_conns, err) < 0 ||
	    call_opt_int(call, "--max-client-connections", 0, &max_client, err) < 0)
		return -1;
	if (!(read_timeout >= 0.1 && read_timeout <= 3600))
		return pm_errcf(err, PM_E_USAGE, "serve: --read-timeout-s must be 0.1 to 3600 seconds");
	if (call_opt(call, "--max-connections") && max_conns < 2)
		return pm_errcf(err, PM_E_USAGE, "serve: --max-connections must be at least 2");
	if (call_opt(call, "--max-client-connections") && max_client < 1)
		return pm_errcf(err, PM_E_USAGE, "serve: --max-client-connections must be at least 1");
	if (port < 0 || port > 65535)
		return pm_errcf(err, PM_E_USAGE, "serve: --port must be 0 to 65535 (0: any free port)");
	if (max_batch < 1 || max_batch > 1000000)
		return pm_errcf(err, PM_E_USAGE, "serve: --max-batch must be 1 to 1000000");
	if (timeout < 0 || timeout > 10000000)
		return pm_errcf(err, PM_E_USAGE, "serve: --batch-timeout-us must be 0 to 10000000");
	if (queue < 1)
		return pm_errcf(err, PM_E_USAGE, "serve: --queue-rows must be at least 1");
	if (threads < 0 || threads > 1024)
		return pm_errcf(err, PM_E_USAGE, "serve: --threads must be 0 (all CPUs) to 1024");
	if (max_body < 1)
		return pm_errcf(err, PM_E_USAGE, "serve: --max-body must be at least 1 byte");
	if (max_inflight < 1 || max_inflight > (1LL << 30))
		return pm_errcf(err, PM_E_USAGE, "serve: --max-inflight-mb must be 1 to 1073741824");
	if (lookup_size < 0)
		return pm_errcf(err, PM_E_USAGE, "serve: --lookup-size must be 0 (all keys) or more");
	if (!(sample >= 0 && sample <= 1))
		return pm_errcf(err, PM_E_USAGE, "serve: --log-sample must be a fraction from 0 to 1");
	if ((call_opt(call, "--lookup-data") || call_opt(call, "--lookup-size")) &&
	    !call_opt(call, "--lookup"))
		return pm_errcf(err, PM_E_USAGE, "serve: --lookup-data and --lookup-size go with --lookup");
	if (call_opt(call, "--token-file") && read_token(call_opt(call, "--token-file"), &a->token, err) < 0)
		return -1;
	/* what the server opens: the workspace as named (a directory, or a
	 * PostgreSQL URI whose directory holds only the files) */
	a->o.ws_dir = s->ws_dir;
	a->files = ws->dir;
	a->o.model = a->model;
	a->o.alias = a->alias;
	a->o.split = split;
	a->o.host = call_opt(call, "--host") ? call_opt(call, "--host") : "127.0.0.1";
	a->o.advertise = call_opt(call, "--advertise");
	if (a->o.advertise && !host_name_ok(a->o.advertise))
		return pm_errcf(err, PM_E_USAGE,
				"serve: --advertise is a host name or an address (letters, digits, '.', "
				"'-', ':'), got \"%s\"",
				a->o.advertise);
	a->o.port = (int)port;
	a->o.threads = (int)threads;
	a->o.max_batch = (int)max_batch;
	a->o.batch_timeout_us = timeout;
	a->o.queue_rows = (size_t)queue;
	a->o.log_sample = sample;
	a->o.token = a->token;
	a->o.lookup = call_opt(call, "--lookup");
	a->o.lookup_data = call_opt(call, "--lookup-data");
	a->o.lookup_size = (size_t)lookup_size;
	a->o.max_body = (size_t)max_body;
	a->o.max_inflight = (size_t)max_inflight << 20;
	a->o.read_timeout_s = read_timeout;
	a->o.max_conns = (size_t)max_conns;
	a->o.max_client_conns = (size_t)max_client;
	a->o.strict = call_flag(call, "--strict");
	long long keep, rollup;
	if (monitor_retention_days(s, call, &keep, &rollup, err) < 0)
		return -1;
	a->o.keep_days = keep;
	a->o.rollup_days = rollup;
	return 0;
}

/* Waits for SIGINT or SIGTERM (blocked in every thread, so they queue
 * here) or the session's cancel flag. */
static void wait_for_stop(volatile int *cancel)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	struct timespec ts = {0, 250 * 1000000L};
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			return;
		if (cancel && *cancel)
			return;
	}
}

static json_t *routes_version(json_t *status)
{
	json_t *vs = json_object_get(status, "versions");
	return json_integer(json_integer_value(json_object_get(json_array_get(vs, 0), "version")));
}

/* Runs a server until SIGINT/SIGTERM.  `notify` (a pipe or -1) gets the
 * started server's address (detached); the foreground prints it. */
static int run_server(struct session *s, struct workspace *ws, struct serve_args *a, bool detached,
		      const char *log, int notify, json_t **result, struct pm_err *err)
{
	struct server_rec rec = {.pid = getpid(), .model = a->model, .ref = a->ref,
				 .split = a->o.split, .lookup = a->o.lookup, .bind_host = a->o.host,
				 .port = a->o.port, .url = "", .detached = detached, .log = log};
	int64_t id;
	if (servers_add(ws, &rec, &id, err) < 0)
		return -1;
	a->o.server_id = id;
	struct server *sv;
	if (server_start(&a->o, &sv, err) < 0) {
		struct pm_err e2;
		servers_set_status(ws, id, "failed", err->msg, &e2);
		return -1;
	}
	json_t *st = server_status_json(sv);
	json_t *ver = routes_version(st);
	int64_t version = json_integer_value(ver);
	json_decref(ver);
	json_decref(st);
	if (servers_set_running(ws, id, server_port(sv), server_url(sv), version, err) < 0) {
		json_decref(server_stop(sv, 0));
		return -1;
	}
	if (notify >= 0) {
		char msg[512];
		int n = snprintf(msg, sizeof msg, "O %lld %lld %d %lld %s\n", (long long)id,
				 (long long)getpid(), server_port(sv), (long long)version, server_url(sv));
		if (write(notify, msg, (size_t)n) < 0) {
			/* the parent is gone: keep serving, it only wanted the address */
		}
		close(notify);
	} else {
		fprintf(s->errs, "serving %s (version %lld) at %s/ (server %lld; Ctrl-C stops)\n",
			a->ref, (long long)version, server_url(sv), (long long)id);
		fflush(s->errs);
	}
	wait_for_stop(detached ? NULL : s->cancel);
	json_t *fin = server_stop(sv, 30.0);
	struct pm_err e2;
	servers_set_status(ws, id, "stopped", NULL, &e2);
	json_object_set_new(fin, "id", json_integer((json_int_t)id));
	json_object_set_new(fin, "status", json_string("stopped"));
	*result = fin;
	return 0;
}

/* The command line that runs this server in the foreground: the same
 * words without --detach and --replicas, its own port, and the retention
 * this session's settings give. */
static char **detached_argv(struct session *s, const struct cmd_call *call,
			    const struct serve_args *a)
{
	size_t cap = 12 + (size_t)call->argc + 2 * CMD_MAX_OPTS, n = 0;
	char **v = xcalloc(cap, sizeof *v);
	v[n++] = xstrdup("prodml");
	v[n++] = xstrdup("-q");
	v[n++] = xstrdup("-W");
	v[n++] = xstrdup(s->ws_dir);
	v[n++] = xstrdup("serve");
	for (int i = 0; i < call->argc; i++)
		v[n++] = xstrdup(call->argv[i]);
	int k = 0;
	for (const struct cmd_opt *o = call->entry->opts; o && o->name; o++, k++) {
		if (!call->optval[k] || strcmp(o->name, "--detach") == 0 ||
		    strcmp(o->name, "--replicas") == 0 || strcmp(o->name, "--port") == 0)
			continue;
		v[n++] = xstrdup(o->name);
		if (o->arg)
			v[n++] = xstrdup(call->optval[k]);
	}
	/* a replica's own port (--replicas counts up from --port) */
	v[n++] = xstrdup("--port");
	v[n++] = xasprintf("%d", a->o.port);
	if (!call_opt(call, "--keep-days")) {
		v[n++] = xstrdup("--keep-days");
		v[n++] = xasprintf("%lld", (long long)a->o.keep_days);
	}
	if (!call_opt(call, "--rollup-days")) {
		v[n++] = xstrdup("--rollup-days");
		v[n++] = xasprintf("%lld", (long long)a->o.rollup_days);
	}
	return v;
}

/* Starts the server as a new process (proc_spawn_detached), so that it
 * shares no database connection or thread state with this one, and waits
 * on a pipe for its address or its error. */
static int serve_detached(struct session *s, const struct cmd_call *call, struct serve_args *a,
			  json_t **result, struct pm_err *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return pm_errf(err, "serve: pipe: %s", strerror(errno));
	char *dir = path_join(a->files, "servers");
	if (fs_mkdir_p(dir, err) < 0) {
		free(dir);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	char **argv = detached_argv(s, call, a);
	struct proc_detached d = {.argv = argv, .log_dir = dir, .log_prefix = "serve",
				  .pass_fd = fds[1], .pass_env = "PRODML_SERVE_NOTIFY"};
	int64_t started;   /* the pid comes again with the address */
	int sr = proc_spawn_detached(&d, &started, err);
	close(fds[1]);
	str_list_free(argv);
	if (sr) {
		free(dir);
		close(fds[0]);
		return pm_err_prefix(err, "serve");
	}
	struct sbuf b = {0};
	char buf[512];
	for (;;) {
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sbuf_add(&b, buf, (size_t)n);
	}
	close(fds[0]);
	int rc;
	long long id, pid, version;
	int port;
	char url[256];
	if (b.len && b.s[0] == 'O' &&
	    sscanf(b.s, "O %lld %lld %d %lld %255s", &id, &pid, &port, &version, url) == 5) {
		char name[64];
		snprintf(name, sizeof name, "serve-%lld.log", pid);
		char *log = path_join(dir, name);
		*result = json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:i,s:b,s:s,s:s}", "id", (json_int_t)id,
				    "pid", (json_int_t)pid, "model", a->model, "ref", a->ref, "version",
				    (json_int_t)version, "url", url, "port", port, "detached", 1,
				    "status", "running", "log", log);
		free(log);
		rc = 0;
	} else if (b.len && b.s[0] == 'E') {
		size_t n = b.len;
		while (n && b.s[n - 1] == '\n')
			n--;
		rc = pm_errf(err, "%.*s", (int)(n - 2), b.s + 2);
	} else {
		rc = pm_errf(err, "serve: the server process ended before it started (see %s)", dir);
	}
	sbuf_free(&b);
	free(dir);
	return rc;
}

/* Starts N detached servers of one reference on ports --port, --port+1, ..
 * (or each on a free port with --port 0), for a load balancer (`servers
 * nginx-conf`).  All or none: when one fails to start, those started
 * are stopped and the error names the replica. */
static int serve_replicas(struct session *s, const struct cmd_call *call, struct serve_args *a,
			  long long n, json_t **result, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	int base = a->o.port;
	json_t *list = json_array();
	for (long long i = 0; i < n; i++) {
		a->o.port = base ? base + (int)i : 0;
		json_t *one;
		if (serve_detached(s, call, a, &one, err) < 0) {
			pm_err_prefix(err, "serve: replica %lld of %lld", i + 1, n);
			size_t k;
			json_t *r;
			json_array_foreach(list, k, r)
			{
				json_t *row;
				struct pm_err e2;
				if (servers_stop(ws, json_integer_value(json_object_get(r, "id")), 30, &row,
						 &e2) == 0)
					json_decref(row);
			}
			json_decref(list);
			a->o.port = base;
			return -1;
		}
		json_array_append_new(list, one);
	}
	a->o.port = base;
	*result = json_pack("{s:s,s:s,s:o}", "model", a->model, "ref", a->ref, "replicas", list);
	return 0;
}

static int exec_serve(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	/* set by serve --detach for the process it starts: where to send the
	 * address (a pipe), and that this is the background server */
	int notify = -1;
	const char *ne = getenv("PRODML_SERVE_NOTIFY");
	if (ne) {
		int64_t fd;
		if (parse_int64(ne, strlen(ne), &fd) && fd > 2 && fd < 65536) {
			notify = (int)fd;
			fcntl(notify, F_SETFD, FD_CLOEXEC);
		}
		unsetenv("PRODML_SERVE_NOTIFY");
	}
	struct serve_args a;
	int rc = parse_serve(s, call, &a, err);
	if (rc < 0 && notify >= 0) {
		char msg[1100];
		int n = snprintf(msg, sizeof msg, "E %s\n", err->msg);
		if (write(notify, msg, (size_t)n) < 0) {
			/* nobody to tell */
		}
		close(notify);
	} else if (rc == 0 && call_opt(call, "--replicas")) {
		long long n;
		rc = call_opt_int(call, "--replicas", 1, &n, err);
		if (rc == 0 && (n < 1 || n > 64))
			rc = pm_errcf(err, PM_E_USAGE, "serve: --replicas must be 1 to 64");
		else if (rc == 0 && a.o.port && a.o.port + n - 1 > 65535)
			rc = pm_errcf(err, PM_E_USAGE,
				      "serve: %lld replicas from port %d pass port 65535 (--port 0 picks free ports)",
				      n, a.o.port);
		else if (rc == 0)
			rc = serve_replicas(s, call, &a, n, &call->result, err);
	} else if (rc == 0 && call_flag(call, "--detach")) {
		rc = serve_detached(s, call, &a, &call->result, err);
	} else if (rc == 0) {
		/* SIGINT and SIGTERM wait in a queue for wait_for_stop; the
		 * server's threads inherit the mask and never see them */
		sigset_t set, old;
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &set, &old);
		struct workspace *ws;
		rc = session_ws(s, &ws, err);
		char *log = NULL;
		if (notify >= 0) {
			char name[64];
			snprintf(name, sizeof name, "servers/serve-%lld.log", (long long)getpid());
			log = path_join(a.files, name);
		}
		if (rc == 0)
			rc = run_server(s, ws, &a, notify >= 0, log, notify, &call->result, err);
		if (rc < 0 && notify >= 0) {
			char msg[1100];
			int n = snprintf(msg, sizeof msg, "E %s\n", err->msg);
			if (write(notify, msg, (size_t)n) < 0) {
				/* nobody to tell */
			}
			close(notify);
		}
		free(log);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (s->cancel)
			*s->cancel = 0;
	}
	serve_args_free(&a);
	return rc;
}

/* A detached server that started: its id, pid, version and URL. */
static void put_started(struct sbuf *out, json_t *r)
{
	sbuf_printf(out, "server %lld (pid %lld) serving %s version %lld at %s/\n",
		    (long long)json_integer_value(json_object_get(r, "id")),
		    (long long)json_integer_value(json_object_get(r, "pid")),
		    json_string_value(json_object_get(r, "ref")),
		    (long long)json_integer_value(json_object_get(r, "version")),
		    json_string_value(json_object_get(r, "url")));
}

static void render_serve(struct session *s, const struct cmd_call *call, json_t *r,
			 struct sbuf *out)
{
	(void)s;
	(void)call;
	json_t *reps = json_object_get(r, "replicas");
	if (json_is_array(reps)) {
		size_t i;
		json_t *x;
		json_array_foreach(reps, i, x)
			put_started(out, x);
		sbuf_printf(out, "%zu replicas of %s; `servers nginx-conf %s` balances them, "
				 "`serve stop ID` stops one\n",
			    json_array_size(reps), json_string_value(json_object_get(r, "ref")),
			    json_string_value(json_object_get(r, "ref")));
		return;
	}
	if (json_is_true(json_object_get(r, "detached"))) {
		put_started(out, r);
		sbuf_printf(out, "log: %s; `serve stop %lld` stops it\n",
			    json_string_value(json_object_get(r, "log")),
			    (long long)json_integer_value(json_object_get(r, "id")));
		return;
	}
	render_generic(r, out);
}

static int parse_id(const char *s, int64_t *id, struct pm_err *err)
{
	if (!parse_int64(s, strlen(s), id) || *id < 1)
		return pm_errcf(err, PM_E_USAGE, "serve stop: ID is a server number (see `servers`), got \"%s\"",
				s);
	return 0;
}

static int exec_serve_stop(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	int64_t id;
	double timeout;
	if (parse_id(call->argv[0], &id, err) < 0 ||
	    call_opt_double(call, "--timeout", 60, &timeout, err) < 0)
		return -1;
	if (!(timeout > 0))
		return pm_errcf(err, PM_E_USAGE, "serve stop: --timeout must be a number of seconds above 0");
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	json_t *row;
	if (servers_stop(ws, id, timeout, &row, err) < 0)
		return -1;
	call->result = row;
	return 0;
}

static void render_serve_stop(struct session *s, const struct cmd_call *call, json_t *r,
			      struct sbuf *out)
{
	(void)s;
	(void)call;
	long long nreq = (long long)json_integer_value(json_object_get(r, "requests")),
		  nerr = (long long)json_integer_value(json_object_get(r, "errors"));
	sbuf_printf(out, "server %lld (%s, port %lld): %s after %lld request%s (%lld error%s)\n",
		    (long long)json_integer_value(json_object_get(r, "id")),
		    json_string_value(json_object_get(r, "ref")),
		    (long long)json_integer_value(json_object_get(r, "port")),
		    json_string_value(json_object_get(r, "status")), nreq, nreq == 1 ? "" : "s", nerr,
		    nerr == 1 ? "" : "s");
}

static int exec_servers(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	json_t *list;
	if (servers_list(ws, &list, err) < 0)
		return -1;
	if (!call_flag(call, "--all")) {
		/* by default the live ones and those that died unnoticed */
		json_t *keep = json_array();
		size_t i;
		json_t *v;
		json_array_foreach(list, i, v)
		{
			const char *st = json_string_value(json_object_get(v, "status"));
			if (st && (strcmp(st, "running") == 0 || strcmp(st, "starting") == 0 ||
				   strcmp(st, "dead") == 0 || strcmp(st, "unresponsive") == 0))
				json_array_append(keep, v);
		}
		json_decref(list);
		list = keep;
	}
	call->result = json_pack("{s:o}", "servers", list);
	return 0;
}

static int exec_nginx_conf(struct session *s, struct cmd_call *call, struct pm_err *err)
{
	struct workspace *ws;
	if (session_ws(s, &ws, err) < 0)
		return -1;
	struct nginx_conf_opts o = {.want = call->argc ? call->argv[0] : NULL,
				    .listen = call_opt(call, "--listen") ? call_opt(call, "--listen")
									 : "127.0.0.1:8500",
				    .full = call_flag(call, "--full")};
	/* [HOST:]PORT, as nginx's listen takes it */
	const char *colon = strrchr(o.listen, ':');
	const char *port = colon ? colon + 1 : o.listen;
	int64_t p;
	if (!parse_int64(port, strlen(port), &p) || p < 1 || p > 65535 || (colon && colon == o.listen))
		return pm_errcf(err, PM_E_USAGE, "servers nginx-conf: --listen is [HOST:]PORT, got \"%s\"",
				o.listen);
	char *text;
	json_t *info;
	if (servers_nginx_conf(ws, &o, &text, &info, err) < 0)
		return -1;
	const char *out = call_opt(call, "--out");
	if (out && fs_write_atomic(out, text, strlen(text), err) < 0) {
		free(text);
		json_decref(info);
		return pm_err_prefix(err, "servers nginx-conf");
	}
	json_object_set_new(info, "conf", json_string(text));
	if (out)
		json_object_set_new(info, "out", json_string(out));
	free(text);
	call->result = info;
	return 0;
}

static void render_nginx_conf(struct session *s, const struct cmd_call *call, json_t *r,
			      struct sbuf *out)
{
	(void)s;
	(void)call;
	const char *file = json_string_value(json_object_get(r, "out"));
	if (!file) {
		sbuf_puts(out, json_string_value(json_object_get(r, "conf")));
		return;
	}
	size_t n = 0, i;
	json_t *u;
	json_array_foreach(json_object_get(r, "upstreams"), i, u)
		n += json_array_size(json_object_get(u, "servers"));
	sbuf_printf(out, "wrote %s: %zu upstream%s, %zu server%s, listening on %s\n", file,
		    json_array_size(json_object_get(r, "upstreams")),
		    json_array_size(json_object_get(r, "upstreams")) == 1 ? "" : "s", n, n == 1 ? "" : "s",
		    json_string_value(json_object_get(r, "listen")));
}

static void render_servers(struct session *s, const struct cmd_call *call, json_t *r,
			   struct sbuf *out)
{
	(void)s;
	(void)call;
	json_t *list = json_object_get(r, "servers");
	size_t n = json_array_size(list);
	if (!n) {
		sbuf_puts(out, "no servers (`serve M --detach` starts one)\n");
		return;
	}
	/* a host column when the servers span hosts (a shared PostgreSQL
	 * workspace): a pid means something on its own host only */
	const char *host0 = json_string_value(json_object_get(json_array_get(list, 0), "host"));
	bool hosts = false;
	for (size_t i = 1; i < n && !hosts; i++) {
		const char *h = json_string_value(json_object_get(json_array_get(list, i), "host"));
		hosts = !host0 != !h || (h && strcmp(h, host0) != 0);
	}
	static const char *const hdr[] = {"id", "status", "model", "version", "url", "pid", "host",
					  "req/s", "p50 ms", "p99 ms", "requests", "errors", "lookup hits"};
	static const bool right[] = {true, false, false, true, false, true, false,
				     true, true,  true,  true, true,  true};
	enum { NC = 13, HOST = 6 };
	const char *h[NC];
	bool rt[NC];
	int nc = 0;
	for (int k = 0; k < NC; k++)
		if (k != HOST || hosts) {
			h[nc] = hdr[k];
			rt[nc++] = right[k];
		}
	struct table *t = table_new((size_t)nc, h, rt);
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(list, i);
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(v, "id")));
		table_str(t, json_string_value(json_object_get(v, "status")));
		table_str(t, json_string_value(json_object_get(v, "ref")));
		json_t *vs = json_object_get(v, "versions");
		if (json_array_size(vs) > 1) {
			struct sbuf b = {0};
			size_t k;
			json_t *x;
			json_array_foreach(vs, k, x)
				sbuf_printf(&b, "%s%lld=%lld", k ? "," : "",
					    (long long)json_integer_value(json_object_get(x, "version")),
					    (long long)json_integer_value(json_object_get(x, "weight")));
			table_take(t, sbuf_steal(&b));
		} else if (json_integer_value(json_object_get(v, "version")) > 0) {
			table_cell(t, "%lld", (long long)json_integer_value(json_object_get(v, "version")));
		} else {
			table_str(t, "-"); /* it never ran */
		}
		table_str(t, json_string_value(json_object_get(v, "url")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(v, "pid")));
		if (hosts)
			table_str(t, json_string_value(json_object_get(v, "host")));
		table_num(t, json_object_get(v, "rps"), 1, "%.0f");
		table_num(t, json_object_get(v, "p50_us"), 1e-3, "%.3f");
		table_num(t, json_object_get(v, "p99_us"), 1e-3, "%.3f");
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(v, "requests")));
		table_cell(t, "%lld", (long long)json_integer_value(json_object_get(v, "errors")));
		json_t *hr = json_object_get(v, "lookup_hit_rate");
		if (json_is_number(hr))
			table_cell(t, "%.1f%% of %lld", json_number_value(hr) * 100,
				   (long long)json_integer_value(json_object_get(v, "lookup_entries")));
		else
			table_str(t, json_is_string(json_object_get(v, "lookup")) ? "0 requests" : "-");
	}
	table_render(t, out);
}

/* ---- the table ----------------------------------------------------------------------------- */

static const struct cmd_opt predict_opts[] = {
	{"--data", 0, "NAME", COMPLETE_DATASET, NULL, "the rows to predict: a dataset of the workspace"},
	{"--file", 0, "PATH", COMPLETE_FILE, NULL,
	 "the rows to predict: a CSV (or .tsv) file with a header row, read in chunks"},
	{"--out", 0, "FILE", COMPLETE_FILE, NULL, "the predictions CSV to write (required)"},
	{"--keys", 0, "a,b,..", COMPLETE_COLUMN, NULL,
	 "columns copied into the output before the predictions, to join them back"},
	{"--rejects", 0, "FILE", COMPLETE_FILE, NULL,
	 "where rejected rows go (default OUT.rejects.csv, written only when a row is rejected)"},
	{"--chunk-bytes", 0, "N", COMPLETE_NONE, NULL,
	 "bytes of --file read and predicted at a time (default 16777216); memory stays near "
	 "a few times this, whatever the file's size"},
	{0}};

static const struct cmd_opt serve_opts[] = {
	{"--port", 0, "N", COMPLETE_NONE, NULL, "TCP port (default 8501; 0: any free port, printed)"},
	{"--host", 0, "ADDR", COMPLETE_NONE, NULL,
	 "address to listen on (default 127.0.0.1: this machine only)"},
	{"--advertise", 0, "HOST", COMPLETE_NONE, NULL,
	 "the host name or address that other hosts and `servers nginx-conf` reach this server "
	 "at, recorded in its URL (default --host; this host's name when --host is 0.0.0.0 or ::)"},
	{"--max-batch", 0, "N", COMPLETE_NONE, NULL,
	 "dynamic batching: rows run together (default 1: each request runs as it arrives)"},
	{"--batch-timeout-us", 0, "N", COMPLETE_NONE, NULL,
	 "longest wait for a batch to fill, in microseconds (default 1000)"},
	{"--queue-rows", 0, "N", COMPLETE_NONE, NULL,
	 "rows the batching queue holds; more get 503 with Retry-After (default 4096)"},
	{"--threads", 0, "N", COMPLETE_NONE, NULL,
	 "HTTP threads, and batch workers with --max-batch (default: the CPUs)"},
	{"--log-sample", 0, "F", COMPLETE_NONE, NULL,
	 "fraction of requests written to the request log, 0 to 1 (default 1: all)"},
	{"--detach", 0, NULL, COMPLETE_NONE, NULL,
	 "run in the background; prints the server's id, pid and URL (see `servers`)"},
	{"--replicas", 0, "N", COMPLETE_NONE, NULL,
	 "start N servers in the background (as --detach), on ports --port, --port+1, .. (each a "
	 "free port with --port 0), for a load balancer: see `servers nginx-conf`"},
	{"--token-file", 0, "FILE", COMPLETE_FILE, NULL,
	 "require 'Authorization: Bearer TOKEN' with the token in FILE (except /ping and /health)"},
	{"--lookup", 0, "KEYCOL", COMPLETE_COLUMN, NULL,
	 "static/hybrid serving: precompute predictions per value of KEYCOL into a table; "
	 "KEYCOL must determine the model's inputs (an id)"},
	{"--lookup-data", 0, "NAME", COMPLETE_DATASET, NULL,
	 "the dataset the lookup table is computed from (default: the version's training data)"},
	{"--lookup-size", 0, "N", COMPLETE_NONE, NULL,
	 "keep only the N most frequent keys (hybrid); the rest is computed (default 0: all)"},
	{"--split", 0, "V=W,..", COMPLETE_NONE, NULL,
	 "traffic split between versions or aliases by weight, e.g. 3=90,4=10 or "
	 "production=90,canary=10; requests are interleaved, so any run of them from the start "
	 "is within one request of the weights (3=50,4=50 alternates)"},
	{"--max-body", 0, "BYTES", COMPLETE_NONE, NULL,
	 "largest request body; larger ones get 413 (default 16777216)"},
	{"--max-inflight-mb", 0, "N", COMPLETE_NONE, NULL,
	 "memory that request bodies and their decoded rows may take at once, across all "
	 "connections; a request that finds it taken gets 503 with Retry-After, one that "
	 "needs more than all of it 413 (default 512)"},
	{"--read-timeout-s", 0, "S", COMPLETE_NONE, NULL,
	 "deadline of each wait for a client, counted from its start: the headers of a "
	 "request, its body, the next request on a kept-alive connection; past it the "
	 "connection is closed (answered 408 when its first headers never came whole; default 5)"},
	{"--max-connections", 0, "N", COMPLETE_NONE, NULL,
	 "open connections (default 10000, within the open-file limit, which serve raises to "
	 "its hard limit); a tenth is kept for clients that send their request at once: "
	 "past the rest, a new connection closes the one that has waited longest"},
	{"--max-client-connections", 0, "N", COMPLETE_NONE, NULL,
	 "open connections of one client address; more get 429 (default a quarter of "
	 "--max-connections)"},
	{"--strict", 0, NULL, COMPLETE_NONE, NULL,
	 "refuse a row that omits a feature (400 naming it) instead of reading it as missing"},
	{"--keep-days", 0, "N", COMPLETE_NONE, NULL,
	 "once an hour, roll logged requests older than N days up (see `monitor compact`; "
	 "default: setting monitor.retention_days, else 30; 0: never)"},
	{"--rollup-days", 0, "N", COMPLETE_NONE, NULL,
	 "and drop rollups and feedback older than N days (default: setting "
	 "monitor.rollup_days, else 400)"},
	{0}};

static const struct cmd_opt servers_opts[] = {
	{"--all", 0, NULL, COMPLETE_NONE, NULL, "also the servers that stopped or failed to start"},
	{0}};

static const struct cmd_opt nginx_opts[] = {
	{"--listen", 0, "[HOST:]PORT", COMPLETE_NONE, NULL,
	 "where nginx listens (default 127.0.0.1:8500)"},
	{"--full", 0, NULL, COMPLETE_NONE, NULL,
	 "a whole nginx.conf (events, http, logs and temporary files relative to nginx's prefix), "
	 "to run with `nginx -p DIR -c FILE`; without it, the blocks to include in an http block"},
	{"--out", 0, "FILE", COMPLETE_FILE, NULL, "write the configuration to FILE (atomically) instead of printing it"},
	{0}};

static const struct cmd_opt stop_opts[] = {
	{"--timeout", 0, "S", COMPLETE_NONE, NULL,
	 "seconds to wait for the server to drain and exit (default 60)"},
	{0}};

/* what each command reads and writes (pipelines take their data edges from these) */
static const struct cmd_io predict_io[] = {
	{"1", IO_MODEL, false}, {"--data", IO_DATASET, false}, {"--file", IO_FILE, false},
	{"--out", IO_FILE, true}, {0}};

const struct cmd_entry cmd_group_serve[] = {
	{.name = "predict", .group = "serving", .args = "M[:V|@ALIAS]", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = predict_opts,
	 .summary = "batch prediction: score a dataset or a CSV file into a predictions CSV",
	 .help = "Predicts every row of --data NAME or --file PATH with the model version (M: the "
		 "latest, M:V, or M@ALIAS) and writes OUT, a CSV with the --keys columns and the "
		 "predictions: for regression `prediction` (in the label's units); for a binary "
		 "model `prediction` (the probability of the positive class) and `class`; for "
		 "softmax `class` and one `p_CLASS` probability per class. Numbers are printed in "
		 "the shortest form that reads back to the same double, as `serve` prints them, so "
		 "batch and online predictions of a row agree to the last bit. "
		 "A file is read in chunks of whole rows (--chunk-bytes), so memory stays bounded on "
		 "files larger than RAM; each chunk is checked, transformed and predicted on every "
		 "thread (`set threads N`) and written in input order. A progress bar shows the "
		 "bytes or rows done; Ctrl-C cancels and leaves no partial output. "
		 "An input that lacks a column the model reads is an error naming the columns "
		 "(the file's header or the dataset), and nothing is written. "
		 "Rows that do not fit the model's serving schema are never dropped silently: a row "
		 "that holds a value of the wrong type (text where a number is expected, a bad "
		 "timestamp), a NaN or infinite number, an input so far outside the training data that "
		 "the prediction is not a finite number (the reason names the feature), or is malformed CSV (wrong number of "
		 "fields, an unterminated quote) goes to the reject file with its row, line, reason "
		 "and input text (CSV: row,line,reason,input). A missing value (empty, NA, null) is "
		 "not a rejection: the model's transform imputes it. A run that rejects every row "
		 "fails with the first reason and writes neither file. "
		 "Both files are written to a temporary name and renamed. "
		 "JSON: {\"model\",\"version\",\"task\",\"input\",\"out\",\"columns\",\"rows\","
		 "\"predicted\",\"rejected\",\"rejects_file\",\"seconds\","
		 "\"first_rejects\":[{\"row\",\"line\",\"reason\"}]}.",
	 .io = predict_io, .exec = exec_predict, .render = render_predict},
	{.name = "serve", .group = "serving", .args = "M[@ALIAS|:V]", .min_args = 1, .max_args = 1,
	 .pos_complete = {COMPLETE_MODEL}, .opts = serve_opts,
	 .summary = "online prediction service: TensorFlow Serving and MLflow REST APIs, Prometheus metrics",
	 .help = "Serves the model over HTTP (libmicrohttpd, a pool of --threads epoll threads) on "
		 "127.0.0.1 unless --host says otherwise. In the foreground (`prodml serve M`) it "
		 "prints its URL and runs until SIGINT or SIGTERM; with --detach it runs in the "
		 "background (a new session, output in the workspace's servers/ folder), is listed "
		 "by `servers` and stopped by `serve stop`. On SIGTERM it stops accepting "
		 "connections, lets the requests in flight finish, flushes the request log and "
		 "exits. It records the URL others reach it at: its --host address, this host's "
		 "name when --host is 0.0.0.0 or ::, or --advertise HOST; `servers nginx-conf` "
		 "points the load balancer there, which is what servers of several hosts sharing "
		 "a PostgreSQL workspace need. "
		 "Versions: `serve M` follows the latest version, `serve M@ALIAS` follows the alias "
		 "and `serve M:V` stays on V. When the followed alias moves (`models promote`, "
		 "`models rollback`) or a new latest version is registered, the server loads the "
		 "new version within a fraction of a second (it polls the workspace every 200 ms) "
		 "and swaps it in atomically: requests in flight finish on the old version and none "
		 "fails. --split 3=90,4=10 spreads the requests that name no version over several "
		 "versions or aliases by weight (a canary), each followed and reloaded on its own. "
		 "Endpoints: TensorFlow Serving's REST API: POST "
		 "/v1/models/M[/versions/N|/labels/L]:predict with {\"instances\":[..]} (rows as "
		 "objects of feature: value, or as lists in the model's input order) answered "
		 "{\"predictions\":[..]}, or {\"inputs\":{feature:[..],..}} (by column) answered "
		 "{\"outputs\":[..]}; GET /v1/models/M[/versions/N] (version status) and "
		 "/v1/models/M/metadata (the inputs and their types). MLflow's scoring server: POST "
		 "/invocations with {\"dataframe_split\":{\"columns\",\"data\"}}, "
		 "{\"dataframe_records\":[..]}, {\"instances\":..}, {\"inputs\":..} or a text/csv "
		 "body with a header row, answered {\"predictions\":[..]}. GET /ping and /health; "
		 "GET /metrics in the Prometheus text format (requests by status, errors, a latency "
		 "histogram, batch sizes, queue depth, versions, reloads, lookup hits). A prediction "
		 "is a number (regression: the value; binary: the probability of the positive "
		 "class) or a list of class probabilities (softmax), printed as `predict` prints it. "
		 "Missing values mean what an empty field means to `predict --file`, whatever the "
		 "feature's type: JSON null, a string that is empty or one of the data reader's "
		 "missing tokens (NA, N/A, NaN, nan, null, NULL, spaces around them allowed), and a "
		 "feature the row omits (a key, a column of dataframe_split or of the CSV header) "
		 "are all missing, and the model's transform imputes them, so a row scores the same "
		 "however it is sent; with --strict an omitted feature is refused instead. "
		 "Errors are JSON {\"error\",\"field\"}: 400 names the field (a wrong type, "
		 "malformed JSON with its line and column, with --strict \"instances[3]: missing "
		 "feature 'fare'\", a row whose prediction overflows, naming the row and the feature, "
		 "as `predict` rejects it), 404 an "
		 "unknown model, version, alias or endpoint, 413 a body over --max-body, 415 an "
		 "unsupported content type (the body is JSON: application/json, or no Content-Type "
		 "or curl -d's application/x-www-form-urlencoded, read as JSON; /invocations also "
		 "takes text/csv), 401 a missing or wrong bearer token (--token-file), 503 "
		 "with Retry-After when the batching queue is full. "
		 "Dynamic batching (--max-batch N above 1): the transformed rows of concurrent "
		 "requests wait in a bounded queue (--queue-rows) until N rows are ready or the "
		 "oldest has waited --batch-timeout-us, and run together. "
		 "Static and hybrid serving (--lookup KEYCOL): the predictions of every value of "
		 "KEYCOL in the training data (or --lookup-data) are computed at start into a hash "
		 "table, rebuilt on every reload; a row whose key is in the table is answered from "
		 "it, even with no other feature, and the others are computed by the model. "
		 "One prediction per key is right only when the key determines the model's inputs: "
		 "when two rows of the data have the same key and different inputs (a company "
		 "key with trips of 30 and 0.5 miles), serve refuses the table, naming the inputs "
		 "the key does not determine and two such rows. "
		 "--lookup-size N keeps only the N most frequent keys: fast answers for the popular "
		 "keys, the model for the long tail, at the cost of the table's memory. "
		 "Every predict request (or the --log-sample fraction of them) is written "
		 "asynchronously to the workspace table requests: time, version, api, status, "
		 "latency_us, rows, lookup_hits, features and prediction (JSON lists, one element "
		 "per row) or the error. The request never waits for the database: records are "
		 "appended to the server's spool (files under the workspace's spool/ folder) and "
		 "a thread of idle priority moves them into the table, so under full load they "
		 "wait in the spool (up to about 1 GiB; past that, or when the queue in memory is "
		 "full, a record is dropped and counted in prodml_request_log_dropped_total) and "
		 "reach the table when the load falls and on shutdown; requests logged by a server "
		 "that was killed reach it with the next `servers`, `monitor` or `serve`. "
		 "The server records itself in the table servers. "
		 "JSON (when it stops; with --detach at once): {\"id\",\"model\",\"url\",\"port\","
		 "\"versions\",\"requests\",\"errors\",..}.",
	 .exec = exec_serve, .render = render_serve},
	{.name = "servers", .group = "serving", .args = "", .min_args = 0, .max_args = 0,
	 .opts = servers_opts, .summary = "list the prediction servers of this workspace",
	 .help = "One line per server: id, status, model, version(s), URL, pid, requests per "
		 "second over the last second, p50 and p99 latency of the recent requests (ms), "
		 "requests, errors, and the lookup table's hit rate and size. Servers write these "
		 "statistics to the workspace once a second. A server of this host recorded as "
		 "running whose process is gone (killed, crashed) is marked dead, and the requests it "
		 "had logged but not yet moved into the table requests are moved. Servers of other "
		 "hosts (a PostgreSQL workspace that several hosts share; PRODML_HOST names this one, "
		 "else its host name) are judged by their host: one whose row has not been written "
		 "for 30 s is shown unresponsive (not stored), and running again once it writes. "
		 "When the servers span hosts the table has a host column. With --all, stopped and "
		 "failed servers too. The table servers holds id, pid, host, bind, port, url, model, ref, "
		 "version, versions, split, lookup, lookup_entries, lookup_bytes, lookup_hits, "
		 "lookup_misses, detached, log, status, message, requests, errors, rows, rps, "
		 "p50_us, p99_us, user, started, updated, stopped; the table requests holds the "
		 "request log (see `serve`). "
		 "JSON: {\"servers\":[{\"id\",\"pid\",\"status\",\"model\",\"ref\",\"version\",\"url\","
		 "\"port\",\"rps\",\"p50_us\",\"p99_us\",\"requests\",\"errors\",\"lookup_hit_rate\",..}]}.",
	 .exec = exec_servers, .render = render_servers},
	{.name = "servers nginx-conf", .group = "serving", .args = "[M|M@ALIAS|M:V]", .min_args = 0,
	 .max_args = 1, .pos_complete = {COMPLETE_MODEL}, .opts = nginx_opts,
	 .summary = "an nginx load balancer for the running servers (replicas, every host)",
	 .help = "Prints an nginx configuration that spreads requests over the running servers of "
		 "the workspace, on every host that records its servers there (`serve M --replicas "
		 "N` starts N on this one): one upstream per served reference (M, M:V or M@ALIAS; "
		 "replicas of one reference answer alike), a route per model for TensorFlow "
		 "Serving's /v1/models/M paths to the reference with the most replicas, and, when "
		 "one model is served (or M names it), MLflow's /invocations and /health, /ping and "
		 "/version. Only servers running now are listed: make the file again and run "
		 "`nginx -s reload` when servers start or stop. Replicas are checked passively, as "
		 "open-source nginx does: one that refuses or drops a connection is left out for 2 "
		 "seconds and the request goes to the next replica (predictions are pure, so a POST "
		 "is retried; a timeout is not, since the slow replica may still answer). Every "
		 "replica follows the registry on its own, so moving an alias reloads them all "
		 "without a failed request. With --full, a whole nginx.conf whose paths (pid, logs, "
		 "temporary files) are relative to nginx's prefix: `nginx -p DIR -e error.log -c "
		 "FILE`. The access log (with --full) names the replica of each request. "
		 "JSON: {\"listen\",\"upstreams\":[{\"upstream\",\"model\",\"ref\",\"routed\","
		 "\"servers\":[{\"id\",\"url\"}]}],\"conf\"}.",
	 .exec = exec_nginx_conf, .render = render_nginx_conf},
	{.name = "serve stop", .group = "serving", .args = "ID", .min_args = 1, .max_args = 1,
	 .opts = stop_opts, .summary = "stop a prediction server: it drains its requests and exits",
	 .help = "Sends SIGTERM to server ID (see `servers`) and waits until it has finished the "
		 "requests in flight, flushed its request log and exited. A server whose process is "
		 "already gone is marked dead; one already stopped is only shown. A server of "
		 "another host is stopped there: its pid means nothing here. "
		 "JSON: the server's row, as in `servers`.",
	 .exec = exec_serve_stop, .render = render_serve_stop},
	{0}};
