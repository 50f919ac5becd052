#include "params.h"

#include <stdbool.h>

#include "console.h"
#include "errors.h"
#include "str.h"

#define MAX_PARAMS 16

static char error[128];

const char *params_error(void)
{
	return error;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses [s, end) as decimal or 0x-hex without overflow. */
static int parse_u64(const char *s, const char *end, uint64_t *out)
{
	unsigned base = 10;
	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end)
		return -EINVAL;
	uint64_t v = 0;
	for (; s < end; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

static int reject(const char *word, int len, const char *why)
{
	snprintf(error, sizeof(error), "parameter '%.*s': %s", len, word, why);
	return -EINVAL;
}

int params_parse(const char *cmdline, const struct param *params, unsigned n)
{
	uint64_t value[MAX_PARAMS];
	bool seen[MAX_PARAMS] = { false };

	error[0] = '\0';
	if (n > MAX_PARAMS)
		return reject("", 0, "too many declared");
	for (const char *p = cmdline; *p;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		const char *word = p, *eq = 0;
		while (*p && !is_space(*p)) {
			if (*p == '=' && !eq)
				eq = p;
			p++;
		}
		int len = (int)(p - word);
		if (!eq)
			return reject(word, len, "expected key=value");
		unsigned i;
		for (i = 0; i < n; i++)
			if (strlen(params[i].key) == (size_t)(eq - word) &&
			    !strncmp(params[i].key, word, eq - word))
				break;
		if (i == n)
			return reject(word, len, "unknown key");
		if (seen[i])
			return reject(word, len, "given twice");
		int err = parse_u64(eq + 1, p, &value[i]);
		if (err == -ERANGE)
			return reject(word, len, "value too large");
		if (err)
			return reject(word, len, "not a number");
		if (value[i] < params[i].min || value[i] > params[i].max) {
			char why[64];
			snprintf(why, sizeof(why), "out of range [%lu, %lu]",
				 (unsigned long)params[i].min, (unsigned long)params[i].max);
			return reject(word, len, why);
		}
		seen[i] = true;
	}
	for (unsigned i = 0; i < n; i++)
		if (seen[i])
			*params[i].value = value[i];
	return 0;
}
