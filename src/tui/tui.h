/* tui — the curses workbench: a tab per screen (Data, Train, Models, Serve,
 * Monitor, Design), a `:` command line over the command table, help, search.
 * Every action that does something runs as a command (cmd_run), so the
 * session history replays headless.  The one public header of src/tui. */
#ifndef PM_TUI_H
#define PM_TUI_H

#include "cmd/cmd.h"

#include <stdio.h>

/* Runs the workbench on the terminal until Q or `quit`.  Returns the exit
 * status (0), or -1 with err filled when the terminal cannot host it (the
 * caller may fall back to the line REPL). */
int tui_run(struct session *s, struct pm_err *err);

/* Test mode: renders the workbench on a virtual screen of `size` ("WxH"),
 * replays `keys` (plain characters, and <Enter> <Esc> <Tab> <BS> <Up> <Down>
 * <Left> <Right> <PgUp> <PgDn> <Home> <End> <Space> <lt> <C-x>
 * <Resize:WxH> <Click:X,Y> <WheelUp> <WheelDown>) and writes the final
 * screen to out as text, one line per row with trailing blanks removed.
 * With styles, a second block gives each cell's style as a letter. */
int tui_dump(struct session *s, const char *size, const char *keys, bool styles, FILE *out,
	     struct pm_err *err);

/* The WORKBENCH section of prodml(1), in roff: the screens and the keys of
 * every view, from the key tables that the help screen shows (caller frees). */
char *tui_man_keys(void);

#endif
