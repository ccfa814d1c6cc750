/* Other processes seen through /proc: whether one still runs, and when it
 * started (to tell a reused pid from the process that was recorded).
 * Jobs and detached servers record their pid in the workspace; these say
 * whether that record still describes a live process. */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
