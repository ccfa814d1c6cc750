/* The unit-test face of a fuzz target (built with -DPM_FUZZ_DRIVER):
 * feeds LLVMFuzzerTestOneInput the files named on the command line (a
 * crash libFuzzer found), or else every file of the target's seed corpus,
 * tests/fuzz/corpus/NAME under $srcdir, so that each `make check` replays
 * the corpora and every crash input added to them. */
#ifndef PM_FUZZ_REPLAY_H
#define PM_FUZZ_REPLAY_H

#include "util/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	char *d;
	size_t n;
	struct pm_err err;
	if (fs_read_all(path, &d, &n, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)d, n);
	free(d);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays argv[1..] or the corpus; the number of inputs, -1 on an error. */
static int fuzz_replay(const char *name, int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (replay_file(argv[i]) < 0)
				return -1;
		return argc - 1;
	}
	const char *src = getenv("srcdir");
	char *dir = xasprintf("%s/tests/fuzz/corpus/%s", src && *src ? src : ".", name);
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "fuzz_%s: cannot open the corpus %s\n", name, dir);
		free(dir);
		return -1;
	}
	/* sorted, so that a failure names the same input every time */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		xgrow((void **)&names, &cap, n + 1, sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_name);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);
		if (replay_file(p) < 0)
			rc = -1;
		free(p);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		fprintf(stderr, "fuzz_%s: the corpus %s is empty\n", name, dir);
		rc = -1;
	}
	free(dir);
	return rc < 0 ? -1 : (int)n;
}

#endif
