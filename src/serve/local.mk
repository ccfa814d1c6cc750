## src/serve — batch prediction, the HTTP prediction service, batching,
## lookup tables, the request log and the servers table.
libprodml_a_SOURCES += src/serve/serve.h src/serve/internal.h src/serve/rows.c src/serve/gate.c \
	src/serve/batch.c src/serve/api.c src/serve/http.c src/serve/batcher.c \
	src/serve/lookup.c src/serve/reqlog.c src/serve/spool.c src/serve/models.c src/serve/metrics.c \
	src/serve/budget.c src/serve/servers.c src/serve/nginx.c
