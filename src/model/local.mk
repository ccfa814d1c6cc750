libprodml_a_SOURCES += src/model/model.h src/model/backend.c src/model/model.c \
	src/model/metrics.c src/model/file.c src/model/evaluate.c \
	src/model/quant.c src/model/qkernel.c src/model/export-c.c
EXTRA_DIST += src/model/onnx/onnx.proto src/model/onnx/README
## ONNX export: C for onnx.proto generated at build time by protoc-c, so
## the code always matches the installed libprotobuf-c (its generated
## files check the library's version).
if HAVE_ONNX
AM_CPPFLAGS += -I$(top_builddir)/src
libprodml_a_SOURCES += src/model/export-onnx.c
nodist_libprodml_a_SOURCES = src/model/onnx/onnx.pb-c.c src/model/onnx/onnx.pb-c.h
BUILT_SOURCES += src/model/onnx/onnx.pb-c.h
CLEANFILES += src/model/onnx/onnx.pb-c.c src/model/onnx/onnx.pb-c.h
src/model/onnx/onnx.pb-c.h: src/model/onnx/onnx.pb-c.c
src/model/onnx/onnx.pb-c.c: $(top_srcdir)/src/model/onnx/onnx.proto
	$(AM_V_GEN)$(MKDIR_P) src/model/onnx && \
	$(PROTOC_C) --proto_path=$(top_srcdir)/src/model/onnx --c_out=src/model/onnx \
		$(top_srcdir)/src/model/onnx/onnx.proto
else
libprodml_a_SOURCES += src/model/export-onnx-none.c
endif
