# Sourced by tests/kernels.sh and tests/cmd/lab-kernels.sh: sets KERNELS to
# the OpenBLAS kernels (OPENBLAS_CORETYPE values) this CPU can run, two
# at most, or exits 77 where kernels cannot be forced (not x86-64).
[ "$(uname -m)" = x86_64 ] || { echo "OpenBLAS kernels are forced here only on x86-64: skipped"; exit 77; }
cpu_flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
cpu_has() { case " $cpu_flags " in *" $1 "*) return 0 ;; esac; return 1; }
KERNELS=
cpu_has avx2 && cpu_has fma && KERNELS="$KERNELS Haswell"
cpu_has avx && KERNELS="$KERNELS Sandybridge"
cpu_has sse3 && [ -z "$KERNELS" ] && KERNELS=Prescott
[ -n "$KERNELS" ] || { echo "no OpenBLAS kernel known to run on this CPU: skipped"; exit 77; }
