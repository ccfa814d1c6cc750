/* Other processes seen through /proc: whether one still runs, and when it
 * started (to tell a reused pid from the process that was recorded).
 * Jobs and detached servers record their pid in the workspace; these say
 * whether that record still describes a live process.  Both are started
 * by proc_spawn_detached. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The fields of /proc/PID/stat after the command name, which may itself
 * hold spaces and parentheses: they start after the last ')'.  NULL when
 * the process is gone. */
static const char *stat_fields(int64_t pid, char *buf, size_t n)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = 0;
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

void proc_host_name(char *buf, size_t n)
{
	const char *h = getenv("PRODML_HOST");
	buf[0] = 0;
	if (h && *h)
		snprintf(buf, n, "%s", h);
	else
		gethostname(buf, n - 1);
	buf[n - 1] = 0;
}

bool proc_host_here(const char *host)
{
	char h[256];
	proc_host_name(h, sizeof h);
	return !host || strcmp(host, h) == 0;
}

bool proc_alive(int64_t pid)
{
	if (pid <= 0)
		return false;
	if (!(kill((pid_t)pid, 0) == 0 || errno == EPERM))
		return false;
	/* a zombie nobody reaps (no init in a container) has exited too */
	char buf[512];
	const char *p = stat_fields(pid, buf, sizeof buf);
	if (!p)
		return true; /* no /proc: trust kill() */
	return *p != 'Z' && *p != 'X';
}

int64_t proc_start_time(int64_t pid)
{
	char buf[1024];
	const char *p = stat_fields(pid, buf, sizeof buf);
	/* p is at field 3 (state); starttime is field 22 */
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoll(p, NULL, 10) : -1;
}

int64_t proc_start_unix(int64_t pid)
{
	int64_t ticks = proc_start_time(pid);
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");
	if (ticks < 0 || hz <= 0 || !f) {
		if (f)
			fclose(f);
		return -1;
	}
	char line[256];
	long long btime = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "btime %lld", &btime) == 1)
			break;
	fclose(f);
	return btime < 0 ? -1 : btime + ticks / hz;
}

/* The grandchild's side of proc_spawn_detached: it reports its pid, or
 * why exec failed (as -errno), through `report`, a close-on-exec pipe, so
 * that EOF after the pid means exec succeeded. */
_Noreturn static void detached_exec(const struct proc_detached *d, const char *exe, int report)
{
	char path[4096];
	const char *log = d->log;
	int flags = O_WRONLY | O_CREAT | O_APPEND;
	if (d->log_dir) {
		snprintf(path, sizeof path, "%s/%s-%lld.log", d->log_dir, d->log_prefix,
			 (long long)getpid());
		log = path;
		flags |= O_TRUNC;   /* a log of a reused pid is not continued */
	}
	int nul = open("/dev/null", O_RDONLY);
	int lfd = log ? open(log, flags, 0644) : -1;
	if (nul >= 0)
		dup2(nul, STDIN_FILENO);
	if (lfd >= 0) {
		dup2(lfd, STDOUT_FILENO);
		dup2(lfd, STDERR_FILENO);
	}
	int pass = -1;
	if (d->pass_fd >= 0) {
		pass = dup(d->pass_fd);   /* without close-on-exec */
		char env[32];
		snprintf(env, sizeof env, "%d", pass);
		setenv(d->pass_env, env, 1);
	}
	/* nothing else of the parent's files may stay open in the program */
	long maxfd = sysconf(_SC_OPEN_MAX);
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (int fd = 3; fd < maxfd; fd++)
		if (fd != report && fd != pass)
			close(fd);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	int64_t me = getpid();
	if (write(report, &me, sizeof me) < 0)
		_exit(1);
	execv(exe, d->argv);
	int e = errno;
	int64_t neg = -(int64_t)e;
	if (write(report, &neg, sizeof neg) < 0)
		_exit(127);
	dprintf(STDERR_FILENO, "prodml: cannot run %s: %s\n", exe, strerror(e));
	_exit(127);
}

int proc_spawn_detached(const struct proc_detached *d, int64_t *pid, struct pm_err *err)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return pm_errf(err, "cannot find the prodml program: %s", strerror(errno));
	exe[n] = 0;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return pm_errf(err, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return pm_errf(err, "fork: %s", strerror(e));
	}
	if (child == 0) {
		/* the intermediate: a new session, then a grandchild that no
		 * terminal and no parent waits for */
		close(fds[0]);
		setsid();
		pid_t g = fork();
		if (g != 0)
			_exit(g < 0 ? 1 : 0);
		detached_exec(d, exe, fds[1]);
	}
	close(fds[1]);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	int64_t got = 0, code = 0;
	ssize_t r1 = read(fds[0], &got, sizeof got);
	ssize_t r2 = read(fds[0], &code, sizeof code);
	close(fds[0]);
	if (r1 != (ssize_t)sizeof got || got <= 0)
		return pm_errf(err, "the process did not start");
	if (r2 == (ssize_t)sizeof code && code < 0)
		return pm_errf(err, "cannot run %s: %s", exe, strerror((int)-code));
	*pid = got;
	return 0;
}
