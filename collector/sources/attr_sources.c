// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "attr_sources.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "qmp.h"

#define SOURCES_QMP_TIMEOUT_S 3.0

static int read_memmap(struct vp_attr_sources *s, char *err, size_t errlen)
{
	struct vp_memmap m = { 0 };
	struct vp_qmp q;
	int ret = vp_qmp_open(&q, s->qmp_path, s->pid, SOURCES_QMP_TIMEOUT_S, err, errlen);

	if (ret)
		return ret;
	ret = vp_memmap_from_qmp(&m, &q, err, errlen);
	vp_qmp_close(&q);
	if (ret) {
		vp_memmap_free(&m);
		return ret;
	}
	if (s->have_memmap)
		vp_memmap_free(&s->memmap);
	s->memmap = m;
	s->have_memmap = true;
	return 0;
}

int vp_sources_open(struct vp_attr_sources *s, int pid, const char *qmp_path,
		    const struct vp_target *t, bool verbose, char *err, size_t errlen)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	if (qmp_path) {
		snprintf(s->qmp_path, sizeof(s->qmp_path), "%s", qmp_path);
	} else if (vp_qmp_socket_for_pid("/proc", pid, s->qmp_path, sizeof(s->qmp_path))) {
		s->qmp_path[0] = '\0';
		snprintf(s->qmp_why, sizeof(s->qmp_why),
			 "no QMP socket on the QEMU command line (give one with --qmp PATH)");
	}
	if (s->qmp_path[0] && (ret = read_memmap(s, s->qmp_why, sizeof(s->qmp_why)))) {
		if (qmp_path) {
			snprintf(err, errlen, "--qmp %s: %s", qmp_path, s->qmp_why);
			return ret;
		}
	}
	ret = vp_usdt_open(&s->usdt, pid, verbose, s->usdt_why, sizeof(s->usdt_why));
	s->have_usdt = ret == 0;
	if (t)
		vp_sources_update_vcpus(s, t);
	return 0;
}

void vp_sources_update_vcpus(struct vp_attr_sources *s, const struct vp_target *t)
{
	if (s->have_usdt)
		vp_usdt_set_vcpu_runs(&s->usdt, t);
}

void vp_sources_collect(struct vp_attr_sources *s, bool memmap)
{
	char why[512];

	if (s->have_usdt) {
		if (s->have_counts)
			vp_usdt_counts_free(&s->counts);
		s->have_counts = vp_usdt_read(&s->usdt, &s->counts) == 0;
	}
	/* A VM that exited has no QMP any more: the map read at the start stands. */
	if (memmap && s->qmp_path[0] && read_memmap(s, why, sizeof(why)) && !s->have_memmap)
		snprintf(s->qmp_why, sizeof(s->qmp_why), "%s", why);
}

struct vp_attribution vp_sources_attribution(const struct vp_attr_sources *s)
{
	return (struct vp_attribution){
		.usdt = s->have_counts ? &s->counts : NULL,
		.memmap = s->have_memmap ? &s->memmap : NULL,
	};
}

void vp_sources_describe(const struct vp_attr_sources *s, char *out, size_t len)
{
	snprintf(out, len, "USDT: %s; QMP: %s%s; legacy ports: built-in table",
		 s->have_usdt ? "memory_region_ops_read/write and QEMU's interrupt events"
			      : s->usdt_why,
		 s->have_memmap ? "memory map from " : s->qmp_why,
		 s->have_memmap ? s->qmp_path : "");
}

void vp_sources_close(struct vp_attr_sources *s)
{
	if (s->have_usdt)
		vp_usdt_close(&s->usdt);
	if (s->have_counts)
		vp_usdt_counts_free(&s->counts);
	if (s->have_memmap)
		vp_memmap_free(&s->memmap);
	s->have_usdt = s->have_counts = s->have_memmap = false;
}
