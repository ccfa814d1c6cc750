libprodml_a_SOURCES += src/tui/tui.h src/tui/internal.h src/tui/frame.c src/tui/draw.c \
	src/tui/keys.c src/tui/prompt.c src/tui/nav.c src/tui/textview.c src/tui/exec.c \
	src/tui/dump.c src/tui/listview.c src/tui/screen-data.c src/tui/sheet.c src/tui/overview.c src/tui/screen-models.c \
	src/tui/screen-train.c src/tui/form.c src/tui/screen-serve.c src/tui/screen-monitor.c \
	src/tui/monitor-dash.c src/tui/monitor-alerts.c src/tui/monitor-features.c \
	src/tui/schemaview.c src/tui/compareview.c src/tui/screen-pipelines.c src/tui/dagview.c \
	src/tui/screen-design.c src/tui/designview.c src/tui/labpanel.c
