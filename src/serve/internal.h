/* Private to src/serve: the pieces shared by batch prediction and the
 * server (value conversion, the CSV row tokenizer, output formatting), and
 * the server's internal modules (served models, batcher, lookup, request
 * log, metrics). */
#ifndef PM_SERVE_INTERNAL_H
#define PM_SERVE_INTERNAL_H

#include "serve.h"
#include "features/features.h"
#include "workspace/workspace.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- values ---------------------------------------------------------------------
 * A JSON value as input of type t: null, an absent value (v NULL) and a
 * string that is a missing token of the data reader ("", "NA", ..) are
 * missing, whatever t is.  Returns 0, or -1 with err holding what was
 * wrong ("expected a number, got a string"); strings point into v. */
int sv_json_value(enum pm_type t, json_t *v, struct ft_value *out, struct pm_err *err);
/* A text value (a CSV field) as input of type t: numbers, bools and
 * timestamps are read trimmed, strings as they are; missing tokens are
 * missing.  Errors say "'abc' is not a number". */
int sv_text_value(enum pm_type t, const char *s, size_t n, struct ft_value *out,
		  struct pm_err *err);
/* Whether a frame column of type ct can feed an input of type t as is
 * (otherwise its values are read as text, row by row). */
bool sv_type_fits(enum pm_type t, enum pm_type ct);
/* A frame value as input of type t (through text when the types differ). */
int sv_frame_value(enum pm_type t, const struct column *c, size_t row, bool fits,
		   char *buf, size_t bufsz, struct ft_value *out, struct pm_err *err);

/* ---- output ------------------------------------------------------------------------ */
void sv_put_double(struct sbuf *b, double v);
/* One row's prediction as JSON: a number, or an array of class probabilities. */
void sv_put_pred_json(struct sbuf *b, const struct model *m, const double *out);
/* A row whose prediction is not a finite number (an input so far outside
 * the training data that the model overflows): the reason, naming the
 * feature whose scaled value is the largest; NULL when every output of
 * the row is finite.  Caller frees. */
char *sv_pred_overflow(const struct model *m, const double *dense, const double *out);
/* One row's prediction as CSV fields (the columns of serve_pred_columns). */
void sv_put_pred_csv(struct sbuf *b, const struct model *m, const double *out);
/* A CSV field, quoted when it must be. */
void sv_put_csv_field(struct sbuf *b, const char *s, size_t n);
/* A copy of [s, s+n) with the bytes that are not UTF-8 written \xNN. */
char *sv_utf8_clean(const char *s, size_t n);
/* A JSON string literal (bytes that are not UTF-8 are written \xNN). */
void sv_put_json_string(struct sbuf *b, const char *s, size_t n);

/* ---- the CSV row tokenizer ------------------------------------------------------------
 * RFC 4180 rows as the data reader reads them: quoted fields with "" escapes
 * and newlines, CRLF or LF, blank lines skipped, a quote only opens a field
 * at its start.  Not the data reader itself (src/data/csv.c): that one
 * turns a whole file into typed columns in two parallel passes over
 * chunks, while predict --file and the server need the raw fields of one
 * row at a time, a bad row skipped with its reason.  The two share their
 * rules through util (str_eol_len, str_skip_plain16, str_text_check). */
struct sv_span {
	size_t off, len;
	bool scratch;   /* unescaped text in `scratch` (else in the data) */
};

struct sv_csv {
	const char *data;
	size_t len, pos;
	char delim;
	size_t line;                /* line of `pos` (1-based) */
	struct sv_span *f;
	size_t nf, cap;
	struct sbuf scratch;
	size_t row_off, row_len;    /* raw bytes of the last row */
	size_t row_line;            /* its first line */
};
void sv_csv_init(struct sv_csv *c, const char *data, size_t len, char delim, size_t first_line);
void sv_csv_free(struct sv_csv *c);
/* 1: a row is in c->f; 0: no more rows; -1: a malformed row (skipped),
 * *reason says why (caller frees). */
