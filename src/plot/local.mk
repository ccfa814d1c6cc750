libprodml_a_SOURCES += src/plot/plot.h src/plot/term.c src/plot/line.c src/plot/export.c
