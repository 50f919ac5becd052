// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every document the writer can produce is one the reader accepts: profile
 * and comparison documents are built by the writer's own code from model
 * results, one for each combination of the things that make fields null,
 * absent or unusual (exits of a vCPU not told, no timed sample, no timeline,
 * no probes, no memory map, unknown QEMU, workloads that did not run or did
 * no operation, ...), saved the way the commands save them and read back
 * the way the reports read them.
 */
#include <setjmp.h> /* cmocka.h needs these first */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attribution.h"
#include "guest_runner.h"
#include "qemu_memmap.h"
#include "compare_doc.h"
#include "doc_access.h"
#include "doc_reader.h"
#include "qemu_events.h"
#include "qemu_usdt.h"
#include "report_html.h"
#include "doc_writer.h"
#include "report_tables.h"
#include "text_report.h"
#include "timeline.h"
#include "vp_test_util.h"

static char dir[] = "/tmp/vp-test-doc-writer-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

enum {
	P_UNTOLD_VCPU = 1 << 0, /* exits of a thread seen before its KVM_RUN */
	P_VCPUS = 1 << 1,	/* exits of vCPUs 0 and 3 */
	P_TIMED = 1 << 2,	/* timed samples: latency objects, else null */
	P_TIMELINE = 1 << 3,
	P_USDT = 1 << 4, /* QEMU's probes: joins, interrupts, events, its exits */
	P_MEMMAP = 1 << 5,
	P_UNKNOWN_QEMU = 1 << 6, /* no binary, version, accelerator, duration */
	P_OTHER = 1 << 7,	 /* CPUID, MSR, hypercall, IRQ, MSI, fast MMIO */
	P_ODD_TEXT = 1 << 8,	 /* names that are not UTF-8 */
	P_EXITED = 1 << 9,
	P_FOLDED = 1 << 10, /* a full kernel table: every kind's folded row */
	P_ALL = (1 << 11) - 1,
};

static void row(struct vp_result *r, struct vp_key k, uint64_t count, bool timed, bool user)
{
	struct vp_stat st = { 0 };

	if (timed)
		vp_test_samples(&st, 1500, (uint32_t)count, user);
	else
		st.count = count;
	assert_int_equal(vp_result_add(r, &k, &st), 0);
}

static void model_result(struct vp_result *r, unsigned v)
{
	bool timed = v & P_TIMED;
	uint16_t vcpus[3];
	size_t nv = 0;

	if (v & P_UNTOLD_VCPU)
		vcpus[nv++] = VP_VCPU_UNKNOWN;
	if (v & P_VCPUS) {
		vcpus[nv++] = 0;
		vcpus[nv++] = 3;
	}
	for (size_t i = 0; i < nv; i++) {
		row(r, (struct vp_key){ .kind = VP_K_USER, .vcpu = vcpus[i], .code = 2 }, 40, timed,
		    true);
		row(r,
		    (struct vp_key){ .kind = VP_K_EXIT,
				     .vcpu = vcpus[i],
				     .isa = VP_ISA_SVM_CODE,
				     .code = 0x7b },
		    40, timed, false);
		row(r,
		    (struct vp_key){ .kind = VP_K_EXIT,
				     .vcpu = vcpus[i],
				     .isa = VP_ISA_VMX_CODE,
				     .code = 0x42 },
		    3, timed, false);
		row(r, (struct vp_key){ .kind = VP_K_RUN, .vcpu = vcpus[i] }, 41, timed, false);
	}
	if (nv) {
		row(r,
		    (struct vp_key){ .kind = VP_K_PIO,
				     .dir = VP_DIR_WRITE,
				     .size = 1,
				     .vcpu = VP_VCPU_ANY,
				     .addr = 0x3d4 },
		    40, timed, true);
		row(r,
		    (struct vp_key){ .kind = VP_K_MMIO,
				     .dir = VP_DIR_WRITE,
				     .size = 2,
				     .vcpu = VP_VCPU_ANY,
				     .addr = 0xb8000 },
		    400, false, false);
		row(r,
		    (struct vp_key){ .kind = VP_K_MMIO,
				     .dir = VP_DIR_READ,
				     .size = 4,
				     .vcpu = VP_VCPU_ANY,
				     .addr = 0xfebf0000 },
		    7, timed, true);
	}
	if (v & P_OTHER) {
		row(r,
		    (struct vp_key){
			    .kind = VP_K_FAST_MMIO, .vcpu = VP_VCPU_ANY, .addr = 0xfebff000 },
		    9, false, false);
		row(r, (struct vp_key){ .kind = VP_K_CPUID, .vcpu = VP_VCPU_ANY, .code = 1 }, 5,
		    false, false);
		row(r,
		    (struct vp_key){ .kind = VP_K_MSR,
				     .dir = VP_DIR_WRITE,
				     .vcpu = VP_VCPU_ANY,
				     .code = 0x838 },
		    5, false, false);
		row(r, (struct vp_key){ .kind = VP_K_HYPERCALL, .vcpu = VP_VCPU_ANY, .code = 9 }, 1,
		    false, false);
		row(r, (struct vp_key){ .kind = VP_K_IRQ, .vcpu = VP_VCPU_ANY, .code = 14 }, 2,
		    false, false);
		row(r, (struct vp_key){ .kind = VP_K_IRQ, .vcpu = VP_VCPU_ANY, .code = 23 }, 2,
		    false, false);
		row(r,
		    (struct vp_key){ .kind = VP_K_MSI,
				     .vcpu = VP_VCPU_ANY,
				     .addr = 0xfee00000,
				     .code = 0x41 },
		    2, false, false);
	}
	if (v & P_FOLDED) {
		/* as the map reader makes them, timed where the kind has a time */
		for (unsigned kind = 1; kind < VP_K_NKINDS; kind++)
			row(r, vp_key_folded((enum vp_key_kind)kind), 6, timed,
			    kind == VP_K_USER || kind == VP_K_PIO || kind == VP_K_MMIO);
		r->counters[VP_C_STATS_FULL] = 6 * (VP_K_NKINDS - 1);
	}
	r->counters[VP_C_EV_USER_EXIT] = nv * 40;
	r->counters[VP_C_EV_EXIT] = (v & P_TIMED) ? nv * 43 : 0;
	r->meta.pid = 4242;
	snprintf(r->meta.vmm_comm, sizeof(r->meta.vmm_comm), "%s",
		 (v & P_ODD_TEXT) ? "qemu-\xff\xfe" : "qemu-system-x86");
	r->meta.target_exited = v & P_EXITED;
	r->meta.nr_vcpus = (int)nv;
	r->meta.duration_s = (v & P_UNKNOWN_QEMU) ? 0.0 : 2.5;
}

