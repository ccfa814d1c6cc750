# Unit tests of src/serve.
check_PROGRAMS += tests/unit/test_serve
TESTS += tests/unit/test_serve
tests_unit_test_serve_SOURCES = tests/unit/test_serve.c
tests_unit_test_serve_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_serve_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
# Command scripts and shell tests of predict and serve (the serve-*.sh
# tests skip when curl is missing; tests/cmd/serve-lib.sh is their helper).
TESTS += tests/cmd/predict-basic.cmd tests/cmd/predict-rejects.cmd \
	tests/cmd/serve-api.sh tests/cmd/serve-errors.sh tests/cmd/serve-reload.sh tests/cmd/serve-replicas.sh tests/cmd/concurrency.sh \
	tests/cmd/serve-lookup.sh tests/cmd/serve-detach.sh tests/cmd/serve-kill.sh \
	tests/cmd/serve-missing.sh tests/cmd/serve-overflow.sh tests/cmd/serve-slow.sh \
	tests/cmd/serve-memory.sh
