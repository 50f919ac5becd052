// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "compare_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare_doc.h"
#include "doc_writer.h"
#include "attribution.h"
#include "errors.h"
#include "run_profile.h"
#include "text_report.h"

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
		cmp->rows[cmp->n] =
			(struct vp_compare_row){ .w = w,
						 .name = w->name,
						 .group = w->group,
						 .path = w->path,
						 .params = w->defaults ? w->defaults : "" };
		cmp->n++;
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

/* kvm: every exit of the run; kvm_guest: the device keys' part after the
 * firmware's last fw_cfg access, which the row's figures are of. */
static void fill_row(struct vp_compare_row *row, const struct vp_guest_result *r,
		     const struct vp_usdt_counts *c, const struct vp_result *kvm,
		     const struct vp_result *kvm_guest, const struct vp_memmap *map)
{
	struct vp_device_count d[VP_MAX_DEVICE_COUNTS];
	size_t n = vp_profile_by_device(c, r->valid ? r : NULL, d, VP_MAX_DEVICE_COUNTS);
	const struct vp_device_count *dc = vp_device_count_find(d, n, row->dev);
	struct vp_attribution a = { .usdt = c, .memmap = map && map->nranges ? map : NULL };
	struct vp_device_total *tot = NULL;
	bool on_kvm = kvm && kvm->nrows;
	size_t ntot = vp_device_totals(on_kvm ? kvm_guest : NULL, &a, &tot);
	const struct vp_device_total *t = vp_device_total_find(tot, ntot, row->dev);

	snprintf(row->status, sizeof(row->status), "%s", r->valid ? r->status : "no-result");
	row->ops = r->ops;
	row->bytes = r->bytes;
	row->cycles = r->cycles;
	row->tsc_khz = r->tsc_khz;
	row->us_per_op_profiled = us_per_op(r);
	row->kernel_ns_per_op = row->qemu_ns_per_op = -1.0;
	row->interrupts = t ? t->guest_interrupts : 0;
	row->nevents = t ? t->nev : 0;
	if (t)
		memcpy(row->events, t->ev, t->nev * sizeof(*t->ev));
	if (dc) {
		row->qemu_reads = dc->reads;
		row->qemu_writes = dc->writes;
		row->fw_reads = dc->fw_reads;
		row->fw_writes = dc->fw_writes;
		row->guest_reads = dc->guest_reads;
		row->guest_writes = dc->guest_writes;
	}
	if (on_kvm)
		row->not_recorded = kvm->counters[VP_C_STATS_FULL] + kvm->counters[VP_C_GUEST_FULL];
	if (on_kvm && t) {
		/* Exits, not QEMU's dispatches: a string instruction is one exit
		 * for many (SeaBIOS reads IDENTIFY with one rep insw). */
		row->to_user = t->to_user;
		row->ioeventfd = t->ioeventfd;
		row->coalesced = t->coalesced;
		row->in_kernel_measured = true;
		/* Where kvm_exit never fires (a PVM host) nothing timed the kernel. */
		if (vp_result_has_exit_events(kvm))
			row->kernel_ns_per_op = vp_compare_per_op(t->kernel_ns, row->ops);
		row->qemu_ns_per_op = vp_compare_per_op(t->user_ns, row->ops);
	} else {
		row->to_user = row->qemu_reads + row->qemu_writes;
		row->ioeventfd = row->guest_writes > row->qemu_writes
					 ? row->guest_writes - row->qemu_writes
					 : 0;
	}
	free(tot);
}

/* The same workload again without probes, `repeat` times, for its time
 * per op only: the median goes in the table, the spread says how noisy. */
static void timing_runs(struct vp_compare_row *row, const struct vp_guest_config *c,
			double timeout_s, int repeat)
{
	double sorted[VP_MAX_REPEAT];

	row->nruns = 0;
	for (int i = 0; i < repeat; i++) {
		struct vp_guest_result r;
		struct vp_guest *g;
		char err[512];
		int ret;

		memset(&r, 0, sizeof(r));
		ret = vp_guest_start(row->w, c, &g, err, sizeof(err));
		if (ret) {
			vp_error("%s (timing run): %s", row->name, err);
			snprintf(row->timing_status, sizeof(row->timing_status), "error");
			break;
		}
		ret = vp_guest_wait(g, timeout_s, &r, err, sizeof(err));
		vp_guest_free(g);
		if (ret)
			vp_error("%s (timing run): %s", row->name, err);
		snprintf(row->timing_status, sizeof(row->timing_status), "%s",
			 r.valid ? r.status : "no-result");
		if (ret || r.code != 0 || us_per_op(&r) < 0)
			break;
		row->runs[row->nruns++] = us_per_op(&r);
	}
	memcpy(sorted, row->runs, row->nruns * sizeof(*sorted));
	row->us_per_op = vp_median(sorted, row->nruns);
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
		struct vp_result kvm, kvm_guest;
		struct vp_memmap map;
		char elf[4096], accel[8] = "";

		row->dev = vp_device_for_workload(row->name);
		snprintf(elf, sizeof(elf), "%s/%s.elf", o->guest_dir, row->name);
		c.elf = elf;
		vp_note("compare: running %s (%s)", row->name, row->params);
		vp_result_init(&kvm);
		vp_result_init(&kvm_guest);
		ret = vp_run_profiled(row->w, &c, o->timeout_s, o->verbose, &r, &counts, &kvm,
				      &kvm_guest, &map, accel, sizeof(accel), err, sizeof(err));
		if (!cmp->accel[0] && accel[0])
			snprintf(cmp->accel, sizeof(cmp->accel), "%s", accel);
		if (ret && !r.valid) {
			vp_error("%s: %s", row->name, err);
			snprintf(row->status, sizeof(row->status), "error");
			snprintf(row->error, sizeof(row->error), "%s", err);
			row->us_per_op = row->us_per_op_profiled = -1.0;
			row->kernel_ns_per_op = row->qemu_ns_per_op = -1.0;
			vp_usdt_counts_free(&counts);
			vp_result_free(&kvm);
			vp_result_free(&kvm_guest);
			vp_memmap_free(&map);
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
		fill_row(row, &r, &counts, &kvm, &kvm_guest, &map);
		if (!strcmp(accel, "kvm") && !vp_result_has_exit_events(&kvm))
			cmp->kvm_exit_silent = true;
		if (!ret && r.code == 0)
			timing_runs(row, &c, o->timeout_s, o->repeat);
		if (ret)
			snprintf(row->error, sizeof(row->error), "%s", err);
		if (ret || r.code != 0)
			status = status ? status : 1;
		vp_usdt_counts_free(&counts);
		vp_result_free(&kvm);
		vp_result_free(&kvm_guest);
		vp_memmap_free(&map);
	}
	vp_compare_speedups(cmp);
	if (status != VP_EXIT_BAD_INPUT) {
		/* The terminal shows what the document holds: one renderer for both. */
		json_t *doc = vp_compare_doc(cmp, o->qemu);
		struct vp_text_style style;

		vp_tt_style_auto(STDOUT_FILENO, &style);
		if (doc)
			vp_text_render(stdout, doc, &style);
		if (o->json && (ret = vp_doc_save(json_incref(doc), o->json, err, sizeof(err)))) {
			vp_error("%s", err);
			status = status ? status : 1;
		}
		json_decref(doc);
	}
	vp_workloads_free(&t);
	free(cmp);
	return status;
}
