/* The servers table: each server records itself (pid, port, model) and
 * writes its statistics there once a second; `servers` reads them and
 * notices processes that died, `serve stop` signals a server and waits. */
#include "internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Whether the process recorded for a server still runs. */
static bool server_alive(int64_t pid, int64_t proc_start)
{
	if (pid <= 0)
		return false;
	/* a detached server's parent is init, which may take its time to
	 * reap: a zombie has exited */
	if (!proc_alive(pid))
		return false;
	if (proc_start > 0) {
		int64_t now = proc_start_time(pid);
		if (now >= 0 && now != proc_start)
			return false; /* the pid was reused */
	}
	return true;
}

int servers_add(struct workspace *ws, const struct server_rec *r, int64_t *id, struct pm_err *err)
{
	char t[64], host[256] = "";
	ts_now_iso(t, sizeof t);
	proc_host_name(host, sizeof host);
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "INSERT INTO servers (pid, proc_start, host, bind, port, url, model, ref, version, "
		       "split, lookup, detached, log, status, user, started, updated) "
		       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'starting',?,?,?)",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, r->pid);
	db_bind_int64(st, 2, proc_start_time(r->pid));
	db_bind_text(st, 3, host, -1, DB_TRANSIENT);
	db_bind_text(st, 4, r->bind_host, -1, DB_STATIC);
	db_bind_int(st, 5, r->port);
	db_bind_text(st, 6, r->url, -1, DB_STATIC);
	db_bind_text(st, 7, r->model, -1, DB_STATIC);
	db_bind_text(st, 8, r->ref, -1, DB_STATIC);
	/* the version is known once the server runs: until then (and for good,
	 * when it fails to start) there is none, not a version 0 */
	if (r->version > 0)
		db_bind_int64(st, 9, r->version);
	else
		db_bind_null(st, 9);
	db_bind_text(st, 10, r->split, -1, DB_STATIC);
	db_bind_text(st, 11, r->lookup, -1, DB_STATIC);
	db_bind_int(st, 12, r->detached);
	db_bind_text(st, 13, r->log, -1, DB_STATIC);
	db_bind_text(st, 14, ws_user(), -1, DB_TRANSIENT);
	db_bind_text(st, 15, t, -1, DB_TRANSIENT);
	db_bind_text(st, 16, t, -1, DB_TRANSIENT);
	int s = db_step(st);
	db_finalize(st);
	if (s != DB_DONE)
		return pm_errf(err, "servers: %s", ws_errmsg(ws));
	*id = db_last_insert_id(ws->db);
	return 0;
}

