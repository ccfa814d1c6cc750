/* Error structs: messages travel up to the face that shows them. */
#include "util.h"

#include <string.h>

static int errv(struct pm_err *err, int code, const char *fmt, va_list ap)
{
	if (err) {
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	}
	return -1;
}

int pm_errf(struct pm_err *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errv(err, PM_E_FAIL, fmt, ap);
	va_end(ap);
	return -1;
}

int pm_errcf(struct pm_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	errv(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int pm_err_prefix(struct pm_err *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char head[512], old[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", head, old);
	if (!err->code)
		err->code = PM_E_FAIL;
	return -1;
}

void pm_err_clear(struct pm_err *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = 0;
	}
}
