// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_events.h"

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

bool vp_qemu_event_arg_is_string(const struct vp_qemu_event *e, int i)
{
	const char *p = e->args, *end;

	for (; i > 0 && p; i--)
		p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
	if (!p)
		return false;
	end = strchr(p, ',') ? strchr(p, ',') : p + strlen(p);
	for (const char *q = p; q + 6 <= end; q++)
		if (!strncmp(q, "char *", 6) || !strncmp(q, "char*", 5))
			return true;
	return false;
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
