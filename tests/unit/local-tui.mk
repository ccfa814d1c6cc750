check_PROGRAMS += tests/unit/test_tui
TESTS += tests/unit/test_tui
tests_unit_test_tui_SOURCES = tests/unit/test_tui.c
tests_unit_test_tui_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_tui_LDADD = libprodml.a $(PM_LIBS) $(CHECK_LIBS)
