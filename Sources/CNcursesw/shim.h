// ncursesw (Debian libncursesw5-dev). The wide-character API needs NCURSES_WIDECHAR
// before the header; macros and C globals that Swift cannot import (or that strict
// concurrency rejects) are wrapped in small inline functions with a winnow_ prefix.
#ifndef WINNOW_NCURSES_SHIM_H
#define WINNOW_NCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *winnow_stdscr(void) { return stdscr; }
static inline int winnow_lines(void) { return LINES; }
static inline int winnow_cols(void) { return COLS; }
static inline int winnow_colors(void) { return COLORS; }
static inline int winnow_color_pairs(void) { return COLOR_PAIRS; }
/* A pair for (fg, bg), reusing the least recently allocated one when the table is full
   (ncurses 6.1+): needed with direct colour, where colours are 24-bit values. */
static inline int winnow_alloc_pair(int fg, int bg) { return alloc_pair(fg, bg); }

static inline attr_t winnow_a_normal(void) { return A_NORMAL; }
static inline attr_t winnow_a_bold(void) { return A_BOLD; }
static inline attr_t winnow_a_dim(void) { return A_DIM; }
static inline attr_t winnow_a_underline(void) { return A_UNDERLINE; }
static inline attr_t winnow_a_reverse(void) { return A_REVERSE; }
static inline attr_t winnow_a_italic(void) { return A_ITALIC; }

static inline int winnow_key_f(int n) { return KEY_F(n); }

/// Writes one cell: a base character plus up to four combining marks, with attributes and a colour pair.
static inline int winnow_put_cell(int y, int x, const wchar_t *chars, attr_t attrs, int pair) {
    cchar_t cell;
    if (setcchar(&cell, chars, attrs, (short)(pair > 32767 ? 0 : pair), NULL) == ERR) return ERR;
    /* Extended colour pairs beyond 32767 travel through the opts pointer. */
    if (pair > 32767) {
        if (setcchar(&cell, chars, attrs, 0, &pair) == ERR) return ERR;
    }
    return mvadd_wch(y, x, &cell);
}

static inline int winnow_init_extended_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }
static inline int winnow_init_extended_color(int color, int r, int g, int b) { return init_extended_color(color, r, g, b); }
#endif
