/* Starting the workers of `train --workers N`: prodml runs Open MPI's
 * mpirun on itself, so the user never writes an mpirun line, and reads rank
 * 0's result back.  No MPI calls here (they are in mpi.c): this is process
 * handling, and the parts that are the same with or without MPI. */
#include "train.h"
#include "workspace/workspace.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

bool dist_launched(int *rank, int *size)
{
	/* Open MPI's mpirun, then PMI (MPICH's hydra, Slurm's srun) */
	static const char *const names[][2] = {{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
					       {"PMI_RANK", "PMI_SIZE"},
					       {"PMIX_RANK", "OMPI_COMM_WORLD_SIZE"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *r = getenv(names[i][0]), *s = getenv(names[i][1]);
		if (r && s && *r && *s) {
			*rank = atoi(r);
			*size = atoi(s);
			return *size >= 1;
		}
	}
	return false;
}

int dist_shard_of(size_t row, int size)
{
	/* splitmix64's finalizer: consecutive rows spread evenly */
	uint64_t z = (uint64_t)row + 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (int)(z % (uint64_t)size);
}

int dist_check_hostfile(const char *path, struct pm_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return pm_errcf(err, PM_E_USAGE, "--hosts %s: %s", path, strerror(errno));
	char line[1024];
	int lineno = 0, hosts = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		lineno++;
		char *h = strchr(line, '#');
		if (h)
			*h = 0;
		char *save, *tok = strtok_r(line, " \t\r\n", &save);
		if (!tok)
			continue;
		for (const char *c = tok; *c && rc == 0; c++)
			if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_' && *c != ':')
				rc = pm_errcf(err, PM_E_USAGE, "%s:%d: '%s' is not a host name", path, lineno, tok);
		while (rc == 0 && (tok = strtok_r(NULL, " \t\r\n", &save))) {
			const char *eq = strchr(tok, '=');
			int v;
			if (!eq || (strncmp(tok, "slots=", 6) && strncmp(tok, "max_slots=", 10) &&
				    strncmp(tok, "max-slots=", 10)) ||
			    sscanf(eq + 1, "%d", &v) != 1 || v < 1)
				rc = pm_errcf(err, PM_E_USAGE, "%s:%d: '%s': expected slots=N (N >= 1)", path,
					      lineno, tok);
		}
		hosts++;
	}
	fclose(f);
	if (rc == 0 && hosts == 0)
		rc = pm_errcf(err, PM_E_USAGE, "--hosts %s: no hosts in the file (one \"HOST slots=N\" a line)",
			      path);
	return rc;
}

static bool launch_cancelled(const struct train_hooks *h)
{
	return h && (progress_cancelled(h->progress) || (h->cancelled && h->cancelled(h->ctx)));
}

/* Rank 0's progress comes as lines of its stderr (dist_progress_line):
 * they go to the hooks' progress, every other line into e.  `part` holds
 * a line not yet ended. */
static void err_lines(struct sbuf *part, const char *buf, size_t n, bool end, struct sbuf *e,
		      const struct train_hooks *hooks)
{
	sbuf_add(part, buf, n);
	size_t start = 0;
	for (size_t i = 0; i < part->len; i++) {
		if (part->s[i] != '\n' && !(end && i + 1 == part->len))
			continue;
		size_t len = i + 1 - start;
		const char *l = part->s + start;
		double done, total;
		int at = 0;
		if (len > strlen(DIST_PROGRESS) && !strncmp(l, DIST_PROGRESS, strlen(DIST_PROGRESS))) {
			char *line = xstrndup(l, len - (l[len - 1] == '\n'));
			if (sscanf(line + strlen(DIST_PROGRESS), "%lf %lf %n", &done, &total, &at) == 2 &&
			    at > 0 && hooks)
				progress_report(hooks->progress, line + strlen(DIST_PROGRESS) + at, done, total);
			free(line);
		} else
			sbuf_add(e, l, len);
		start = i + 1;
	}
	memmove(part->s, part->s + start, part->len - start);
	part->len -= start;
}

void dist_progress_line(FILE *f, const char *what, double done, double total)
{
	fprintf(f, "%s%.6f %.6f %s\n", DIST_PROGRESS, done, total, what);
	fflush(f);
}

/* Reads both pipes to their end; a cancel asks mpirun to stop the workers
 * (SIGTERM: it forwards it to every rank) and *cancelled tells. */
static void drain(int out, int errfd, struct sbuf *o, struct sbuf *e, pid_t pid,
		  const struct train_hooks *hooks, bool *cancelled)
{
	struct sbuf part = {0};
	struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = errfd, .events = POLLIN}};
	int open = 2;
	char buf[8192];
	while (open > 0) {
		if (!*cancelled && launch_cancelled(hooks)) {
			*cancelled = true;
			kill(pid, SIGTERM);
		}
		int n = poll(p, 2, 500);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n == 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, buf, sizeof buf);
			if (n > 0 && i)
				err_lines(&part, buf, (size_t)n, false, e, hooks);
			else if (n > 0)
				sbuf_add(o, buf, (size_t)n);
			else if (n == 0 || errno != EINTR) {
				close(p[i].fd);
				p[i].fd = -1;
				open--;
			}
		}
	}
	err_lines(&part, "", 0, true, e, hooks);
	sbuf_free(&part);
}

