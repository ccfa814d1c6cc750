/* Progress and cancellation hooks for long work. */
#include "util.h"

void progress_report(const struct progress *p, const char *what, double done, double total)
{
	if (p && p->report)
		p->report(p->ctx, what, done, total);
}

bool progress_cancelled(const struct progress *p)
{
	return p && p->cancel && *p->cancel;
}
