# Unit tests of src/monitor, and its command scripts.
check_PROGRAMS += tests/unit/test_monitor
TESTS += tests/unit/test_monitor
tests_unit_test_monitor_SOURCES = tests/unit/test_monitor.c
tests_unit_test_monitor_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_monitor_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
TESTS += tests/cmd/monitor-skew.cmd tests/cmd/monitor-errors.cmd tests/cmd/monitor-schema.cmd \
	tests/cmd/monitor-alerts.cmd
TESTS += tests/cmd/monitor-lab.sh tests/cmd/lab-kernels.sh tests/cmd/monitor-classifier.sh \
	tests/cmd/monitor-baseline.sh
TESTS += tests/cmd/monitor-shifts.sh
