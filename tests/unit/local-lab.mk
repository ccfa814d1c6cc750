# Unit tests of src/lab, and the labs' command tests.
check_PROGRAMS += tests/unit/test_lab
TESTS += tests/unit/test_lab
tests_unit_test_lab_SOURCES = tests/unit/test_lab.c
tests_unit_test_lab_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_lab_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
TESTS += tests/cmd/lab-format.cmd tests/cmd/lab-guided.cmd tests/cmd/labs.sh tests/cmd/man-labs.sh
