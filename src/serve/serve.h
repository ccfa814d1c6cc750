/* serve — batch prediction (`predict`), the online prediction service
 * (`serve`: TensorFlow Serving REST, MLflow scoring and Prometheus over
 * libmicrohttpd), dynamic batching, static/hybrid lookup tables, the
 * asynchronous request log and the servers table.
 *
 * Batch and online prediction check rows against the same serving schema
 * (the model's transform inputs), run the same transform and the same
 * fixed-order kernel, and print numbers the same way (the shortest form
 * that reads back to the same double), so a row gets byte-identical
 * predictions from `predict` and from every HTTP API.
 *
 * The one header of src/serve. */
#ifndef PM_SERVE_H
#define PM_SERVE_H

#include "util/util.h"
#include "data/data.h"
#include "model/model.h"

#include <jansson.h>

struct workspace;

/* ---- predictions as text (numbers through util's fmt_double) ----------------- */
/* Names of the prediction columns `predict` writes for a model (regression:
 * prediction; binary: prediction = P(positive class), class; multiclass:
 * class, then p_CLASS per class).  NULL-terminated; free with str_list_free. */
char **serve_pred_columns(const struct model *m);

/* ---- batch prediction --------------------------------------------------------- */
struct predict_opts {
	const char *out;            /* predictions CSV (written atomically) */
	const char *rejects;        /* rejected rows CSV; NULL: OUT.rejects.csv, written
				     * only when a row is rejected */
	const char *const *keys;    /* passthrough columns, copied before the predictions */
	size_t nkeys;
	int threads;                /* 0: all CPUs */
	size_t chunk_bytes;         /* file input read per chunk (0: 16 MiB) */
	const struct progress *progress;
};

/* One rejected row, for the first few shown in the result. */
struct predict_reject {
	size_t row;                 /* 1-based data row (0: unknown) */
	size_t line;                /* 1-based line of the file (0 for datasets) */
	char *reason;
};
#define PREDICT_MAX_EXAMPLES 5

struct predict_stats {
	size_t rows, predicted, rejected;
	size_t bytes;               /* input bytes read (file input) */
	double seconds;
	char *rejects_path;         /* where rejects went (NULL: none written) */
	struct predict_reject examples[PREDICT_MAX_EXAMPLES];
	size_t nexamples;
};
void predict_stats_free(struct predict_stats *st);

/* Predicts every row of a dataset.  Rows whose values do not fit the
 * model's serving schema are written to the reject file with the reason;
 * none are dropped silently.  A key column or a model input the frame
 * lacks is an error, and so is a run that rejects every row: then nothing
 * is written. */
int predict_frame(const struct model *m, const struct frame *f, const struct predict_opts *o,
		  struct predict_stats *st, struct pm_err *err);
/* The same over a CSV/TSV file, read in chunks of whole rows so that memory
 * stays bounded whatever the file's size; chunks are predicted on all
 * threads and written in input order.  Reject lines are the file's lines. */
int predict_file(const struct model *m, const char *path, const struct predict_opts *o,
		 struct predict_stats *st, struct pm_err *err);

/* ---- the prediction server -------------------------------------------------------- */
struct serve_options {
	const char *ws_dir;         /* the workspace as ws_open takes it (a directory or a
				     * PostgreSQL URI): the server opens its own connections */
	const char *model;          /* model name */
	const char *alias;          /* follow this alias (NULL: see version) */
	int64_t version;            /* pinned version; 0 with no alias: follow the latest */
	const char *split;          /* "3=90,4=10" or "production=90,canary=10", or NULL */
	const char *host;           /* default 127.0.0.1 */
	const char *advertise;      /* the host in the recorded URL (NULL: host, or this
				     * host's name when host is a wildcard) */
	int port;                   /* 0: an ephemeral port (server_port tells which) */
	int threads;                /* HTTP threads (0: CPUs) */
	int max_batch;              /* rows per batch; <= 1: no batching */
	int64_t batch_timeout_us;   /* longest wait for a batch to fill */
	size_t queue_rows;          /* bounded queue (rows); full -> 503 */
	double log_sample;          /* fraction of requests logged, 0..1 */
	const char *token;          /* required bearer token, or NULL */
	const char *lookup;         /* key column of the lookup table, or NULL */
	const char *lookup_data;    /* dataset the table is computed from (NULL: the
				     * version's training dataset) */
	size_t lookup_size;         /* most frequent keys kept (0: all) */
	size_t max_body;            /* largest request body in bytes */
	size_t max_inflight;        /* bytes of bodies and decoded rows in flight
				     * (0: 512 MiB); past it 503 */
	double read_timeout_s;      /* deadline of each wait for a client: headers, body,
				     * the next request of a kept-alive connection (0: 5 s) */
	size_t max_conns;           /* open connections (0: 10000, within the open-file
				     * limit, which the server raises to its hard limit) */
	size_t max_client_conns;    /* open connections of one client address (0: a
				     * quarter of max_conns) */
	bool strict;                /* a row that omits a feature is refused (400)
				     * instead of read as missing there */
	int64_t server_id;          /* row in the servers table (0: none) */
	double poll_s;              /* registry polling period (0: 0.2 s) */
	int64_t keep_days;          /* retention: raw requests older than this are rolled */
	int64_t rollup_days;        /* up every hour, rollups older than this dropped;
				     * keep_days <= 0: no retention by the server */
};

