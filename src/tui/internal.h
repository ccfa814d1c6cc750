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
	/* not a key: in a scripted sequence, time passing until the
	 * workspace's jobs have ended (a user watching a run to its end) */
	K_WAIT_JOBS,
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
/* Moves the cursor to the next row (dir +1) or the previous one (-1) for
 * which match is true, from the cursor on (next: skip the current row),
 * wrapping around; false when no row matches. */
bool scroller_find(struct scroller *sc, int dir, bool next, bool (*match)(void *ctx, size_t i),
		   void *ctx);

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
#define TUI_NSCREENS 7

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
/* P_FIELD edits a form's field: Enter accepts it even when empty (clears it). */
enum prompt_kind { P_COMMAND, P_SEARCH, P_FILTER, P_COLUMN, P_CONFIRM, P_FIELD, P_NKINDS };

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
	/* the prefilled argument, shown selected: typing replaces it, moving
	 * keeps it (sel_start == sel_end: nothing selected) */
	size_t sel_start, sel_end;
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
	/* the drift window picked on each model's dashboard (model -> window):
	 * leaving a dashboard does not reset it */
	struct setting *windows;
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

/* labpanel.c: the started lab's step at the right of every screen */
/* Its columns (0 when no lab is started or the terminal is narrow). */
int labpanel_width(const struct tui *t);
void labpanel_draw(struct tui *t, int y, int x, int h, int w);

/* exec.c: running commands with their output captured */
/* Runs words (or, when words is NULL, a command line) through the command
 * table; what it prints is returned in *out (caller frees).  With json the
 * result is printed as JSON whatever the session's format. */
int tui_exec(struct tui *t, char **words, const char *line, bool json, char **out,
	     struct pm_err *err);
/* Runs words and parses its JSON result. */
int tui_exec_json(struct tui *t, char **words, json_t **result, struct pm_err *err);
/* The same for a read that redraws a view (`design show` of the diagram):
 * not logged, so the history and a replay hold only what the user did. */
int tui_read_json(struct tui *t, char **words, json_t **result, struct pm_err *err);
/* Runs a `:` line: errors go to the status line, a one-line result too,
 * longer output opens a text view. */
void tui_command(struct tui *t, const char *line);
/* The `:` line prefilled with init (its last argument selected); Enter
 * runs it as tui_command does. */
void tui_command_prompt(struct tui *t, struct view *v, const char *init);
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
/* A time to the minute: "2026-11-22T22:17:15Z" (or a space for the T) ->
 * "2026-11-22 22:17". */
void tui_short_time(const char *iso, char *buf, size_t n);
/* Case-insensitive substring search (ASCII folding); NULL when absent. */
const char *tui_strcasestr(const char *hay, const char *needle);
/* Copies text with control characters made blanks (for single-line display). */
char *tui_oneline(const char *s);
/* The string at key of a JSON object, or "". */
const char *tui_jstr(json_t *o, const char *key);
/* A JSON number in at most width columns (tui_fmt_num), or "-". */
void tui_json_num(json_t *v, int width, char *buf, size_t n);

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
/* Appends text as lines of at most width columns, broken at spaces. */
void tui_wrap(struct sbuf *b, const char *text, int width);
extern const struct key_table global_keys;
/* The views, each defined in its file; textview.c lists them for the
 * manual's WORKBENCH section. */
extern const struct view_class dslist_class, sheet_class, overview_class, schemaview_class,
	picker_class, cmpview_class, distview_class, runlist_class, runview_class, form_class,
	pick_one_class, pick_many_class, mlist_class, srvlist_class, monlist_class, dash_class,
	featlist_class, alertlist_class, textview_class, pllist_class, plrunlist_class, dagview_class,
	designlist_class, designview_class;

/* screen-data.c, sheet.c, overview.c */
struct view *data_screen_open(struct tui *t);
struct view *sheet_new(struct tui *t, const char *dataset, const char *base, const char *filter);
/* Moves a sheet's cursor to column `col` (when v is a sheet). */
bool sheet_goto_column(struct view *v, const char *col);
const char *sheet_dataset(struct view *v);
struct view *overview_new(struct tui *t, const char *dataset);
/* part/whole as a short percentage: "0%", "<0.1%", "4.5%", "12%". */
void tui_pct(double part, double whole, char *buf, size_t n);
/* Moves the cursor to feature `name` when v is an overview of dataset. */
bool overview_goto_feature(struct view *v, const char *dataset, const char *name);
/* schemaview.c: a dataset's schema and anomalies (validate); compareview.c:
 * two datasets' distances (compare) and one feature's distributions */
