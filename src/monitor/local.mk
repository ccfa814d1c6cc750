# The monitoring engine (src/monitor).
libprodml_a_SOURCES += src/monitor/monitor.h src/monitor/monitor.c
libprodml_a_SOURCES += src/cmd/cmd-monitor.c
