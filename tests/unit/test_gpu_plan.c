/* Unit tests of the host side of GPU training (built with or without
 * CUDA): the memory plan and the batch that fits (hand-worked), the
 * --device words and the choice of device on this machine. */
#include "train/train.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* A 7-8-4-1 network over 3 dense inputs and 2 categorical slots (4
 * embedding columns), with dropout, 100 parameters.  Per row: two batches
 * 2 * (3 * 4 + 2 * 4 + 4) = 48, the ones 4, scores and their gradient
 * 2 * 4 = 8, activations 4 * (7 + 8 + 4) = 76, masks 4 * (8 + 4) = 48, two
 * of the widest gradients 2 * 8 * 4 = 64: 248 bytes.  Fixed: the reserve,
 * 100 * (4 * 4 + 1) = 1700, 4 * 24 = 96 and 64. */
static struct gpu_shape shape(void)
{
	struct gpu_shape s = {.nparams = 100, .ndense = 3, .ncat = 2, .nout = 1, .emb_cols = 4,
			      .nlayers = 3, .dims = {7, 8, 4, 1}, .dropout = true};
	return s;
}

START_TEST(test_plan_bytes)
{
	struct gpu_shape s = shape();
	size_t fixed = GPU_PLAN_RESERVE + 1700 + 96 + 64;
	ck_assert_uint_eq(gpu_plan_bytes(&s, 0), fixed);
	ck_assert_uint_eq(gpu_plan_bytes(&s, 10), fixed + 2480);
	s.dropout = false;
	ck_assert_uint_eq(gpu_plan_bytes(&s, 10), fixed + 2000);
	/* a linear model: no layers */
	struct gpu_shape lin = {.nparams = 10, .ndense = 5, .ncat = 1, .nout = 2};
	/* 2 * (20 + 4 + 4) + 4 + 16 = 76 per row */
	ck_assert_uint_eq(gpu_plan_bytes(&lin, 1000), GPU_PLAN_RESERVE + 170 + 64 + 76000);
}
END_TEST

START_TEST(test_batch_that_fits)
{
	struct gpu_shape s = shape();
	size_t fixed = gpu_plan_bytes(&s, 0);
	ck_assert_uint_eq(gpu_plan_batch_fits(&s, gpu_plan_bytes(&s, 10)), 10);
	ck_assert_uint_eq(gpu_plan_batch_fits(&s, gpu_plan_bytes(&s, 10) - 1), 9);
	ck_assert_uint_eq(gpu_plan_batch_fits(&s, fixed + 247), 0);
	ck_assert_uint_eq(gpu_plan_batch_fits(&s, fixed + 248), 1);
	ck_assert_uint_eq(gpu_plan_batch_fits(&s, fixed), 0);
	ck_assert_uint_eq(gpu_plan_batch_fits(&s, 1000), 0);
	/* an 80 GiB card: the largest batch, and one row more does not fit */
	size_t avail = (size_t)80 << 30, b = gpu_plan_batch_fits(&s, avail);
	ck_assert(gpu_plan_bytes(&s, b) <= avail);
	ck_assert(gpu_plan_bytes(&s, b + 1) > avail);
}
END_TEST

START_TEST(test_device_words)
{
	enum train_device d;
	ck_assert(train_device_parse(NULL, &d) && d == DEV_CPU);
	ck_assert(train_device_parse("cpu", &d) && d == DEV_CPU);
	ck_assert(train_device_parse("cuda", &d) && d == DEV_CUDA);
	ck_assert(train_device_parse("gpu", &d) && d == DEV_CUDA);
	ck_assert(train_device_parse("auto", &d) && d == DEV_AUTO);
	ck_assert(!train_device_parse("tpu", &d));
	ck_assert(!train_device_parse("CUDA", &d));
}
END_TEST

START_TEST(test_device_pick)
{
	char what[240];
	bool on_gpu = true;
	struct pm_err err = {0};
	ck_assert_int_eq(train_device_pick("cpu", 0, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), 0);
	ck_assert(!on_gpu);
	ck_assert_str_eq(what, "cpu; float64");
	ck_assert_int_eq(train_device_pick("cpu", 2, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), -1);
	ck_assert_str_eq(err.msg, "--gpus 2 applies to --device cuda");
	ck_assert_int_eq(train_device_pick("tpu", 0, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), -1);
	ck_assert_str_eq(err.msg, "--device: unknown device 'tpu' (cpu, cuda or auto; gpu is cuda)");
	/* the solver stays on the CPU, with or without a GPU */
	ck_assert_int_eq(train_device_pick("auto", 0, OPT_LBFGS, false, &on_gpu, what, sizeof what, &err), 0);
	ck_assert(!on_gpu);
	struct gpu_info gi;
	struct pm_err perr = {0};
	if (gpu_probe(&gi, &perr) < 0) {
		/* no GPU here: auto trains on the CPU and says why, cuda fails
		 * with the same reason */
		char want[300];
		snprintf(want, sizeof want, "cpu (auto: no GPU: %s); float64", perr.msg);
		ck_assert_int_eq(train_device_pick("auto", 0, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), 0);
		ck_assert(!on_gpu);
		ck_assert_str_eq(what, want);
		snprintf(want, sizeof want, "--device cuda: %s", perr.msg);
		ck_assert_int_eq(train_device_pick("cuda", 0, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), -1);
		ck_assert_str_eq(err.msg, want);
		if (!gpu_built())
			ck_assert_str_eq(perr.msg, "the CUDA backend is not built: configure --with-cuda (NVIDIA's CUDA toolkit, with nvcc and cuBLAS) and build again");
	} else {
		ck_assert_int_eq(train_device_pick("auto", 0, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), 0);
		ck_assert(on_gpu);
		ck_assert(strncmp(what, "cuda (auto: found a GPU), GPU 0 ", 32) == 0);
		ck_assert_int_eq(train_device_pick("cuda", 0, OPT_LBFGS, false, &on_gpu, what, sizeof what, &err), -1);
		ck_assert_str_eq(err.msg, "--device cuda: the lbfgs solver runs on the CPU; --optimizer adam or sgd trains on the GPU");
		ck_assert_int_eq(train_device_pick("cuda", gi.count + 1, OPT_ADAM, false, &on_gpu, what, sizeof what, &err), -1);
		ck_assert(strstr(err.msg, "found") != NULL);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gpu-plan");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_plan_bytes);
	tcase_add_test(tc, test_batch_that_fits);
	tcase_add_test(tc, test_device_words);
	tcase_add_test(tc, test_device_pick);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
