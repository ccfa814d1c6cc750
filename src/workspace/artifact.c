/* Content-addressed artifacts: artifacts/ab/abcdef... named by sha256. */
#include "workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *ws_artifact_tmp(struct workspace *ws)
{
	/* pid + random bits: unique across processes and threads */
	uint64_t r = 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (uint64_t)now_unix_us() ^ (uint64_t)(uintptr_t)&r;
	return xasprintf("%s/tmp-%ld-%016llx", ws->artifacts, (long)getpid(),
			 (unsigned long long)r);
}

static char *artifact_file(struct workspace *ws, const char *sha)
{
	return xasprintf("%s/%.2s/%s", ws->artifacts, sha, sha);
}

int ws_artifact_commit(struct workspace *ws, const char *tmp_path, char sha[65],
		       struct pm_err *err)
{
	if (sha256_file(tmp_path, sha, err) < 0)
		return -1;
	return ws_artifact_place(ws, tmp_path, sha, err);
}

int ws_artifact_place(struct workspace *ws, const char *tmp_path, const char *sha,
		      struct pm_err *err)
{
	char *dir = xasprintf("%s/%.2s", ws->artifacts, sha);
	int rc = fs_mkdir_p(dir, err);
	free(dir);
	if (rc < 0)
		return -1;
	char *dst = artifact_file(ws, sha);
	if (fs_exists(dst)) {
		/* same content already stored; touched, so that a concurrent
		 * `workspace gc` sees it as new until our row refers to it */
		utimensat(AT_FDCWD, dst, NULL, 0);
		unlink(tmp_path);
		free(dst);
		return 0;
	}
	rc = fs_rename(tmp_path, dst, err);
	free(dst);
	return rc;
}

int ws_artifact_put(struct workspace *ws, const void *data, size_t len, char sha[65],
		    struct pm_err *err)
{
	char *tmp = ws_artifact_tmp(ws);
	int rc = fs_write_atomic(tmp, data, len, err);
	if (rc == 0)
		rc = ws_artifact_commit(ws, tmp, sha, err);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

char *ws_artifact_path(struct workspace *ws, const char *sha, struct pm_err *err)
{
	if (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64) {
		pm_errf(err, "invalid artifact id \"%s\"", sha);
		return NULL;
	}
	char *p = artifact_file(ws, sha);
	if (!fs_exists(p)) {
		pm_errcf(err, PM_E_NOTFOUND, "artifact %s is missing from %s", sha, ws->artifacts);
		free(p);
		return NULL;
	}
	return p;
}

int ws_artifact_verify(struct workspace *ws, const char *sha, struct pm_err *err)
{
	char *p = ws_artifact_path(ws, sha, err);
	if (!p)
		return -1;
	char got[65];
	int rc = sha256_file(p, got, err);
	if (rc == 0 && strcmp(got, sha) != 0)
		rc = pm_errf(err, "artifact %s is corrupted (its content hashes to %s)", p, got);
	free(p);
	return rc;
}
