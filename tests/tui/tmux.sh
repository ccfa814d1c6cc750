#!/bin/sh
# The real program on a real terminal: tmux runs plain `prodml` (stdin and
# stdout on the pane, so the workbench opens), the test types keys and
# reads the pane back.  Skipped (77) when tmux is not installed.
set -u
src=${srcdir:?}
prodml=${PRODML:?}
command -v tmux >/dev/null 2>&1 || {
	echo "tmux.sh: tmux is not installed"
	exit 77
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-tmux.XXXXXX") || exit 99
sock="prodml-test-$$"
cleanup() {
	tmux -L "$sock" kill-server >/dev/null 2>&1
	[ -d "$tmp/ws/jobs" ] && "$prodml" -q -W "$tmp/ws" -c 'job cancel 1' >/dev/null 2>&1
	[ -d "$tmp/ws/servers" ] && "$prodml" -q -W "$tmp/ws" -c 'serve stop 1' >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
ln -s "$src/tests" "$tmp/tests" && ln -s "$src/datasets" "$tmp/datasets" || exit 99
cd "$tmp" || exit 99
unset PRODML_WORKSPACE NO_COLOR PRODML_ASCII TMUX
LC_ALL=C.UTF-8
export LC_ALL
"$prodml" -q -W ws -c 'load trips tests/fixtures/cmd/trips.csv' >/dev/null 2>&1 || exit 99

# waits until the pane (of session $target) shows text (a fixed string), up
# to 10 seconds
target=t
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tmux -L "$sock" capture-pane -p -t "$target" >pane 2>/dev/null && grep -qF -- "$1" pane && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "tmux.sh: timed out waiting for \"$1\"; the pane shows:"
	cat pane
	exit 1
}
keys() {
	tmux -L "$sock" send-keys -t "$target" "$@"
}

tmux -L "$sock" -f /dev/null new-session -d -s t -x 100 -y 30 \
	"TERM=xterm-256color LC_ALL=C.UTF-8 '$prodml' -W ws; echo \$? >'$tmp/status'; sleep 30" || {
	echo "tmux.sh: tmux cannot start a session here"
	exit 77
}

wait_for 'Datasets'
wait_for 'tests/fixtures/cmd/trips.csv'
keys Enter
wait_for 'row 1/5  col 1/6'
# the sheet: sort by fare, descending; the first row is then fare 31 (id 4)
keys c f a r e Enter ']'
wait_for 'sorted by fare, descending'
sed -n 6p pane | grep -q '^ *4  2015-02-01 23:59:59  *31  false' || {
	echo "tmux.sh: the first row after sorting by fare should be id 4, fare 31:"
	cat pane
	exit 1
}
# a window too small, then big again
tmux -L "$sock" resize-window -t t -x 60 -y 20
wait_for 'this terminal is 60'
tmux -L "$sock" resize-window -t t -x 100 -y 30
wait_for 'row 1/5  col 3/6'
# a mouse click (SGR encoding, 1-based) on the third row's company cell
keys -l "$(printf '\033[<0;52;8M\033[<0;52;8m')"
wait_for 'row 3/5  col 5/6'
# a command, its result in a text view, back, and the log
keys : 's' 'h' 'o' 'w' ' ' 't' 'r' 'i' 'p' 's' Enter
wait_for 'Taxi Affiliation Services, LLC'
wait_for ':show trips'
keys q
keys : save-log Space session.log Enter
wait_for 'wrote 1 command to session.log'
# a run in the background: its view follows the epochs with no key pressed,
# and c cancels its job
"$prodml" -q -W ws -c 'load taxi datasets/taxi/train.csv
train big --data taxi --label fare --model dnn --hidden 64,64 --epochs 2000 --seed 1 --detach' \
	>/dev/null 2>&1 || exit 99
keys 2
wait_for 'big'
keys Enter
wait_for 'live, refreshing'
wait_for 'running  epoch'
epoch() {
	tmux -L "$sock" capture-pane -p -t t | sed -n 's/.*running  epoch \([0-9]*\)\/2000.*/\1/p'
}
wait_for '1 job running'
e1=$(epoch)
i=0
e2=$e1
while [ -n "$e1" ] && [ "${e2:-0}" -le "$e1" ] && [ $i -lt 50 ]; do
	sleep 0.1
	e2=$(epoch)
	i=$((i + 1))
done
[ -n "$e1" ] && [ -n "$e2" ] && [ "$e2" -gt "$e1" ] || {
	echo "tmux.sh: the run view did not refresh by itself (epoch $e1, then $e2)"
	tmux -L "$sock" capture-pane -p -t t
	exit 1
}
keys c
wait_for 'job 1: cancelled'
keys q
wait_for 'run 1  big  cancelled'
# the Serve screen follows the servers table by itself: a server another
# process starts shows up with no key pressed; s stops it
keys 4
wait_for 'No servers running'
"$prodml" -q -W ws -c 'train small --data taxi --label fare --features trip_miles --epochs 1
serve small --detach --port 0' >/dev/null 2>&1 || exit 99
wait_for '1 server, 1 running'
keys s
wait_for 'stop server 1 (small on port'
keys y
wait_for 'stopped after 0 requests'
keys Q
i=0
while [ ! -s "$tmp/status" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ "$(cat "$tmp/status" 2>/dev/null)" = 0 ] || {
	echo "tmux.sh: prodml did not exit with status 0 after Q"
	exit 1
}
# the REPL completes subcommands from the same table: two Tabs list them
tmux -L "$sock" -f /dev/null new-session -d -s r -x 100 -y 30 \
	"XDG_STATE_HOME='$tmp/state' TERM=xterm-256color LC_ALL=C.UTF-8 '$prodml' -W ws --repl; sleep 30" || exit 1
target=r
wait_for 'prodml>'
keys 'models ' Tab Tab
wait_for 'rollback'
grep -q 'lineage' pane || {
	echo "tmux.sh: the REPL did not list the subcommands of models:"
	cat pane
	exit 1
}
# the load ran in another process: this session's history is the show
# (the log was saved before the job cancel)
printf '%s\n' '# prodml session log: `prodml -f FILE` replays it' 'show trips' >expected.log
diff -u expected.log session.log || exit 1
exit 0