struct server;
/* Loads the model(s), builds the lookup table, binds and starts serving.
 * Errors name the model, version, alias, column or address. */
int server_start(const struct serve_options *o, struct server **out, struct pm_err *err);
int server_port(const struct server *sv);
/* "http://HOST:PORT" (owned by the server). */
const char *server_url(const struct server *sv);
/* The versions being served now ({"route","version"} objects) and totals. */
json_t *server_status_json(struct server *sv);
/* Stops accepting connections, lets requests in flight finish (at most
 * drain_s seconds), flushes the request log and frees the server.
 * Returns the final statistics (server_status_json). */
json_t *server_stop(struct server *sv, double drain_s);

/* ---- the request log --------------------------------------------------------------- */
/* Requests logged by servers that are gone (killed, crashed) before their
 * spool reached the table requests: moved there now.  Spools of running
 * servers are theirs.  Cheap when there is none. */
struct spool_counts {
	uint64_t spools;   /* spools recovered */
	uint64_t records;  /* records moved into the table */
	uint64_t damaged;  /* segments whose rest could not be read (cut by a kill) */
	uint64_t bytes;    /* bytes of spool passed */
};
int spool_recover(struct workspace *ws, struct spool_counts *res, struct pm_err *err);

/* ---- the servers table -------------------------------------------------------------- */
struct server_rec {
	int64_t pid;
	const char *model, *ref, *split, *lookup;
	int64_t version;
	const char *bind_host;
	int port;
	const char *url;
	bool detached;
	const char *log;            /* log file of a detached server */
};
/* Records a server that is starting (status "starting"); *id gets its row. */
int servers_add(struct workspace *ws, const struct server_rec *r, int64_t *id,
		struct pm_err *err);
/* Records where a started server listens and marks it running. */
int servers_set_running(struct workspace *ws, int64_t id, int port, const char *url,
			int64_t version, struct pm_err *err);
int servers_set_status(struct workspace *ws, int64_t id, const char *status,
		       const char *message, struct pm_err *err);
/* Every server with its last statistics; a server recorded as running
 * whose process is gone is marked dead. */
int servers_list(struct workspace *ws, json_t **out, struct pm_err *err);
/* Sends SIGTERM to a running server and waits (at most timeout_s) until it
 * has drained and exited.  *out gets the server's final row. */
int servers_stop(struct workspace *ws, int64_t id, double timeout_s, json_t **out,
		 struct pm_err *err);

/* An nginx configuration that balances the live servers: one upstream per
 * served reference, TensorFlow Serving's routes per model, and MLflow's and
 * the health routes when one model is served.  want: NULL (all servers), M
 * (its every reference) or M@ALIAS / M:V (that reference); full: a whole
 * nginx.conf to run with `nginx -p DIR -c FILE` (paths relative to DIR),
 * else the http-level blocks to include.  *info: {listen, upstreams}. */
struct nginx_conf_opts {
	const char *want;
	const char *listen;          /* [HOST:]PORT */
	bool full;
};
int servers_nginx_conf(struct workspace *ws, const struct nginx_conf_opts *o, char **text,
		       json_t **info, struct pm_err *err);

#endif
