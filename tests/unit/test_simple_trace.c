// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * QEMU simple-trace files made byte by byte: the reader keeps the firmware
 * and guest parts apart by the fw_cfg marker in time order even when
 * records arrive out of order, skips events it does not read by their
 * length, keeps what precedes a cut, counts what QEMU dropped, and refuses
 * other files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qemu_trace_agg.h"
#include "simple_trace.h"

struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void u64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void u32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void header(struct buf *b, uint64_t version)
{
	u64(b, ~0ULL);
	u64(b, 0xf2b177cb0aa429b4ULL);
	u64(b, version);
}

static void mapping(struct buf *b, uint64_t id, const char *name)
{
	u64(b, 0);
	u64(b, id);
	u32(b, (uint32_t)strlen(name));
	put(b, name, strlen(name));
}

/* memory_region_ops_write(cpu_index, mr, addr, value, size, name) */
static void access(struct buf *b, uint64_t id, uint64_t ts, uint64_t mr, const char *name)
{
	uint32_t len = 24 + 5 * 8 + 4 + (uint32_t)strlen(name);

	u64(b, 1);
	u64(b, id);
	u64(b, ts);
	u32(b, len);
	u32(b, 4242);
	u64(b, 0);
	u64(b, mr);
	u64(b, 0x10);
	u64(b, 1);
	u64(b, 4);
	u32(b, (uint32_t)strlen(name));
	put(b, name, strlen(name));
}

static void opaque(struct buf *b, uint64_t id, uint64_t ts, uint32_t payload)
{
	u64(b, 1);
	u64(b, id);
	u64(b, ts);
	u32(b, 24 + payload);
	u32(b, 4242);
	for (uint32_t i = 0; i < payload; i++)
		put(b, "x", 1);
}

static const struct vp_usdt_region *region(const struct vp_usdt_counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->r[i].name, name))
			return &c->r[i];
	return NULL;
}

static int parse(const struct buf *b, struct vp_usdt_counts *c, struct vp_trace_stats *st)
{
	struct vp_qtrace_agg *a = vp_qtrace_agg_new();
	char err[256];
	int ret;

	assert_non_null(a);
	ret = vp_simple_trace_parse(b->b, b->n, a, st, err, sizeof(err));
	if (!ret)
		assert_int_equal(vp_qtrace_counts(a, c), 0);
	vp_qtrace_agg_free(a);
	return ret;
}

/* Firmware touches the device, then fw_cfg, then the guest touches the
 * device twice; the guest's first record was written before fw_cfg's. */
static void marker_in_time_order(void **state)
{
	struct vp_usdt_counts c;
	struct vp_trace_stats st;
	struct buf b = { .n = 0 };
	const struct vp_usdt_region *dev;

	(void)state;
	header(&b, 4);
	mapping(&b, 7, "memory_region_ops_write");
	mapping(&b, 9, "some_event_not_read");
	access(&b, 7, 100, 0x1000, "dev");
	access(&b, 7, 300, 0x1000, "dev");
	opaque(&b, 9, 250, 13);
	access(&b, 7, 200, 0x2000, "fwcfg");
	access(&b, 7, 400, 0x1000, "dev");
	assert_int_equal(parse(&b, &c, &st), 0);
	assert_true(st.reordered);
	assert_false(st.truncated);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.used, 4);
	assert_int_equal(st.pid, 4242);
	dev = region(&c, "dev");
	assert_non_null(dev);
	assert_int_equal(dev->writes, 3);
	assert_int_equal(dev->guest_writes, 2);
	assert_int_equal(c.fw_cfg_accesses, 1);
	vp_usdt_counts_free(&c);
}

static void cut_inside_a_record(void **state)
{
	struct vp_usdt_counts c;
	struct vp_trace_stats st;
	struct buf b = { .n = 0 };
	size_t whole;

	(void)state;
	header(&b, 4);
	mapping(&b, 7, "memory_region_ops_write");
	access(&b, 7, 100, 0x1000, "dev");
	whole = b.n;
	access(&b, 7, 200, 0x1000, "dev");
	b.n -= 7;
	assert_int_equal(parse(&b, &c, &st), 0);
	assert_true(st.truncated);
	assert_int_equal(st.valid_bytes, whole);
	assert_int_equal(region(&c, "dev")->writes, 1);
	vp_usdt_counts_free(&c);
}

static void dropped_and_unmapped_are_counted(void **state)
{
	struct vp_usdt_counts c;
	struct vp_trace_stats st;
	struct buf b = { .n = 0 };

	(void)state;
	header(&b, 4);
	u64(&b, 1);
	u64(&b, 0xfffffffffffffffeULL);
	u64(&b, 50);
	u32(&b, 32);
	u32(&b, 4242);
	u64(&b, 17);
	opaque(&b, 3, 60, 8); /* an id the file never named */
	assert_int_equal(parse(&b, &c, &st), 0);
	assert_int_equal(st.dropped, 17);
	assert_int_equal(st.unmapped, 1);
	assert_int_equal(c.n, 0);
	vp_usdt_counts_free(&c);
}

static void other_files_are_refused(void **state)
{
	struct vp_usdt_counts c;
	struct vp_trace_stats st;
	struct buf b = { .n = 0 };

	(void)state;
	header(&b, 3);
	assert_int_equal(parse(&b, &c, &st), -EPROTO);
	b.n = 0;
	put(&b, "{\"schema\": 1}\n", 14);
	assert_int_equal(parse(&b, &c, &st), -EPROTO);
	b.n = 0;
	assert_int_equal(parse(&b, &c, &st), -EPROTO);
}

/* An I/O APIC line counts its rising edges only. */
static void interrupt_lines_count_edges(void **state)
{
	const struct vp_qemu_event *e = vp_qemu_event_find("ioapic_set_irq");
	struct vp_qtrace_agg *a = vp_qtrace_agg_new();
	struct vp_trace_arg args[2] = { { .v = 4 }, { .v = 1 } };
	struct vp_usdt_counts c;

	(void)state;
	assert_non_null(e);
	vp_qtrace_feed(a, e, args, 2);
	vp_qtrace_feed(a, e, args, 2);
	args[1].v = 0;
	vp_qtrace_feed(a, e, args, 2);
	args[1].v = 1;
	vp_qtrace_feed(a, e, args, 2);
	assert_int_equal(vp_qtrace_counts(a, &c), 0);
	assert_int_equal(c.nirqs, 1);
	assert_int_equal(c.irqs[0].line, 4);
	assert_int_equal(c.irqs[0].raised, 2);
	vp_usdt_counts_free(&c);
	vp_qtrace_agg_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(marker_in_time_order),
		cmocka_unit_test(cut_inside_a_record),
		cmocka_unit_test(dropped_and_unmapped_are_counted),
		cmocka_unit_test(other_files_are_refused),
		cmocka_unit_test(interrupt_lines_count_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
