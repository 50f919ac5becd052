// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The report of a `vmexit-prof run WORKLOAD` document: the guest's result
 * and regions, then with --profile QEMU's counts per region and per device,
 * the interrupts and QEMU's events.  Fixed-width columns, as scripts read
 * them with awk.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "doc_access.h"
#include "text_report.h"

#define CELL 512 /* a name or a reason line, as printed */

/* s as text safe for a terminal, in buf (a printf column). */
static const char *safe(const char *s, char *buf, size_t len)
{
	char *c = vp_tt_clean(s ? s : "");

	snprintf(buf, len, "%s", c ? c : "?");
	free(c);
	return buf;
}

static uint64_t u64(const json_t *o, const char *path)
{
	const json_t *v = vp_doc_get(o, path);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static void result(FILE *out, const json_t *run, const json_t *g)
{
	static const char *const counts[] = {
		"ops",	      "bytes", "pio_out", "pio_in",  "mmio_read",
		"mmio_write", "kicks", "cycles",  "tsc_khz",
	};
	const char *name = vp_doc_str(g, "workload"), *desc = vp_doc_str(run, "description");
	const json_t *extra = vp_doc_get(g, "extra"), *regions = vp_doc_get(g, "regions"), *v;
	char a[CELL], b[CELL];
	size_t i;

	fprintf(out, "%-12s %s", "workload",
		safe(name && *name ? name : vp_doc_str(run, "workload"), a, sizeof(a)));
	if (desc)
		fprintf(out, " (%s)", safe(desc, b, sizeof(b)));
	fprintf(out, "\n%-12s %s\n", "status", safe(vp_doc_str(g, "status"), a, sizeof(a)));
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		char path[32];

		snprintf(path, sizeof(path), "counts.%s", counts[i]);
		fprintf(out, "%-12s %" PRIu64 "\n", counts[i], u64(g, path));
	}
	if (u64(g, "counts.tsc_khz") && u64(g, "counts.cycles"))
		fprintf(out, "%-12s %.3f ms\n", "loop time",
			(double)u64(g, "counts.cycles") / (double)u64(g, "counts.tsc_khz"));
	json_array_foreach (extra, i, v)
		fprintf(out, "%-12s %s\n", safe(vp_doc_str(v, "key"), a, sizeof(a)),
			safe(vp_doc_str(v, "value"), b, sizeof(b)));
	if (!json_array_size(regions))
		return;
	fprintf(out, "\n%-14s %-5s %-12s %-8s %10s %10s\n", "REGION", "SPACE", "BASE", "SIZE",
		"READS", "WRITES");
	json_array_foreach (regions, i, v)
		fprintf(out,
			"%-14s %-5s 0x%-10" PRIx64 " 0x%-6" PRIx64 " %10" PRIu64 " %10" PRIu64 "\n",
			safe(vp_doc_str(v, "name"), a, sizeof(a)),
			safe(vp_doc_str(v, "space"), b, sizeof(b)), u64(v, "base"), u64(v, "size"),
			u64(v, "reads"), u64(v, "writes"));
}

static void usdt_regions(FILE *out, const json_t *doc, const json_t *u)
{
	const json_t *v, *lost = vp_doc_get(doc, "meta.lost");
	char a[CELL];
	size_t i;

	fprintf(out, "\n%-28s %10s %10s   %-18s %10s %10s\n", "QEMU REGION (USDT)", "READS",
		"WRITES", "GUEST REGION", "READS", "WRITES");
	json_array_foreach (vp_doc_get(u, "regions"), i, v) {
		const char *name = vp_doc_str(v, "name");
		const json_t *g = vp_doc_get(v, "guest_region");

		/* An unreadable name still gets a row, told apart by its pointer. */
		if (name && *name)
			fprintf(out, "%-28s", safe(name, a, sizeof(a)));
		else
			fprintf(out, "mr@0x%-23" PRIx64, u64(v, "mr"));
		fprintf(out, " %10" PRIu64 " %10" PRIu64, u64(v, "reads"), u64(v, "writes"));
		if (json_is_object(g))
			fprintf(out, "   %-18s %10" PRIu64 " %10" PRIu64,
				safe(vp_doc_str(g, "name"), a, sizeof(a)), u64(g, "reads"),
				u64(g, "writes"));
		fputc('\n', out);
	}
	if (u64(lost, "usdt_counts_dropped") || u64(lost, "usdt_names_dropped"))
		fprintf(out,
			"Not recorded: %" PRIu64 " accesses, %" PRIu64
			" region names (the kernel's tables were full)\n",
			u64(lost, "usdt_counts_dropped"), u64(lost, "usdt_names_dropped"));
}

