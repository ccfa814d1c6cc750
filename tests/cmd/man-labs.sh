#!/bin/sh
# man/prodml-labs.7 lists every lab of labs/ under THE LABS, and no lab
# that is not there; its FORMAT names every directive the reader knows.
set -u
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-manlabs.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
page=man/prodml-labs.7
sed -n '/^\.SH THE LABS$/,/^\.SH FORMAT$/p' "$page" | awk 'prev == ".TP" && $1 == ".B" { print $2 } { prev = $0 }' |
	sort >"$tmp/listed"
ls labs/*.prodml | sed 's|labs/||; s|\.prodml$||' | sort >"$tmp/files"
if ! diff -u "$tmp/files" "$tmp/listed"; then
	echo "FAIL the labs of $page differ from labs/ (- labs/, + the page)"
	fail=1
fi
for d in lab course time step expect fails hint; do
	grep -q "^\.BI \"#@ $d" "$page" || { echo "FAIL $page: no #@ $d"; fail=1; }
done
exit $fail
