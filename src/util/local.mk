libprodml_a_SOURCES += src/util/util.h src/util/err.c src/util/mem.c src/util/str.c \
	src/util/hash.c src/util/fs.c src/util/thread.c src/util/progress.c src/util/time.c src/util/proc.c \
	src/util/dynlib.c src/util/num.c