int sv_csv_next(struct sv_csv *c, char **reason);
static inline const char *sv_csv_field(const struct sv_csv *c, size_t i, size_t *n)
{
	*n = c->f[i].len;
	return (c->f[i].scratch ? c->scratch.s : c->data) + c->f[i].off;
}
/* Offset just past the last complete row in [data, data+len), given that
 * data starts at a row boundary (0 when no row is complete; with eof, the
 * rest counts as a row).  Also cuts that part into pieces of about `piece`
 * bytes (0: one piece) at row boundaries: cuts[0..*ncuts) are their end
 * offsets, lines[k] the newlines before piece k; *nlines the newlines in
 * the whole part.  Free cuts and lines. */
size_t sv_csv_rows_end(const char *data, size_t len, char delim, size_t piece, bool eof,
		       size_t **cuts, size_t **lines, size_t *ncuts, size_t *nlines);

/* ---- served models -----------------------------------------------------------------------
 * A loaded version, reference counted: a request holds a reference from
 * parsing to the response, so a hot reload swaps the route's pointer and
 * the old version is freed when its last request is done. */
struct lookup;
struct smodel {
	atomic_int ref;
	struct model *m;
	int64_t version;
	struct lookup *lk;          /* static/hybrid table, or NULL */
};
void smodel_release(struct smodel *sm);

/* ---- lookup tables -------------------------------------------------------------------------- */
struct lookup {
	struct strdict *keys;
	double *pred;               /* nkeys x nout */
	size_t nout, bytes, source_rows;
};
/* Predictions of model m for the most frequent `size` keys (0: all) of
 * column `key` in frame f (first row of each key). */
int lookup_build(const struct model *m, const struct frame *f, const char *key, size_t size,
		 int threads, struct lookup **out, struct pm_err *err);
void lookup_free(struct lookup *lk);
/* The prediction row for a key, or NULL. */
const double *lookup_find(const struct lookup *lk, const char *key, size_t len);
/* The key text of a JSON value (string, integer, number, bool); false when
 * it cannot be a key. */
size_t lookup_json_key(json_t *v, char *buf, size_t n, const char **key);

/* ---- metrics -------------------------------------------------------------------------------- */
#define SV_LAT_BUCKETS 14
#define SV_BATCH_BUCKETS 12
#define SV_NCODES 10
#define SV_RESERVOIR 4096
struct sv_metrics {
	atomic_ullong requests, rows;
	atomic_ullong by_code[SV_NCODES];
	atomic_ullong lat_bucket[SV_LAT_BUCKETS + 1];
	atomic_ullong lat_sum_us;
	atomic_ullong batch_bucket[SV_BATCH_BUCKETS + 1];
	atomic_ullong batches, batch_rows;
	atomic_ullong reloads, reload_failures;
	atomic_ullong log_dropped, log_spooled, logged, log_compacted;
	atomic_ullong lookup_hits, lookup_misses;
	atomic_uint_fast64_t reservoir[SV_RESERVOIR];
	atomic_ullong nres;
};
extern const int sv_codes[SV_NCODES];
extern const double sv_lat_bounds[SV_LAT_BUCKETS];
void sv_metrics_request(struct sv_metrics *mt, int status, uint64_t latency_us, size_t rows);
void sv_metrics_batch(struct sv_metrics *mt, size_t rows);
/* p50 and p99 of the recent latencies (microseconds). */
void sv_metrics_quantiles(struct sv_metrics *mt, double *p50, double *p99);

/* ---- the memory budget (budget.c) ---------------------------------------------------------
 * Bytes of request bodies and decoded rows in flight, across connections. */
struct sv_budget {
	atomic_size_t used;
	size_t limit;
	atomic_ullong refused;      /* requests answered 503 for want of room */
};
/* A request's memory from this size on is returned to the system when it
 * is freed. */