/* n per op with two decimals; 0 when the guest did no operation. */
static double per_op(uint64_t n, uint64_t ops)
{
	return ops ? (double)n / (double)ops : 0.0;
}

static void usdt_devices(FILE *out, const json_t *u, uint64_t ops)
{
	char a[CELL], b[CELL];
	const json_t *v;
	size_t i;

	fprintf(out, "\n%-16s %-11s %9s %9s %9s %10s %9s %9s   %11s %12s\n", "DEVICE (USDT)",
		"CLASS", "READS", "WRITES", "TOTAL", "PER-OP", "FW-READS", "FW-WRITES",
		"GUEST-READS", "GUEST-WRITES");
	json_array_foreach (vp_doc_get(u, "devices"), i, v) {
		uint64_t total = u64(v, "qemu.reads") + u64(v, "qemu.writes");
		char perop[32] = "-";

		if (ops)
			snprintf(perop, sizeof(perop), "%.2f", per_op(total, ops));
		fprintf(out,
			"%-16s %-11s %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %10s %9" PRIu64
			" %9" PRIu64,
			safe(vp_doc_str(v, "device"), a, sizeof(a)),
			safe(vp_doc_str(v, "class"), b, sizeof(b)), u64(v, "qemu.reads"),
			u64(v, "qemu.writes"), total, perop, u64(v, "firmware.reads"),
			u64(v, "firmware.writes"));
		if (json_is_object(vp_doc_get(v, "guest")))
			fprintf(out, "   %11" PRIu64 " %12" PRIu64, u64(v, "guest.reads"),
				u64(v, "guest.writes"));
		fputc('\n', out);
	}
	if (json_is_true(vp_doc_get(u, "fw_cfg_seen")))
		fputs("READS/WRITES: after the firmware's last fw_cfg access (the guest's time); "
		      "FW-: before it\n",
		      out);
	else
		fputs("No fw_cfg access seen: READS/WRITES include the firmware's\n", out);
}

static void usdt_work(FILE *out, const json_t *u, uint64_t ops)
{
	const json_t *irqs = vp_doc_get(u, "interrupts"), *events = vp_doc_get(u, "events"), *v;
	char a[CELL], b[CELL];
	size_t i;

	if (json_array_size(irqs))
		fprintf(out, "\n%-16s %10s %10s\n", "INTERRUPTS", "RAISED", "PER-OP");
	else
		fputs("No interrupt raised after the firmware\n", out);
	json_array_foreach (irqs, i, v)
		fprintf(out, "%-16s %10" PRIu64 " %10.2f\n",
			safe(vp_doc_str(v, "device"), a, sizeof(a)), u64(v, "raised"),
			per_op(u64(v, "raised"), ops));
	if (json_array_size(events))
		fprintf(out, "\n%-16s %-28s %10s %10s\n", "QEMU EVENTS", "EVENT", "COUNT",
			"PER-OP");
	json_array_foreach (events, i, v)
		fprintf(out, "%-16s %-28s %10" PRIu64 " %10.2f\n",
			safe(vp_doc_str(v, "device"), a, sizeof(a)),
			safe(vp_doc_str(v, "event"), b, sizeof(b)), u64(v, "count"),
			per_op(u64(v, "count"), ops));
}

void vp_text_run(FILE *out, const json_t *doc, bool reasons)
{
	const json_t *run = vp_doc_get(doc, "run"), *g = vp_doc_get(run, "guest"), *v;
	const json_t *u = vp_doc_get(run, "usdt");
	uint64_t ops = u64(g, "counts.ops");
	char a[CELL];
	size_t i;

	if (!json_is_object(run))
		return;
	if (reasons)
		json_array_foreach (vp_doc_get(run, "reasons"), i, v)
			fprintf(out, "%s\n", safe(json_string_value(v), a, sizeof(a)));
	if (json_is_object(g))
		result(out, run, g);
	if (!json_is_object(u))
		return;
	usdt_regions(out, doc, u);
	usdt_devices(out, u, ops);
	usdt_work(out, u, ops);
}
