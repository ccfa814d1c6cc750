/* Keys: one code per key, their names for help, and the notation of the
 * scripted key sequences that tests replay. */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int key_normalize(int key)
{
	switch (key) {
	case '\r':
	case K_FN + KEY_ENTER: return K_ENTER;
	case 8:
	case K_FN + KEY_BACKSPACE: return K_BS;
	default: return key;
	}
}

static const struct {
	const char *name;
	int key;
	const char *utf8; /* shorter label on a UTF-8 terminal */
} names[] = {
	{"Enter", K_ENTER, NULL},   {"Esc", K_ESC, NULL},	    {"Tab", K_TAB, NULL},
	{"BTab", K_BTAB, NULL},	    {"BS", K_BS, NULL},		    {"Del", K_DEL, NULL},
	{"Up", K_UP, "\u2191"},	    {"Down", K_DOWN, "\u2193"},	    {"Left", K_LEFT, "\u2190"},
	{"Right", K_RIGHT, "\u2192"}, {"PgUp", K_PGUP, NULL},	    {"PgDn", K_PGDN, NULL},
	{"Home", K_HOME, NULL},	    {"End", K_END, NULL},	    {"Space", ' ', NULL},
	{"lt", '<', NULL},	    {"WheelUp", K_WHEEL_UP, NULL},  {"WheelDown", K_WHEEL_DOWN, NULL},
	{"WaitJobs", K_WAIT_JOBS, NULL},
};

void key_label(int key, bool utf8, char *buf, size_t n)
{
	for (size_t i = 0; i < PM_ARRAY_LEN(names); i++) {
		if (names[i].key == key && key != '<') {
			snprintf(buf, n, "%s", utf8 && names[i].utf8 ? names[i].utf8 : names[i].name);
			return;
		}
	}
	if (key >= K_FN + KEY_F(1) && key <= K_FN + KEY_F(12)) {
		snprintf(buf, n, "F%d", key - K_FN - KEY_F(0));
		return;
	}
	if (key > 0 && key < 32) {
		snprintf(buf, n, "^%c", key + '@');
		return;
	}
	if (key >= 32 && key < K_FN) {
		mbstate_t ps;
		memset(&ps, 0, sizeof ps);
		char tmp[MB_LEN_MAX + 1];
		size_t len = wcrtomb(tmp, (wchar_t)key, &ps);
		if (len == (size_t)-1) {
			snprintf(buf, n, "U+%04X", key);
			return;
		}
		tmp[len] = 0;
		snprintf(buf, n, "%s", tmp);
		return;
	}
	snprintf(buf, n, "key %d", key - K_FN);
}

const struct key_binding *key_find(const struct key_table *tab, int key)
{
	if (!tab)
		return NULL;
	for (const struct key_binding *b = tab->b; b->keys[0]; b++)
		for (int i = 0; i < 4 && b->keys[i]; i++)
			if (b->keys[i] == key)
				return b;
	return NULL;
}

/* Decodes one UTF-8 character of p into *cp; returns its length. */
static size_t utf8_decode(const char *p, int *cp)
{
	const unsigned char *u = (const unsigned char *)p;
	int len = u[0] < 0x80 ? 1 : (u[0] >> 5) == 6 ? 2 : (u[0] >> 4) == 14 ? 3 : (u[0] >> 3) == 30 ? 4 : 1;
	int c = len == 1 ? u[0] : u[0] & (0x3f >> (len - 1));
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = u[0];
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	*cp = c;
	return (size_t)len;
}

int keys_parse(const char *spec, struct key_step **steps_out, size_t *n_out, struct pm_err *err)
{
	struct key_step *steps = NULL;
	size_t n = 0, cap = 0;
	const char *p = spec;
	while (*p) {
		struct key_step st = {0};
		if (*p == '<') {
			const char *e = strchr(p + 1, '>');
			bool known = false;
			if (e) {
				char *tok = xstrndup(p + 1, (size_t)(e - p - 1));
				int a, b;
				char tail;
				if (sscanf(tok, "Resize:%dx%d%c", &a, &b, &tail) == 2) {
					st = (struct key_step){K_RESIZE, a, b};
					known = true;
				} else if (sscanf(tok, "Click:%d,%d%c", &a, &b, &tail) == 2) {
					st = (struct key_step){K_CLICK, a, b};
					known = true;
				} else if (strlen(tok) == 3 && tok[0] == 'C' && tok[1] == '-' &&
					   ((tok[2] >= 'a' && tok[2] <= 'z') || (tok[2] >= '@' && tok[2] <= '_'))) {
					st.key = K_CTRL(tok[2]);
					known = true;
				} else {
					for (size_t i = 0; i < PM_ARRAY_LEN(names); i++)
						if (strcmp(tok, names[i].name) == 0) {
							st.key = names[i].key;
							known = true;
						}
				}
				if (!known && strchr(tok, ' ') == NULL && strlen(tok) > 1 &&
				    (tok[0] >= 'A' && tok[0] <= 'Z')) {
					/* looks like a key name: a typo must not type its letters */
					pm_errcf(err, PM_E_USAGE, "--keys: unknown key <%s>", tok);
					free(tok);
					free(steps);
					return -1;
				}
				free(tok);
			}
			if (known) {
				p = e + 1;
			} else {
				st.key = '<';
				p++;
			}
		} else {
			p += utf8_decode(p, &st.key);
			st.key = key_normalize(st.key);
		}
		xgrow((void **)&steps, &cap, n + 1, sizeof *steps);
		steps[n++] = st;
	}
	*steps_out = steps;
	*n_out = n;
	return 0;
}
