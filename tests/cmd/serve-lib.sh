# Helpers of the serve-*.sh tests, sourced by them (not a test itself):
# a scratch workspace, detached servers on ephemeral ports of 127.0.0.1
# only (stopped when the test exits), and curl wrappers.
set -u
command -v curl >/dev/null 2>&1 || { echo "curl not found: skipped"; exit 77; }
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-serve.XXXXXX") || exit 99
spids=""
# whether a process runs (a zombie waiting for init to reap it does not)
running() {
	st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
cleanup() {
	# the servers this test started, by pid: SIGTERM, then SIGKILL
	for p in $spids; do kill "$p" 2>/dev/null; done
	for p in $spids; do
		n=0
		while running "$p" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
		kill -9 "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "${srcdir:?}" || exit 99
W="-W $tmp/ws -q"
fail=0
pm() { "$P" $W "$@"; }
failed() { echo "FAIL $*"; fail=1; }

# start_server ARGS..: `serve ARGS --port 0 --detach`; sets URL, PORT, SID, SPID
start_server() {
	out=$("$P" $W -o json serve "$@" --port 0 --detach) || { echo "FAIL serve $*"; exit 1; }
	PORT=$(echo "$out" | sed -n 's/.*"port":\([0-9]*\).*/\1/p')
	SID=$(echo "$out" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	SPID=$(echo "$out" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	[ -n "$PORT" ] && [ -n "$SID" ] && [ -n "$SPID" ] || { echo "FAIL serve $*: $out"; exit 1; }
	spids="$spids $SPID"
	URL=http://127.0.0.1:$PORT
}

# req METHOD PATH [CURL ARGS..]: sets CODE and BODY (without its final newline)
req() {
	m=$1 path=$2
	shift 2
	CODE=$(curl -s --noproxy '*' -m 30 -o "$tmp/body" -w '%{http_code}' -X "$m" "$@" "$URL$path")
	BODY=$(cat "$tmp/body")
}

# expect NAME CODE BODY: the last req answered exactly this
expect() {
	[ "$CODE" = "$2" ] && [ "$BODY" = "$3" ] || failed "$1: $CODE $BODY
  (want $2 $3)"
}

# json_preds: the numbers of {"predictions":[..]} or {"outputs":[..]} in BODY, one a line
json_preds() {
	printf '%s\n' "$BODY" | sed -e 's/^{"[a-z]*":\[//' -e 's/\]}$//' | tr ',' '\n'
}