#define SV_TRIM_BYTES ((size_t)4 << 20)
/* Takes n bytes; false (nothing taken) when that would pass the limit. */
bool sv_budget_take(struct sv_budget *b, size_t n);
void sv_budget_give(struct sv_budget *b, size_t n);
/* After a request that held `freed` bytes was freed. */
void sv_budget_trim(size_t freed);
/* An upper bound of the memory that decoding n bytes of JSON takes. */
size_t sv_json_cost(const char *s, size_t n);

/* ---- the batcher -------------------------------------------------------------------------------
 * Jobs (the transformed rows of one request) queue and are predicted
 * together by worker threads once max_batch rows wait or the oldest has
 * waited timeout_us.  The queue is bounded in rows. */
struct sv_job {
	struct smodel *sm;
	size_t n;
	const double *dense;
	const uint32_t *cat;
	double *out;
	int64_t enqueued_us;
	void (*done)(struct sv_job *job);  /* called on a worker thread */
	struct sv_job *next;
};
struct batcher;
struct batcher *batcher_new(int workers, size_t max_batch, int64_t timeout_us, size_t cap_rows,
			    struct sv_metrics *mt);
/* false when the queue has no room for the job's rows (the caller answers 503). */
bool batcher_submit(struct batcher *b, struct sv_job *job);
size_t batcher_depth(struct batcher *b);
size_t batcher_capacity(struct batcher *b);
/* Runs what is queued now without waiting for the timeout (draining). */
void batcher_flush(struct batcher *b);
void batcher_free(struct batcher *b);

/* ---- the request log ------------------------------------------------------------------------------
 * A record is written to the server's spool before its answer is queued
 * (write-ahead), and moved into the database by a thread of idle priority,
 * so logging never waits on the database; a full spool drops (and counts). */
struct reqlog_rec {
	int64_t time_us;
	int64_t version;
	int64_t latency_us;
	int status;
	size_t rows, lookup_hits;
	char *api;          /* "tfserving", "mlflow" */
	char *features;     /* JSON text or NULL */
	char *prediction;   /* JSON text or NULL */
	char *error;        /* message or NULL */
};
struct reqlog;

/* The spool (spool.c): where the request log's records wait, in files of
 * the server's own under <workspace>/spool/, to be moved into the table
 * requests.  A position is a segment and a byte offset in it. */
struct spool_pos {
	uint32_t seg;
	uint64_t off;
};
static inline bool spool_before(struct spool_pos a, struct spool_pos b)
{
	return a.seg < b.seg || (a.seg == b.seg && a.off < b.off);
}
struct spool;
/* Makes the server's spool directory and holds its lock until spool_close. */
int spool_open(const char *ws_dir, const char *model, int64_t server_id, struct spool **out,
	       struct pm_err *err);
/* Appends n records in one write (to a new segment past 64 MiB); *end gets
 * the position after them.  A failed write leaves the segment as it was. */
int spool_append(struct spool *s, const struct reqlog_rec *recs, size_t n, struct spool_pos *end,
		 struct pm_err *err);
/* Where the first record will be. */
struct spool_pos spool_start(const struct spool *s);
/* Moves the records from *at up to upto (a position spool_append returned)
 * into ws's table requests, in transactions of at most `round` records
 * that also record the progress; whole segments passed are removed.
 * Stops between transactions when *stop (may be NULL) is set.  Adds to
 * n's records, damaged and bytes. */
int spool_move(struct spool *s, struct workspace *ws, struct spool_pos *at, struct spool_pos upto,
	       size_t round, const atomic_bool *stop, struct spool_counts *n, struct pm_err *err);
/* Closes the spool.  With ws (every record moved), its directory is
 * removed; without, it is left for spool_recover. */
void spool_close(struct spool *s, struct workspace *ws);
/* Retention (keep_days <= 0: none): once an hour, raw requests older than
 * keep_days are rolled up and rollups older than rollup_days dropped. */
