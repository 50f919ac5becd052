// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report_text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"

enum cols {
	C_VCPU = 1 << 0,
	C_DIR = 1 << 1,
	C_SIZE = 1 << 2,
	C_LAT = 1 << 3,  /* total, avg and percentiles of the key's own latency */
	C_VMM = 1 << 4,  /* how many went to the VMM */
	C_KERN = 1 << 5, /* kernel-handling time attached to device accesses */
	C_VEC = 1 << 6,
};

struct section {
	enum vp_key_kind kind;
	const char *title;
	const char *name_col;
	unsigned cols;
};

static const struct section sections[] = {
	{ VP_K_USER, "Exits to user space (kvm_userspace_exit -> next KVM_RUN: time in the VMM)", "REASON",
	  C_VCPU | C_LAT },
	{ VP_K_EXIT, "Exits handled in the kernel (kvm_exit -> kvm_entry, VMM time excluded)", "REASON",
	  C_VCPU | C_LAT },
	{ VP_K_PIO, "Port I/O (time in the VMM for accesses that left the kernel)", "PORT",
	  C_DIR | C_SIZE | C_VMM | C_LAT | C_KERN },
	{ VP_K_MMIO, "MMIO (time in the VMM for accesses that left the kernel)", "ADDRESS",
	  C_DIR | C_SIZE | C_VMM | C_LAT | C_KERN },
	{ VP_K_FAST_MMIO, "MMIO writes served in the kernel by an ioeventfd", "ADDRESS", 0 },
	{ VP_K_CPUID, "CPUID leaves", "LEAF", 0 },
	{ VP_K_MSR, "MSR accesses", "MSR", C_DIR },
	{ VP_K_HYPERCALL, "Hypercalls", "NR", 0 },
	{ VP_K_IRQ, "Interrupt lines raised", "GSI", 0 },
	{ VP_K_MSI, "MSIs injected", "ADDRESS", C_VEC },
	{ VP_K_RUN, "ioctl(KVM_RUN) calls (guest + kernel time per call)", "CALL", C_VCPU | C_LAT },
};

static uint64_t prev_count(const struct vp_text_opts *o, const struct vp_row *row)
{
	const struct vp_row *p = o && o->prev ? vp_result_find(o->prev, &row->key) : NULL;

	return p ? p->st.count : 0;
}

static void header(FILE *out, const struct section *s)
{
	fprintf(out, "\n%s\n", s->title);
	if (s->cols & C_VCPU)
		fprintf(out, "%-5s ", "VCPU");
	fprintf(out, "%-24s ", s->name_col);
	if (s->cols & C_DIR)
		fprintf(out, "%-5s ", "DIR");
	if (s->cols & C_SIZE)
		fprintf(out, "%4s ", "SIZE");
	if (s->cols & C_VEC)
		fprintf(out, "%6s ", "VECTOR");
	fprintf(out, "%10s %9s", "COUNT", "RATE/s");
	if (s->cols & C_VMM)
		fprintf(out, " %9s", "TO-VMM");
	if (s->cols & C_LAT)
		fprintf(out, " %10s %9s %9s %9s %9s %9s", "TOTAL", "AVG", "P50", "P90", "P99", "MAX");
	if (s->cols & C_KERN)
		fprintf(out, " %10s", "KERNEL");
	fputc('\n', out);
}

