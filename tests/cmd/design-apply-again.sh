#!/bin/sh
# design apply a second time: with the same plan and its server and
# trigger standing it runs nothing (one trigger, one server still); a
# changed design is refused, naming the server and trigger the first
# apply started; --replace stops that server, deletes that trigger and
# applies the new plan.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-dagain.XXXXXX") || exit 99
pm() { "$P" -W "$tmp/ws" -q "$@"; }
py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
cleanup() {
	# the servers this test's applies started, by their ids
	for id in $(pm -o json servers 2>/dev/null | py '" ".join(str(s["id"]) for s in d["servers"] if s["status"] == "running")'); do
		pm serve stop "$id" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "${srcdir:?}" || exit 99
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
fail=0
failed() { echo "FAIL $*"; fail=1; }
# live: the running servers' ids, then the triggers as id:every_s
live() {
	echo "$(pm -o json servers --all | py '[s["id"] for s in d["servers"] if s["status"] == "running"]')" \
		"$(pm -o json pipeline triggers | py '["%d:%d" % (t["trigger"], t["every_s"]) for t in d["triggers"]]')"
}

pm -c "load n datasets/natality/natality.csv
	load k --sql 'SELECT rowid AS id, * FROM n'
	train w --data k --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 1
	design new st --model w --data k
	design set st keys id
	design set st serving static
	design set st port 0
	design set st training schedule 1h" >/dev/null || { echo "FAIL setup"; exit 1; }
pm design apply st >/dev/null || failed "first apply"
set -- $(pm -o json design show st | py 'd["design"]["applied"]["server"], d["design"]["applied"]["trigger"], d["design"]["applied"]["url"], d["design"]["applied"]["time"]')
s1=$1 t1=$2 url=$3 time=$4
[ "$(live)" = "[$s1] ['$t1:3600']" ] || failed "after the first apply: $(live)"
out=$(pm design apply st) || failed "second apply: $out"
[ "$out" = "design st is applied already ($time): server $s1 at $url, trigger $t1 of pipeline design-st; nothing run" ] ||
	failed "second apply: $out"
[ "$(live)" = "[$s1] ['$t1:3600']" ] || failed "after the second apply: $(live)"

# a changed design is refused, and nothing changes
pm design set st training schedule 2h >/dev/null
out=$(pm design apply st 2>&1) && failed "a changed design was applied"
[ "$out" = "prodml: design st was applied at $time (version 1) and started server $s1 (running) and trigger $t1 of pipeline design-st; the design, its model's newest version or what it started has changed since: \`design apply st --replace\` stops and deletes them, then applies it, \`design apply st --dry-run\` shows the new plan" ] ||
	failed "refusal: $out"
[ "$(live)" = "[$s1] ['$t1:3600']" ] || failed "after the refusal: $(live)"

# --replace: the old server stopped, the old trigger gone, the new plan applied
pm design apply st --replace >/dev/null || failed "--replace"
set -- $(pm -o json design show st | py 'd["design"]["applied"]["server"], d["design"]["applied"]["trigger"]')
s2=$1 t2=$2
[ "$s2" != "$s1" ] && [ "$t2" != "$t1" ] || failed "--replace kept server $s1 or trigger $t1"
[ "$(live)" = "[$s2] ['$t2:7200']" ] || failed "after --replace: $(live)"

# a server stopped since: refused (nothing stands), --replace applies anew
pm serve stop "$s2" >/dev/null
out=$(pm design apply st 2>&1) && failed "applied over a stopped server"
case $out in *"and started trigger $t2 of pipeline design-st; "*"--replace\` stops and deletes them, then applies it"*) ;; *) failed "stopped server: $out" ;; esac
pm design apply st --replace >/dev/null || failed "second --replace"
set -- $(pm -o json design show st | py 'd["design"]["applied"]["server"], d["design"]["applied"]["trigger"]')
[ "$(live)" = "[$1] ['$2:7200']" ] || failed "after the second --replace: $(live)"
exit $fail
