/* One scheduler per workspace.  Two schedulers would each see a pipeline
 * idle and each start it, so the scheduler holds WS/scheduler.lock with
 * flock for its whole life.  A check of the jobs table cannot do this: two
 * schedulers starting at the same instant both find none, and a foreground
 * scheduler is no job at all.  The kernel lets go of a flock when the last
 * descriptor of it closes, so a scheduler that dies however it dies
 * (kill -9 included) blocks no later one.  The file's text names the holder
 * (its pid and job) for the error that the next one gets. */
#include "pipeline.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static char *lock_path(struct workspace *ws)
{
	return path_join(ws->dir, "scheduler.lock");
}

int pipeline_sched_note(int fd, int64_t job, int64_t pid)
{
	char text[64];
	int n = snprintf(text, sizeof text, "pid %lld job %lld\n", (long long)pid, (long long)job);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n)
		return -1;
	return 0;
}

/* The error for a lock that another process holds, from what it wrote
 * there.  A holder that has just taken the lock may not have written it
 * yet: the file still names the last holder, which is gone (its death let
 * the lock go), so a note whose process is not alive is not believed.  One
 * starting a detached scheduler writes job -1 until the job exists (a
 * moment later).  Read again for a while. */
static int held_by(const char *path, struct pm_err *err)
{
	long long pid = 0, job = -2;
	bool alive = false;
	for (int tries = 0; tries < 400; tries++) {
		char buf[64] = "";
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = 0;
			close(fd);
		}
		alive = sscanf(buf, "pid %lld job %lld", &pid, &job) == 2 && proc_alive(pid);
		if (alive && job >= 0)
			break;
		usleep(5000);
	}
	if (!alive)
		job = -2;
	if (job > 0)
		return pm_errf(err, "pipeline scheduler: one already runs as job %lld (pid %lld; `jobs` lists it, "
				    "`job cancel %lld` stops it)",
			       job, pid, job);
	if (job == 0)
		return pm_errf(err, "pipeline scheduler: one already runs in the foreground as pid %lld "
				    "(Ctrl-C or `kill %lld` stops it)",
			       pid, pid);
	if (job == -1)
		return pm_errf(err, "pipeline scheduler: pid %lld is starting one as a job (`jobs` lists it)", pid);
	return pm_errf(err, "pipeline scheduler: another one holds %s", path);
}

int pipeline_sched_lock(struct workspace *ws, int64_t job, int *out, struct pm_err *err)
{
	char *path = lock_path(ws);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int rc = pm_errf(err, "%s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		int rc = e == EWOULDBLOCK ? held_by(path, err) : pm_errf(err, "%s: flock: %s", path, strerror(e));
		free(path);
		return rc;
	}
	free(path);
	pipeline_sched_note(fd, job, getpid());
	*out = fd;
	return 0;
}

int pipeline_sched_adopt(struct workspace *ws, int fd, int64_t job, struct pm_err *err)
{
	char *path = lock_path(ws);
	struct stat a, b;
	bool same = fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	/* on the description the starter locked, flock succeeds at once */
	if (!same || flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = pm_errf(err, "pipeline scheduler: descriptor %d is not a hold on %s", fd, path);
		free(path);
		return rc;
	}
	free(path);
	/* the runs this scheduler starts must not keep it */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	pipeline_sched_note(fd, job, getpid());
	return 0;
}

void pipeline_sched_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
