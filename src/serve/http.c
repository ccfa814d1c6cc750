/* The HTTP face of the server: libmicrohttpd with a pool of epoll threads,
 * fed by the gate (gate.c), which accepts the connections.  Routes requests to the API shapes, checks the bearer token and the body
 * size, runs predictions inline or through the batcher (suspending the
 * connection meanwhile), measures and logs every request, and drains
 * requests in flight on shutdown. */
#include "internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_BODY ((size_t)16 << 20)
#define DEFAULT_MAX_INFLIGHT ((size_t)512 << 20)
#define DEFAULT_READ_TIMEOUT_S 5.0
#define DEFAULT_MAX_CONNS ((size_t)10000)
/* descriptors kept for the rest of the process: the workspace, the spool,
 * model files, the library's epoll and wake-up descriptors */
#define FD_RESERVE 256

/* libmicrohttpd is opened by server_start (util dynlib): its functions are
 * called through MHD(name), typed by microhttpd.h's declarations. */
#define MHD_FUNCS(X) \
	X(MHD_add_connection) X(MHD_add_response_header) X(MHD_create_response_from_buffer) \
	X(MHD_destroy_response) X(MHD_get_connection_info) X(MHD_lookup_connection_value) \
	X(MHD_queue_response) X(MHD_resume_connection) X(MHD_start_daemon) \
	X(MHD_stop_daemon) X(MHD_suspend_connection)
DYNLIB_TABLE(MHD_FUNCS, mhd_names, mhd_fns);
static struct dynlib mhd_lib = {.soname = PM_SONAME_MHD, .package = "libmicrohttpd-dev",
				.names = mhd_names, .fns = mhd_fns};
#define MHD(f) DYNLIB_FN(mhd_fns, MHD_##f)

/* Counts the answer and logs it, before it is queued: a request whose
 * answer a client may have read is in the spool, even if the server is
 * killed right after (write-ahead). */
static void record_answer(struct sv_req *r)
{
	struct server *sv = r->sv;
	uint64_t lat = (uint64_t)((now_seconds() - r->t0) * 1e6);
	sv_metrics_request(&sv->mt, r->status, lat, r->status == 200 ? r->n : 0);
	if (!r->sampled || (r->api != API_TF_PREDICT && r->api != API_MLFLOW))
		return;
	struct reqlog_rec rec = {
		.time_us = now_unix_us(),
		.version = r->version,
		.latency_us = (int64_t)lat,
		.status = r->status,
		.rows = r->n,
		.lookup_hits = r->lookup_hits,
		.api = xstrdup(r->api == API_MLFLOW ? "mlflow" : "tfserving"),
		.features = r->status == 200 && r->feat.len ? xasprintf("%s]", r->feat.s)
			    : r->status == 200		    ? xstrdup("[]")
							    : NULL,
		.prediction = r->pred_json,
		.error = r->status == 200 ? NULL : r->error,
	};
	r->pred_json = NULL;
	if (r->status != 200)
		r->error = NULL;
	reqlog_add(sv->log, &rec);
}

