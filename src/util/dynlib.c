/* Libraries opened on first use.  BLAS, the HTTP server and the plotting
 * library serve a few commands only; opening them at start cost every
 * process their loading, relocation and constructors (OpenBLAS starts a
 * thread pool), about 11 ms, three quarters of a plain command's start.
 *
 * A loaded library belongs to the whole process, as the dynamic linker's
 * own state does: one lock serializes first opens, and a library's state
 * never changes after its first open. */
#include "util.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

int dynlib_open(struct dynlib *lib, struct pm_err *err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&lock);
	int rc = lib->state;
	if (rc == 0) {
		void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			const char *why = dlerror();
			snprintf(lib->msg, sizeof lib->msg,
				 "cannot load %s (%s): install the Debian package %s", lib->soname,
				 why ? why : "not found", lib->package);
			rc = -1;
		} else {
			rc = 1;
			for (size_t i = 0; lib->names[i]; i++) {
				lib->fns[i] = dlsym(h, lib->names[i]);
				if (!lib->fns[i]) {
					snprintf(lib->msg, sizeof lib->msg,
						 "%s has no %s: install the Debian package %s",
						 lib->soname, lib->names[i], lib->package);
					rc = -1;
					break;
				}
			}
			if (rc < 0)
				dlclose(h);
			else
				lib->handle = h;
		}
		lib->state = rc;
	} else if (rc > 0) {
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	if (rc < 0)
		return pm_errf(err, "%s", lib->msg);
	return rc;
}

void *dynlib_sym(const struct dynlib *lib, const char *name)
{
	return lib->handle ? dlsym(lib->handle, name) : NULL;
}
