#!/bin/sh
# design show's staleness estimate against hand computations: the mean
# age of the served model is the interval between retraining runs / 2 +
# a run's seconds (the training estimate's), the interval being the
# schedule's period, the mean interval between the modification times of
# the files an on-data glob matches, or the mean interval between the
# model's drift alerts (one time counted once, other kinds and models not
# at all); fewer than two arrivals, or static training, say why not.
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-dfresh.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
. tests/cmd/ws-lib.sh
fail=0
pm() { "$P" -W "$tmp/ws" -q "$@"; }
failed() { echo "FAIL $*"; fail=1; }
# fresh FIELD..: the freshness estimate's fields, then the training seconds
fresh() {
	pm -o json design show f | python3 -c "
import json, sys
e = json.load(sys.stdin)['estimates']
f, t = e['freshness'], e['training']['seconds']
print(*[f.get(k) for k in sys.argv[1:]], t)" "$@"
}
# near A B: |A - B| <= 1e-9 |B|
near() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-9 * abs(b))" "$1" "$2"; }

pm -c "load n datasets/natality/natality.csv
	train w --data n --label weight_pounds --features is_male,mother_age,plurality,gestation_weeks --epochs 2
	design new f --model w --data n" >/dev/null || { echo "FAIL setup"; exit 1; }
set -- $(fresh mean_staleness_s source)
[ "$1" = None ] || failed "static: $*"
pm design show f | grep -q '^  staleness s       -           static training: the model is never retrained' ||
	failed "static text: $(pm design show f | grep staleness)"

# schedule 2h: 7200 / 2 + t
pm design set f training schedule 2h >/dev/null
set -- $(fresh mean_staleness_s max_staleness_s)
t=$3
near "$1" "$(python3 -c "print(3600 + $t)")" && near "$2" "$(python3 -c "print(7200 + $t)")" || failed "schedule: $*"

# on-data: files at 00:00, 01:00 and 03:00: a mean interval of 5400 s
mkdir "$tmp/in"
touch -d 2026-01-01T00:00:00Z "$tmp/in/a.csv"
set -- $(pm design set f training on-data "$tmp/in/*.csv" >/dev/null; fresh mean_staleness_s)
[ "$1" = None ] || failed "one file: $*"
pm design show f | grep -q "^  staleness s       -           on-data: not estimated: 1 file match $tmp/in/\*.csv, so no arrival rate" ||
	failed "one file text: $(pm design show f | grep -A1 staleness)"
touch -d 2026-01-01T01:00:00Z "$tmp/in/b.csv"
touch -d 2026-01-01T03:00:00Z "$tmp/in/c.csv"
touch -d 2026-01-05T00:00:00Z "$tmp/in/other.txt"
set -- $(fresh interval_s mean_staleness_s)
[ "$1" = 5400 ] && near "$2" "$(python3 -c "print(2700 + $3)")" || failed "on-data: $*"

# on-drift: monitoring's alerts (written here as monitoring writes them)
pm design set f training on-drift >/dev/null
set -- $(fresh mean_staleness_s)
[ "$1" = None ] || failed "no alerts: $*"
if ws_sql_client >/dev/null; then
	ws_sql "$tmp/ws" "INSERT INTO alerts(time, model, kind, feature, value, threshold, status) VALUES
		('2026-01-01T00:00:00Z', 'w', 'drift', 'mother_age', 0.4, 0.3, 'open'),
		('2026-01-01T06:00:00Z', 'w', 'drift', 'mother_age', 0.4, 0.3, 'open'),
		('2026-01-01T06:00:00Z', 'w', 'drift', 'gestation_weeks', 0.5, 0.3, 'open'),
		('2026-01-02T00:00:00Z', 'w', 'drift', 'mother_age', 0.4, 0.3, 'acked'),
		('2026-01-03T00:00:00Z', 'w', 'skew', 'mother_age', 0.4, 0.3, 'open'),
		('2026-01-04T00:00:00Z', 'other', 'drift', 'x', 0.4, 0.3, 'open')" || failed "alerts written"
	# three alert times over 86400 s: a mean interval of 43200 s
	set -- $(fresh interval_s mean_staleness_s)
	[ "$1" = 43200 ] && near "$2" "$(python3 -c "print(21600 + $3)")" || failed "on-drift: $*"
	pm design show f | grep -q '^                                3 drift alerts of model w over 86400 s' ||
		failed "on-drift text: $(pm design show f | grep -A1 staleness)"
fi
exit $fail
