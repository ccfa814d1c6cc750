libprodml_a_SOURCES += src/repl/repl.h src/repl/repl.c