static const char mtree[] = "FlatView #0\n"
			    " AS \"memory\", root: system\n"
			    " Root memory region: system\n"
			    "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
			    "  00000000febf0000-00000000febf0fff (prio 1, i/o): cirrus-mmio\n"
			    "\n"
			    "FlatView #1\n"
			    " AS \"I/O\", root: io\n"
			    " Root memory region: io\n"
			    "  00000000000003d4-00000000000003d5 (prio 0, i/o): vga\n";

static size_t rows_of(const struct vp_result *r, int kind)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nrows; i++)
		n += r->rows[i].key.kind == kind;
	return n;
}

static json_t *profile_doc(unsigned v)
{
	struct vp_usdt_join joins[] = {
		{ .kind = VP_UA_IOEVENTFD_MMIO,
		  .addr = 0xfebff000,
		  .region = "virtio-pci-common-virtio-blk" },
		{ .kind = VP_UA_MMIO, .addr = 0xfebf0000, .region = "\xc3\x28odd" },
	};
	struct vp_usdt_irq irqs[] = {
		{ .kind = VP_UI_VIRTIO,
		  .obj = 1,
		  .device_id = "virtio-blk",
		  .raised = 3,
		  .guest_raised = 3 },
		{ .kind = VP_UI_IOAPIC, .line = 4, .raised = 2, .guest_raised = 1 },
	};
	struct vp_usdt_event events[] = {
		{ .e = vp_qemu_event_find("kvm_run_exit"), .obj = 2, .total = 40, .guest = 30 },
		{ .e = vp_qemu_event_find("virtio_queue_notify"),
		  .obj = 1,
		  .device_id = "virtio-blk",
		  .total = 9,
		  .guest = 9 },
	};
	struct vp_usdt_region regions[] = { { .name = "vga", .reads = 1, .writes = 40 } };
	struct vp_usdt_counts c = { .r = regions,
				    .n = 1,
				    .joins = joins,
				    .njoins = 2,
				    .irqs = irqs,
				    .nirqs = 2,
				    .events = events,
				    .nevents = 2 };
	struct vp_memmap m = { 0 };
	struct vp_attribution a = { .usdt = (v & P_USDT) ? &c : NULL,
				    .memmap = (v & P_MEMMAP) ? &m : NULL };
	struct vp_timeline tl = { .interval_s = 1.0 };
	struct vp_doc_meta meta = {
		.command = "profile",
		.accelerator = (v & P_UNKNOWN_QEMU) ? NULL : "kvm",
		.qemu_binary = (v & P_UNKNOWN_QEMU) ? NULL : "/usr/bin/qemu-system-x86_64",
		.qemu_version = (v & P_UNKNOWN_QEMU) ? "" : "QEMU emulator version 7.2.0",
		.qemu_usdt = v & P_USDT,
		.vm_exits_measured = true,
		.attribution_source = vp_attr_source_name(vp_attr_best(&a)),
		.attribution_detail = (v & P_ODD_TEXT) ? "socket \xff" : "detail",
		.duration_s = (v & P_UNKNOWN_QEMU) ? -1 : 2.5,
		.stats_full = 1,
		.notes = { "a note", (v & P_ODD_TEXT) ? "\x80\x81" : "another" },
		.nnotes = 2,
	};
	struct vp_device_total *dev;
	struct vp_result r;
	size_t ndev;
	json_t *doc;

	assert_non_null(events[0].e);
	assert_non_null(events[1].e);
	assert_int_equal(vp_memmap_parse_mtree(&m, mtree), 0);
	vp_result_init(&r);
	model_result(&r, v);
	if (v & P_TIMELINE) {
		assert_int_equal(vp_timeline_add(&tl, &r, 1.0), 0);
		assert_int_equal(vp_timeline_add(&tl, &r, 2.0), 0);
	}
	ndev = vp_device_totals(&r, &a, &dev);
	doc = vp_doc_new(&meta);
	assert_non_null(doc);
	struct vp_profile_input in = {
		.r = &r, .dev = dev, .ndev = ndev, .a = &a, .tl = (v & P_TIMELINE) ? &tl : NULL
	};

	json_object_set_new(doc, "profile", vp_profile_json(&in));
	/* nothing the writer was given may be left out on the way */
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(doc, "profile"), "devices")), ndev);
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(doc, "profile"), "accesses")),
		rows_of(&r, VP_K_PIO) + rows_of(&r, VP_K_MMIO) + rows_of(&r, VP_K_FAST_MMIO));
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(doc, "profile"), "exit_reasons")),
		rows_of(&r, VP_K_USER) + rows_of(&r, VP_K_EXIT));
	free(dev);
	vp_timeline_free(&tl);
	vp_result_free(&r);
	vp_memmap_free(&m);
	return doc;
}

