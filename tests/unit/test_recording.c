// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A recording written by the recorder's writer and read back as
 * `report FILE` reads it: the profile of its events, its slowest exit,
 * the ring buffer's drops, a file cut anywhere read up to the cut, and a
 * damaged file or another version refused with one line.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc_access.h"
#include "report_html.h"
#include "text_report.h"
#include "recording.h"
#include "qemu_usdt.h"
#include "recording_doc.h"

#define PID	    4321
#define TID	    4322
#define START_NS    1000000000ULL
#define IO_REASON   123 /* SVM's IOIO */
#define IDE_COMMAND 0x1f7
#define CYCLES	    2000
#define SLOW_AT	    777 /* the cycle whose QEMU time is long */
#define SLOW_NS	    5000000ULL

static json_t *header(void)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:i}, s:{s:i, s:s, s:s, s:s, s:s, s:i}, s:{s:s}, "
			 "s:{s:s, s:I}, s:f, s:{s:s, s:s, s:b, s:i, s:i, s:[[i,i]], s:s, s:s}}",
			 "format", "vmexit-prof recording", "host", "kernel", "6.1.0-lab",
			 "cpu_vendor", "AuthenticAMD", "cpu_model", "lab CPU", "cpus", 1, "target",
			 "pid", PID, "comm", "qemu-system-x86", "exe",
			 "/usr/bin/qemu-system-x86_64", "name", "vm1", "uuid", "", "vcpus", 1,
			 "qemu", "version", "QEMU 7.2", "clock", "id", "CLOCK_MONOTONIC",
			 "start_ns", (json_int_t)START_NS, "interval_s", 0.5, "programs",
			 "kvm_run_hook", "none", "kvm_tracepoints", "btf", "count_at_entry", 1,
			 "vcpu_filter", -1, "stats_entries", 8192, "marker_ports", 0x510, 0x51b,
			 "missing", "", "fentry_why", "");
}

static void ev(struct vp_rec_writer *w, uint8_t type, uint8_t flags, uint64_t ts, uint64_t a0,
	       uint64_t a1, uint64_t a2)
{
	struct vp_rec_ev e = {
		.type = type, .flags = flags, .tid = TID, .ts = ts, .a = { a0, a1, a2 }
	};

	assert_int_equal(vp_rec_writer_event(w, &e, sizeof(e)), 0);
}

/* CYCLES exits for an OUT to IDE's command port as a kernel without a
 * KVM_RUN hook records them, each 0.5 us in the kernel and 3.5 us in
 * QEMU, but for one that spends SLOW_NS more in QEMU. */
#define E1000_IO 0xc000 /* a port only QEMU's probes can name */
#define E1000_MR 0x55aa00001000ULL

/* As QEMU's probes record the guest's write to port: the region's name
 * once, then each access dispatched there, joined to the exit's port. */
static void probe_access(struct vp_rec_writer *w, uint64_t ts, uint16_t port, bool first)
{
	struct vp_rec_name n = { .ev = { .type = VP_REC_QEMU,
					 .flags = VP_REC_F_NAME,
					 .tid = TID,
					 .ts = ts,
					 .a = { E1000_MR } } };

	if (first) {
		snprintf(n.name, sizeof(n.name), "e1000-io");
		assert_int_equal(vp_rec_writer_event(w, &n, sizeof(n)), 0);
	}
	ev(w, VP_REC_QEMU, 0, ts, VP_UO_A0(VP_UO_WRITE, VP_UA_PIO, 0), E1000_MR, port);
}

