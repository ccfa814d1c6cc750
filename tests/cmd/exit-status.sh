#!/bin/sh
# Exit status and messages of -c, -f, stdin and single commands.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-exit.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
check() { # name expected-status expected-stderr actual-status actual-stderr-file
	if [ "$2" != "$4" ] || [ "$3" != "$(cat "$5")" ]; then
		echo "FAIL $1: status $4 (want $2), stderr: $(cat "$5") (want: $3)"
		fail=1
	fi
}
W="-W $tmp/ws -q"
$P $W -c 'help' >/dev/null 2>"$tmp/e"; check help 0 "" $? "$tmp/e"
$P $W -c 'frobnicate' >/dev/null 2>"$tmp/e"
check unknown 2 '-c:1: unknown command "frobnicate" (see `help`)' $? "$tmp/e"
$P $W -c 'show nosuch' >/dev/null 2>"$tmp/e"
check failing 1 '-c:1: no dataset named "nosuch" (see `datasets`)' $? "$tmp/e"
printf 'set output json\n\n# comment\nshow nosuch\nhelp\n' >"$tmp/s.prodml"
$P $W -f "$tmp/s.prodml" >"$tmp/o" 2>"$tmp/e"
check script-stops 1 "$tmp/s.prodml:4: no dataset named \"nosuch\" (see \`datasets\`)" $? "$tmp/e"
if [ -s "$tmp/o" ]; then echo "FAIL script-stops: ran past the failing line"; fail=1; fi
$P $W --keep-going -f "$tmp/s.prodml" >"$tmp/o" 2>"$tmp/e"
check keep-going 1 "$tmp/s.prodml:4: no dataset named \"nosuch\" (see \`datasets\`)" $? "$tmp/e"
grep -q '"commands"' "$tmp/o" || { echo "FAIL keep-going: help did not run"; fail=1; }
printf 'load t tests/fixtures/cmd/trips.csv\ndescribe t\nshow x y z\n' | $P $W >/dev/null 2>"$tmp/e"
check stdin-usage 2 '<stdin>:3: show: too many arguments; usage: show NAME [--rows N] [--offset N] [--columns a,b,..]' $? "$tmp/e"
$P $W -f "$tmp/none.prodml" >/dev/null 2>"$tmp/e"
check missing-script 1 "prodml: $tmp/none.prodml: No such file or directory" $? "$tmp/e"
$P $W -o yaml -c help >/dev/null 2>"$tmp/e"
check bad-output 2 'prodml: --output expects table, json or csv, got "yaml"' $? "$tmp/e"
$P $W describe t >"$tmp/o" 2>"$tmp/e"; check single-command 0 "" $? "$tmp/e"
grep -q '^rows: *5$' "$tmp/o" || { echo "FAIL single-command: $(cat "$tmp/o")"; fail=1; }
printf "load q --sql 'SELECT\n  id, fare\nFROM t'\nshow q --rows 1\n" >"$tmp/multi.prodml"
$P $W -o csv -f "$tmp/multi.prodml" >"$tmp/o" 2>"$tmp/e"; check multiline 0 "" $? "$tmp/e"
[ "$(tail -2 "$tmp/o")" = "id,fare
1,12.5" ] || { echo "FAIL multiline: $(cat "$tmp/o")"; fail=1; }
printf "show t --rows 'x\n" >"$tmp/open.prodml"
$P $W -f "$tmp/open.prodml" >/dev/null 2>"$tmp/e"
check unterminated 2 "$tmp/open.prodml:1: unterminated quote or trailing backslash" $? "$tmp/e"
# -v with -o json: the commands go to stderr, stdout stays one JSON
# document per command
$P $W -v -o json -c '# c
describe t' >"$tmp/o" 2>"$tmp/e"
check echo-json 0 "prodml> # c
prodml> describe t" $? "$tmp/e"
[ "$(wc -l <"$tmp/o")" = 1 ] && grep -q '^{"name":"t","rows":5,' "$tmp/o" ||
	{ echo "FAIL echo-json: $(cat "$tmp/o")"; fail=1; }
# the REPL: the same status (0) after quit and after Ctrl-D (end of input),
# whatever failed in the session
printf 'show nosuch\nquit\n' | $P $W --repl >/dev/null 2>"$tmp/e"
check repl-quit 0 'error: no dataset named "nosuch" (see `datasets`)' $? "$tmp/e"
printf 'show nosuch\n' | $P $W --repl >/dev/null 2>"$tmp/e"
check repl-eof 0 'error: no dataset named "nosuch" (see `datasets`)' $? "$tmp/e"
printf 'frobnicate\n' | $P $W --repl >/dev/null 2>"$tmp/e"
check repl-eof-usage 0 'error: unknown command "frobnicate" (see `help`)' $? "$tmp/e"
exit $fail
