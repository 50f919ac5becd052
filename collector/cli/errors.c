// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "errors.h"

#include <stdarg.h>
#include <stdio.h>

static void say(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "vmexit-prof: %s", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vp_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("error: ", fmt, ap);
	va_end(ap);
}

void vp_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}