struct view *schema_view_open(struct tui *t, const char *dataset);
struct schema;
/* A dataset's content fingerprint, or "" when there is no such dataset. */
char *tui_fingerprint(struct tui *t, const char *dataset);
/* The schema that v checks against when v is a schema view of dataset a
 * or b, else NULL. */
const char *schema_view_schema(struct view *v, const char *a, const char *b);
struct schema_comparator;
/* "L∞ 0.01 JSD 0.1": a comparator's thresholds. */
void tui_comparator_text(const struct tui *t, const struct schema_comparator *c, struct sbuf *b);
/* The command line prefilled with `compare a [b]`; Enter opens the compare
 * view, with the skew thresholds of the schema view v when it is one. */
void compare_prompt(struct tui *t, struct view *v, const char *a, const char *b);
/* ---- form.c: a command's options as a form ---------------------------------------
 * A form is a view whose fields fill in one command: text, whole numbers,
 * numbers and lists with validation, pick-one and multi-select lists
 * (picked in a list view pushed above the form) and flags.  Fields are made
 * from the option table of a command (form_add_opt), so an option added to
 * the command shows up in its form.  The screen that opens a form fills in
 * what the command table cannot know (the columns of the chosen dataset)
 * through form_ops; submitting builds the command's words (form_words) for
 * the screen to run through tui_exec, so the action is in the history. */
enum field_kind { FIELD_TEXT, FIELD_INT, FIELD_REAL, FIELD_LIST, FIELD_CHOICE, FIELD_MULTI,
		  FIELD_FLAG };

struct form_choice {
	char *value, *note;  /* note: shown beside the value ("float", "900 rows") */
	bool on;             /* FIELD_MULTI: picked */
};

struct form_field {
	char *key;           /* the option ("--epochs"), or a positional's name ("MODEL") */
	char *arg;           /* its value's name in the usage ("N"; a positional's key) */
	bool positional;
	char *label, *help;
	enum field_kind kind;
	enum complete_kind complete;  /* COMPLETE_DATASET: the choices are the datasets */
	char *value;         /* NULL: not set (the command's default applies) */
	char *placeholder;   /* the default, shown while not set */
	char *note;          /* shown after the value */
	struct form_choice *choices;
	size_t nchoices;
	bool all_default;    /* FIELD_MULTI: every choice picked is the default: omitted */
	bool on;             /* FIELD_FLAG */
	long long min;       /* FIELD_INT, FIELD_LIST: smallest value */
	bool required, touched;
	int section;
	/* shown (and submitted) only while field `when` is set, and when
	 * `values` ("a|b") is given, set to one of them */
	char *when, *values;
	char *error;         /* inline message of the last check */
};

struct form;
struct form_ops {
	/* A field's value changed: update the fields that depend on it. */
	void (*changed)(struct form *f, struct tui *t, struct form_field *fld);
	/* Checks beyond the field's kind; false with a message in msg. */
	bool (*check)(struct form *f, struct tui *t, struct form_field *fld, char *msg, size_t n);
	/* Every shown field passed its checks: run the command. */
	void (*submit)(struct form *f, struct tui *t);
	/* The form came back to the top after a command ran: refresh choices. */
	void (*sync)(struct form *f, struct tui *t);
	void (*free)(struct form *f);
};

#define FORM_MAX_SECTIONS 8
struct form {
	struct view v;
	const struct form_ops *ops;
	struct form_field *fields;
	size_t n, cap;
	struct {
		char *title;
		bool collapsed;  /* collapsible sections start collapsed */
		bool collapsible;
	} sec[FORM_MAX_SECTIONS];
	int nsec;
	const char *const *head;  /* the command's first words ("train") */
	const char *const *tail;  /* words after the fields ("--detach") */
	const char *button;       /* "start the run" */
	char *error;              /* why the last submission failed */
	/* focus: an index into the laid-out lines, and what it was */
	size_t cur, top;
	int cur_kind, cur_idx;
	int editing;              /* the field being edited on the prompt */
	int body_y, body_h;       /* field lines on screen at the last draw */
	unsigned gen;
};

