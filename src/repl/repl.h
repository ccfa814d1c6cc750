/* repl — the interactive line face: GNU readline with persistent history
 * and completion from the command table. */
#ifndef PM_REPL_H
#define PM_REPL_H

#include "cmd/cmd.h"

/* Runs the REPL until `quit` or end of input; returns the exit status. */
int repl_run(struct session *s);
/* Path of the history file (caller frees): $XDG_STATE_HOME/prodml/history. */
char *repl_history_path(void);

#endif