int reqlog_open(const char *ws_dir, const char *model, int64_t server_id, int64_t keep_days,
		int64_t rollup_days, struct sv_metrics *mt, struct reqlog **out, struct pm_err *err);
/* Takes ownership of the strings of r; returns once r is in the spool
 * (or dropped and counted). */
void reqlog_add(struct reqlog *l, struct reqlog_rec *r);
/* Moves what is spooled into the database and stops the mover. */
void reqlog_close(struct reqlog *l);

/* ---- the gate ---------------------------------------------------------------------------------
 * Accepts connections, holds each until the headers of its first request
 * are whole and sound, hands it to libmicrohttpd (sv_http_hand) and keeps
 * the deadline of every wait of the connection until it closes (gate.c). */
struct gate_opts {
	double timeout_s;           /* each wait: headers, body, the next request */
	size_t max_conns;           /* open connections */
	size_t headroom;            /* of them, slots that waiting connections cannot hold */
	size_t per_client;          /* open connections of one client address */
};
struct gate;
struct gate_conn;
struct server;
/* Starts the gate's thread on listening socket lfd; descriptors stay below nfds. */
int gate_start(struct server *sv, int lfd, const struct gate_opts *o, size_t nfds,
	       struct gate **out, struct pm_err *err);
/* Stops accepting and closes the connections still in the gate. */
void gate_stop(struct gate *g);
/* After the library has closed every connection. */
void gate_free(struct gate *g);
/* The library's side: a handed connection started (NULL: not the gate's);
 * the headers of a request are in (its body has a deadline now); the whole
 * request is in (no deadline while it is answered); it was answered (the
 * next request has a deadline); it closed. */
struct gate_conn *gate_conn_started(struct gate *g, int fd);
void gate_conn_request(struct gate *g, struct gate_conn *c);
void gate_conn_busy(struct gate *g, struct gate_conn *c);
void gate_conn_idle(struct gate *g, struct gate_conn *c);
void gate_conn_closed(struct gate *g, struct gate_conn *c);
/* Passes an accepted socket to libmicrohttpd (http.c); false when it
 * refused it (and closed it). */
bool sv_http_hand(struct server *sv, int fd);

/* ---- the server ------------------------------------------------------------------------------- */
/* A route serves requests that name no version: one per --split part. */
struct route {
	char *label;                /* as given: "3", "production", or "latest" */
	char *alias;                /* followed alias, or NULL */
	int64_t pinned;             /* pinned version, or 0 */
	int weight;
	int64_t served;             /* requests of this cycle (sv_route_next), under server.mu */
	struct smodel *cur;         /* under server.mu */
	int64_t failed_version;     /* a version that failed to load: not retried */
	char *error;                /* why the last reload failed (under mu) */
};

/* The route of the next request that names no version.  Among the routes
 * behind their share of the requests so far in this cycle (a cycle is
 * total_weight requests), the one whose next request is due first
 * (served+1)/weight: every run of requests from the start is then within
 * one request of the weights' shares (1=50,3=50 alternates), not only
 * whole cycles.  *cycle counts the cycle's requests; the routes' served
 * count theirs.  Both change, so it runs under server.mu. */
size_t sv_route_next(struct route *routes, size_t n, int total_weight, int64_t *cycle);

#define SV_CACHE 8

struct server {
	struct serve_options o;
	char *model, *host, *token, *lookup, *lookup_data, *ws_dir, *url;
	int port;
	struct workspace *ws;       /* loading and polling; under ws_mu */
	pthread_mutex_t ws_mu;
	pthread_mutex_t mu;         /* routes' cur and the version cache */
	struct route *routes;
	size_t nroutes;
	int total_weight;
	int64_t route_cycle;        /* requests of this routing cycle (under mu) */
	struct smodel *cache[SV_CACHE]; /* versions asked for by number or label */
	size_t ncache;
	struct frame *lookup_frame;
	struct MHD_Daemon *d;
	struct gate *gate;
	int lfd;                    /* the listening socket (the gate accepts on it) */
	struct batcher *batcher;
	struct reqlog *log;
	struct sv_metrics mt;
	struct sv_budget budget;    /* --max-inflight-mb */
	atomic_ullong log_counter;
	atomic_int inflight;
	atomic_bool draining;
	/* the watcher thread: hot reload and statistics */
	pthread_t watcher;
	bool watcher_started;
	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;
	bool stop;
	int64_t data_version;
	double started;
	uint64_t last_requests;
	double last_time, rps;
};

