/* A bounded load probe: a few client threads send prepared request bodies
 * to a server on this machine, one request per connection, and time each
 * from connect to the end of the answer.  It measures the serving path a
 * design chose (batching, lookup table, threads) as a client sees it; the
 * bounds (requests, seconds, connections) keep it a probe, not a
 * benchmark that could swamp the machine. */
#include "design.h"
#include "data/data.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct load_ctx {
	const struct design_load_in *in;
	pthread_mutex_t lock;
	size_t next;                /* the next body to send */
	double start;
	double *lat;                /* seconds per answered request */
	size_t nlat, errors, sent;
	int first_status;           /* the first status other than 200 */
};

/* One POST; the HTTP status, or -1 when the connection failed. */
static int post(int port, const char *path, const char *body)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* a server that stops answering ends the request, not the probe */
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	char *req = xasprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
			      "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			      path, strlen(body), body);
	size_t len = strlen(req), off = 0;
	while (off < len) {
		ssize_t w = write(fd, req + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(req);
	char buf[4096], head[16] = {0};
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < n && got + 1 < sizeof head; i++)
			head[got++] = buf[i];
	close(fd);
	/* "HTTP/1.1 200 ..." */
	return got >= 12 ? atoi(head + 9) : -1;
}

static void *client(void *arg)
{
	struct load_ctx *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->lock);
		size_t i = c->next;
		bool over = i >= c->in->requests || now_seconds() - c->start > c->in->max_s;
		if (!over)
			c->next++;
		pthread_mutex_unlock(&c->lock);
		if (over)
			return NULL;
		const char *body = c->in->bodies[i % c->in->nbodies];
		double t0 = now_seconds();
		int status = post(c->in->port, c->in->path, body);
		double t = now_seconds() - t0;
		pthread_mutex_lock(&c->lock);
		c->sent++;
		if (status == 200)
			c->lat[c->nlat++] = t;
		else {
			c->errors++;
			if (!c->first_status)
				c->first_status = status;
		}
		pthread_mutex_unlock(&c->lock);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted values. */
static double percentile(const double *v, size_t n, double p)
{
	if (!n)
		return NAN;
	size_t r = (size_t)ceil(p / 100 * (double)n);
	return v[r ? r - 1 : 0];
}

int design_load(const struct design_load_in *in, struct design_load *out, struct pm_err *err)
{
	if (!in->nbodies || !in->requests || in->concurrency < 1)
		return pm_errcf(err, PM_E_USAGE, "load probe: nothing to send");
	struct load_ctx c = {.in = in, .lat = xcalloc(in->requests, sizeof *c.lat)};
	pthread_mutex_init(&c.lock, NULL);
	pthread_t *t = xcalloc((size_t)in->concurrency, sizeof *t);
	int started = 0;
	c.start = now_seconds();
	for (int i = 0; i < in->concurrency; i++)
		if (pthread_create(&t[i], NULL, client, &c) == 0)
			started++;
		else
			break;
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	double secs = now_seconds() - c.start;
	free(t);
	pthread_mutex_destroy(&c.lock);
	int rc = 0;
	if (!started)
		rc = pm_errf(err, "load probe: cannot start a client thread");
	else if (!c.nlat)
		rc = pm_errf(err, "load probe: none of %zu requests to 127.0.0.1:%d%s was answered 200 (%s %d)",
			     c.sent, in->port, in->path, c.first_status < 0 ? "connection failed," : "status",
			     c.first_status);
	if (rc == 0) {
		qsort(c.lat, c.nlat, sizeof *c.lat, cmp_double);
		*out = (struct design_load){.sent = c.sent, .ok = c.nlat, .errors = c.errors,
					    .seconds = secs, .concurrency = started,
					    .p50_s = percentile(c.lat, c.nlat, 50),
					    .p99_s = percentile(c.lat, c.nlat, 99)};
	}
	free(c.lat);
	return rc;
}

/* A model input or key of one row as JSON (missing: absent). */
static json_t *cell(const struct column *col, size_t row)
{
	if (!column_present(col, row))
		return NULL;
	switch (col->type) {
	case PM_INT:
		return json_integer(col->v.i64[row]);
	case PM_FLOAT:
		return isfinite(col->v.f64[row]) ? json_real(col->v.f64[row]) : NULL;
	case PM_BOOL:
		return json_boolean(col->v.b[row]);
	default: {
		char buf[64];
		return json_string(column_text(col, row, buf, sizeof buf));
	}
	}
}

char **design_load_bodies(const struct frame *f, json_t *keys, char *const *inputs, size_t n)
{
	n = n < f->nrows ? n : f->nrows;
	char **b = xcalloc(n + 1, sizeof *b);
	for (size_t r = 0; r < n; r++) {
		json_t *row = json_object();
		size_t i;
		json_t *k;
		json_array_foreach(keys, i, k)
		{
			int c = frame_col_index(f, json_string_value(k));
			json_t *v = c >= 0 ? cell(&f->cols[c], r) : NULL;
			if (v)
				json_object_set_new(row, json_string_value(k), v);
		}
		for (char *const *in = inputs; in && *in; in++) {
			int c = frame_col_index(f, *in);
			json_t *v = c >= 0 ? cell(&f->cols[c], r) : NULL;
			if (v)
				json_object_set_new(row, *in, v);
		}
		json_t *doc = json_pack("{s:[o]}", "instances", row);
		b[r] = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
	}
	return b;
}
