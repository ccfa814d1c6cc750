/* The gate in front of the HTTP server: it accepts the connections itself
 * and hands one to libmicrohttpd only once the headers of its first
 * request have arrived whole (read with MSG_PEEK, so the library reads
 * them again), and it keeps the deadlines of every connection until it
 * closes.
 *
 * Why a gate: a connection that sends its headers a line at a time keeps
 * resetting the library's idle timeout, so a thousand of them took every
 * connection slot; and the library answers a malformed Content-Length
 * with its status line and headers twice (0.9.75).  Here every wait has a
 * deadline counted from its start, not from the last byte: the headers of
 * a new connection, the body of a request, the next request of an idle
 * keep-alive connection.  Waiting connections may hold all but a reserve
 * of the slots (the headroom): past that, a new connection closes one of
 * the longest waiting (of the address that holds the most), so clients
 * that send their request at once are still accepted while slow ones come
 * and go.  A client address holds at
 * most a few of the slots.
 *
 * Connections in the gate are closed with a 408; those in the library are
 * shut down (shutdown(2) on their socket, under the lock that the
 * library's close notification takes before it closes the descriptor). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* Headers larger than this are refused (431): the library's default
 * memory per connection is 32 KiB. */
#define GATE_PEEK 16384
#define GATE_BUCKETS 4096

enum gate_state {
	GS_PENDING,    /* in the gate, its first headers arriving */
	GS_HANDING,    /* passed to the library, not yet started there */
	GS_WAITING,    /* in the library: a body or the next request arriving */
	GS_BUSY,       /* in the library: its request is being answered */
	GS_SHUT,       /* shut down by a deadline; the library will close it */
};

struct gate_conn {
	int fd;
	enum gate_state state;
	double since;                   /* start of the current wait */
	struct gate_conn *prev, *next;  /* the waiting list, longest waiting first */
	bool listed;
	struct gate_client *client;
};

/* Open connections of one client address. */
struct gate_client {
	uint8_t addr[16];
	size_t n;
	struct gate_client *next;
};

struct gate {
	struct gate_opts o;
	struct server *sv;
	int lfd, ep, wake;
	pthread_t thread;
	bool started;
	atomic_bool stop;
	pthread_mutex_t mu;             /* everything below */
	struct gate_conn **byfd;
	size_t nbyfd;
	struct gate_conn *head, *tail;
	size_t nwaiting, nopen;
	struct gate_client *clients[GATE_BUCKETS];
};

/* ---- bookkeeping (under mu) ------------------------------------------------------------- */

static void unlist(struct gate *g, struct gate_conn *c)
{
	if (!c->listed)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	c->prev = c->next = NULL;
	c->listed = false;
	g->nwaiting--;
}

/* Starts a wait now: to the end of the list, which stays in deadline order
 * because every wait has the same length. */
static void relist(struct gate *g, struct gate_conn *c, enum gate_state st)
{
	unlist(g, c);
	c->state = st;
	c->since = now_seconds();
	c->prev = g->tail;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
	c->listed = true;
	g->nwaiting++;
}

static void client_key(const struct sockaddr_storage *ss, uint8_t key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET6)
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	else if (ss->ss_family == AF_INET)
		memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
}

static struct gate_client **client_slot(struct gate *g, const uint8_t key[16])
{
	struct gate_client **p = &g->clients[hash64(key, 16, 0) % GATE_BUCKETS];
	while (*p && memcmp((*p)->addr, key, 16) != 0)
		p = &(*p)->next;
	return p;
}

static void conn_free(struct gate *g, struct gate_conn *c)
{
	unlist(g, c);
	if (c->fd >= 0 && (size_t)c->fd < g->nbyfd && g->byfd[c->fd] == c)
		g->byfd[c->fd] = NULL;
	struct gate_client *cl = c->client;
	if (cl && --cl->n == 0) {
		struct gate_client **p = client_slot(g, cl->addr);
		*p = cl->next;
		free(cl);
	}
	g->nopen--;
	free(c);
}

/* ---- answers of the gate ------------------------------------------------------------------ */

/* Writes a whole error answer without blocking (the socket buffer of a new
 * connection has room for it) and closes the connection, reading what the
 * client sent first so that the close does not reset the connection
 * before the client has read the answer. */
