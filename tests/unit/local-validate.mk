check_PROGRAMS += tests/unit/test_stats tests/unit/test_schema tests/unit/test_distance
TESTS += tests/unit/test_stats tests/unit/test_schema tests/unit/test_distance
tests_unit_test_stats_SOURCES = tests/unit/test_stats.c
tests_unit_test_stats_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_stats_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_schema_SOURCES = tests/unit/test_schema.c
tests_unit_test_schema_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_schema_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
tests_unit_test_distance_SOURCES = tests/unit/test_distance.c
tests_unit_test_distance_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_distance_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
TESTS += tests/cmd/validate-stats.cmd tests/cmd/validate-stats-json.cmd \
	tests/cmd/validate-schema.cmd tests/cmd/validate-anomalies.cmd \
	tests/cmd/validate-json.cmd
TESTS += tests/cmd/compare-taxi.cmd tests/cmd/compare-taxi-json.cmd tests/cmd/compare-errors.cmd
TESTS += tests/cmd/validate-plot.sh
TESTS += tests/cmd/compare-tfdv.sh
