# Unit tests of src/serve.
check_PROGRAMS += tests/unit/test_serve
TESTS += tests/unit/test_serve
tests_unit_test_serve_SOURCES = tests/unit/test_serve.c
tests_unit_test_serve_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_serve_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