static void answer_close(struct gate *g, int fd, int status, const char *reason, enum sv_api api,
			 const char *field, const char *msg)
{
	struct sv_req r = {.api = api};
	sv_answer_error(&r, status, field, "%s", msg);
	struct sbuf b = {0};
	sbuf_printf(&b, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n%s\r\n",
		    status, reason, r.resp.len,
		    status == 503 || status == 429 ? "Retry-After: 1\r\n" : "");
	sbuf_add(&b, r.resp.s, r.resp.len);
	char drain[4096];
	while (recv(fd, drain, sizeof drain, MSG_DONTWAIT) > 0)
		;
	if (send(fd, b.s, b.len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* the client is gone: nothing to tell it */
	}
	shutdown(fd, SHUT_WR);
	close(fd);
	sbuf_free(&b);
	sv_req_release(&r);
	sv_metrics_request(&g->sv->mt, status, 0, 0);
}

/* A connection whose wait passed its deadline, or the one evicted to keep
 * the headroom: the gate's own are answered 408 and closed, the library's
 * shut down (it closes them and tells gate_conn_closed). */
static void expire(struct gate *g, struct gate_conn *c)
{
	if (c->state == GS_PENDING) {
		int fd = c->fd;
		epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);
		conn_free(g, c);
		char msg[160];
		snprintf(msg, sizeof msg,
			 "the request did not arrive within %g s (--read-timeout-s)", g->o.timeout_s);
		answer_close(g, fd, 408, "Request Timeout", API_NONE, NULL, msg);
	} else {
		unlist(g, c);
		c->state = GS_SHUT;
		shutdown(c->fd, SHUT_RDWR);
	}
}

/* The connection to close to keep the headroom: among the longest
 * waiting, the first of the client address with the most connections, so
 * that a client with one connection is not cut off for a crowd's sake. */
static struct gate_conn *victim(struct gate *g)
{
	struct gate_conn *best = g->head;
	int k = 0;
	for (struct gate_conn *c = g->head; c && k < 64; c = c->next, k++)
		if (c->client->n > best->client->n)
			best = c;
	return best;
}

static void sweep(struct gate *g)
{
	double now = now_seconds();
	pthread_mutex_lock(&g->mu);
	while (g->head && now - g->head->since >= g->o.timeout_s)
		expire(g, g->head);
	pthread_mutex_unlock(&g->mu);
}

/* ---- the first request's headers ------------------------------------------------------------ */