/* Routes from the options; loads their versions (models.c). */
int sv_routes_init(struct server *sv, struct pm_err *err);
void sv_routes_free(struct server *sv);
/* Checks the registry and swaps in versions whose alias (or the latest)
 * moved.  Called by the watcher under no lock. */
void sv_routes_poll(struct server *sv);
/* A reference to the model for a request: by route (version 0 and no
 * label), by version number, or by alias label.  PM_E_NOTFOUND when there
 * is no such version or alias. */
int sv_model_get(struct server *sv, int64_t version, const char *label, struct smodel **out,
		 struct pm_err *err);
/* Versions being served by the routes, as JSON. */
json_t *sv_routes_json(struct server *sv);
/* Writes statistics to the servers table (watcher thread). */
void sv_stats_flush(struct server *sv, const char *status);

/* ---- requests ----------------------------------------------------------------------------------
 * One HTTP request from the first call of the handler to its completion. */
enum sv_api { API_NONE, API_TF_PREDICT, API_MLFLOW };

struct sv_req {
	struct server *sv;
	double t0;
	enum sv_api api;
	int status;
	struct sbuf body;
	bool too_big, answered, suspended;
	bool no_room;               /* the budget had no room for the body */
	size_t held, held_most;     /* bytes taken from the budget: now, at most */
	atomic_bool done;           /* the batch has run */
	struct MHD_Connection *conn;
	/* the rows */
	struct smodel *sm;
	json_t *doc;
	size_t n, ncomp;            /* rows, rows computed by the model */
	struct sbuf feat;           /* the rows as JSON, for the request log */
	const double **hit;         /* n: lookup table row, or NULL */
	size_t *comp_row;           /* ncomp: which row each computed one is */
	double *dense, *out;
	uint32_t *cat;
	size_t lookup_hits;
	bool columnar;              /* TF "inputs": the answer is "outputs" */
	const char *what;           /* what errors call the rows ("instances"); NULL: CSV */
	bool sampled;
	struct sv_job job;
	struct gate_conn *gc;       /* its connection's deadlines */
	/* the answer */
	struct sbuf resp;
	char *pred_json;            /* the predictions array, for the request log */
	const char *content_type;
	const char *allow;          /* the Allow header of a 405 */
	char *error, *field;
	int64_t version;
};

/* Takes n bytes of the server's budget for the request; false (and the
 * request answered 503, or 413 when it could never fit) when there is no
 * room (api.c). */
bool sv_req_take(struct sv_req *r, size_t n);
/* Gives back n of the bytes the request took. */
void sv_req_give(struct sv_req *r, size_t n);
/* Parses the body into rows and transforms them (api.c), within the
 * budget; the body and its JSON are freed once the rows are made.  On
 * failure sets r->status and r->error / r->field and returns -1. */
int sv_parse_rows(struct sv_req *r, const char *content_type);
/* Formats the predictions (after the model ran). */
void sv_answer_predictions(struct sv_req *r);
/* An error answer {"error","field"} with that status. */
void sv_answer_error(struct sv_req *r, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Runs the model on the computed rows in this thread. */
void sv_predict_inline(struct sv_req *r);
/* GET /v1/models/NAME[/versions/N][/metadata]. */
void sv_answer_model_status(struct sv_req *r, int64_t version, bool metadata);
/* Prometheus text exposition. */
void sv_answer_metrics(struct sv_req *r);
/* Frees what a request holds (its model reference included). */
void sv_req_release(struct sv_req *r);

#endif
