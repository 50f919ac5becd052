/*
 * Serial console on COM1 and a printf subset.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, with the length modifiers l, ll
 * and z, a field width, the flags '0' (zero-pad) and '-' (left-align), and
 * a precision for %s (%.5s, %.*s: at most that many characters).
 * Enough for result lines and diagnostics; no floating point (the guest is
 * built without SSE).
 */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#define COM1_BASE 0x3f8

void serial_init(void);
void serial_putc(char c);
void serial_puts(const char *s);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