/* The end of the header block in [p, p+n) (just past its blank line), or 0. */
static size_t headers_end(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (p[i] != '\n')
			continue;
		if (p[i + 1] == '\n')
			return i + 2;
		if (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Checks the Content-Length headers of a complete header block: 0 when
 * they are fine (or absent), else the status to answer, with msg. */
static int check_length(const struct gate *g, const char *p, size_t n, char *msg, size_t msz)
{
	bool seen = false;
	uint64_t first = 0;
	const char *end = p + n;
	const char *line = memchr(p, '\n', n);
	while (line && ++line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			break;
		size_t len = (size_t)(eol - line);
		const char *name = "content-length:";
		size_t nl = strlen(name);
		if (len >= nl && strncasecmp(line, name, nl) == 0) {
			const char *v = line + nl, *ve = eol;
			while (v < ve && (*v == ' ' || *v == '\t'))
				v++;
			while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t' || ve[-1] == '\r'))
				ve--;
			uint64_t x = 0;
			bool ok = v < ve, big = false;
			for (const char *q = v; q < ve && ok; q++) {
				if (*q < '0' || *q > '9')
					ok = false;
				else if (x > (UINT64_MAX - 9) / 10)
					big = true;
				else
					x = x * 10 + (uint64_t)(*q - '0');
			}
			int vl = (int)(ve - v > 40 ? 40 : ve - v);
			if (!ok) {
				snprintf(msg, msz, "malformed Content-Length '%.*s' (a number of bytes)", vl,
					 v);
				return 400;
			}
			if (seen && (big || x != first)) {
				snprintf(msg, msz, "two different Content-Length headers");
				return 400;
			}
			if (big || x > g->sv->o.max_body) {
				snprintf(msg, msz, "the request body is larger than %zu bytes (--max-body)",
					 g->sv->o.max_body);
				return 413;
			}
			seen = true;
			first = x;
		}
		line = eol;
	}
	return 0;
}

static enum sv_api api_of(const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n);
	if (!sp)
		return API_NONE;
	size_t rest = n - (size_t)(sp + 1 - p);
	const char *path = sp + 1, *pe = memchr(path, ' ', rest);
	size_t pl = pe ? (size_t)(pe - path) : 0;
	if (pl >= 12 && memcmp(path, "/invocations", 12) == 0)
		return API_MLFLOW;
	if (pl >= 8 && memcmp(path + pl - 8, ":predict", 8) == 0)
		return API_TF_PREDICT;
	return API_NONE;
}

/* Data arrived on a connection of the gate: hands it on once its headers
 * are whole and sound. */
static void pending_read(struct gate *g, int fd)
{
	char *buf = xmalloc(GATE_PEEK);
	ssize_t n = recv(fd, buf, GATE_PEEK, MSG_PEEK | MSG_DONTWAIT);
	pthread_mutex_lock(&g->mu);
	struct gate_conn *c = (size_t)fd < g->nbyfd ? g->byfd[fd] : NULL;
	if (!c || c->state != GS_PENDING || (n < 0 && (errno == EAGAIN || errno == EINTR))) {
		pthread_mutex_unlock(&g->mu);
		free(buf);
		return;
	}
	size_t hend = n > 0 ? headers_end(buf, (size_t)n) : 0;
	if (n > 0 && !hend && n < GATE_PEEK) {
		pthread_mutex_unlock(&g->mu);
		free(buf);
		return;
	}
	epoll_ctl(g->ep, EPOLL_CTL_DEL, fd, NULL);
	char msg[200];
	int status = 0;
	if (n <= 0) {
		conn_free(g, c);
		pthread_mutex_unlock(&g->mu);
		close(fd);
	} else if (!hend) {
		status = 431;
		snprintf(msg, sizeof msg, "the request headers are larger than %d bytes", GATE_PEEK);
	} else {
		status = check_length(g, buf, hend, msg, sizeof msg);
	}
	if (status) {
		conn_free(g, c);
		pthread_mutex_unlock(&g->mu);
		enum sv_api api = api_of(buf, hend ? hend : (size_t)n);
		answer_close(g, fd, status,
			     status == 413   ? "Content Too Large"
			     : status == 431 ? "Request Header Fields Too Large"
					     : "Bad Request",
			     api, status == 431 ? "headers" : status == 413 ? "body" : "Content-Length",
			     msg);
	} else if (n > 0) {
		unlist(g, c);
		c->state = GS_HANDING;
		pthread_mutex_unlock(&g->mu);
		if (!sv_http_hand(g->sv, fd)) {
			/* the library refused it and closed the socket */
			pthread_mutex_lock(&g->mu);
			conn_free(g, c);
			pthread_mutex_unlock(&g->mu);
		}
	}
	free(buf);
}

static void accept_all(struct gate *g)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept4(g->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		uint8_t key[16];
		client_key(&ss, key);
		pthread_mutex_lock(&g->mu);
		if (g->nwaiting >= g->o.max_conns - g->o.headroom && g->head)
			expire(g, victim(g));
		struct gate_client **slot = client_slot(g, key);
		int refuse = g->nopen >= g->o.max_conns ? 503
			     : *slot && (*slot)->n >= g->o.per_client ? 429
								      : 0;
		if (refuse || (size_t)fd >= g->nbyfd) {
			pthread_mutex_unlock(&g->mu);
			char msg[160];
			if (refuse == 429)
				snprintf(msg, sizeof msg,
					 "this address has %zu connections open, the most one client may "
					 "hold (--max-client-connections); retry after a moment",
					 g->o.per_client);
			else
				snprintf(msg, sizeof msg,
					 "the server has %zu connections open, its most "
					 "(--max-connections); retry after a moment",
					 g->o.max_conns);
			answer_close(g, fd, refuse == 429 ? 429 : 503,
				     refuse == 429 ? "Too Many Requests" : "Service Unavailable", API_NONE,
				     "connection", msg);
			continue;
		}
		if (!*slot) {
			*slot = xcalloc(1, sizeof **slot);
			memcpy((*slot)->addr, key, 16);
		}
		(*slot)->n++;
		struct gate_conn *c = xcalloc(1, sizeof *c);
		c->fd = fd;
		c->client = *slot;
		g->byfd[fd] = c;
		g->nopen++;
		relist(g, c, GS_PENDING);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLRDHUP, .data.fd = fd};
		epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &ev);
		pthread_mutex_unlock(&g->mu);
		/* the headers are often there already: no need to wait for epoll */
		pending_read(g, fd);
	}
}

