/* Internal interfaces of src/tui: the frame, screens and views as objects,
 * key tables, the prompt and the drawing helpers.  Only src/tui (and its
 * unit test) includes this. */
#ifndef PM_TUI_INTERNAL_H
#define PM_TUI_INTERNAL_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>

#include "tui.h"

#include "data/data.h"

#include <jansson.h>

struct tui;
struct view;

/* ---- keys ------------------------------------------------------------------
 * A key is a Unicode code point (control characters included), or a curses
 * KEY_* code offset by K_FN so the two never collide. */
enum {
	K_TAB = 9,
	K_ENTER = 10,
	K_ESC = 27,
	K_BS = 127,
	K_FN = 0x200000,
	K_UP = K_FN + KEY_UP,
	K_DOWN = K_FN + KEY_DOWN,
	K_LEFT = K_FN + KEY_LEFT,
	K_RIGHT = K_FN + KEY_RIGHT,
	K_PGUP = K_FN + KEY_PPAGE,
	K_PGDN = K_FN + KEY_NPAGE,
	K_HOME = K_FN + KEY_HOME,
	K_END = K_FN + KEY_END,
	K_DEL = K_FN + KEY_DC,
	K_BTAB = K_FN + KEY_BTAB,
	K_RESIZE = K_FN + KEY_RESIZE,
	K_MOUSE = K_FN + KEY_MOUSE,
	/* mouse events after decoding; the position is in tui.mx, tui.my */
	K_CLICK = K_FN + 0x10000,
	K_WHEEL_UP,
	K_WHEEL_DOWN,
};
#define K_CTRL(c) ((c) & 0x1f)

/* Folds the spellings of one key into one code (CR and KEY_ENTER are Enter,
 * ^H and KEY_BACKSPACE are Backspace). */
int key_normalize(int key);
/* A key's name for help and hints: "j", "Enter", "↓" (or "Down"), "^L". */
void key_label(int key, bool utf8, char *buf, size_t n);

/* One step of a scripted key sequence (tui_dump). */
struct key_step {
	int key;
	int a, b;   /* <Resize:AxB>, <Click:A,B> */
};
/* Parses the notation of tui_dump; *steps is freed by the caller. */
int keys_parse(const char *spec, struct key_step **steps, size_t *n, struct pm_err *err);

/* ---- key tables: each view class lists its bindings; help and the hint
 * bar are generated from them ------------------------------------------------ */
typedef void (*key_fn)(struct tui *t, struct view *v, int key);

struct key_binding {
	int keys[4];        /* alternatives, 0-terminated */
	const char *help;   /* one line for the help screen */
	const char *hint;   /* a word for the hint bar, or NULL */
	key_fn fn;
};
struct key_table {
	const char *title;           /* help section */
	const struct key_binding *b; /* terminated by an entry with keys[0] == 0 */
};
/* The binding of key in table, or NULL. */
const struct key_binding *key_find(const struct key_table *tab, int key);

/* ---- views: what a screen shows, stacked (list -> sheet -> overview) -------- */
/* Row cursor and scroll position shared by list-like views.  A cursorless
 * scroller (text) moves its top line instead. */
struct scroller {
	size_t n;         /* rows */
	size_t cur, top;
	int page;         /* rows visible, set by draw */
	bool cursorless;
};
void scroller_fix(struct scroller *sc);

struct view_class {
	const char *name;              /* "sheet" */
	const char *about;             /* help heading: "Sheet: the rows of a dataset" */
	const struct key_table *keys[4]; /* NULL-terminated; searched in order */
	/* Draws into the content rectangle. */
	void (*draw)(struct view *v, struct tui *t, int y, int x, int h, int w);
	/* The view came to the top (pushed, or uncovered by a pop). */
	void (*enter)(struct view *v, struct tui *t);
	/* It is about to be covered or popped. */
	void (*leave)(struct view *v, struct tui *t);
	void (*free)(struct view *v);
	/* Text at the right of the title line (position, counts). */
	void (*info)(struct view *v, struct tui *t, char *buf, size_t n);
	/* Finds pattern from the cursor on (dir +1 or -1; next: skip the
	 * current place); false when there is no match. */
	bool (*search)(struct view *v, struct tui *t, const char *pattern, int dir, bool next);
	/* A click at (y, x) relative to the content rectangle. */
	void (*click)(struct view *v, struct tui *t, int y, int x);
	/* Keys before the tables (forms that take text); true when used. */
	bool (*key)(struct view *v, struct tui *t, int key);
};

