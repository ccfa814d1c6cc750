#!/bin/sh
# Writes a C driver for an exported predictor (tests/cmd/edge.sh, the edge
# lab): usage edge-driver.sh HEADER > driver.c.  The driver reads a CSV
# without quoted fields (a header row, then rows), fills the predictor's
# input struct from the columns of the same names (an empty field is
# missing: NaN or NULL), and prints out[0] of each row with 17 digits, or
# "reject" when the predictor refuses the row.
h=${1:?header}
base=$(basename "$h" .h)
prefix=$(sed -n 's/^int \([A-Za-z0-9_]*\)_predict(.*/\1/p' "$h")
cat <<C
#include "$base.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static const char *names[256];
static int nnames;
static char *tok[256];
static const char *field(const char *name)
{
	for (int i = 0; i < nnames; i++)
		if (!strcmp(names[i], name))
			return tok[i] && *tok[i] ? tok[i] : NULL;
	fprintf(stderr, "no column %s\n", name);
	exit(2);
}
static double num(const char *name)
{
	const char *s = field(name);
	return s ? strtod(s, NULL) : NAN;
}
static int split(char *line)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = 0;
	for (char *p = line;; p++) {
		tok[n++] = p;
		p += strcspn(p, ",");
		if (!*p || n == 256)
			break;
		*p = 0;
	}
	return n;
}
int main(int argc, char **argv)
{
	static char head[65536], line[65536];
	FILE *f = argc > 1 ? fopen(argv[1], "r") : stdin;
	if (!f || !fgets(head, sizeof head, f))
		return 2;
	nnames = split(head);
	for (int i = 0; i < nnames; i++)
		names[i] = tok[i];
	while (fgets(line, sizeof line, f)) {
		split(line);
		struct ${prefix}_input in;
C
awk '/^\t(double|const char \*)/ {
	str = ($1 == "const")
	field = str ? $3 : $2; sub(/^\*/, "", field); sub(/;$/, "", field)
	match($0, /\/\* [^ ]+ \(/); col = substr($0, RSTART + 3, RLENGTH - 5)
	if (str) printf "\t\tin.%s = field(\"%s\");\n", field, col
	else printf "\t\tin.%s = num(\"%s\");\n", field, col
}' "$h"
cat <<C
		double out[64];
		if (${prefix}_predict(&in, out) < 0)
			printf("reject\n");
		else
			printf("%.17g\n", out[0]);
	}
	return 0;
}
C
