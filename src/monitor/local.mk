# The monitoring engine (src/monitor).
libprodml_a_SOURCES += src/monitor/monitor.h src/monitor/internal.h src/monitor/monitor.c \
	src/monitor/counts.c src/monitor/summary.c src/monitor/features.c src/monitor/feedback.c \
	src/monitor/rollup.c src/monitor/diagnose.c src/monitor/lists.c