static enum MHD_Result queue(struct sv_req *r)
{
	struct MHD_Response *resp;
	if (r->resp.len) {
		size_t len = r->resp.len;
		char *body = sbuf_steal(&r->resp);
		resp = MHD(create_response_from_buffer)(len, body, MHD_RESPMEM_MUST_FREE);
	} else {
		resp = MHD(create_response_from_buffer)(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	MHD(add_response_header)(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type ? r->content_type : "application/json");
	if (r->status == 503)
		MHD(add_response_header)(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (r->status == 401)
		MHD(add_response_header)(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"prodml\"");
	if (r->status == 405)
		MHD(add_response_header)(resp, MHD_HTTP_HEADER_ALLOW, r->allow ? r->allow : "GET, POST");
	if (atomic_load(&r->sv->draining))
		MHD(add_response_header)(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (r->status)
		record_answer(r);
	enum MHD_Result ret = MHD(queue_response)(r->conn, (unsigned)r->status, resp);
	MHD(destroy_response)(resp);
	r->answered = true;
	return ret;
}

/* A constant-time comparison: the time taken does not reveal how much of
 * the token was right. */
static bool token_ok(const char *got, size_t glen, const char *want)
{
	size_t wlen = strlen(want);
	unsigned diff = glen != wlen;
	for (size_t i = 0; i < wlen; i++)
		diff |= (unsigned char)want[i] ^ (unsigned char)(i < glen ? got[i] : 0);
	return diff == 0;
}

static bool authorized(struct server *sv, struct MHD_Connection *c)
{
	const char *h = MHD(lookup_connection_value)(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	size_t n = strlen(h);
	while (n && h[n - 1] == ' ')
		n--;
	return token_ok(h, n, sv->token);
}

static bool sample(struct server *sv)
{
	double f = sv->o.log_sample;
	if (!sv->log || f <= 0)
		return false;
	if (f >= 1)
		return true;
	/* every 1/f-th request, evenly: floor((k+1)f) > floor(kf) */
	unsigned long long k = atomic_fetch_add(&sv->log_counter, 1);
	return (unsigned long long)((double)(k + 1) * f) > (unsigned long long)((double)k * f);
}

static void job_done(struct sv_job *job)
{
	struct sv_req *r = (struct sv_req *)((char *)job - offsetof(struct sv_req, job));
	atomic_store(&r->done, true);
	MHD(resume_connection)(r->conn);
}

/* POST .../:predict and /invocations. */
static void do_predict(struct sv_req *r, int64_t version, const char *label)
{
	struct server *sv = r->sv;
	r->sampled = sample(sv);
	if (r->too_big) {
		sv_answer_error(r, 413, "body", "the request body is larger than %zu bytes (--max-body)",
				sv->o.max_body);
		return;
	}
	if (r->no_room)
		return; /* answered 503 (or 413) while the body came */
	struct pm_err e;
	if (sv_model_get(sv, version, label, &r->sm, &e) < 0) {
		sv_answer_error(r, e.code == PM_E_NOTFOUND ? 404 : 500, label ? "label" : "version",
				"%s", e.msg);
		return;
	}
	r->version = r->sm->version;
	const char *ct =
		MHD(lookup_connection_value)(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (sv_parse_rows(r, ct) < 0)
		return;
	if (!r->ncomp || !sv->batcher) {
		sv_predict_inline(r);
		sv_answer_predictions(r);
		return;
	}
	r->job = (struct sv_job){.sm = r->sm, .n = r->ncomp, .dense = r->dense, .cat = r->cat,
				 .out = r->out, .done = job_done};
	/* suspend first: the batch may finish before submit returns */
	MHD(suspend_connection)(r->conn);
	r->suspended = true;
	if (!batcher_submit(sv->batcher, &r->job)) {
		sv_answer_error(r, 503, NULL,
				"the batching queue is full (%zu rows waiting); retry after a moment",
				batcher_depth(sv->batcher));
		MHD(resume_connection)(r->conn);
	}
}

/* "/v1/models/NAME[/versions/N|/labels/L][/metadata|:predict]" */
static void route_tf(struct sv_req *r, const char *path, bool post)
{
	struct server *sv = r->sv;
	const char *p = path + strlen("/v1/models/");
	size_t nl = strcspn(p, "/:");
	char *name = xstrndup(p, nl);
	p += nl;
	int64_t version = 0;
	char *label = NULL;
	bool metadata = false, predict = false;
	const char *bad = NULL;
	if (str_prefix(p, "/versions/")) {
		p += strlen("/versions/");
		size_t vl = strcspn(p, "/:");
		if (!parse_int64(p, vl, &version) || version < 1) {
			char *vs = xstrndup(p, vl);
			sv_answer_error(r, 400, "version", "the version must be a number from 1, got '%s'",
					vs);
			free(vs);
			free(name);
			return;
		}
		p += vl;
	} else if (str_prefix(p, "/labels/")) {
		p += strlen("/labels/");
		size_t ll = strcspn(p, "/:");
		label = xstrndup(p, ll);
		p += ll;
	}
	if (strcmp(p, "/metadata") == 0)
		metadata = true;
	else if (strcmp(p, ":predict") == 0)
		predict = true;
	else if (*p)
		bad = p;
	if (strcmp(name, sv->model) != 0) {
		r->api = predict ? API_TF_PREDICT : API_NONE;
		sv_answer_error(r, 404, "model", "model '%s' is not served here (this server serves '%s')",
				name, sv->model);
	} else if (bad) {
		sv_answer_error(r, 404, "url", "unknown endpoint '%s' (prodml serves :predict and /metadata)",
				bad);
	} else if (predict) {
		r->api = API_TF_PREDICT;
		if (!post) {
			r->allow = "POST";
			sv_answer_error(r, 405, "method", "POST is the method of :predict");
		} else {
			do_predict(r, version, label);
		}
	} else if (post) {
		r->allow = "GET";
		sv_answer_error(r, 405, "method", "GET is the method of model status and metadata");
	} else {
		struct pm_err e;
		if (sv_model_get(sv, version, label, &r->sm, &e) < 0)
			sv_answer_error(r, e.code == PM_E_NOTFOUND ? 404 : 500, label ? "label" : "version",
					"%s", e.msg);
		else
			sv_answer_model_status(r, version || label ? r->sm->version : 0, metadata);
	}
	free(name);
	free(label);
}

static void route(struct sv_req *r, const char *url, const char *method)
{
	struct server *sv = r->sv;
	bool post = strcmp(method, "POST") == 0, get = strcmp(method, "GET") == 0;
	if (!post && !get) {
		sv_answer_error(r, 405, "method", "%s is not served (use GET or POST)", method);
		return;
	}
	size_t plen = strcspn(url, "?");
	char *path = xstrndup(url, plen);
	if (strcmp(path, "/ping") == 0 || strcmp(path, "/health") == 0) {
		r->status = 200;
		r->content_type = "application/json";
		json_t *routes = sv_routes_json(sv);
		char *txt = json_dumps(routes, JSON_COMPACT);
		sbuf_printf(&r->resp, "{\"status\":\"%s\",\"model\":\"%s\",\"versions\":%s}\n",
			    atomic_load(&sv->draining) ? "draining" : "ok", sv->model, txt);
		free(txt);
		json_decref(routes);
	} else if (strcmp(path, "/metrics") == 0) {
		if (post) {
			r->allow = "GET";
			sv_answer_error(r, 405, "method", "GET is the method of /metrics");
		} else {
			sv_answer_metrics(r);
		}
	} else if (strcmp(path, "/invocations") == 0) {
		r->api = API_MLFLOW;
		if (!post) {
			r->allow = "POST";
			sv_answer_error(r, 405, "method", "POST is the method of /invocations");
		} else {
			do_predict(r, 0, NULL);
		}
	} else if (str_prefix(path, "/v1/models/")) {
		route_tf(r, path, post);
	} else if (strcmp(path, "/version") == 0) {
		r->status = 200;
		r->content_type = "application/json";
		sbuf_printf(&r->resp, "{\"prodml\":\"%s\"}\n", PACKAGE_VERSION);
	} else {
		sv_answer_error(r, 404, "url",
				"no endpoint '%s' (see /v1/models/%s, /invocations, /metrics, /ping)",
				path, sv->model);
	}
	free(path);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *sv = cls;
	struct sv_req *r = *con_cls;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->sv = sv;
		r->t0 = now_seconds();
		r->conn = c;
		*con_cls = r;
		atomic_fetch_add(&sv->inflight, 1);
		const union MHD_ConnectionInfo *ci =
			MHD(get_connection_info)(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		r->gc = ci ? ci->socket_context : NULL;
		gate_conn_request(sv->gate, r->gc);
		bool open_path = strcmp(url, "/ping") == 0 || strcmp(url, "/health") == 0;
		if (sv->token && !open_path && !authorized(sv, c)) {
			if (strcmp(url, "/invocations") == 0)
				r->api = API_MLFLOW;
			else if (str_suffix(url, ":predict"))
				r->api = API_TF_PREDICT;
			sv_answer_error(r, 401, "Authorization",
					"this server needs an 'Authorization: Bearer TOKEN' header with its token");
			return queue(r);
		}
		const char *cl =
			MHD(lookup_connection_value)(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		int64_t n;
		if (cl && parse_int64(cl, strlen(cl), &n) && n > 0) {
			r->api = strcmp(url, "/invocations") == 0 ? API_MLFLOW : API_TF_PREDICT;
			if (n > (int64_t)sv->o.max_body) {
				sv_answer_error(r, 413, "body",
						"the request body is larger than %zu bytes (--max-body)",
						sv->o.max_body);
				return queue(r);
			}
			/* before the body is read: a client told 503 now does not
			 * send it (curl waits for 100 Continue) */
			if (!sv_req_take(r, (size_t)n + 1))
				return queue(r);
			r->api = API_NONE;
			/* one allocation of the announced size, not a doubling series
			 * that holds up to twice the body */
			r->body.s = xmalloc((size_t)n + 1);
			r->body.cap = (size_t)n + 1;
		}
		return MHD_YES;
	}
	if (*upload_size) {
		size_t want = r->body.len + *upload_size;
		if (r->answered || r->too_big || r->no_room)
			;
		else if (want > sv->o.max_body)
			r->too_big = true;
		else if (want + 1 > r->held && !sv_req_take(r, want + 1 - r->held))
			r->no_room = true;
		else
			sbuf_add(&r->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	if (r->suspended) {
		/* resumed: the batch ran, or the queue was full */
		r->suspended = false;
		if (!r->status)
			sv_answer_predictions(r);
		return queue(r);
	}
	gate_conn_busy(sv->gate, r->gc);
	route(r, url, method);
	if (r->suspended)
		return MHD_YES;
	return queue(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)c;
	(void)toe;
	struct server *sv = cls;
	struct sv_req *r = *con_cls;
	if (!r)
		return;
	*con_cls = NULL;
	gate_conn_idle(sv->gate, r->gc);
	size_t most = r->held_most;
	sv_req_release(r);
	sv_req_give(r, r->held);
	free(r);
	sv_budget_trim(most);
	atomic_fetch_sub(&sv->inflight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct server *sv = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD(get_connection_info)(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? gate_conn_started(sv->gate, ci->connect_fd) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		gate_conn_closed(sv->gate, *socket_context);
		*socket_context = NULL;
	}
}

bool sv_http_hand(struct server *sv, int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0) {
		close(fd);
		return false;
	}
	return MHD(add_connection)(sv->d, fd, (struct sockaddr *)&ss, sl) == MHD_YES;
}

/* The open-file limit, raised to its hard limit first: each connection
 * is a descriptor. */
static size_t fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		struct rlimit up = {rl.rlim_max, rl.rlim_max};
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			rl.rlim_cur = rl.rlim_max;
	}
	/* the gate keeps a slot per descriptor number */
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20) ? (size_t)1 << 20
									 : (size_t)rl.rlim_cur;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	/* library code never prints; the daemon's own messages are dropped */
	(void)cls;
	(void)fmt;
	(void)ap;
}

static void *watch(void *arg)
{
	struct server *sv = arg;
	double last_flush = 0;
	pthread_mutex_lock(&sv->stop_mu);
	while (!sv->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		long ns = (long)(sv->o.poll_s * 1e9);
		ts.tv_sec += ns / 1000000000L;
		ts.tv_nsec += ns % 1000000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&sv->stop_cv, &sv->stop_mu, &ts);
		if (sv->stop)
			break;
		pthread_mutex_unlock(&sv->stop_mu);
		sv_routes_poll(sv);
		double now = now_seconds();
		if (now - last_flush >= 1.0) {
			sv_stats_flush(sv, NULL);
			last_flush = now;
		}
		pthread_mutex_lock(&sv->stop_mu);
	}
	pthread_mutex_unlock(&sv->stop_mu);
	return NULL;
}

/* Binds the listening socket ourselves, so that errors name the address
 * and errno, and port 0 tells which port it got. */
static int listen_on(const char *host, int port, int *fd_out, int *port_out, bool *v6,
		     struct pm_err *err)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res;
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	int g = getaddrinfo(host, ps, &hints, &res);
	if (g != 0)
		return pm_errf(err, "serve: cannot resolve --host '%s': %s", host, gai_strerror(g));
	int fd = -1, e = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1024) == 0) {
			*v6 = a->ai_family == AF_INET6;
			break;
		}
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return pm_errf(err, "serve: cannot listen on %s:%d: %s", host, port, strerror(e));
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port_out = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
					     : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*fd_out = fd;
	return 0;
}

static void server_free(struct server *sv)
{
	sv_routes_free(sv);
	free(sv->model);
	free(sv->host);
	free(sv->token);
	free(sv->lookup);
	free(sv->lookup_data);
	free(sv->ws_dir);
	free(sv->url);
	free((char *)sv->o.alias);
	free((char *)sv->o.split);
	pthread_mutex_destroy(&sv->mu);
	pthread_mutex_destroy(&sv->ws_mu);
	pthread_mutex_destroy(&sv->stop_mu);
	pthread_cond_destroy(&sv->stop_cv);
	free(sv);
}

int server_start(const struct serve_options *o, struct server **out, struct pm_err *err)
{
	if (dynlib_open(&mhd_lib, err) < 0)
		return -1;
	struct server *sv = xcalloc(1, sizeof *sv);
	sv->o = *o;
	sv->model = xstrdup(o->model);
	sv->host = xstrdup(o->host ? o->host : "127.0.0.1");
	sv->token = o->token ? xstrdup(o->token) : NULL;
	sv->lookup = o->lookup ? xstrdup(o->lookup) : NULL;
	sv->lookup_data = o->lookup_data ? xstrdup(o->lookup_data) : NULL;
	sv->ws_dir = xstrdup(o->ws_dir);
	sv->o.alias = o->alias ? xstrdup(o->alias) : NULL;
	sv->o.split = o->split ? xstrdup(o->split) : NULL;
	if (!sv->o.max_body)
		sv->o.max_body = DEFAULT_MAX_BODY;
	if (!sv->o.max_inflight)
		sv->o.max_inflight = DEFAULT_MAX_INFLIGHT;
	sv->budget.limit = sv->o.max_inflight;
	if (sv->o.poll_s <= 0)
		sv->o.poll_s = 0.2;
	if (!sv->o.queue_rows)
		sv->o.queue_rows = 4096;
	if (sv->o.read_timeout_s <= 0)
		sv->o.read_timeout_s = DEFAULT_READ_TIMEOUT_S;
	size_t nfds = fd_limit();
	size_t most = nfds > 2 * FD_RESERVE ? nfds - FD_RESERVE : nfds / 2;
	if (sv->o.max_conns > most) {
		size_t n = sv->o.max_conns;
		server_free(sv);
		return pm_errcf(err, PM_E_USAGE,
				"serve: --max-connections %zu is more than the open-file limit allows "
				"(%zu descriptors: at most %zu connections; see ulimit -n)",
				n, nfds, most);
	}
	if (!sv->o.max_conns)
		sv->o.max_conns = DEFAULT_MAX_CONNS < most ? DEFAULT_MAX_CONNS : most;
	if (!sv->o.max_client_conns)
		sv->o.max_client_conns = sv->o.max_conns / 4 ? sv->o.max_conns / 4 : 1;
	pthread_mutex_init(&sv->mu, NULL);
	pthread_mutex_init(&sv->ws_mu, NULL);
	pthread_mutex_init(&sv->stop_mu, NULL);
	pthread_cond_init(&sv->stop_cv, NULL);
	sv->started = now_seconds();
	if (sv_routes_init(sv, err) < 0) {
		server_free(sv);
		return -1;
	}
	int fd = -1, port = 0;
	bool v6 = false;
	if (listen_on(sv->host, o->port, &fd, &port, &v6, err) < 0) {
		server_free(sv);
		return -1;
	}
	sv->port = port;
	/* the URL others reach it at: a wildcard address reaches nothing */
	char name[256];
	const char *shown = sv->host;
	if (o->advertise) {
		shown = o->advertise;
		v6 = strchr(shown, ':') != NULL;
	} else if (strcmp(sv->host, "0.0.0.0") == 0 || strcmp(sv->host, "::") == 0) {
		proc_host_name(name, sizeof name);
		shown = name;
		v6 = false;
	}
	sv->url = v6 ? xasprintf("http://[%s]:%d", shown, port) : xasprintf("http://%s:%d", shown, port);
	if (o->log_sample > 0 &&
	    reqlog_open(sv->ws_dir, sv->model, o->server_id, o->keep_days, o->rollup_days, &sv->mt,
			&sv->log, err) < 0) {
		close(fd);
		server_free(sv);
		return -1;
	}
	int threads = o->threads > 0 ? o->threads : pm_ncpu();
	if (o->max_batch > 1)
		sv->batcher = batcher_new(threads, (size_t)o->max_batch, o->batch_timeout_us,
					  sv->o.queue_rows, &sv->mt);
	/* the gate accepts; the library reads and answers */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
	/* the library's idle timeout backs the gate's deadlines up: it also
	 * closes a client that stops reading its answer */
	unsigned idle = (unsigned)(sv->o.read_timeout_s + 0.999);
	sv->d = MHD(start_daemon)(flags, 0, NULL, NULL, on_request, sv,
				 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)sv->o.max_conns,
				 MHD_OPTION_NOTIFY_COMPLETED, on_completed, sv,
				 MHD_OPTION_NOTIFY_CONNECTION, on_connection, sv,
				 MHD_OPTION_CONNECTION_TIMEOUT, idle ? idle : 1u,
				 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				 MHD_OPTION_END);
	struct gate_opts go = {.timeout_s = sv->o.read_timeout_s, .max_conns = sv->o.max_conns,
			       .headroom = sv->o.max_conns / 10,
			       .per_client = sv->o.max_client_conns};
	if (sv->d && gate_start(sv, fd, &go, nfds, &sv->gate, err) < 0) {
		MHD(stop_daemon)(sv->d);
		close(fd);
		batcher_free(sv->batcher);
		reqlog_close(sv->log);
		server_free(sv);
		return -1;
	}
	sv->lfd = fd;
	if (!sv->d) {
		close(fd);
		batcher_free(sv->batcher);
		reqlog_close(sv->log);
		server_free(sv);
		return pm_errf(err, "serve: the HTTP server could not start on %s:%d", o->host ? o->host
											 : "127.0.0.1",
			       port);
	}
	sv->watcher_started = pthread_create(&sv->watcher, NULL, watch, sv) == 0;
	*out = sv;
	return 0;
}

int server_port(const struct server *sv)
{
	return sv->port;
}

const char *server_url(const struct server *sv)
{
	return sv->url;
}

json_t *server_status_json(struct server *sv)
{
	double p50, p99;
	sv_metrics_quantiles(&sv->mt, &p50, &p99);
	unsigned long long errors = 0;
	for (int i = 1; i < SV_NCODES; i++)
		errors += atomic_load(&sv->mt.by_code[i]);
	json_t *j = json_pack("{s:s,s:s,s:i,s:o,s:I,s:I,s:I,s:f,s:f,s:f,s:I}", "model", sv->model,
			      "url", sv->url, "port", sv->port, "versions", sv_routes_json(sv),
			      "requests", (json_int_t)atomic_load(&sv->mt.requests), "errors",
			      (json_int_t)errors, "rows", (json_int_t)atomic_load(&sv->mt.rows),
			      "seconds", now_seconds() - sv->started, "p50_ms", p50 / 1000.0, "p99_ms",
			      p99 / 1000.0, "reloads", (json_int_t)atomic_load(&sv->mt.reloads));
	if (sv->lookup) {
		unsigned long long h = atomic_load(&sv->mt.lookup_hits),
				   m = atomic_load(&sv->mt.lookup_misses);
		json_object_set_new(j, "lookup_hits", json_integer((json_int_t)h));
		json_object_set_new(j, "lookup_misses", json_integer((json_int_t)m));
		json_object_set_new(j, "lookup_hit_rate", h + m ? json_real((double)h / (double)(h + m))
								: json_null());
	}
	return j;
}

json_t *server_stop(struct server *sv, double drain_s)
{
	atomic_store(&sv->draining, true);
	gate_stop(sv->gate);
	close(sv->lfd);
	if (sv->batcher)
		batcher_flush(sv->batcher);
	double until = now_seconds() + drain_s;
	while (atomic_load(&sv->inflight) > 0 && now_seconds() < until) {
		struct timespec ts = {0, 5 * 1000000L};
		nanosleep(&ts, NULL);
	}
	MHD(stop_daemon)(sv->d);
	gate_free(sv->gate);
	if (sv->watcher_started) {
		pthread_mutex_lock(&sv->stop_mu);
		sv->stop = true;
		pthread_cond_signal(&sv->stop_cv);
		pthread_mutex_unlock(&sv->stop_mu);
		pthread_join(sv->watcher, NULL);
	}
	batcher_free(sv->batcher);
	reqlog_close(sv->log);
	sv_stats_flush(sv, NULL);
	json_t *final = server_status_json(sv);
	server_free(sv);
	return final;
}
