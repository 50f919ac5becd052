/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VP_ERRORS_H
#define VP_ERRORS_H

/* Exit status for bad input or an unusable host (the run never started). */
#define VP_EXIT_BAD_INPUT 2

/* The one place user-facing errors are printed: one line on stderr. */
void vp_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vp_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
