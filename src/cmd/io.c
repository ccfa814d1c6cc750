/* The datasets, models, schemas and files a parsed command reads and
 * writes, from its entry's io declarations (pipelines build their data
 * edges, cache keys and lineage from these). */
#include "cmd.h"
#include "data/data.h"

#include <stdlib.h>
#include <string.h>

/* The value of "1".."9" (a positional argument) or of an option. */
static const char *arg_value(const struct cmd_call *call, const char *arg)
{
	if (!arg)
		return NULL;
	if (arg[0] >= '1' && arg[0] <= '9' && !arg[1])
		return arg[0] - '1' < call->argc ? call->argv[arg[0] - '1'] : NULL;
	return call_opt(call, arg);
}

void cmd_call_io(const struct cmd_call *call,
		 void (*fn)(void *ctx, enum cmd_io_kind kind, const char *name, bool writes),
		 void *ctx)
{
	for (const struct cmd_io *io = call->entry->io; io && io->kind; io++) {
		const char *v = arg_value(call, io->arg);
		if (!v)
			v = arg_value(call, io->fallback);
		if (!v || !*v || (io->unless && arg_value(call, io->unless)))
			continue;
		if (io->sql) {
			size_t n;
			char **tables = sql_scan_tables(v, &n);
			for (size_t i = 0; i < n; i++)
				fn(ctx, io->kind, tables[i], io->writes);
			str_list_free(tables);
			continue;
		}
		const char *other = arg_value(call, io->suffix_opt);
		if (!io->suffixes) {
			fn(ctx, io->kind, v, io->writes);
			continue;
		}
		size_t n;
		char **suf = str_split(other ? other : io->suffixes, ',', &n);
		for (size_t i = 0; i < n; i++) {
			char *name = xasprintf("%s%s%s", v, other ? "_" : "", suf[i]);
			fn(ctx, io->kind, name, io->writes);
			free(name);
		}
		str_list_free(suf);
	}
}

char *cmd_call_text(const struct cmd_call *call)
{
	struct sbuf b = {0};
	sbuf_puts(&b, call->entry->name);
	for (int i = 0; i < call->argc; i++) {
		sbuf_putc(&b, ' ');
		cmd_quote_word(&b, call->argv[i]);
	}
	for (int i = 0; call->entry->opts && call->entry->opts[i].name; i++) {
		const char *v = call->optval[i];
		if (!v)
			continue;
		sbuf_printf(&b, " %s", call->entry->opts[i].name);
		if (call->entry->opts[i].arg) {
			sbuf_putc(&b, ' ');
			cmd_quote_word(&b, v);
		}
	}
	return sbuf_steal(&b);
}
