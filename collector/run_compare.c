// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "run_compare.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_json.h"
#include "errors.h"
#include "run_profile.h"

double vp_compare_per_op(uint64_t count, uint64_t ops)
{
	return ops ? (double)count / (double)ops : -1.0;
}

void vp_compare_speedups(struct vp_compare *cmp)
{
	cmp->nspeedups = 0;
	for (size_t p = 0; p < cmp->n; p++) {
		const struct vp_workload *wp = cmp->rows[p].w;

		if (!wp->group || !wp->path || strcmp(wp->path, "paravirtual"))
			continue;
		for (size_t e = 0; e < cmp->n; e++) {
			const struct vp_workload *we = cmp->rows[e].w;
			struct vp_compare_speedup *s;

			if (!we->group || !we->path || strcmp(we->path, "emulated") ||
			    strcmp(we->group, wp->group))
				continue;
			s = &cmp->speedups[cmp->nspeedups++];
			s->group = wp->group;
			s->paravirtual = p;
			s->emulated = e;
			/* unknown unless both took measurable time */
			s->ratio = cmp->rows[p].us_per_op > 0 && cmp->rows[e].us_per_op >= 0
					   ? cmp->rows[e].us_per_op / cmp->rows[p].us_per_op
					   : -1.0;
		}
	}
}

/* Splits "a,b,c" into the table's workloads; 0 or -EINVAL with err. */
static int parse_list(const char *list, const struct vp_workload_table *t, struct vp_compare *cmp,
		      char *err, size_t errlen)
{
	char buf[512], *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		snprintf(err, errlen, "--compare list too long");
		return -EINVAL;
	}
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct vp_workload *w = vp_workload_find(t, tok);

		if (!w) {
			char names[400];

			vp_workload_names(t, names, sizeof(names));
			snprintf(err, errlen, "unknown workload '%s' in --compare (known: %s)", tok,
				 names);
			return -EINVAL;
		}
		for (size_t i = 0; i < cmp->n; i++)
			if (cmp->rows[i].w == w) {
				snprintf(err, errlen, "workload '%s' twice in --compare", tok);
				return -EINVAL;
			}
		if (cmp->n == VP_COMPARE_MAX) {
			snprintf(err, errlen, "at most %d workloads in --compare", VP_COMPARE_MAX);
			return -EINVAL;
		}
		cmp->rows[cmp->n++].w = w;
	}
	if (cmp->n < 2) {
		snprintf(err, errlen, "--compare needs at least two workloads, comma-separated");
		return -EINVAL;
	}
	return 0;
}

static double us_per_op(const struct vp_guest_result *r)
{
	/* cycles / (kHz * 1000) s = cycles * 1000 / kHz us */
	return r->valid && r->ops && r->tsc_khz
		       ? (double)r->cycles * 1000.0 / (double)r->tsc_khz / (double)r->ops
		       : -1.0;
}

static void fill_row(struct vp_compare_row *row, const struct vp_guest_result *r,
		     const struct vp_usdt_counts *c)
{
	struct vp_device_count d[VP_MAX_DEVICE_COUNTS];
	size_t n = vp_profile_by_device(c, r->valid ? r : NULL, d, VP_MAX_DEVICE_COUNTS);
	const struct vp_device_count *dc = vp_device_count_find(d, n, row->dev);

	snprintf(row->status, sizeof(row->status), "%s", r->valid ? r->status : "no-result");
	row->ops = r->ops;
	row->bytes = r->bytes;
	row->cycles = r->cycles;
	row->tsc_khz = r->tsc_khz;
	row->us_per_op_profiled = us_per_op(r);
	if (!dc)
		return;
	row->qemu_reads = dc->reads;
	row->qemu_writes = dc->writes;
	row->fw_reads = dc->fw_reads;
	row->fw_writes = dc->fw_writes;
	row->guest_reads = dc->guest_reads;
	row->guest_writes = dc->guest_writes;
}

/* The same workload again without probes, for its time per op only. */
static void timing_run(struct vp_compare_row *row, const struct vp_guest_config *c, double timeout_s)
{
	struct vp_guest_result r;
	struct vp_guest *g;
	char err[512];
	int ret;

	memset(&r, 0, sizeof(r));
	ret = vp_guest_start(row->w, c, &g, err, sizeof(err));
	if (ret) {
		vp_error("%s (timing run): %s", row->w->name, err);
		snprintf(row->timing_status, sizeof(row->timing_status), "error");
		return;
	}
	ret = vp_guest_wait(g, timeout_s, &r, err, sizeof(err));
	vp_guest_free(g);
	if (ret)
		vp_error("%s (timing run): %s", row->w->name, err);
	snprintf(row->timing_status, sizeof(row->timing_status), "%s",
		 r.valid ? r.status : "no-result");
	if (!ret && r.code == 0)
		row->us_per_op = us_per_op(&r);
}

static void print_num(double v, int prec)
{
	if (v < 0)
		printf(" %12s", "-");
	else
		printf(" %12.*f", prec, v);
}