/* Makes f (the first member of a screen's struct) an empty form view. */
void form_init(struct form *f, const char *title, const struct form_ops *ops);
int form_section(struct form *f, const char *title, bool collapsible);
/* A field for option o of a command: its kind, placeholder and help come
 * from the table.  NULL when o is NULL or already has a field. */
struct form_field *form_add_opt(struct form *f, struct tui *t, const struct cmd_opt *o,
				int section);
/* Fields for every option of e not in a field yet and not in skip. */
void form_add_opts(struct form *f, struct tui *t, const struct cmd_entry *e,
		   const char *const *skip, int section);
struct form_field *form_add(struct form *f, const char *key, bool positional, const char *label,
			    enum field_kind kind, int section, const char *help);
const struct cmd_opt *form_cmd_opt(const struct cmd_entry *e, const char *name);
struct form_field *form_get(struct form *f, const char *key);
/* Sets (or, with NULL, clears) a value; clears the field's error. */
void form_set(struct form_field *fld, const char *value);
void form_clear_choices(struct form_field *fld);
void form_add_choice(struct form_field *fld, const char *value, const char *note, bool on);
bool form_field_shown(struct form *f, const struct form_field *fld);
/* The command: head, positionals, the shown options that are set, tail. */
char **form_words(struct form *f);
/* Checks every shown field; on failure the cursor goes to the first bad
 * field and the status line says what is wrong. */
bool form_validate(struct form *f, struct tui *t);
void form_focus(struct form *f, struct form_field *fld);

/* screen-models.c */
struct view *models_screen_open(struct tui *t);
/* screen-train.c */
struct view *train_screen_open(struct tui *t);
void train_status(struct tui *t, char *buf, size_t n);
/* Waits until no job of the workspace is queued or running (the dump's
 * <WaitJobs>); a job that never ends fails the wait on the status line. */
void train_wait_jobs(struct tui *t);

/* screen-serve.c */
struct view *serve_screen_open(struct tui *t);
void serve_status(struct tui *t, char *buf, size_t n);

/* ---- listview.c: the one list view ------------------------------------------------
 * A list of rows under a header of columns, with a row cursor, search,
 * clicks, marks, and rereading that keeps the cursor on its row: the part of
 * every list of the workbench (datasets, schemas, models, runs, servers,
 * monitored models, alerts, features) that is not what its rows are.  A list
 * embeds struct listview first, points it at its listview_ops and uses the
 * listview_* functions in its view_class.
 *
 * A column of a list: header, width, alignment; drop > 0: the column goes
 * when the screen is too narrow, the highest rank first; flex: it takes the
 * room left. */
#define TUI_MAX_COLS 16
struct tui_col {
	const char *head;
	int w;
	bool right;
	int drop;
	bool flex;
};
/* Places n columns in w cells from x0: x[i] < 0 for a column left out. */
void tui_cols_layout(const struct tui_col *c, int n, int x0, int w, int *x, int *cw);
void tui_cols_header(struct tui *t, const struct tui_col *c, int n, const int *x, const int *cw,
		     int y);

