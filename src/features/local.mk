libprodml_a_SOURCES += src/features/features.h src/features/transform.c