static void *gate_run(void *arg)
{
	struct gate *g = arg;
	struct epoll_event evs[256];
	while (!atomic_load(&g->stop)) {
		int n = epoll_wait(g->ep, evs, 256, 100);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == g->lfd)
				accept_all(g);
			else if (fd != g->wake)
				pending_read(g, fd);
		}
		sweep(g);
	}
	return NULL;
}

/* ---- the API ------------------------------------------------------------------------------------ */

int gate_start(struct server *sv, int lfd, const struct gate_opts *o, size_t nfds,
	       struct gate **out, struct pm_err *err)
{
	struct gate *g = xcalloc(1, sizeof *g);
	g->o = *o;
	g->sv = sv;
	g->lfd = lfd;
	g->nbyfd = nfds;
	g->byfd = xcalloc(nfds, sizeof *g->byfd);
	pthread_mutex_init(&g->mu, NULL);
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	g->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int fl = 0;
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
	struct epoll_event wv = {.events = EPOLLIN, .data.fd = g->wake};
	if (g->ep < 0 || g->wake < 0 || (fl = fcntl(lfd, F_GETFL)) < 0 ||
	    fcntl(lfd, F_SETFL, fl | O_NONBLOCK) < 0 || epoll_ctl(g->ep, EPOLL_CTL_ADD, lfd, &ev) < 0 ||
	    epoll_ctl(g->ep, EPOLL_CTL_ADD, g->wake, &wv) < 0 ||
	    pthread_create(&g->thread, NULL, gate_run, g) != 0) {
		int e = errno;
		gate_free(g);
		return pm_errf(err, "serve: cannot start accepting connections: %s", strerror(e));
	}
	g->started = true;
	*out = g;
	return 0;
}

void gate_stop(struct gate *g)
{
	if (!g || !g->started)
		return;
	atomic_store(&g->stop, true);
	uint64_t one = 1;
	if (write(g->wake, &one, sizeof one) < 0) {
		/* the thread wakes within 100 ms anyway */
	}
	pthread_join(g->thread, NULL);
	g->started = false;
	pthread_mutex_lock(&g->mu);
	for (size_t fd = 0; fd < g->nbyfd; fd++) {
		struct gate_conn *c = g->byfd[fd];
		if (c && c->state == GS_PENDING) {
			conn_free(g, c);
			close((int)fd);
		}
	}
	pthread_mutex_unlock(&g->mu);
}

void gate_free(struct gate *g)
{
	if (!g)
		return;
	gate_stop(g);
	for (size_t fd = 0; fd < g->nbyfd; fd++)
		if (g->byfd[fd])
			conn_free(g, g->byfd[fd]);
	free(g->byfd);
	if (g->ep >= 0)
		close(g->ep);
	if (g->wake >= 0)
		close(g->wake);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

struct gate_conn *gate_conn_started(struct gate *g, int fd)
{
	pthread_mutex_lock(&g->mu);
	struct gate_conn *c = fd >= 0 && (size_t)fd < g->nbyfd ? g->byfd[fd] : NULL;
	if (c && c->state == GS_HANDING)
		relist(g, c, GS_WAITING);
	else
		c = NULL;
	pthread_mutex_unlock(&g->mu);
	return c;
}

void gate_conn_request(struct gate *g, struct gate_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->state == GS_WAITING)
		relist(g, c, GS_WAITING);
	pthread_mutex_unlock(&g->mu);
}

void gate_conn_busy(struct gate *g, struct gate_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->state == GS_WAITING) {
		unlist(g, c);
		c->state = GS_BUSY;
	}
	pthread_mutex_unlock(&g->mu);
}

void gate_conn_idle(struct gate *g, struct gate_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (c->state == GS_BUSY || c->state == GS_WAITING)
		relist(g, c, GS_WAITING);
	pthread_mutex_unlock(&g->mu);
}

void gate_conn_closed(struct gate *g, struct gate_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	conn_free(g, c);
	pthread_mutex_unlock(&g->mu);
}
