#!/bin/sh
# Installs what prodml needs (Debian 12 packages), builds it, and then
#   ./setup.sh run    opens the workbench on the bundled taxi dataset
#   ./setup.sh test   runs the whole test suite (ends with "N passed, N failed")
set -eu
cd "$(dirname "$0")"
mode=${1:-run}
case $mode in run | test | build) ;; *)
	echo "usage: ./setup.sh [run|test|build]" >&2
	exit 2
	;;
esac

packages="build-essential autoconf automake pkg-config libncurses-dev libreadline-dev
	libsqlite3-dev libopenblas-dev libplot-dev libjansson-dev libmicrohttpd-dev check
	sqlite3 curl tmux openmpi-bin libopenmpi-dev"
missing=
for p in $packages; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure -q
make -j"$jobs"

case $mode in
run)
	./prodml -q -c 'load taxi datasets/taxi/train.csv; describe taxi'
	exec ./prodml
	;;
test)
	status=0
	make -j"$jobs" check || status=$?
	sh tests/summary.sh .
	exit $status
	;;
esac
