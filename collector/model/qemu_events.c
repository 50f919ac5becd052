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
