#include "console.h"

#include <stdbool.h>
#include <stdint.h>

#include "io.h"

/* 16550 registers, offsets from COM1_BASE */
#define UART_DATA 0 /* divisor low byte while LCR.DLAB is set */
#define UART_IER  1 /* divisor high byte while LCR.DLAB is set */
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LCR_8N1	  0x03
#define LCR_DLAB  0x80
#define LSR_THRE  0x20
/* A real UART at 115200 baud drains a byte in ~87 us; QEMU's is always
   ready.  The bound only keeps a missing UART from hanging the guest. */
#define THRE_MAX_POLLS 100000

void serial_init(void)
{
	outb(COM1_BASE + UART_IER, 0x00); /* no interrupts: we poll */
	outb(COM1_BASE + UART_LCR, LCR_DLAB);
	outb(COM1_BASE + UART_DATA, 1); /* divisor 1: 115200 baud */
	outb(COM1_BASE + UART_IER, 0);
	outb(COM1_BASE + UART_LCR, LCR_8N1);
	outb(COM1_BASE + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(COM1_BASE + UART_MCR, 0x03); /* DTR, RTS */
}

void serial_putc(char c)
{
	for (unsigned i = 0; i < THRE_MAX_POLLS; i++)
		if (inb(COM1_BASE + UART_LSR) & LSR_THRE)
			break;
	outb(COM1_BASE + UART_DATA, (uint8_t)c);
}

void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

/* Output goes through a sink so the same formatter serves the serial port
   and buffers. */
struct sink {
	bool serial; /* else into buf, truncated to size */
	char *buf;
	size_t size, len;
};

static void sink_put(struct sink *s, char c)
{
	if (s->serial)
		serial_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padding(struct sink *s, char c, int n)
{
	while (n-- > 0)
		sink_put(s, c);
}

static void put_field(struct sink *s, const char *str, int len, int width, bool left, char pad)
{
	if (!left)
		put_padding(s, pad, width - len);
	for (int i = 0; i < len; i++)
		sink_put(s, str[i]);
	if (left)
		put_padding(s, ' ', width - len);
}

static void put_number(struct sink *s, unsigned long long v, bool negative, unsigned base,
		       bool upper, int width, bool left, bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative && zero && !left) {
		/* The sign goes before the zeros: "-0042". */
		sink_put(s, '-');
		width--;
		negative = false;
	}
	if (negative)
		tmp[n++] = '-';
	char out[24];
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	put_field(s, out, n, width, left, zero && !left ? '0' : ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			sink_put(s, *fmt);
			continue;
		}
		bool left = false, zero = false;
		int width = 0, longs = 0, precision = -1;
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') { /* precision: only %s uses it (max length) */
			fmt++;
			precision = 0;
			if (*fmt == '*') {
				precision = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				precision = precision * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') { /* size_t is unsigned long (LP64) */
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = longs >= 2   ? va_arg(ap, long long)
				      : longs == 1 ? va_arg(ap, long)
						   : va_arg(ap, int);
			unsigned long long mag =
				v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			put_number(s, mag, v < 0, 10, false, width, left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = longs >= 2   ? va_arg(ap, unsigned long long)
					       : longs == 1 ? va_arg(ap, unsigned long)
							    : va_arg(ap, unsigned);
			put_number(s, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left,
				   zero);
			break;
		}
		case 'p':
			sink_put(s, '0');
			sink_put(s, 'x');
			put_number(s, (uintptr_t)va_arg(ap, void *), false, 16, false, width, left,
				   zero);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			int len = 0;
			while (str[len] && (precision < 0 || len < precision))
				len++;
			put_field(s, str, len, width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_field(s, &c, 1, width, left, ' ');
			break;
		}
		case '%': sink_put(s, '%'); break;
		case '\0': return; /* a lone '%' at the end: print nothing for it */
		default:
			/* Unknown conversion: show it rather than guess an argument. */
			sink_put(s, '%');
			sink_put(s, *fmt);
			break;
		}
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct sink s = { .serial = true };
	format(&s, fmt, ap);
	return (int)s.len;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { .buf = buf, .size = size };
	format(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
