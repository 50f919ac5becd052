// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qemu_memmap.h"
#include "growbuf.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"

static void copy(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int add_range(struct vp_memmap *m, const struct vp_mem_range *r)
{
	if (vp_grow((void **)&m->ranges, m->nranges, &m->cap, sizeof(*m->ranges), 64))
		return -ENOMEM;
	m->ranges[m->nranges++] = *r;
	return 0;
}

/*
 * One line of a flat view, as QEMU 7.2 prints it:
 *   "  00000000febfc000-00000000febfcfff (prio 0, i/o): virtio-pci-common-virtio-blk"
 *   "  0000000000000071-0000000000000071 (prio 0, i/o): rtc @0000000000000001"
 * The " @offset" says where in the region the range starts; the region,
 * not the offset, names the device.  false for anything else.
 */
static bool parse_range_line(const char *line, struct vp_mem_range *r)
{
	const char *p = line, *kind, *name, *at;
	char *end;

	while (*p == ' ')
		p++;
	if (p == line)
		return false; /* headers start in column 0 or 1, ranges are indented */
	r->start = strtoull(p, &end, 16);
	if (end == p || *end != '-')
		return false;
	p = end + 1;
	r->end = strtoull(p, &end, 16);
	if (end == p || strncmp(end, " (prio ", 7))
		return false;
	p = end + 7;
	r->prio = (int)strtol(p, &end, 10);
	if (end == p || strncmp(end, ", ", 2))
		return false;
	kind = end + 2;
	name = strstr(kind, "): ");
	if (!name || r->end < r->start)
		return false;
	copy(r->kind, sizeof(r->kind), kind, (size_t)(name - kind));
	name += 3;
	at = strstr(name, " @");
	copy(r->name, sizeof(r->name), name, at ? (size_t)(at - name) : strlen(name));
	return r->name[0] != '\0';
}

static int cmp_range(const void *a, const void *b)
{
	const struct vp_mem_range *x = a, *y = b;

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static const struct vp_pci_bar *bar_at(const struct vp_memmap *m, enum vp_space s, uint64_t a)
{
	for (size_t i = 0; i < m->nbars; i++)
		if (m->bars[i].space == s && a >= m->bars[i].start && a <= m->bars[i].end)
			return &m->bars[i];
	return NULL;
}

/* Sorts for the binary search, and attributes every range: its region's
 * name first (the device table), then the PCI BAR it lies in, then QEMU's
 * own name for it, and only for a nameless port the legacy table.  Run
 * again whenever either input grows. */
static void finish(struct vp_memmap *m)
{
	if (m->nranges)
		qsort(m->ranges, m->nranges, sizeof(*m->ranges), cmp_range);
	for (size_t i = 0; i < m->nranges; i++) {
		struct vp_mem_range *r = &m->ranges[i];

		r->bar = bar_at(m, r->space, r->start);
		r->dev = vp_device_for_mr(r->name);
		if (r->dev == vp_device_unknown() && r->bar)
			r->dev = r->bar->dev;
		/* RAM never exits: it is memory, not a device */
		if (r->dev == vp_device_unknown() && strcmp(r->kind, "ram"))
			r->dev = vp_device_for_region(r->name);
		if (r->dev == vp_device_unknown() && r->space == VP_SPACE_PIO && r->start <= 0xffff)
			r->dev = vp_device_for_port((uint16_t)r->start);
	}
}

int vp_memmap_parse_mtree(struct vp_memmap *m, const char *text)
{
	/* Which space the current flat view renders: -1 for one we skip (SMM,
	 * the DMA views of bus masters, which alias "memory" anyway). */
	int space = -1, seen = 0;

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char buf[512];
		struct vp_mem_range r = { 0 };

		/* HMP output over QMP ends its lines with "\r\n". */
		copy(buf, sizeof(buf), line, n);
		buf[strcspn(buf, "\r")] = '\0';
		line = nl ? nl + 1 : NULL;
		if (!strncmp(buf, "FlatView ", 9)) {
			space = -1;
		} else if (!strncmp(buf, " AS \"memory\",", 13)) {
			space = VP_SPACE_MMIO;
			seen |= 1;
		} else if (!strncmp(buf, " AS \"I/O\",", 10)) {
			space = VP_SPACE_PIO;
			seen |= 2;
		} else if (space >= 0 && parse_range_line(buf, &r)) {
			r.space = (enum vp_space)space;
			if (add_range(m, &r))
				return -ENOMEM;
		}
	}
	finish(m);
	return seen ? 0 : -EINVAL;
}

static int64_t int_member(json_t *o, const char *key, int64_t dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static int add_bars(struct vp_memmap *m, json_t *devices)
{
	size_t i, j;
	json_t *d, *reg;

	json_array_foreach (devices, i, d) {
		json_t *id = json_object_get(d, "id"), *bridge = json_object_get(d, "pci_bridge");
		const char *qdev = json_string_value(json_object_get(d, "qdev_id"));
		const char *desc = json_string_value(
			json_object_get(json_object_get(d, "class_info"), "desc"));

		json_array_foreach (json_object_get(d, "regions"), j, reg) {
			struct vp_pci_bar b = { 0 };
			int64_t addr = int_member(reg, "address", -1),
				size = int_member(reg, "size", 0);
			const char *type = json_string_value(json_object_get(reg, "type"));

			/* Not yet assigned by the firmware (or a disabled ROM). */
			if (addr == -1 || size <= 0 || !type)
				continue;
			b.start = (uint64_t)addr;
			b.end = b.start + (uint64_t)size - 1;
			b.space = strcmp(type, "io") ? VP_SPACE_MMIO : VP_SPACE_PIO;
			b.bus = (int)int_member(d, "bus", 0);
			b.slot = (int)int_member(d, "slot", 0);
			b.func = (int)int_member(d, "function", 0);
			b.bar = (int)int_member(reg, "bar", -1);
			b.vendor = (uint16_t)int_member(id, "vendor", 0);
			b.device = (uint16_t)int_member(id, "device", 0);
			/* INTx line (-1: none); MSI-only functions still report one. */
			b.irq = (int)int_member(d, "irq", -1);
			copy(b.qdev_id, sizeof(b.qdev_id), qdev ? qdev : "",
			     strlen(qdev ? qdev : ""));
			copy(b.desc, sizeof(b.desc), desc ? desc : "", strlen(desc ? desc : ""));
			b.dev = vp_device_for_pci_id(b.vendor, b.device);
			if (vp_grow((void **)&m->bars, m->nbars, &m->barcap, sizeof(*m->bars), 16))
				return -ENOMEM;
			m->bars[m->nbars++] = b;
		}
		/* Devices behind a PCI bridge are listed inside it. */
		if (bridge && add_bars(m, json_object_get(bridge, "devices")))
			return -ENOMEM;
	}
	return 0;
}

int vp_memmap_parse_pci(struct vp_memmap *m, json_t *query_pci)
{
	size_t i;
	json_t *bus;

	if (!json_is_array(query_pci))
		return -EINVAL;
	json_array_foreach (query_pci, i, bus) {
		int ret = add_bars(m, json_object_get(bus, "devices"));

		if (ret)
			return ret;
	}
	/* Ranges now point into bars[]; later growth would move it, so
	 * finish() recomputes them. */
	finish(m);
	return 0;
}

int vp_memmap_query(struct vp_qmp *q, char **mtree, json_t **pci, char *err, size_t errlen)
{
	json_t *args = json_pack("{s:s}", "command-line", "info mtree -f"), *r = NULL;
	int ret;

	*mtree = NULL;
	*pci = NULL;
	if (!args)
		return -ENOMEM;
	ret = vp_qmp_execute(q, "human-monitor-command", args, &r, err, errlen);
	json_decref(args);
	if (ret)
		return ret;
	if (!json_is_string(r) || !(*mtree = strdup(json_string_value(r)))) {
		json_decref(r);
		snprintf(err, errlen, "QMP: `info mtree -f` gave no text");
		return -EINVAL;
	}
	json_decref(r);
	ret = vp_qmp_execute(q, "query-pci", NULL, pci, err, errlen);
	if (ret) {
		free(*mtree);
		*mtree = NULL;
	}
	return ret;
}

int vp_memmap_from_answers(struct vp_memmap *m, const char *mtree, json_t *pci, char *err,
			   size_t errlen)
{
	int ret = vp_memmap_parse_mtree(m, mtree);

	if (ret) {
		snprintf(err, errlen, "QMP: `info mtree -f` shows neither \"memory\" nor \"I/O\"");
		return ret;
	}
	ret = vp_memmap_parse_pci(m, pci);
	if (ret)
		snprintf(err, errlen, "QMP: unexpected query-pci reply");
	return ret;
}

int vp_memmap_from_qmp(struct vp_memmap *m, struct vp_qmp *q, char *err, size_t errlen)
{
	json_t *pci;
	char *mtree;
	int ret = vp_memmap_query(q, &mtree, &pci, err, errlen);

	if (ret)
		return ret;
	ret = vp_memmap_from_answers(m, mtree, pci, err, errlen);
	free(mtree);
	json_decref(pci);
	return ret;
}
