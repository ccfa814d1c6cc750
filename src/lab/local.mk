## src/lab — teaching labs: the format, checks on results, progress
libprodml_a_SOURCES += src/lab/lab.h src/lab/parse.c src/lab/check.c src/lab/progress.c