static void test_every_profile_document_reads_back(void **state)
{
	(void)state;
	for (unsigned v = 0; v <= P_ALL; v++)
		vp_save_and_read_back(dir, profile_doc(v), "profile", v);
}

/* What a live profile of a QEMU already running wrote, and its reader
 * refused: an exit whose vCPU was not known yet, beside vCPU 0's. */
static void test_exit_of_an_untold_vcpu(void **state)
{
	json_t *doc = profile_doc(P_UNTOLD_VCPU | P_VCPUS | P_TIMED), *vcpus;
	char err[256];
	size_t i;
	json_t *e;
	bool untold = false;

	(void)state;
	assert_int_equal(vp_doc_validate(doc, err, sizeof(err)), 0);
	vcpus = json_object_get(json_object_get(doc, "profile"), "vcpus");
	json_array_foreach (vcpus, i, e)
		untold |= json_is_null(json_object_get(e, "vcpu"));
	assert_true(untold);
	json_decref(doc);
}

enum {
	C_NOT_RAN = 1 << 0,   /* the workload failed before it was profiled */
	C_NO_OPS = 1 << 1,    /* it ran and did nothing: every per-op value null */
	C_TCG = 1 << 2,	      /* no host time, derived in-kernel counts */
	C_NO_TIMING = 1 << 3, /* no unprofiled run */
	C_UNGROUPED = 1 << 4, /* group and path null, no speedup */
	C_EVENTS = 1 << 5,    /* QEMU's events of the device */
	C_NO_ACCEL = 1 << 6,
	C_ALL = (1 << 7) - 1,
};

