# Unit tests of src/features, src/model, src/train, src/registry.
check_PROGRAMS += tests/unit/test_transform tests/unit/test_model tests/unit/test_metrics \
	tests/unit/test_train tests/unit/test_registry tests/unit/test_gpu_plan tests/unit/test_quant
TESTS += tests/unit/test_transform tests/unit/test_model tests/unit/test_metrics \
	tests/unit/test_train tests/unit/test_registry tests/unit/test_gpu_plan tests/unit/test_quant
tests_unit_test_transform_SOURCES = tests/unit/test_transform.c
tests_unit_test_transform_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_transform_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_model_SOURCES = tests/unit/test_model.c
tests_unit_test_model_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_model_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_quant_SOURCES = tests/unit/test_quant.c
tests_unit_test_quant_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_quant_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
tests_unit_test_metrics_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_metrics_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_train_SOURCES = tests/unit/test_train.c
tests_unit_test_train_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_train_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_registry_SOURCES = tests/unit/test_registry.c
tests_unit_test_registry_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_registry_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
# Command scripts and shell tests of training, evaluation, jobs and the registry.
TESTS += tests/cmd/train-basic.cmd tests/cmd/train-classify.cmd tests/cmd/train-errors.cmd \
	tests/cmd/train-resume.sh tests/cmd/train-resume-race.sh tests/cmd/train-jobs.sh tests/cmd/train-features.sh
TESTS += tests/cmd/train-optimum.sh
tests_unit_test_gpu_plan_SOURCES = tests/unit/test_gpu_plan.c
tests_unit_test_gpu_plan_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_gpu_plan_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
TESTS += tests/cmd/train-device.sh tests/cmd/train-cuda.sh