struct view {
	const struct view_class *cls;
	struct view *below;
	char *title;        /* breadcrumb part */
	struct scroller sc;
};

/* A screen is a tab: it makes the root view of its stack.  Screens whose
 * engine parts do not exist yet have no `open` and their tab is hidden. */
struct screen_class {
	const char *name;
	int key;                         /* '1'.. */
	const char *about;
	struct view *(*open)(struct tui *t);
	/* What the status line shows for this screen's engine whatever the
	 * current tab is ("2 jobs running"); NULL when nothing. */
	void (*status)(struct tui *t, char *buf, size_t n);
};
#define TUI_NSCREENS 6

/* ---- styles and glyphs ------------------------------------------------------- */
enum style {
	S_NORMAL,
	S_TABBAR,
	S_TAB,
	S_TAB_ACTIVE,
	S_BRAND,
	S_TITLE,
	S_INFO,
	S_HEADER,
	S_HEADER_CUR,
	S_TYPE,
	S_RULE,
	S_ROW_CUR,
	S_CELL_CUR,
	S_NA,
	S_NA_CUR,
	S_WARN,
	S_WARN_CUR,
	S_SECTION,
	S_SPARK,
	S_SPARK_CUR,
	S_MATCH,
	S_STATUS,
	S_STATUS_WS,
	S_MSG_ERROR,
	S_HINT,
	S_HINT_KEY,
	S_PROMPT,
	S_COMPLETION,
	S_NSTYLES
};
/* Letters of the style dump, by style. */
extern const char tui_style_letters[S_NSTYLES + 1];

struct glyphs {
	const char *vline, *hline, *ellipsis, *crumb, *up, *down, *times, *more;
	const char *spark[9];   /* empty, then eight heights */
};

/* ---- the prompt at the bottom line: `:` commands, `/` search, filter ------- */
enum prompt_kind { P_COMMAND, P_SEARCH, P_FILTER, P_COLUMN, P_CONFIRM, P_NKINDS };

struct history {
	char **v;
	size_t n, cap;
};

struct prompt {
	bool active;
	enum prompt_kind kind;
	char label[160];
	char *buf;          /* UTF-8 */
	size_t len, cap, pos;  /* pos: byte offset of the cursor */
	size_t hist_i;      /* index into the kind's history while browsing */
	char *saved;        /* the line being typed before browsing history */
	/* completion: candidates of the last Tab, cycled by the next ones */
	char **comp;
	size_t comp_i, comp_start;
	bool comp_cycling;
	/* what Enter does; view is the view the prompt was opened from */
	void (*accept)(struct tui *t, struct view *v, const char *text);
	struct view *view;
	/* column names to complete from (P_COLUMN and P_FILTER) */
	char **words;
};

/* ---- the workbench ------------------------------------------------------------- */
struct tui {
	struct session *s;
	bool dump;              /* virtual screen for tests: no terminal I/O */
	int w, h;
	bool utf8;
	int colors;             /* 0 (monochrome), 8 or 256 */
	attr_t attr[S_NSTYLES];
	unsigned char *stylemap; /* style of every cell, w*h, for the style dump */
	const struct glyphs *g;
	int tab;                /* index into the screen table */
	struct view *top[TUI_NSCREENS];
	char msg[1024];
	bool msg_error;
	struct prompt prompt;
	struct history hist[P_NKINDS];
	char *last_search;
	unsigned gen;           /* bumps after every command: views resync */
	bool quit;
	int mx, my;             /* last mouse event */
	int tabx[TUI_NSCREENS][2]; /* tab bar hit boxes, from the last draw */
	double progress_last;
	struct progress saved_progress;
	bool saved_tty;
};

