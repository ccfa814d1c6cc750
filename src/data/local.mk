libprodml_a_SOURCES += src/data/data.h src/data/internal.h src/data/frame.c src/data/strdict.c \
	src/data/csv.c src/data/csv_write.c src/data/cache.c src/data/split.c
libprodml_a_SOURCES += src/data/sql.c src/data/sqlscan.c