static json_t *compare_doc(unsigned v)
{
	static struct vp_workload w[2] = {
		{ .name = "ide-pio", .defaults = "ops=64", .group = "block", .path = "emulated" },
		{ .name = "virtio-blk", .defaults = NULL, .group = "block", .path = "paravirtual" },
	};
	struct vp_compare *cmp = calloc(1, sizeof(*cmp));
	json_t *doc;

	assert_non_null(cmp);
	for (size_t i = 0; i < 2; i++) {
		w[i].group = (v & C_UNGROUPED) ? NULL : "block";
		w[i].path = (v & C_UNGROUPED) ? NULL : i ? "paravirtual" : "emulated";
	}
	snprintf(cmp->accel, sizeof(cmp->accel), "%s",
		 (v & C_NO_ACCEL) ? ""
		 : (v & C_TCG)	  ? "tcg"
				  : "kvm");
	cmp->n = 2;
	for (size_t i = 0; i < 2; i++) {
		struct vp_compare_row *r = &cmp->rows[i];
		bool ran = !(i == 1 && (v & C_NOT_RAN));

		r->w = &w[i];
		r->name = w[i].name;
		r->group = w[i].group;
		r->path = w[i].path;
		r->params = w[i].defaults;
		r->dev = vp_device_for_workload(w[i].name);
		r->ran = ran;
		snprintf(r->status, sizeof(r->status), "%s", ran ? "ok" : "error");
		if (!ran)
			snprintf(r->error, sizeof(r->error),
				 "cannot find the vCPUs of QEMU 7: \xff");
		r->ops = (v & C_NO_OPS) || !ran ? 0 : 64;
		r->bytes = r->ops * 512;
		r->cycles = r->ops * 1000;
		r->tsc_khz = 2000000;
		r->qemu_reads = r->guest_reads = r->ops * 3;
		r->to_user = r->ops * 3;
		r->ioeventfd = i ? r->ops : 0;
		r->in_kernel_measured = !(v & C_TCG);
		r->kernel_ns_per_op = (v & C_TCG) || !r->ops ? -1 : 1200.5;
		r->qemu_ns_per_op = (v & C_TCG) || !r->ops ? -1 : 2400.25;
		r->us_per_op = (v & C_NO_TIMING) || !r->ops ? -1 : 10.0 + (double)i;
		r->us_per_op_profiled = r->ops ? 12.0 : -1;
		r->nruns = (v & C_NO_TIMING) ? 0 : 3;
		for (size_t k = 0; k < r->nruns; k++)
			r->runs[k] = r->ops ? 10.0 + (double)k : 0.0;
		if (v & C_EVENTS) {
			r->events[0] = (struct vp_dev_event){ .name = "ide_exec_cmd",
							      .total = 70,
							      .guest = r->ops };
			r->nevents = 1;
		}
	}
	vp_compare_speedups(cmp);
	doc = vp_compare_doc(cmp, "/nonexistent/qemu-system-x86_64");
	free(cmp);
	return doc;
}

static void test_every_compare_document_reads_back(void **state)
{
	(void)state;
	for (unsigned v = 0; v <= C_ALL; v++)
		vp_save_and_read_back(dir, compare_doc(v), "compare", v);
}

/* A document the reader would refuse is never written. */
static void test_unreadable_document_is_not_written(void **state)
{
	json_t *doc = profile_doc(P_VCPUS);
	char path[PATH_MAX], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	json_object_set_new(json_object_get(doc, "meta"), "accelerator", json_string("kvm-ish"));
	assert_int_equal(vp_doc_save(doc, path, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "meta.accelerator"));
	assert_int_equal(access(path, F_OK), -1);
	/* and a per-op value that is no number is null, not a missing object */
	doc = vp_json_num_or_null(NAN);
	assert_true(json_is_null(doc));
	json_decref(doc);
	doc = vp_json_num_or_null(INFINITY);
	assert_true(json_is_null(doc));
	json_decref(doc);
}

static const json_t *find_folded(const json_t *arr)
{
	size_t i;
	json_t *e;

	json_array_foreach (arr, i, e)
		if (json_is_true(json_object_get(e, "folded")))
			return e;
	return NULL;
}