static char *write_recording_to(uint64_t dropped, uint16_t port, bool probes)
{
	static char path[64];
	char err[256];
	struct vp_rec_writer *w;
	struct vp_rec_thread th = {
		.ev = { .type = VP_REC_THREAD, .tid = TID, .ts = START_NS, .a = { PID } }
	};
	uint64_t lost[VP_REC_NTYPES] = { 0 }, ts = START_NS + 1000;
	json_t *h = header(), *end;
	char *text;
	int fd;

	if (probes)
		json_object_set_new(
			h, "qemu_probes",
			json_pack("{s:b, s:s, s:s}", "attached", 1, "missing", "", "why", ""));

	snprintf(path, sizeof(path), "/tmp/vp-test-recording-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	w = vp_rec_writer_open(path, h, err, sizeof(err));
	json_decref(h);
	assert_non_null(w);
	memcpy(th.comm, "CPU 0/KVM", 10);
	assert_int_equal(vp_rec_writer_event(w, &th, sizeof(th)), 0);
	for (int i = 0; i < CYCLES; i++) {
		uint64_t qemu = i == SLOW_AT ? SLOW_NS : 3000;

		ev(w, VP_REC_EXIT, VP_REC_F_VCPU, ts, IO_REASON, VP_ISA_SVM_CODE, 0);
		ev(w, VP_REC_PIO, 0, ts + 200, VP_KVM_PIO_OUT, port, 1);
		ev(w, VP_REC_USER_EXIT, 0, ts + 500, 2 /* KVM_EXIT_IO */, 0, 0);
		if (probes)
			probe_access(w, ts + 700, port, i == 0);
		ev(w, VP_REC_ENTRY, VP_REC_F_VCPU, ts + 1000 + qemu, 0, 0, 0);
		ts += 10000 + qemu;
		if (i % 500 == 0)
			assert_int_equal(vp_rec_writer_flush(w), 0);
	}
	lost[VP_REC_MMIO] = dropped;
	assert_int_equal(vp_rec_writer_lost(w, lost), 0);
	end = json_pack("{s:f, s:s}", "duration_s", (double)(ts - START_NS) / 1e9, "ended",
			"target exited");
	text = json_dumps(end, JSON_COMPACT);
	assert_int_equal(vp_rec_writer_meta(w, VP_RECM_END, text, strlen(text)), 0);
	free(text);
	json_decref(end);
	assert_int_equal(vp_rec_writer_close(w, NULL), 0);
	return path;
}

static char *write_recording(uint64_t dropped)
{
	return write_recording_to(dropped, IDE_COMMAND, false);
}

static const json_t *access_row(const json_t *doc, uint64_t port)
{
	const json_t *acc = vp_doc_get(doc, "profile.accesses");

	for (size_t i = 0; i < json_array_size(acc); i++) {
		const json_t *r = json_array_get(acc, i);

		if (vp_doc_num_or(r, "address", -1) == (double)port)
			return r;
	}
	return NULL;
}

static void read_back_profile(void **state)
{
	char *path = write_recording(0), err[256];
	json_t *doc;
	const json_t *row, *slow;

	(void)state;
	doc = vp_recording_doc(path, err, sizeof(err));
	assert_non_null(doc);
	assert_string_equal(vp_doc_str(doc, "meta.source"), "recording");
	assert_string_equal(vp_doc_str(doc, "meta.host.kernel"), "6.1.0-lab");
	assert_string_equal(vp_doc_str(doc, "profile.target.name"), "vm1");
	assert_true(json_is_true(vp_doc_get(doc, "profile.target.exited")));
	row = access_row(doc, IDE_COMMAND);
	assert_non_null(row);
	assert_string_equal(vp_doc_str(row, "device"), "ide");
	assert_int_equal(vp_doc_num_or(row, "count", 0), CYCLES);
	assert_int_equal(vp_doc_num_or(row, "to_user", 0), CYCLES);
	/* each QEMU time runs from the exit to user space to kvm_entry */
	assert_int_equal(vp_doc_num_or(row, "user_ns", 0), (CYCLES - 1) * 3500.0 + SLOW_NS + 500);
	assert_int_equal(vp_doc_num_or(doc, "meta.lost.record_dropped", -1), 0);
	slow = json_array_get(vp_doc_get(doc, "profile.slowest_exits"), 0);
	assert_non_null(slow);
	assert_int_equal(vp_doc_num_or(slow, "total_ns", 0), SLOW_NS + 1000);
	assert_int_equal(vp_doc_num_or(slow, "kernel_ns", 0), 500);
	assert_string_equal(vp_doc_str(slow, "reason"), "io");
	assert_string_equal(vp_doc_str(slow, "access.device"), "ide");
	assert_int_equal(json_array_size(vp_doc_get(doc, "profile.slowest_exits")), 25);
	assert_true(json_is_true(vp_doc_get(slow, "to_user")));
	json_decref(doc);
	unlink(path);
}

/* A recording of QEMU's probe events names what only they can name, as
 * the live profile would: the device behind a port of no legacy table. */
static void probes_name_devices(void **state)
{
	char *path = write_recording_to(0, E1000_IO, true), err[256];
	const json_t *row;
	json_t *doc;

	(void)state;
	doc = vp_recording_doc(path, err, sizeof(err));
	assert_non_null(doc);
	assert_string_equal(vp_doc_str(doc, "meta.attribution.source"), "qemu-usdt");
	row = access_row(doc, E1000_IO);
	assert_non_null(row);
	assert_string_equal(vp_doc_str(row, "device"), "e1000");
	assert_int_equal(vp_doc_num_or(row, "count", 0), CYCLES);
	json_decref(doc);
	unlink(path);
	/* Without the probes' events the same port has no device. */
	path = write_recording_to(0, E1000_IO, false);
	doc = vp_recording_doc(path, err, sizeof(err));
	assert_non_null(doc);
	row = access_row(doc, E1000_IO);
	assert_non_null(row);
	assert_string_not_equal(vp_doc_str(row, "device"), "e1000");
	json_decref(doc);
	unlink(path);
}

static char *render(const json_t *doc, bool html)
{
	static const struct vp_text_style st = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	if (html)
		assert_int_equal(vp_html_render(doc, f), 0);
	else
		vp_text_render(f, doc, &st);
	fclose(f);
	return buf;
}

static size_t occurrences(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* The reports show the slowest exits: the terminal as a table, the page
 * as a stem per exit on the time axis and a table, the slowest first. */
static void slowest_in_reports(void **state)
{
	char *path = write_recording(0), err[256], *text, *html, want[64];
	json_t *doc = vp_recording_doc(path, err, sizeof(err));

	(void)state;
	assert_non_null(doc);
	text = render(doc, false);
	assert_non_null(strstr(text, "Slowest exits"));
	assert_non_null(strstr(text, "pio write 0x1f7/1 (ide)"));
	/* the slowest, 5.001 ms, heads the table */
	assert_true(strstr(text, "5.00 ms") < strstr(text, "4.00 \u00b5s") ||
		    !strstr(text, "4.00 \u00b5s"));
	html = render(doc, true);
	assert_non_null(strstr(html, "<section id=\"slowest\">"));
	assert_int_equal(occurrences(html, "<g class=\"exit\""), 25);
	snprintf(want, sizeof(want), "data-total-ns=\"%llu\"", (unsigned long long)SLOW_NS + 1000);
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, "href=\"#slowest\""));
	free(text);
	free(html);
	json_decref(doc);
	unlink(path);
}

