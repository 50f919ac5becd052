/* The C library's memory and string functions the guests use (and the ones
   the compiler may call on its own, e.g. memset for a zeroed struct). */
#ifndef GUEST_STR_H
#define GUEST_STR_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