/* The line of s that holds `what` (from its start), NULL when none. */
static char *line_with(const char *s, const char *what)
{
	const char *at = s ? strstr(s, what) : NULL;
	if (!at)
		return NULL;
	const char *end = strchr(at, '\n');
	return xstrndup(at, end ? (size_t)(end - at) : strlen(at));
}

/* Why the launch failed, in one message: the rank that died, or the first
 * error a rank reported, or what mpirun said. */
static void launch_error(const char *errs, int status, int workers, struct pm_err *err)
{
	char *l;
	if ((l = line_with(errs, "allow-run-as-root")) || (l = line_with(errs, "as root"))) {
		free(l);
		pm_errf(err, "--workers %d: Open MPI refuses to run as root: set OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 in the environment (or train as another user)",
			workers);
		return;
	}
	if ((l = line_with(errs, "not enough slots")) || (l = line_with(errs, "There are not enough"))) {
		free(l);
		pm_errcf(err, PM_E_USAGE, "--workers %d: more workers than the hosts' slots: raise slots=N in the hostfile or lower --workers",
			 workers);
		return;
	}
	/* "mpirun noticed that process rank 1 with PID 123 on node h exited on signal 9 (Killed)." */
	if ((l = line_with(errs, "process rank "))) {
		int rank, pid, sig;
		char host[256], how[64];
		if (sscanf(l, "process rank %d with PID %d on node %255s exited on signal %d (%63[^)])", &rank,
			   &pid, host, &sig, how) == 5)
			pm_errf(err, "worker rank %d (host %s) died: signal %d (%s)", rank, host, sig, how);
		else {
			char *dot = strrchr(l, '.');
			if (dot && dot[1] == 0)
				*dot = 0;
			pm_errf(err, "worker %s", l + strlen("process "));
		}
		free(l);
		return;
	}
	if ((l = line_with(errs, "prodml: --workers: cannot start"))) {
		pm_errcf(err, PM_E_USAGE, "%s", l + strlen("prodml: "));
		free(l);
		return;
	}
	if ((l = line_with(errs, "prodml: "))) {
		pm_errf(err, "%s", l + strlen("prodml: "));
		free(l);
		return;
	}
	if ((l = line_with(errs, "ssh: ")) || (l = line_with(errs, "unable to reliably start"))) {
		pm_errf(err, "--workers %d: mpirun could not start the workers on the hosts (each needs ssh access from here, and the same prodml and Open MPI): %s",
			workers, l);
		free(l);
		return;
	}
	/* the first line of mpirun's report */
	const char *last = NULL, *p = errs ? errs : "";
	size_t len = 0;
	while (*p && !last) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t k = strspn(p, " -\t");
		if (n > k) {
			last = p;
			len = n;
		}
		p += n + (e != NULL);
	}
	if (last)
		pm_errf(err, "--workers %d: mpirun failed: %.*s", workers, (int)len, last);
	else if (WIFSIGNALED(status))
		pm_errf(err, "--workers %d: mpirun was killed by signal %d", workers, WTERMSIG(status));
	else
		pm_errf(err, "--workers %d: mpirun exited with status %d", workers, WEXITSTATUS(status));
}

