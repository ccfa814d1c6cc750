libprodml_a_SOURCES += src/validate/validate.h src/validate/numstats.c src/validate/stats.c \
	src/validate/distance.c src/validate/compare.c src/validate/schema.c \
	src/validate/anomalies.c src/validate/colhist.c src/validate/signif.c \
	src/validate/baseline.c src/validate/store.c