int servers_set_running(struct workspace *ws, int64_t id, int port, const char *url,
			int64_t version, struct pm_err *err)
{
	char t[64];
	ts_now_iso(t, sizeof t);
	struct db_stmt *st;
	if (ws_prepare(ws,
		       "UPDATE servers SET status = 'running', port = ?, url = ?, version = ?, "
		       "updated = ? WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int(st, 1, port);
	db_bind_text(st, 2, url, -1, DB_STATIC);
	db_bind_int64(st, 3, version);
	db_bind_text(st, 4, t, -1, DB_TRANSIENT);
	db_bind_int64(st, 5, id);
	int s = db_step(st);
	db_finalize(st);
	if (s != DB_DONE)
		return pm_errf(err, "servers: %s", ws_errmsg(ws));
	return 0;
}

int servers_set_status(struct workspace *ws, int64_t id, const char *status, const char *message,
		       struct pm_err *err)
{
	char t[64];
	ts_now_iso(t, sizeof t);
	bool final = strcmp(status, "running") != 0;
	struct db_stmt *st;
	if (ws_prepare(ws,
		       final ? "UPDATE servers SET status = ?, message = ?, updated = ?, stopped = ?, "
			       "rps = NULL WHERE id = ?"
			     : "UPDATE servers SET status = ?, message = ?, updated = ?, "
			       "stopped = coalesce(?, stopped) WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, status, -1, DB_STATIC);
	db_bind_text(st, 2, message, -1, DB_STATIC);
	db_bind_text(st, 3, t, -1, DB_TRANSIENT);
	if (final)
		db_bind_text(st, 4, t, -1, DB_TRANSIENT);
	else
		db_bind_null(st, 4);
	db_bind_int64(st, 5, id);
	int s = db_step(st);
	db_finalize(st);
	if (s != DB_DONE)
		return pm_errf(err, "servers: %s", ws_errmsg(ws));
	return 0;
}

static const char *const cols[] = {
	"id", "pid", "proc_start", "host", "bind", "port", "url", "model", "ref", "version",
	"versions", "split", "lookup", "lookup_entries", "lookup_bytes", "lookup_hits",
	"lookup_misses", "detached", "log", "status", "message", "requests", "errors", "rows", "rps",
	"p50_us", "p99_us", "user", "started", "updated", "stopped"};

static json_t *row_json(struct db_stmt *st)
{
	json_t *o = json_object();
	for (int i = 0; i < (int)PM_ARRAY_LEN(cols); i++) {
		json_t *v;
		switch (db_column_type(st, i)) {
		case DB_INTEGER:
			v = json_integer(db_column_int64(st, i));
			break;
		case DB_FLOAT:
			v = json_real(db_column_double(st, i));
			break;
		case DB_NULL:
			v = json_null();
			break;
		default:
			v = json_string((const char *)db_column_text(st, i));
			break;
		}
		json_object_set_new(o, cols[i], v);
	}
	json_t *vs = json_object_get(o, "versions");
	if (json_is_string(vs)) {
		json_t *parsed = json_loads(json_string_value(vs), 0, NULL);
		if (parsed)
			json_object_set_new(o, "versions", parsed);
	}
	json_t *det = json_object_get(o, "detached");
	json_object_set_new(o, "detached", json_boolean(json_integer_value(det) != 0));
	json_int_t h = json_integer_value(json_object_get(o, "lookup_hits"));
	json_int_t m = json_integer_value(json_object_get(o, "lookup_misses"));
	json_object_set_new(o, "lookup_hit_rate",
			    h + m > 0 ? json_real((double)h / (double)(h + m)) : json_null());
	json_object_del(o, "proc_start");
	return o;
}

/* A running server writes its row once a second.  One of another host
 * whose row has not changed for SILENT_S is shown as "unresponsive" (its
 * host down, or cut off from the database): not listed by nginx-conf, and
 * running again as soon as it writes.  The table keeps "running": only
 * its own host can tell that the process is gone. */
#define SILENT_S 30

static void mark_silent(json_t *row, int64_t now_us)
{
	const char *st = json_string_value(json_object_get(row, "status"));
	const char *host = json_string_value(json_object_get(row, "host"));
	const char *upd = json_string_value(json_object_get(row, "updated"));
	int64_t t;
	if (!st || strcmp(st, "running") != 0 || proc_host_here(host) || !upd ||
	    !ts_parse(upd, strlen(upd), &t) || now_us - t < SILENT_S * 1000000LL)
		return;
	json_object_set_new(row, "status", json_string("unresponsive"));
	json_object_set_new(row, "message",
			    json_sprintf("no word from host %s for %lld s", host ? host : "?",
					 (long long)((now_us - t) / 1000000)));
}

static char *select_sql(const char *where)
{
	struct sbuf b = {0};
	sbuf_puts(&b, "SELECT ");
	for (size_t i = 0; i < PM_ARRAY_LEN(cols); i++)
		sbuf_printf(&b, "%s%s", i ? ", " : "", cols[i]);
	sbuf_printf(&b, " FROM servers %s", where);
	return sbuf_steal(&b);
}

int servers_list(struct workspace *ws, json_t **out, struct pm_err *err)
{
	/* first notice the dead: a running server of this host whose process
	 * is gone (another host's pids cannot be checked here) */
	struct db_stmt *st;
	if (ws_prepare(ws, "SELECT id, pid, proc_start, host FROM servers WHERE status IN ('running', 'starting')",
		       &st, err) < 0)
		return -1;
	int64_t dead[256];
	size_t ndead = 0;
	while (db_step(st) == DB_ROW && ndead < PM_ARRAY_LEN(dead))
		if (proc_host_here((const char *)db_column_text(st, 3)) &&
		    !server_alive(db_column_int64(st, 1), db_column_int64(st, 2)))
			dead[ndead++] = db_column_int64(st, 0);
	db_finalize(st);
	for (size_t i = 0; i < ndead; i++)
		if (servers_set_status(ws, dead[i], "dead", "the process is gone", err) < 0)
			return -1;
	/* and move what the dead left in their spools into the request log */
	struct spool_counts rec;
	if (spool_recover(ws, &rec, err) < 0)
		return -1;
	char *sql = select_sql("ORDER BY id");
	int rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc < 0)
		return -1;
	json_t *a = json_array();
	int64_t now = now_unix_us();
	while (db_step(st) == DB_ROW) {
		json_t *row = row_json(st);
		mark_silent(row, now);
		json_array_append_new(a, row);
	}
	db_finalize(st);
	*out = a;
	return 0;
}

static int get_row(struct workspace *ws, int64_t id, json_t **out, int64_t *pid,
		   int64_t *proc_start, struct pm_err *err)
{
	char *sql = select_sql("WHERE id = ?");
	struct db_stmt *st;
	int rc = ws_prepare(ws, sql, &st, err);
	free(sql);
	if (rc < 0)
		return -1;
	db_bind_int64(st, 1, id);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return pm_errcf(err, PM_E_NOTFOUND, "no server %lld (see `servers`)", (long long)id);
	}
	*pid = db_column_int64(st, 1);
	*proc_start = db_column_int64(st, 2);
	*out = row_json(st);
	db_finalize(st);
	return 0;
}

int servers_stop(struct workspace *ws, int64_t id, double timeout_s, json_t **out,
		 struct pm_err *err)
{
	json_t *row;
	int64_t pid, ps;
	if (get_row(ws, id, &row, &pid, &ps, err) < 0)
		return -1;
	const char *status = json_string_value(json_object_get(row, "status"));
	if (!status || (strcmp(status, "running") != 0 && strcmp(status, "starting") != 0)) {
		*out = row;
		return 0;
	}
	const char *host = json_string_value(json_object_get(row, "host"));
	if (!proc_host_here(host)) {
		int rc = pm_errcf(err, PM_E_USAGE,
				  "server %lld runs on host %s (pid %lld): stop it there (`serve stop %lld` "
				  "on %s)",
				  (long long)id, host, (long long)pid, (long long)id, host);
		json_decref(row);
		return rc;
	}
	json_decref(row);
	if (!server_alive(pid, ps)) {
		if (servers_set_status(ws, id, "dead", "the process is gone", err) < 0)
			return -1;
		return get_row(ws, id, out, &pid, &ps, err);
	}
	if (kill((pid_t)pid, SIGTERM) != 0)
		return pm_errf(err, "server %lld (pid %lld): %s", (long long)id, (long long)pid,
			       strerror(errno));
	double until = now_seconds() + timeout_s;
	while (server_alive(pid, ps) && now_seconds() < until) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	if (server_alive(pid, ps))
		return pm_errf(err, "server %lld (pid %lld) is still draining after %.0f s", (long long)id,
			       (long long)pid, timeout_s);
	/* the server writes "stopped" itself; a crash on the way out would not */
	if (get_row(ws, id, &row, &pid, &ps, err) < 0)
		return -1;
	status = json_string_value(json_object_get(row, "status"));
	if (status && (strcmp(status, "running") == 0 || strcmp(status, "starting") == 0)) {
		json_decref(row);
		if (servers_set_status(ws, id, "dead", "exited without recording its stop", err) < 0)
			return -1;
		return get_row(ws, id, out, &pid, &ps, err);
	}
	*out = row;
	return 0;
}
