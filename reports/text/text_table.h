/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Aligned text tables and the number formats of the terminal report.  Cells
 * are copied and neutralized on the way in, so a name from the document can
 * never reach the terminal as a control sequence.
 */
#ifndef VP_TEXT_TABLE_H
#define VP_TEXT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "units.h"

/* How the terminal report is drawn. */
struct vp_text_style {
	bool color;	 /* ANSI bold/red/green */
	int width;	 /* terminal columns, 0 when unknown (no truncation) */
	size_t max_rows; /* rows per table, the costliest; 0 = all */
};

/* What fd deserves: colour on a terminal whose TERM is not dumb, unless
 * NO_COLOR is set (no-color.org), and the terminal's width. */
void vp_tt_style_auto(int fd, struct vp_text_style *st);

/* Shown for a null or unmeasured value. */
#define VP_TT_NONE VP_FMT_NONE

enum vp_tt_align { VP_TT_LEFT, VP_TT_RIGHT };
enum vp_tt_tone { VP_TT_PLAIN, VP_TT_BOLD, VP_TT_RED, VP_TT_GREEN, VP_TT_DIM };

struct vp_tt_col {
	/* "EXITS/OP\nTO USER": an optional group line above the column name */
	const char *head;
	enum vp_tt_align align;
	/* a narrow terminal may cut this column down to so many columns; 0: never */
	unsigned shrink_to;
};

struct vp_table;

struct vp_table *vp_tt_new(const struct vp_tt_col *cols, size_t ncols);
void vp_tt_free(struct vp_table *t);
/* Starts a row; the cells that follow fill it from the left. */
void vp_tt_row(struct vp_table *t);
void vp_tt_cell(struct vp_table *t, const char *text, enum vp_tt_tone tone);
void vp_tt_cellf(struct vp_table *t, enum vp_tt_tone tone, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Columns two spaces apart, indented by `indent`; a row of fewer cells is
 * padded with blanks. */
void vp_tt_print(FILE *out, const struct vp_table *t, const struct vp_text_style *st, int indent);

/* Display columns of UTF-8 text (one per code point: no wide glyphs here). */
size_t vp_tt_width(const char *s);
/*
 * Copies s into a malloc'd string with every C0/C1 control, DEL and bidi
 * override replaced by a visible \xNN or \uNNNN, so escapes and reordering
 * marks from a document are shown, not obeyed.
 */
char *vp_tt_clean(const char *s);
/* Writes s cleaned, wrapped in tone when colour is on. */
void vp_tt_puts(FILE *out, const char *s, enum vp_tt_tone tone, const struct vp_text_style *st);

#endif
