## src/design — architecture designs, estimates from measurements, apply
libprodml_a_SOURCES += src/design/design.h src/design/store.c src/design/set.c \
	src/design/keyspace.c src/design/estimate.c src/design/apply.c src/design/load.c src/design/freshness.c \
	src/design/sweep.c src/design/hardware.c
