// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_events.h"

#include <ctype.h>
#include <string.h>

const struct vp_qemu_event *vp_qemu_event_find(const char *name)
{
	for (size_t i = 0; i < vp_qemu_events_count; i++)
		if (!strcmp(vp_qemu_events[i].name, name))
			return &vp_qemu_events[i];
	return NULL;
}

int vp_qemu_event_nargs(const struct vp_qemu_event *e)
{
	int n = 1;

	if (!strcmp(e->args, "void") || !*e->args)
		return 0;
	for (const char *p = e->args; *p; p++)
		n += *p == ',';
	return n;
}

/* Argument i's declaration, [*p, *end). */
static bool arg_span(const struct vp_qemu_event *e, int i, const char **p, const char **end)
{
	const char *s = e->args;

	if (i < 0 || i >= vp_qemu_event_nargs(e))
		return false;
	for (; i > 0 && s; i--)
		s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL;
	if (!s)
		return false;
	*p = s;
	*end = strchr(s, ',') ? strchr(s, ',') : s + strlen(s);
	return true;
}

bool vp_qemu_event_arg_is_string(const struct vp_qemu_event *e, int i)
{
	const char *p, *end;

	if (!arg_span(e, i, &p, &end))
		return false;
	for (const char *q = p; q + 6 <= end; q++)
		if (!strncmp(q, "char *", 6) || !strncmp(q, "char*", 5))
			return true;
	return false;
}

bool vp_qemu_event_arg_name(const struct vp_qemu_event *e, int i, char *buf, size_t len)
{
	const char *p, *end, *start;

	if (!arg_span(e, i, &p, &end))
		return false;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	for (start = end; start > p && (isalnum((unsigned char)start[-1]) || start[-1] == '_');)
		start--;
	if (start == end || (size_t)(end - start) >= len)
		return false;
	memcpy(buf, start, (size_t)(end - start));
	buf[end - start] = '\0';
	return true;
}

bool vp_qemu_event_counted(const struct vp_qemu_event *e)
{
	static const char *const roles[] = { "exit", "command", "request", "complete",
					     "dma",  "notify",	"drop" };

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (!strcmp(e->role, roles[i]))
			return true;
	return false;
}

unsigned int vp_qemu_event_object_arg(const struct vp_qemu_event *e)
{
	if (!strncmp(e->args, "void *vdev", 10))
		return 1;
	if (!strcmp(e->name, "kvm_run_exit"))
		return 2; /* the exit reason */
	return 0;
}

bool vp_qemu_event_names_vdev(const struct vp_qemu_event *e)
{
	return vp_qemu_event_object_arg(e) == 1;
}