struct listview;
struct workspace;
struct listview_ops {
	/* Reads the rows from the workspace, their number into *n; NULL: the
	 * rows never change (they were given when the view was made). */
	int (*load)(struct listview *lv, struct tui *t, struct workspace *ws, size_t *n,
		    struct pm_err *err);
	/* Frees the rows (also after a load that failed half way). */
	void (*free_rows)(struct listview *lv);
	/* What names row i across rereads (caller frees): the cursor and the
	 * marks stay on it. */
	char *(*key)(struct listview *lv, size_t i);
	/* Row i holds pat (case-insensitive), for / and n. */
	bool (*match)(struct listview *lv, size_t i, const char *pat);
	/* The text of row i's column c into b and its style; st is the row's
	 * (S_ROW_CUR on the cursor's row), width the column's. */
	enum style (*cell)(struct listview *lv, size_t i, int c, bool cur, int width, enum style st,
			   struct sbuf *b);
	/* Draws row i itself instead (cells with bars); the row is filled. */
	void (*row)(struct listview *lv, struct tui *t, size_t i, int y, int x, int w, const int *cx,
		    const int *cw, bool cur);
	/* Places the columns instead of tui_cols_layout. */
	void (*layout)(struct listview *lv, int x, int w, int *cx, int *cw);
	/* What the view says when the list is empty: a title, then lines of
	 * help, separated by newlines (b: room for text made on the spot). */
	const char *(*empty)(struct listview *lv, struct sbuf *b);
	/* Draws lines above the header; returns how many. */
	int (*above)(struct listview *lv, struct tui *t, int y, int x, int w);
	/* How many of `room` lines the rows take (the rest goes to foot). */
	int (*rows)(struct listview *lv, int room);
	/* Draws the h lines under the rows (h > 0). */
	void (*foot)(struct listview *lv, struct tui *t, int y, int x, int h, int w);
	/* Reread at this pace (seconds) while shown, not only after commands. */
	double period;
};

struct listview {
	struct view v;
	const struct listview_ops *ops;
	const struct tui_col *cols;
	int ncols;
	int margin;         /* columns kept free at the right edge */
	bool marks;         /* rows can be marked: a column of marks first */
	bool *marked;
	size_t n;           /* rows, as v.sc.n */
	char *err;          /* why the last read failed */
	char *want;         /* the key to put the cursor on at the next read */
	bool live;          /* set by load: reread at every draw */
	bool loaded;
	unsigned gen;
	double read_at;
	int head_y;         /* the header's line at the last draw */
};

void listview_init(struct listview *lv, const struct view_class *cls, const char *title,
		   const struct listview_ops *ops, const struct tui_col *cols, int ncols);
/* Rereads the rows when a command ran since (or the period passed, or a
 * row is live); force: now. */
void listview_sync(struct listview *lv, struct tui *t, bool force);
/* The cursor's row, reread first; false, with `none` on the status line,
 * when the list is empty. */
bool listview_current(struct listview *lv, struct tui *t, const char *none, size_t *i);
size_t listview_marked(const struct listview *lv);
/* Frees what listview_init and the rows hold (for a class's own free). */
void listview_fini(struct listview *lv);
/* The view_class functions of a list. */
void listview_draw(struct view *v, struct tui *t, int y, int x, int h, int w);
void listview_enter(struct view *v, struct tui *t);
bool listview_search(struct view *v, struct tui *t, const char *pattern, int dir, bool next);
void listview_click(struct view *v, struct tui *t, int y, int x);
void listview_free(struct view *v);

/* ---- dagview.c: a pipeline run's DAG as boxes and arrows ------------------------
 * The layout in character cells, made without a terminal: layers by the
 * longest path from a root, boxes per layer ordered by their upstream
 * boxes' mean place, a lane down each layer an edge crosses, and the
 * arrows of each gap between layers on as few rows (tracks) as keep runs
 * of different arrows apart. */
struct dag_layout {
	size_t n;             /* steps */
	int nlayers;
	int *layer, *x, *y;   /* each step's layer and its box's top left cell */
	int box_w, box_h;
	int width, height;    /* of the whole drawing, in cells */
	unsigned char *mask;  /* width * height: the lines, arrows and boxes of each cell */
	size_t *order;        /* the steps layer by layer, left to right */
};
/* up[i]: the nup[i] steps that step i comes after.  A step that is not one
 * or a cycle is an error. */
int dag_layout(size_t n, const size_t *nup, const size_t *const *up, int box_w, int box_h,
	       struct dag_layout *L, struct pm_err *err);
void dag_layout_free(struct dag_layout *L);
/* The drawing as lines of text (box drawing characters, or ASCII), each
 * box's second row holding its label when labels is not NULL; trailing
 * blanks cut.  NULL-terminated (str_list_free). */
char **dag_lines(const struct dag_layout *L, const char *const *labels, bool utf8);
/* Opens the DAG of a run (`pipeline run show ID`); NULL with the error on
 * the status line. */