/* A full kernel table's rows are named as such and keep their counts. */
static void test_folded_rows_are_named(void **state)
{
	json_t *doc = profile_doc(P_VCPUS | P_FOLDED | P_OTHER | P_MEMMAP), *p;
	const json_t *e;
	char err[256];

	(void)state;
	assert_int_equal(vp_doc_validate(doc, err, sizeof(err)), 0);
	p = json_object_get(doc, "profile");
	e = find_folded(json_object_get(p, "accesses"));
	assert_non_null(e);
	assert_true(json_is_null(json_object_get(e, "address")));
	assert_string_equal(json_string_value(json_object_get(e, "device")), "unknown");
	assert_int_equal(json_integer_value(json_object_get(e, "count")), 6);
	e = find_folded(json_object_get(p, "exit_reasons"));
	assert_non_null(e);
	assert_true(json_is_null(json_object_get(e, "code")));
	assert_true(json_is_null(json_object_get(e, "vcpu")));
	assert_non_null(strstr(json_string_value(json_object_get(e, "reason")), "not kept apart"));
	e = find_folded(json_object_get(p, "other"));
	assert_non_null(e);
	assert_true(json_is_null(json_object_get(e, "code")));
	assert_non_null(strstr(json_string_value(json_object_get(e, "name")), "not kept apart"));

	/* and both renderers name it where its address would be */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct vp_text_style st = { .color = false };

	assert_non_null(out);
	vp_text_render(out, doc, &st);
	fclose(out);
	assert_non_null(strstr(buf, "other, not kept apart"));
	assert_non_null(strstr(buf, "other reasons, not kept apart"));
	free(buf);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(vp_html_render(doc, out), 0);
	fclose(out);
	assert_non_null(strstr(buf, "<td>other, not kept apart</td>"));
	free(buf);
	json_decref(doc);
}

/* Whether some row of table t in section sec of any of the docs has path:
 * a path the writer never writes would show "–" in every report forever. */
static bool written(json_t *const *docs, size_t n, const char *sec, const struct vp_table_def *t,
		    const char *path)
{
	for (size_t d = 0; d < n; d++) {
		const json_t *rows = vp_doc_get(sec ? vp_doc_get(docs[d], sec) : docs[d], t->rows);

		for (size_t i = 0; i < json_array_size(rows); i++)
			if (vp_doc_get(json_array_get(rows, i), path))
				return true;
	}
	return false;
}

static void expect_written(json_t *const *docs, size_t n, const char *sec,
			   const struct vp_table_def *t)
{
	char key[96];

	assert_true(written(docs, n, sec, t, "") || !n);
	for (size_t k = 0; t->sort_time && t->sort_time[k]; k++)
		if (!written(docs, n, sec, t, t->sort_time[k]))
			fail_msg("%s: sorted by %s, which no row has", t->rows, t->sort_time[k]);
	for (size_t k = 0; t->sort_count && t->sort_count[k]; k++)
		if (!written(docs, n, sec, t, t->sort_count[k]))
			fail_msg("%s: sorted by %s, which no row has", t->rows, t->sort_count[k]);
	for (size_t i = 0; i < t->ncols; i++) {
		const struct vp_col *c = &t->cols[i];

		if (c->path && !written(docs, n, sec, t, c->path))
			fail_msg("%s: column %s shows %s, which no row has", t->rows,
				 c->html ? c->html : c->term, c->path);
		if (c->path2 && c->kind == VP_COL_SPREAD)
			snprintf(key, sizeof(key), "%s.min", c->path2);
		else
			snprintf(key, sizeof(key), "%s", c->path2 ? c->path2 : "");
		if (c->path2 && !written(docs, n, sec, t, key))
			fail_msg("%s: column %s also shows %s, which no row has", t->rows,
				 c->html ? c->html : c->term, key);
		if (c->note && !written(docs, n, sec, t, c->note->path))
			fail_msg("%s: column %s is marked by %s, which no row has", t->rows,
				 c->html ? c->html : c->term, c->note->path);
	}
}

/* Every field a report's table shows is one the writer writes. */
static void test_report_tables_show_written_fields(void **state)
{
	json_t *prof[] = { profile_doc(P_ALL & ~P_FOLDED), profile_doc(P_ALL) };
	json_t *cmp[] = { compare_doc(0), compare_doc(C_TCG | C_EVENTS) };
	const struct vp_table_def *const profile_tables[] = {
		&vp_table_vcpus,    &vp_table_exit_reasons, &vp_table_devices,
		&vp_table_accesses, &vp_table_other,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(profile_tables) / sizeof(profile_tables[0]); i++)
		expect_written(prof, 2, "profile", profile_tables[i]);
	expect_written(cmp, 2, NULL, &vp_table_workloads);
	expect_written(cmp, 2, NULL, &vp_table_speedups);
	for (size_t i = 0; i < 2; i++) {
		json_decref(prof[i]);
		json_decref(cmp[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_profile_document_reads_back),
		cmocka_unit_test(test_exit_of_an_untold_vcpu),
		cmocka_unit_test(test_folded_rows_are_named),
		cmocka_unit_test(test_every_compare_document_reads_back),
		cmocka_unit_test(test_unreadable_document_is_not_written),
		cmocka_unit_test(test_report_tables_show_written_fields),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
