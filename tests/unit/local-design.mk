# Unit tests of src/design, and its command scripts.
check_PROGRAMS += tests/unit/test_design
TESTS += tests/unit/test_design
tests_unit_test_design_SOURCES = tests/unit/test_design.c
tests_unit_test_design_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_design_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
TESTS += tests/cmd/design-show.cmd tests/cmd/design-errors.cmd tests/cmd/design-apply.sh \
	tests/cmd/design-probe-serve.sh tests/cmd/lab-architecture.sh \
	tests/cmd/design-freshness.sh tests/cmd/design-apply-again.sh tests/cmd/design-canary.sh tests/cmd/design-hardware.sh
