libprodml_a_SOURCES += src/workspace/workspace.h src/workspace/migrate.c src/workspace/ws.c \
	src/workspace/artifact.c src/workspace/dataset.c src/workspace/gc.c \
	src/workspace/internal.h src/workspace/db.c src/workspace/db-dialect.c src/workspace/db-pg.c src/workspace/copy.c \
	src/workspace/query.c