static void print_compare(const struct vp_compare *cmp)
{
	if (!strcmp(cmp->accel, "tcg"))
		printf("\nUnder TCG (no KVM): VM exits are not measured; the access counts are QEMU's "
		       "own (USDT memory_region_ops_read/write), after the firmware.\n");
	else
		printf("\nVM exits are not measured by --compare; the access counts are QEMU's own "
		       "(USDT memory_region_ops_read/write), after the firmware.\n");
	printf("%-15s %-10s %-12s %-11s %-10s %8s %12s %12s %12s %12s\n", "WORKLOAD", "GROUP", "PATH",
	       "DEVICE", "STATUS", "OPS", "QEMU-ACC/OP", "GUEST-ACC/OP", "US/OP", "US/OP-PROBED");
	for (size_t i = 0; i < cmp->n; i++) {
		const struct vp_compare_row *r = &cmp->rows[i];

		printf("%-15s %-10s %-12s %-11s %-10s %8" PRIu64, r->w->name,
		       r->w->group ? r->w->group : "-", r->w->path ? r->w->path : "-", r->dev->id,
		       r->status, r->ops);
		print_num(vp_compare_per_op(r->qemu_reads + r->qemu_writes, r->ops), 2);
		print_num(vp_compare_per_op(r->guest_reads + r->guest_writes, r->ops), 2);
		print_num(r->us_per_op, 2);
		print_num(r->us_per_op_profiled, 2);
		putchar('\n');
	}
	if (!cmp->nspeedups)
		printf("No speedup: no paravirtual and emulated workload of one group were compared.\n");
	for (size_t i = 0; i < cmp->nspeedups; i++) {
		const struct vp_compare_speedup *s = &cmp->speedups[i];

		printf("speedup %-10s %s over %s: ", s->group, cmp->rows[s->paravirtual].w->name,
		       cmp->rows[s->emulated].w->name);
		const struct vp_compare_row *e = &cmp->rows[s->emulated], *p = &cmp->rows[s->paravirtual];

		if (s->ratio < 0)
			printf("unknown (no time per op)\n");
		else
			printf("%.2fx (us/op %.2f / %.2f)\n", s->ratio, e->us_per_op, p->us_per_op);
		/* The table's defaults may size an op differently per workload. */
		if (e->ops && p->ops && e->bytes * p->ops != p->bytes * e->ops)
			printf("  note: an op moves %.0f bytes in %s but %.0f in %s (their defaults)\n",
			       (double)p->bytes / (double)p->ops, p->w->name,
			       (double)e->bytes / (double)e->ops, e->w->name);
	}
}

static bool host_refused(int ret)
{
	return ret == -EPERM || ret == -EACCES || ret == -ENOENT || ret == -EOPNOTSUPP ||
	       ret == -ENODEV;
}

int vp_compare_main(const struct vp_run_options *o)
{
	struct vp_compare *cmp = calloc(1, sizeof(*cmp));
	struct vp_workload_table t = { 0 };
	char err[512];
	int status = 0, ret;

	if (!cmp) {
		vp_error("out of memory");
		return 1;
	}
	if (o->append) {
		vp_error("--append does not go with --compare: each workload runs its defaults");
		free(cmp);
		return VP_EXIT_BAD_INPUT;
	}
	if (vp_workloads_load(o->table, &t, err, sizeof(err)) ||
	    parse_list(o->compare, &t, cmp, err, sizeof(err))) {
		vp_error("%s", err);
		if (t.w)
			vp_workloads_free(&t);
		free(cmp);
		return VP_EXIT_BAD_INPUT;
	}
	for (size_t i = 0; i < cmp->n; i++) {
		struct vp_compare_row *row = &cmp->rows[i];
		struct vp_guest_config c = { .qemu = o->qemu, .accel = o->accel };
		struct vp_usdt_counts counts;
		struct vp_guest_result r;
		char elf[4096], accel[8] = "";

		row->dev = vp_device_for_workload(row->w->name);
		snprintf(elf, sizeof(elf), "%s/%s.elf", o->guest_dir, row->w->name);
		c.elf = elf;
		vp_note("compare: running %s (%s)", row->w->name, row->w->defaults);
		ret = vp_run_profiled(row->w, &c, o->timeout_s, o->verbose, &r, &counts, accel,
				      sizeof(accel), err, sizeof(err));
		if (!cmp->accel[0] && accel[0])
			snprintf(cmp->accel, sizeof(cmp->accel), "%s", accel);
		if (ret && !r.valid) {
			vp_error("%s: %s", row->w->name, err);
			snprintf(row->status, sizeof(row->status), "error");
			snprintf(row->error, sizeof(row->error), "%s", err);
			row->us_per_op = row->us_per_op_profiled = -1.0;
			vp_usdt_counts_free(&counts);
			/* the host cannot profile at all: the next ones would fail alike */
			if (host_refused(ret)) {
				status = VP_EXIT_BAD_INPUT;
				break;
			}
			status = 1;
			continue;
		}
		row->ran = true;
		row->us_per_op = -1.0;
		fill_row(row, &r, &counts);
		if (!ret && r.code == 0)
			timing_run(row, &c, o->timeout_s);
		if (ret)
			snprintf(row->error, sizeof(row->error), "%s", err);
		if (ret || r.code != 0)
			status = status ? status : 1;
		vp_usdt_counts_free(&counts);
	}
	vp_compare_speedups(cmp);
	if (status != VP_EXIT_BAD_INPUT)
		print_compare(cmp);
	if (o->json && status != VP_EXIT_BAD_INPUT) {
		ret = vp_compare_json_write(cmp, o->json);
		if (ret) {
			vp_error("cannot write %s: %s", o->json, strerror(-ret));
			status = status ? status : 1;
		}
	}
	vp_workloads_free(&t);
	free(cmp);
	return status;
}