struct view *dagview_open(struct tui *t, int64_t run);
/* screen-pipelines.c: the actions a run's DAG shares with the runs list.
 * run: a run as `pipeline run show` gives it.  Rerun starts `pipeline run
 * P --param K=V.. --detach` with the run's parameters and opens the new
 * run; resume runs `pipeline resume ID --detach`: true when it started. */
void pipelines_rerun(struct tui *t, json_t *run);
bool pipelines_resume(struct tui *t, json_t *run);
struct view *pipelines_screen_open(struct tui *t);

/* True (and *last set to now) when period seconds passed since *last: the
 * views that follow the engines reread the workspace at this pace. */
bool tui_due(double *last, double period);
/* screen-monitor.c: the Monitor screen, its list of monitored models */
struct view *monitor_screen_open(struct tui *t);
void monitor_status(struct tui *t, char *buf, size_t n);
/* the Monitor screen's lists reread the workspace at this pace */
#define MONITOR_REFRESH_S 2.0
/* monitor-dash.c: the dashboard of one model: `monitor MODEL` as panels,
 * its open alerts; with the drift window last picked for the model in this
 * session (dash_window: NULL for the command's default). */
struct view *monitor_dashboard_new(struct tui *t, const char *model);
const char *dash_window(const struct tui *t, const char *model);
/* `monitor diagnose MODEL [--window W]` as a text view. */
void dash_diagnose(struct tui *t, const char *model, const char *window);
/* monitor-alerts.c: alerts as rows (the dashboard's) and as a view */
/* The alerts of one model (NULL: all); open ones only unless all. */
int alerts_read(struct workspace *ws, const char *model, bool all, json_t **out,
		struct pm_err *err);
/* Lays out and draws the header of the alert columns (cx, cw: TUI_MAX_COLS);
 * without the model, the model and status columns are left out. */
void alerts_header(struct tui *t, bool with_model, int y, int x, int w, int *cx, int *cw);
void alert_row(struct tui *t, json_t *a, int y, int x, int w, const int *cx, const int *cw,
	       bool cur);
/* Runs `alerts ack ID` for the alert a. */
void alert_ack(struct tui *t, json_t *a);
struct view *alertlist_new(void);
/* A key binding that opens the view of every alert. */
void alertlist_key(struct tui *t, struct view *v, int key);
/* monitor-features.c: features' skew and drift as rows (the dashboard's)
 * and as a view */
/* The features of a `monitor` result, the largest distance first; the
 * array is freed by the caller, the objects are borrowed. */
json_t **feat_sorted(json_t *r, size_t *n);
struct feat_layout {
	int name_x, name_w, dist_x, skew_x, drift_x, thr_x, val_w, bar_w;
};
void feat_layout(struct feat_layout *L, json_t **fs, size_t n, int x, int w);
void feat_header(struct tui *t, const struct feat_layout *L, int y);
void feat_row(struct tui *t, const struct feat_layout *L, json_t *f, int y, bool cur);
/* A distance to four decimals, as `monitor` prints them. */
void feat_dist_text(json_t *v, int width, char *buf, size_t n);
/* Every feature of the result res. */
struct view *featlist_new(json_t *res);
/* screen-design.c: the designs (`design list`); designview.c: a design's
 * architecture as a diagram (`design show NAME`, changed with `design set`) */
struct view *design_screen_open(struct tui *t);
/* Opens the diagram of design name; NULL with the error on the status line. */
struct view *designview_open(struct tui *t, const char *name);
/* The diagram's fixed layout in character cells for w×h: seven boxes of
 * bw×bh, data (0) to train (3) on the top row left to right, registry (4)
 * to monitor (6) on the bottom row right to left (registry under train),
 * and the retrain loop down from monitor to row loop_y, over to column
 * loop_x and up into train's right side.  An error when w×h is too small. */
struct ddiag {
	int bw, bh;
	int x[7], y[7];
	int loop_x, loop_y;
	int width, height;
};
int ddiag_layout(int w, int h, struct ddiag *L, struct pm_err *err);
/* frame.c: switches to tab i (0-based), opening its screen if need be. */
void tui_open_tab(struct tui *t, int i);

#endif
