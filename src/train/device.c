/* Where a run trains: --device cpu|cuda|auto and --gpus, checked against
 * what this prodml was built with and what the machine has. */
#include "train.h"

#include <string.h>

bool train_device_parse(const char *s, enum train_device *d)
{
	if (!s || strcmp(s, "cpu") == 0)
		*d = DEV_CPU;
	else if (strcmp(s, "cuda") == 0 || strcmp(s, "gpu") == 0)
		*d = DEV_CUDA;
	else if (strcmp(s, "auto") == 0)
		*d = DEV_AUTO;
	else
		return false;
	return true;
}

/* Why a run that could use the GPU does not, or NULL. */
static const char *cpu_only(enum opt_kind optk, bool workers)
{
	if (optk == OPT_LBFGS)
		return "the lbfgs solver runs on the CPU; --optimizer adam or sgd trains on the GPU";
	if (workers)
		return "--workers trains in CPU processes";
	return NULL;
}

int train_device_pick(const char *device, int gpus, enum opt_kind optk, bool workers,
		      bool *on_gpu, char *what, size_t n, struct pm_err *err)
{
	enum train_device d;
	*on_gpu = false;
	if (!train_device_parse(device, &d))
		return pm_errcf(err, PM_E_USAGE, "--device: unknown device '%s' (cpu, cuda or auto; gpu is cuda)",
				device);
	if (d == DEV_CPU) {
		if (gpus > 1)
			return pm_errcf(err, PM_E_USAGE, "--gpus %d applies to --device cuda", gpus);
		snprintf(what, n, "cpu; float64");
		return 0;
	}
	const char *why_cpu = cpu_only(optk, workers);
	struct gpu_info gi;
	struct pm_err perr = {0};
	int found = gpu_probe(&gi, &perr);
	if (d == DEV_AUTO && (found < 0 || why_cpu)) {
		snprintf(what, n, "cpu (auto: %s%s); float64", found < 0 ? "no GPU: " : "",
			 found < 0 ? perr.msg : why_cpu);
		return 0;
	}
	if (found < 0)
		return pm_errcf(err, gpu_built() ? PM_E_FAIL : PM_E_USAGE, "--device cuda: %s", perr.msg);
	if (why_cpu)
		return pm_errcf(err, PM_E_USAGE, "--device cuda: %s", why_cpu);
	if (gpus > gi.count)
		return pm_errcf(err, PM_E_USAGE, "--gpus %d: only %d GPU%s found", gpus, gi.count,
				gi.count == 1 ? "" : "s");
	if (gpus > 1)
		return pm_errcf(err, PM_E_USAGE, "--gpus %d: the mirrored strategy over several GPUs (NCCL all-reduce) is not built yet: train on one GPU (--gpus 1), or on several CPU processes with --workers",
				gpus);
	*on_gpu = true;
	snprintf(what, n, "cuda%s, GPU 0 %s (%.1f GiB, compute %d.%d, CUDA %d.%d); float32 (the CPU trains in float64)",
		 d == DEV_AUTO ? " (auto: found a GPU)" : "", gi.name,
		 (double)gi.mem_total / (double)((size_t)1 << 30), gi.major, gi.minor, gi.driver / 1000,
		 gi.driver % 1000 / 10);
	return 0;
}

bool train_device_note(const char *word, char *buf, size_t n)
{
	enum train_device d;
	if (!train_device_parse(word, &d)) {
		snprintf(buf, n, "unknown device '%s' (cpu, cuda or auto; gpu is cuda)", word);
		return false;
	}
	if (d == DEV_CPU) {
		snprintf(buf, n, "float64, OpenBLAS");
		return true;
	}
	struct gpu_info gi;
	struct pm_err perr = {0};
	if (gpu_probe(&gi, &perr) < 0) {
		snprintf(buf, n, "%s%s", d == DEV_AUTO ? "the CPU: " : "", perr.msg);
		return d == DEV_AUTO;
	}
	snprintf(buf, n, "%s%s, %.1f of %.1f GiB free; float32", d == DEV_AUTO ? "the GPU: " : "",
		 gi.name, (double)gi.mem_free / (double)((size_t)1 << 30),
		 (double)gi.mem_total / (double)((size_t)1 << 30));
	return true;
}
