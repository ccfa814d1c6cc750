/* models export --format onnx in a build without protobuf-c: the error
 * says what to install (configure builds src/model/export-onnx.c when it
 * finds libprotobuf-c and protoc-c). */
#include "model/model.h"

int model_export_onnx(const struct model *m, const char *name, const char *path,
		      struct model_onnx_info *info, struct pm_err *err)
{
	return pm_errf(err, "this prodml was built without ONNX export: install the Debian packages "
			    "libprotobuf-c-dev and protobuf-c-compiler, then run ./configure and make again");
}
