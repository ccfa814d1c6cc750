## src/pipeline — definitions, DAG runs, the step cache, lineage, triggers, Argo export
libprodml_a_SOURCES += src/pipeline/pipeline.h src/pipeline/parse.c src/pipeline/dag.c \
	src/pipeline/params.c src/pipeline/check.c src/pipeline/store.c src/pipeline/cache.c \
	src/pipeline/runs.c src/pipeline/run.c src/pipeline/lineage.c src/pipeline/argo.c \
	src/pipeline/trigger.c src/pipeline/schedlock.c
