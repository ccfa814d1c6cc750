## Tests: Check unit tests (tests/unit), command scripts with expected
## output (tests/cmd/*.cmd), and shell tests (tests/cmd/*.sh).
TEST_EXTENSIONS = .cmd .sh
CMD_LOG_COMPILER = $(SHELL) $(srcdir)/tests/cmd/run-cmd.sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = PRODML=$(abs_top_builddir)/prodml; export PRODML; \
	srcdir=$(abs_top_srcdir); export srcdir; \
	builddir=$(abs_top_builddir); export builddir; \
	LC_ALL=C.UTF-8; export LC_ALL; unset PRODML_WORKSPACE; \
	PM_TESTS='$(TESTS)'; export PM_TESTS;

EXTRA_DIST += tests/onnx/compare.js tests/cmd tests/fixtures tests/fuzz/run.sh tests/fuzz/build.sh tests/fuzz/corpus tests/kernels.sh tests/kernels-lib.sh

include tests/unit/local-core.mk
include tests/unit/local-data.mk
include tests/unit/local-validate.mk
include tests/unit/local-train.mk
include tests/unit/local-serve.mk
include tests/unit/local-tui.mk
include tests/unit/local-monitor.mk
include tests/unit/local-design.mk
include tests/unit/local-lab.mk
include tests/cmd/local.mk
include tests/cmd/local-registry.mk
include tests/tui/local.mk
# last: the suite again under other OpenBLAS kernels
TESTS += tests/kernels.sh
