#!/bin/sh
# Installs what prodml needs (Debian 12 packages), builds it, and then
#   ./setup.sh run    opens the workbench on the bundled taxi dataset
#   ./setup.sh test   runs the whole test suite (ends with "N passed, N failed")
#   ./setup.sh fuzz   also installs clang and runs each libFuzzer target of
#                     tests/fuzz for PRODML_FUZZ_SECONDS (default 30) seconds
set -eu
cd "$(dirname "$0")"
mode=${1:-run}
case $mode in run | test | build | fuzz) ;; *)
	echo "usage: ./setup.sh [run|test|build|fuzz]" >&2
	exit 2
	;;
esac

packages="build-essential autoconf automake pkg-config libncurses-dev libreadline-dev
	libsqlite3-dev libopenblas-dev libplot-dev libjansson-dev libmicrohttpd-dev check
	sqlite3 curl tmux time strace openmpi-bin libopenmpi-dev nginx wrk
	libprotobuf-c-dev protobuf-c-compiler python3-onnx nodejs npm
	postgresql libpq-dev"
[ "$mode" = fuzz ] && packages="$packages clang"
missing=
for p in $packages; do
	# Node.js from elsewhere (NodeSource's nodejs carries its own npm, which
	# Debian's npm package conflicts with) serves as well as Debian's
	case $p in npm | nodejs) command -v "${p%js}" >/dev/null 2>&1 && continue ;; esac
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

# ONNX Runtime for the test of `models export --format onnx`
# (tests/cmd/onnx-runtime.sh), from the npm registry into tests/onnx only.
# Its install script only fetches GPU providers from elsewhere: skipped.
ort=1.31.1
if [ "$mode" = test ] || [ "$mode" = build ]; then
	have=$(sed -n 's/^ *"version": "\(.*\)",$/\1/p' tests/onnx/node_modules/onnxruntime-node/package.json 2>/dev/null || true)
	if [ "$have" != "$ort" ]; then
		echo "setup: installing onnxruntime-node $ort into tests/onnx"
		npm install --prefix tests/onnx --no-save --no-package-lock --no-audit --no-fund \
			--ignore-scripts "onnxruntime-node@$ort" >/dev/null ||
			echo "setup: npm could not install onnxruntime-node: tests/cmd/onnx-runtime.sh will be skipped" >&2
	fi
fi

jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] || ./autogen.sh
if [ "$mode" = fuzz ]; then
	# the fuzz targets are built by `make fuzz` (tests/fuzz/run.sh) alone
	grep -q '^FUZZ_CC = ..*' Makefile 2>/dev/null || ./configure -q --enable-fuzzing
	exec sh tests/fuzz/run.sh "${PRODML_FUZZ_SECONDS:-30}"
fi
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