int dist_launch(struct workspace *ws, int64_t run, int workers, const char *hostfile,
		const struct train_hooks *hooks, json_t **result, struct pm_err *err)
{
	if (!dist_built())
		return dist_not_built(workers, err);
	if (hostfile && dist_check_hostfile(hostfile, err) < 0)
		return -1;
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return pm_errf(err, "--workers: cannot find this program (/proc/self/exe): %s", strerror(errno));
	exe[n] = 0;
	char np[16], rs[32];
	snprintf(np, sizeof np, "%d", workers);
	snprintf(rs, sizeof rs, "%lld", (long long)run);
	/* PRODML_MPIRUN: another Open MPI than the one configure found */
#ifdef PM_MPIRUN
	const char *mpirun = getenv("PRODML_MPIRUN") ? getenv("PRODML_MPIRUN") : PM_MPIRUN;
#else
	const char *mpirun = getenv("PRODML_MPIRUN") ? getenv("PRODML_MPIRUN") : "mpirun";
#endif
	const char *argv[24];
	int a = 0;
	argv[a++] = mpirun;
	argv[a++] = "-np";
	argv[a++] = np;
	if (hostfile) {
		argv[a++] = "--hostfile";
		argv[a++] = hostfile;
	} else if (workers > pm_ncpu()) {
		/* on one host, more workers than cores share them */
		argv[a++] = "--oversubscribe";
	}
	argv[a++] = exe;
	argv[a++] = "-W";
	argv[a++] = ws->dir;
	argv[a++] = "-q";
	argv[a++] = "-o";
	argv[a++] = "json";
	argv[a++] = "train";
	argv[a++] = "--resume";
	argv[a++] = rs;
	argv[a] = NULL;
	int po[2], pe[2];
	if (pipe(po) < 0)
		return pm_errf(err, "--workers: pipe: %s", strerror(errno));
	if (pipe(pe) < 0) {
		close(po[0]);
		close(po[1]);
		return pm_errf(err, "--workers: pipe: %s", strerror(errno));
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return pm_errf(err, "--workers: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		if (strchr(mpirun, '/'))
			execv(mpirun, (char *const *)argv);
		else
			execvp(mpirun, (char *const *)argv);
		fprintf(stderr, "prodml: --workers: cannot start %s: %s (install the Debian package openmpi-bin)\n",
			mpirun, strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	struct sbuf out = {0}, errs = {0};
	bool cancelled = false;
	drain(po[0], pe[0], &out, &errs, pid, hooks, &cancelled);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sbuf_add(&out, "", 0);
	sbuf_add(&errs, "", 0);
	int rc = -1;
	json_t *doc = NULL;
	if (cancelled) {
		pm_errcf(err, PM_E_CANCEL, "cancelled with %d workers", workers);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* rank 0's document is the last line that parses */
		char *s = out.s ? out.s : "";
		for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
			json_t *j = json_loads(line, 0, NULL);
			if (json_is_object(j)) {
				json_decref(doc);
				doc = j;
			} else
				json_decref(j);
		}
		if (doc) {
			*result = doc;
			rc = 0;
		} else
			pm_errf(err, "--workers %d: the workers ended without a result", workers);
	} else
		launch_error(errs.s, status, workers, err);
	if (rc < 0) {
		struct pm_err e2 = {0};
		run_fail(ws, run, err->code == PM_E_CANCEL, err->msg, &e2);
		pm_err_prefix(err, "run %lld", (long long)run);
		char hint[96];
		snprintf(hint, sizeof hint, " (`train --resume %lld` continues it)", (long long)run);
		if (err->code != PM_E_USAGE)
			strncat(err->msg, hint, sizeof err->msg - strlen(err->msg) - 1);
	}
	sbuf_free(&out);
	sbuf_free(&errs);
	return rc;
}
