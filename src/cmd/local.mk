libprodml_a_SOURCES += src/cmd/cmd.h src/cmd/cmd.c src/cmd/render.c src/cmd/session.c \
	src/cmd/script.c src/cmd/complete.c src/cmd/man.c src/cmd/cmd-session.c \
	src/cmd/cmd-data.c
libprodml_a_SOURCES += src/cmd/cmd-validate.c
libprodml_a_SOURCES += src/cmd/cmd-train.c src/cmd/cmd-registry.c src/cmd/cmd-edge.c
libprodml_a_SOURCES += src/cmd/io.c src/cmd/cmd-pipeline.c src/cmd/cmd-design.c
libprodml_a_SOURCES += src/cmd/cmd-monitor.c src/cmd/cmd-serve.c src/cmd/cmd-tui.c
libprodml_a_SOURCES += src/cmd/cmd-lab.c
