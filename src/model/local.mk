libprodml_a_SOURCES += src/model/model.h src/model/backend.c src/model/model.c \
	src/model/metrics.c src/model/file.c src/model/evaluate.c \
	src/model/quant.c src/model/qkernel.c src/model/export-c.c