static void drops_are_shown(void **state)
{
	char *path = write_recording(42), err[256];
	json_t *doc;

	(void)state;
	doc = vp_recording_doc(path, err, sizeof(err));
	assert_non_null(doc);
	assert_int_equal(vp_doc_num_or(doc, "meta.lost.record_dropped", -1), 42);
	json_decref(doc);
	unlink(path);
}

/* Every length of the file reads (the header once whole), never more
 * than the whole, and says where it stopped. */
static void cut_anywhere(void **state)
{
	char *path = write_recording(0), err[256], cut[] = "/tmp/vp-test-cut-XXXXXX";
	FILE *f = fopen(path, "rb");
	long size;
	char *bytes;
	int fd = mkstemp(cut);

	(void)state;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	bytes = malloc((size_t)size);
	assert_int_equal(fread(bytes, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	close(fd);
	for (long len = size - 1; len > 0; len -= 1 + len / 7) {
		FILE *o = fopen(cut, "wb");
		json_t *doc;

		fwrite(bytes, 1, (size_t)len, o);
		fclose(o);
		doc = vp_recording_doc(cut, err, sizeof(err));
		if (!doc) {
			/* only a file without its whole header is refused */
			assert_true(strstr(err, "header") || strstr(err, "not a vmexit-prof"));
			continue;
		}
		assert_true(vp_doc_num_or(access_row(doc, IDE_COMMAND), "count", 0) <= CYCLES);
		assert_non_null(
			strstr(json_string_value(json_array_get(vp_doc_get(doc, "meta.notes"), 0)),
			       "the recording stops at byte"));
		json_decref(doc);
	}
	free(bytes);
	unlink(cut);
	unlink(path);
}

struct got {
	struct vp_replay_ev ev[16];
	size_t n;
};

static int got_event(void *arg, const struct vp_replay_ev *e)
{
	struct got *g = arg;

	if (g->n < 16)
		g->ev[g->n++] = *e;
	return 0;
}

/* Each type's fields come back as written, large values and threads
 * switching included. */
static void events_round_trip(void **state)
{
	char path[] = "/tmp/vp-test-rt-XXXXXX", err[256];
	struct vp_rec_run run = { .ev = { .type = VP_REC_RUN_ENTER,
					  .flags = VP_REC_F_VCPU | VP_REC_F_RUN,
					  .tid = 7,
					  .ts = 5000,
					  .a = { 3, 6, 0 } },
				  .u = { 0xfebf1004ULL, 0x1122334455667788ULL, 4 | 1ULL << 32 } };
	struct vp_rec_ev e[] = {
		{ .type = VP_REC_EXIT,
		  .flags = VP_REC_F_VCPU,
		  .tid = 7,
		  .ts = 1 << 30,
		  .a = { 0x400, 2, 3 } },
		{ .type = VP_REC_USER_EXIT,
		  .tid = 8,
		  .ts = (1 << 30) - 5,
		  .a = { 6, (uint32_t)-4, 0 } },
		{ .type = VP_REC_MMIO,
		  .tid = 8,
		  .ts = 1ULL << 40,
		  .a = { 2, 8, 0xfffffffffffff000ULL } },
		{ .type = VP_REC_RUN_EXIT, .tid = 8, .ts = (1ULL << 40) + 1 },
		{ .type = VP_REC_QEMU,
		  .tid = 9,
		  .ts = (1ULL << 40) + 2,
		  .a = { VP_UO_A0(VP_UO_IRQ, VP_UI_IOAPIC, -1), 0x7f0012345678ULL, 11 } },
	};
	struct vp_rec_name name = { .ev = { .type = VP_REC_QEMU,
					    .flags = VP_REC_F_NAME,
					    .tid = 9,
					    .ts = (1ULL << 40) + 3,
					    .a = { 0x7f0012345678ULL } } };
	struct vp_rec_reader_cb cb = { .event = got_event };
	struct vp_rec_read_info info;
	struct got g = { .n = 0 };
	json_t *h = header();
	struct vp_rec_writer *w;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	w = vp_rec_writer_open(path, h, err, sizeof(err));
	json_decref(h);
	assert_non_null(w);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		assert_int_equal(vp_rec_writer_event(w, &e[i], sizeof(e[i])), 0);
	assert_int_equal(vp_rec_writer_event(w, &run, sizeof(run)), 0);
	memset(name.name, 'n', sizeof(name.name) - 1);
	assert_int_equal(vp_rec_writer_event(w, &name, sizeof(name)), 0);
	assert_int_equal(vp_rec_writer_close(w, NULL), 0);
	f = fopen(path, "rb");
	assert_int_equal(vp_rec_read(f, &cb, &g, &info, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(g.n, 7);
	assert_int_equal(info.events, 7);
	assert_false(info.truncated);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(g.ev[i].type, e[i].type);
		assert_int_equal(g.ev[i].flags, e[i].flags);
		assert_int_equal(g.ev[i].tid, e[i].tid);
		assert_int_equal(g.ev[i].ts, e[i].ts);
		assert_memory_equal(g.ev[i].a, e[i].a,
				    sizeof(e[i].a) - (i == 3 ? sizeof(e[i].a) : 0));
	}
	assert_int_equal(g.ev[5].ts, 5000);
	assert_int_equal(g.ev[5].a[0], 3);
	assert_int_equal(g.ev[5].a[1], 6);
	assert_memory_equal(g.ev[5].u, run.u, sizeof(run.u));
	assert_int_equal(g.ev[6].type, VP_REC_QEMU);
	assert_int_equal(g.ev[6].flags, VP_REC_F_NAME);
	assert_int_equal(g.ev[6].a[0], name.ev.a[0]);
	assert_memory_equal(g.ev[6].name, name.name, sizeof(name.name));
	unlink(path);
}

static void refused(void **state)
{
	char *path = write_recording(0), err[256];
	FILE *f = fopen(path, "r+b");
	json_t *doc;

	(void)state;
	/* a byte of the first frame's compressed records */
	assert_int_equal(fseek(f, -200, SEEK_END), 0);
	fputc(0x5a ^ fgetc(f), f);
	fclose(f);
	doc = vp_recording_doc(path, err, sizeof(err));
	assert_null(doc);
	assert_non_null(strstr(err, "damaged"));
	assert_null(strchr(err, '\n'));
	f = fopen(path, "r+b");
	fseek(f, 8, SEEK_SET);
	fputc(9, f);
	fclose(f);
	assert_null(vp_recording_doc(path, err, sizeof(err)));
	assert_non_null(
		strstr(err, "recording format version 9; this vmexit-prof reads version 2"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(read_back_profile),   cmocka_unit_test(slowest_in_reports),
		cmocka_unit_test(drops_are_shown),     cmocka_unit_test(cut_anywhere),
		cmocka_unit_test(events_round_trip),   cmocka_unit_test(refused),
		cmocka_unit_test(probes_name_devices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
