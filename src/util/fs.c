/* Files: atomic writes, whole-file reads, memory maps. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdir_p(const char *path, struct pm_err *err)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			int e = errno;
			pm_errf(err, "cannot create directory %s: %s", p, strerror(e));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		int e = errno;
		pm_errf(err, "cannot create directory %s: %s", p, strerror(e));
		free(p);
		return -1;
	}
	free(p);
	if (!fs_is_dir(path))
		return pm_errf(err, "%s exists and is not a directory", path);
	return 0;
}

bool fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

bool fs_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fs_read_all(const char *path, char **data, size_t *len, struct pm_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pm_errf(err, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return pm_errf(err, "%s: is a directory", path);
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			close(fd);
			return pm_errf(err, "%s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	*data = buf;
	if (len)
		*len = n;
	return 0;
}

/* Opens path for reading with extra flags and stats it: the fd, or -1. */
static int open_stat(const char *path, int flags, struct stat *st, struct pm_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return pm_errf(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, st) < 0) {
		int e = errno;
		close(fd);
		return pm_errf(err, "%s: %s", path, strerror(e));
	}
	return fd;
}

int fs_open_regular(const char *path, size_t max, int *fd_out, size_t *size, struct pm_err *err)
{
	/* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
	struct stat st;
	int fd = open_stat(path, O_NONBLOCK, &st, err);
	if (fd < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return pm_errf(err, "%s: not a regular file (%s)", path,
			       S_ISDIR(st.st_mode)			   ? "a directory"
			       : S_ISFIFO(st.st_mode)			   ? "a pipe"
			       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
									   : "a socket");
	}
	if ((uint64_t)st.st_size > (uint64_t)max) {
		close(fd);
		return pm_errf(err, "%s: %lld bytes, more than the %zu MiB limit", path,
			       (long long)st.st_size, max >> 20);
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	*fd_out = fd;
	*size = (size_t)st.st_size;
	return 0;
}

int fs_pread_full(int fd, const char *path, void *buf, size_t n, size_t off, struct pm_err *err)
{
	char *p = buf;
	while (n) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pm_errf(err, "%s: %s", path, strerror(errno));
		if (r == 0)
			return pm_errf(err, "%s: the file is shorter than it was (changed while read?)",
				       path);
		p += r;
		n -= (size_t)r;
		off += (size_t)r;
	}
	return 0;
}

char *fs_tmp_name(const char *path)
{
	return xasprintf("%s.tmp.%ld", path, (long)getpid());
}

bool fs_is_special(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* Copies file from into the special file to, then removes from. */
static int copy_into(const char *from, const char *to, struct pm_err *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = in < 0 ? -1 : open(to, O_WRONLY | O_CLOEXEC);
	int rc = in < 0 || out < 0 ? -1 : 0;
	char buf[65536];
	ssize_t n;
	while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0)
		if (n < 0 ? errno != EINTR : fs_write_fd(out, buf, (size_t)n) < 0)
			rc = -1;
	if (rc < 0)
		pm_errf(err, "cannot write %s: %s", to, strerror(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	unlink(from);
	return rc;
}

int fs_rename(const char *from, const char *to, struct pm_err *err)
{
	if (fs_is_special(to))
		return copy_into(from, to, err);
	if (rename(from, to) < 0)
		return pm_errf(err, "cannot rename %s to %s: %s", from, to, strerror(errno));
	return 0;
}

int fs_write_fd(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fs_flusher_write(struct fs_flusher *w, const void *data, size_t len)
{
	if (fs_write_fd(w->fd, data, len) < 0)
		return -1;
	w->written += len;
#ifdef SYNC_FILE_RANGE_WRITE
	if (!w->lazy && w->written - w->flushed >= FS_FLUSH_STEP) {
		/* only a start: errors show at the fsync */
		sync_file_range(w->fd, (off_t)w->flushed, (off_t)(w->written - w->flushed),
				SYNC_FILE_RANGE_WRITE);
		w->flushed = w->written;
	}
#endif
	return 0;
}

int fs_flusher_sync(struct fs_flusher *w)
{
	if (w->lazy)
		return 0;
	return fsync(w->fd) != 0 && errno != EINVAL ? -1 : 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, struct pm_err *err)
{
	if (fs_is_special(path)) {
		/* a device or a pipe: no temporary name beside it */
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || fs_write_fd(fd, data, len) < 0) {
			pm_errf(err, "cannot write %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	char *tmp = fs_tmp_name(path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		pm_errf(err, "cannot write %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	struct fs_flusher w = {.fd = fd};
	if (fs_flusher_write(&w, data, len) < 0 || fs_flusher_sync(&w) < 0) {
		pm_errf(err, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	int rc = fs_rename(tmp, path, err);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

char *path_join(const char *a, const char *b)
{
	if (!a || !*a || b[0] == '/')
		return xstrdup(b);
	size_t n = strlen(a);
	return xasprintf("%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

const char *path_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* ---- the SIGBUS guard ----------------------------------------------------------------
 * Touching a page of a file mapping past the file's end raises SIGBUS: a
 * file truncated by another process while prodml reads it would kill the
 * process.  Mappings are registered here; the handler puts zero pages over
 * the rest of a registered mapping from the faulting page on, notes that
 * the file shrank, and lets the read go on; the reader then reports the
 * change (fs_map_shrank).  A fault outside every registered mapping gets
 * the default action.  This table is the process's signal state, like the
 * SIGINT flag in main.c: the one kind of state kept outside the session. */
#define GUARD_SLOTS 1024
static struct {
	_Atomic uintptr_t base; /* 0: free; 1: being filled */
	_Atomic size_t len;
	atomic_int shrank;
} guard[GUARD_SLOTS];
static size_t guard_page;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	uintptr_t a = (uintptr_t)si->si_addr;
	for (size_t i = 0; i < GUARD_SLOTS; i++) {
		uintptr_t b = atomic_load(&guard[i].base);
		size_t n = atomic_load(&guard[i].len);
		if (b > 1 && a >= b && a < b + n) {
			uintptr_t pg = a & ~(uintptr_t)(guard_page - 1);
			if (mmap((void *)pg, b + n - pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) != MAP_FAILED) {
				atomic_store(&guard[i].shrank, 1);
				return;
			}
			break;
		}
	}
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGBUS, &dfl, NULL); /* the fault repeats, with the default action */
}

static void guard_install(void)
{
	guard_page = (size_t)sysconf(_SC_PAGESIZE);
	struct sigaction sa = {.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static void guard_add(struct fs_map *m)
{
	pthread_once(&guard_once, guard_install);
	for (size_t i = 0; i < GUARD_SLOTS; i++) {
		uintptr_t zero = 0;
		if (atomic_compare_exchange_strong(&guard[i].base, &zero, 1)) {
			atomic_store(&guard[i].len, m->len);
			atomic_store(&guard[i].shrank, 0);
			atomic_store(&guard[i].base, (uintptr_t)m->data);
			m->guard = (int)i + 1;
			return;
		}
	}
	/* every slot taken: this map is unguarded */
}

bool fs_map_shrank(const struct fs_map *m)
{
	return m->guard && atomic_load(&guard[m->guard - 1].shrank);
}

int fs_map_check(const struct fs_map *m, const char *path, struct pm_err *err)
{
	if (!fs_map_shrank(m))
		return 0;
	return pm_errf(err, "%s: the file shrank while it was read (another process changed it)",
		       path);
}

int fs_map_open(const char *path, struct fs_map *m, struct pm_err *err)
{
	memset(m, 0, sizeof *m);
	m->fd = -1;
	struct stat st;
	int fd = open_stat(path, 0, &st, err);
	if (fd < 0)
		return -1;
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return pm_errf(err, "%s: is a directory", path);
	}
	m->fd = fd;
	m->len = (size_t)st.st_size;
	if (m->len == 0)
		return 0;
	m->data = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (m->data == MAP_FAILED) {
		int e = errno;
		close(fd);
		m->data = NULL;
		m->fd = -1;
		return pm_errf(err, "%s: cannot map: %s", path, strerror(e));
	}
	madvise(m->data, m->len, MADV_SEQUENTIAL);
	guard_add(m);
	return 0;
}

int fs_map_stream(int fd, size_t len, struct fs_map *m)
{
	memset(m, 0, sizeof *m);
	m->fd = -1;
	if (len == 0)
		return -1;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	madvise(p, len, MADV_SEQUENTIAL);
	m->data = p;
	m->len = len;
	guard_add(m);
	return 0;
}

void fs_map_release(struct fs_map *m, size_t from, size_t to)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	from = (from + pg - 1) / pg * pg;
	to = to / pg * pg;
	if (m->data && from < to && to <= m->len)
		madvise((char *)m->data + from, to - from, MADV_DONTNEED);
}

void fs_map_close(struct fs_map *m)
{
	if (m->guard)
		atomic_store(&guard[m->guard - 1].base, 0);
	m->guard = 0;
	if (m->data)
		munmap(m->data, m->len);
	if (m->fd >= 0)
		close(m->fd);
	m->data = NULL;
	m->fd = -1;
	m->len = 0;
}