/* frame.c */
void tui_init(struct tui *t, struct session *s, bool dump);
void tui_fini(struct tui *t);
void tui_resize(struct tui *t, int w, int h);
void tui_draw(struct tui *t);
void tui_key(struct tui *t, int key);
struct view *tui_top(struct tui *t);
void tui_push(struct tui *t, struct view *v);
void tui_pop(struct tui *t);
/* Replaces the top view by v. */
void tui_replace(struct tui *t, struct view *v);
void tui_msg(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_error(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const struct screen_class *tui_screen(int i);
/* Content rows (between the title line and the status line). */
int tui_content_rows(const struct tui *t);
void view_init(struct view *v, const struct view_class *cls, const char *title);

/* exec.c: running commands with their output captured */
/* Runs words (or, when words is NULL, a command line) through the command
 * table; what it prints is returned in *out (caller frees).  With json the
 * result is printed as JSON whatever the session's format. */
int tui_exec(struct tui *t, char **words, const char *line, bool json, char **out,
	     struct pm_err *err);
/* Runs words and parses its JSON result. */
int tui_exec_json(struct tui *t, char **words, json_t **result, struct pm_err *err);
/* Runs a `:` line: errors go to the status line, a one-line result too,
 * longer output opens a text view. */
void tui_command(struct tui *t, const char *line);
void tui_progress_install(struct tui *t);
void tui_progress_remove(struct tui *t);

/* draw.c */
void tui_styles_init(struct tui *t);
void tui_clear(struct tui *t);
/* Draws s from (y, x) within w columns (cut, not padded); control
 * characters show as spaces.  Returns the columns used. */
int tui_put(struct tui *t, int y, int x, int w, enum style st, const char *s);
int tui_putf(struct tui *t, int y, int x, int w, enum style st, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Fills w cells with blanks. */
void tui_fill(struct tui *t, int y, int x, int w, enum style st);
/* A cell of exactly w columns: padded, or cut with an ellipsis. */
void tui_cell(struct tui *t, int y, int x, int w, enum style st, const char *s, bool right);
/* Draws s skipping its first `skip` columns, with each case-insensitive
 * occurrence of pat (when not NULL) in the match style. */
void tui_put_hl(struct tui *t, int y, int x, int w, enum style st, const char *s, int skip,
		const char *pat);
/* Compact number in at most width columns: 12.5, 1.26M, 3.1e-05. */
void tui_fmt_num(double v, int width, char *buf, size_t n);
/* Case-insensitive substring search (ASCII folding); NULL when absent. */
const char *tui_strcasestr(const char *hay, const char *needle);
/* Copies text with control characters made blanks (for single-line display). */
char *tui_oneline(const char *s);

/* prompt.c */
void prompt_open(struct tui *t, enum prompt_kind kind, const char *label, const char *init,
		 struct view *v, void (*accept)(struct tui *, struct view *, const char *));
/* Column names offered by Tab (P_COLUMN, P_FILTER); taken over. */
void prompt_set_words(struct tui *t, char **words);
void prompt_close(struct tui *t);
void prompt_key(struct tui *t, int key);
void prompt_draw(struct tui *t, int y);
/* Candidates of the last Tab, shown on the status line while prompting. */
bool prompt_completions(struct tui *t, struct sbuf *b);
void history_add_line(struct history *h, const char *line);
void history_free(struct history *h);

/* nav.c: movement shared by list-like views; textview.c: text and help views */
extern const struct key_table nav_keys;
/* Makes (and pushes) a read-only text view of lines. */
struct view *textview_new(const char *title, const char *text);
/* The help of view v's keys and the global ones, as a text view. */
struct view *help_view_new(struct tui *t, struct view *v);
extern const struct key_table global_keys;

/* screen-data.c, sheet.c, overview.c */
struct view *data_screen_open(struct tui *t);
struct view *sheet_new(struct tui *t, const char *dataset, const char *base, const char *filter);
/* Moves a sheet's cursor to column `col` (when v is a sheet). */
bool sheet_goto_column(struct view *v, const char *col);
const char *sheet_dataset(struct view *v);
struct view *overview_new(struct tui *t, const char *dataset);
/* screen-models.c */
struct view *models_screen_open(struct tui *t);
/* screen-train.c */
struct view *train_screen_open(struct tui *t);
void train_status(struct tui *t, char *buf, size_t n);
/* The overview's statistics computed in the TUI from the frame (when the
 * `stats` command is not there): the JSON shape of `stats`. */
json_t *overview_local_stats(const struct frame *f);

#endif
