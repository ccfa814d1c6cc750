# Sourced by the workbench tests (tests/tui/*.sh) after `set -u`.

# tui_scratch NAME: a scratch directory, removed on exit, with tests/ and
# datasets/ linked from the source tree; cd there, with a UTF-8 xterm and
# none of the variables that change what prodml draws or where it works.
tui_scratch() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-$1.XXXXXX") || exit 99
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM
	ln -s "$src/tests" "$tmp/tests" && ln -s "$src/datasets" "$tmp/datasets" || exit 99
	cd "$tmp" || exit 99
	TERM=xterm-256color
	LC_ALL=C.UTF-8
	export TERM LC_ALL
	unset PRODML_WORKSPACE NO_COLOR PRODML_ASCII
}

# run_session NAME N KEYS: a workbench session of KEYS in workspace ws1,
# its last screen in `screen`; it must end by saving N commands to
# session.log.
run_session() {
	if ! "$prodml" -W ws1 --tui-dump 80x24 --keys "$3" >screen 2>&1; then
		echo "$1: the workbench session failed:"
		cat screen
		exit 1
	fi
	grep -q "wrote $2 commands to session.log" screen || {
		echo "$1: no confirmation of save-log on the screen:"
		cat screen
		fail=1
	}
}

# check_session_log NAME: the log the keys saved (session.log) must be
# expected.log, and `prodml -f session.log` must replay it into ws2.
check_session_log() {
	if ! diff -u expected.log session.log; then
		echo "$1: the saved log is not the commands the keys ran"
		fail=1
	fi
	if ! "$prodml" -q -W ws2 -f session.log >replay.out 2>&1; then
		echo "$1: prodml -f session.log failed:"
		cat replay.out
		exit 1
	fi
}
