#!/bin/sh
# train --device on any machine: a GPU run needs a built backend, a
# driver and a GPU, and when one is missing
# - --device cuda fails with the reason (without the backend, exactly
#   "the CUDA backend is not built: ..."; with it, no driver, a driver too
#   old, or no GPU);
# - --device auto trains on the CPU and says so with the same reason, in
#   the train output and its JSON ("device"), as `set device auto` does;
# - a design's hardware gpu is refused with the same reason;
# - cpu says float64; unknown words and --gpus without cuda are errors.
# On a machine with a GPU, auto must pick it (tests/cmd/train-cuda.sh
# checks what it trains).
set -u
P=${PRODML:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/prodml-device.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "${srcdir:?}" || exit 99
fail=0
W="-W $tmp/ws -q"
bad() { echo "FAIL $*"; fail=1; }
notbuilt="the CUDA backend is not built: configure --with-cuda (NVIDIA's CUDA toolkit, with nvcc and cuBLAS) and build again"

$P $W -c "load t datasets/taxi/train.csv" >/dev/null || exit 99
T="train m --data t --label tips --model dnn --hidden 8 --epochs 1"
dev() { sed -n 's/.*"device":"\([^"]*\)".*/\1/p'; }

# cuda: fails with its reason unless there is a GPU
if $P $W -o json -c "$T --device cuda" >"$tmp/cuda.json" 2>"$tmp/cuda.err"; then
	case $(dev <"$tmp/cuda.json") in
	"cuda, GPU 0 "*"; float32 (the CPU trains in float64)") ;;
	*) bad "cuda: $(cat "$tmp/cuda.json")" ;;
	esac
	$P $W -o json -c "$T --device auto" >"$tmp/auto.json" || bad "auto with a GPU failed"
	case $(dev <"$tmp/auto.json") in
	"cuda (auto: found a GPU), GPU 0 "*) ;;
	*) bad "auto did not pick the GPU: $(dev <"$tmp/auto.json")" ;;
	esac
else
	rc=$?
	why=$(sed -n 's/^-c:1: --device cuda: //p' "$tmp/cuda.err")
	case $why in
	"$notbuilt")
		[ $rc -eq 2 ] || bad "not built: exit $rc, want 2 (usage)" ;;
	"no NVIDIA driver: the CUDA runtime cannot load libcuda.so.1 ("*"); install the NVIDIA driver" | \
	"the NVIDIA driver is too old: it runs CUDA "*" and this prodml was built with CUDA "*"; update the driver, or build with an older toolkit (configure --with-cuda=DIR)" | \
	"no CUDA GPU found ("*")")
		[ $rc -eq 1 ] || bad "no GPU: exit $rc, want 1" ;;
	*) bad "cuda: unexpected error: $(cat "$tmp/cuda.err")" ;;
	esac
	want="cpu (auto: no GPU: $why); float64"
	$P $W -o json -c "$T --device auto" >"$tmp/auto.json" 2>&1 || bad "auto: $(cat "$tmp/auto.json")"
	[ "$(dev <"$tmp/auto.json")" = "$want" ] || bad "auto: '$(dev <"$tmp/auto.json")', want '$want'"
	grep -q '"metrics":{"n":10000,' "$tmp/auto.json" || bad "auto: trained on no rows"
	$P $W -o json -c "set device auto; $T" >"$tmp/set.json" 2>&1 || bad "set device auto: $(cat "$tmp/set.json")"
	[ "$(dev <"$tmp/set.json")" = "$want" ] || bad "set device auto: '$(dev <"$tmp/set.json")'"
	# the table says it too, wrapped
	$P $W -c "$T --device auto" >"$tmp/auto.txt" 2>&1 || bad "auto (table)"
	grep -q '^  device: cpu (auto: no GPU: ' "$tmp/auto.txt" || bad "auto (table): $(cat "$tmp/auto.txt")"
	# a design's hardware: the same reason
	got=$($P $W -c "design new d --model m --data t; design set d hardware gpu" 2>&1 >/dev/null)
	[ "$got" = "-c:1: design key hardware: gpu is not on this machine: $why" ] || bad "design: $got"
	# `gpu` is cuda
	$P $W -c "$T --device gpu" 2>"$tmp/gpu.err" >/dev/null
	[ "$(sed -n 's/^-c:1: --device \(gpu\|cuda\): //p' "$tmp/gpu.err")" = "$why" ] || bad "gpu: $(cat "$tmp/gpu.err")"
fi

# the same everywhere
out=$($P $W -o json -c "$T --device cpu") || bad "cpu"
[ "$(echo "$out" | dev)" = "cpu; float64" ] || bad "cpu: $(echo "$out" | dev)"
# without --device the output has no device line (the goldens keep theirs)
$P $W -o json -c "$T" | grep -q '"device":"' && bad "device shown without --device"
for c in "$T --device tpu|-c:1: --device: unknown device 'tpu' (cpu, cuda or auto; gpu is cuda)" \
	 "$T --device cpu --gpus 2|-c:1: --gpus 2 applies to --device cuda" \
	 "$T --device cpu --gpus 0|-c:1: --gpus must be from 1 to 64" \
	 "set device tpu|-c:1: set device: expected cpu, cuda or auto (gpu is cuda), got \"tpu\""; do
	got=$($P $W -c "${c%%|*}" 2>&1)
	[ "$got" = "${c#*|}" ] || bad "'${c%%|*}': '$got', want '${c#*|}'"
done
exit $fail
