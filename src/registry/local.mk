## src/registry — models, versions, aliases
libprodml_a_SOURCES += src/registry/registry.h src/registry/registry.c src/registry/lifecycle.c \
	src/registry/lineage.c src/registry/measure.c src/registry/derive.c