static void row_line(FILE *out, const struct section *s, const struct vp_row *row, double seconds,
		     const struct vp_text_opts *o)
{
	char name[64], b[6][24];
	const struct vp_stat *st = &row->st;
	uint64_t samples = vp_stat_samples(st);
	uint64_t total = s->kind == VP_K_EXIT || s->kind == VP_K_RUN ? st->kern_ns : st->user_ns;
	double rate = seconds > 0 ? (double)(st->count - prev_count(o, row)) / seconds : 0;

	if (s->cols & C_VCPU) {
		if (row->key.vcpu == VP_VCPU_UNKNOWN)
			fprintf(out, "%-5s ", "?");
		else
			fprintf(out, "%-5u ", row->key.vcpu);
	}
	fprintf(out, "%-24s ", vp_key_name(&row->key, name, sizeof(name)));
	if (s->cols & C_DIR)
		fprintf(out, "%-5s ", vp_dir_name(row->key.dir));
	if (s->cols & C_SIZE)
		fprintf(out, "%4u ", row->key.size);
	if (s->cols & C_VEC)
		fprintf(out, "%6" PRIu32 " ", row->key.code);
	fprintf(out, "%10" PRIu64 " %9.0f", (uint64_t)st->count, rate);
	if (s->cols & C_VMM)
		fprintf(out, " %9" PRIu64, (uint64_t)st->user_count);
	if (s->cols & C_LAT) {
		if (samples)
			fprintf(out, " %10s %9s %9s %9s %9s %9s", vp_fmt_ns(total, b[0], sizeof(b[0])),
				vp_fmt_ns(total / samples, b[1], sizeof(b[1])),
				vp_fmt_ns(vp_stat_percentile(st, 50), b[2], sizeof(b[2])),
				vp_fmt_ns(vp_stat_percentile(st, 90), b[3], sizeof(b[3])),
				vp_fmt_ns(vp_stat_percentile(st, 99), b[4], sizeof(b[4])),
				vp_fmt_ns(st->max_ns, b[5], sizeof(b[5])));
		else
			fprintf(out, " %10s %9s %9s %9s %9s %9s", "-", "-", "-", "-", "-", "-");
	}
	if (s->cols & C_KERN)
		fprintf(out, " %10s", st->kern_count ? vp_fmt_ns(st->kern_ns, b[0], sizeof(b[0])) : "-");
	fputc('\n', out);
}

static void section(FILE *out, const struct vp_result *r, const struct section *s,
		    const struct vp_text_opts *o)
{
	const struct vp_row **rows;
	size_t n = vp_result_select(r, s->kind, &rows);
	size_t shown = o->max_rows && n > o->max_rows ? o->max_rows : n;
	double seconds = o->prev ? o->seconds : r->meta.duration_s;

	if (n) {
		header(out, s);
		for (size_t i = 0; i < shown; i++)
			row_line(out, s, rows[i], seconds, o);
		if (shown < n)
			fprintf(out, "... %zu more\n", n - shown);
	}
	free(rows);
}

static void lost_line(FILE *out, const struct vp_result *r)
{
	const uint64_t *c = r->counters;

	if (c[VP_C_STATS_FULL] || c[VP_C_THREADS_FULL] || c[VP_C_RUN_UNREAD])
		fprintf(out,
			"\nNot recorded: %" PRIu64 " events (aggregate table full), %" PRIu64
			" events (thread table full), %" PRIu64 " VMM times not tied to an address (kvm_run unreadable)\n",
			c[VP_C_STATS_FULL], c[VP_C_THREADS_FULL], c[VP_C_RUN_UNREAD]);
}

void vp_report_text(FILE *out, const struct vp_result *r, const struct vp_text_opts *o)
{
	const struct vp_meta *m = &r->meta;

	fprintf(out, "vmexit-prof: pid %d (%s), %.2f s, %d vCPU%s%s\n", m->pid, m->vmm_comm, m->duration_s,
		m->nr_vcpus, m->nr_vcpus == 1 ? "" : "s", m->target_exited ? ", target exited" : "");
	if (!vp_result_has_exit_events(r) && r->counters[VP_C_EV_USER_EXIT])
		fprintf(out, "note: kvm_exit/kvm_entry did not fire on this host, so in-kernel handling time "
			     "is unknown; exits to user space, device accesses, CPUID and MSR exits are complete\n");
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		section(out, r, &sections[i], o);
	lost_line(out, r);
}

void vp_report_line(FILE *out, const struct vp_result *r, const struct vp_result *prev, double seconds)
{
	uint64_t user = vp_result_total_count(r, VP_K_USER);
	uint64_t before = prev ? vp_result_total_count(prev, VP_K_USER) : 0;

	fprintf(out,
		"t=%.1fs exits-to-vmm=%" PRIu64 " (%.0f/s) kernel-exits=%" PRIu64 " pio=%" PRIu64 " mmio=%" PRIu64
		" fast-mmio=%" PRIu64 " cpuid=%" PRIu64 " msr=%" PRIu64 " irq=%" PRIu64 "\n",
		r->meta.duration_s, user, seconds > 0 ? (double)(user - before) / seconds : 0.0,
		vp_result_total_count(r, VP_K_EXIT), vp_result_total_count(r, VP_K_PIO),
		vp_result_total_count(r, VP_K_MMIO), vp_result_total_count(r, VP_K_FAST_MMIO),
		vp_result_total_count(r, VP_K_CPUID), vp_result_total_count(r, VP_K_MSR),
		vp_result_total_count(r, VP_K_IRQ) + vp_result_total_count(r, VP_K_MSI));
	fflush(out);
}
