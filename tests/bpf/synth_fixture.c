// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "synth_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "stats_reader.h"
#include "vmexit_source.h"

int skip_unless_root(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "skipped: loading BPF programs needs root\n");
		return 1;
	}
	return 0;
}

struct fixture *load(int vcpu_filter)
{
	return load_counting_at_entry(vcpu_filter, 0);
}

static struct fixture *load_as(int vcpu_filter, int count_at_entry, int all_vms)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.skel = vmexit_synth__open();
	assert_non_null(f.skel);
	f.skel->rodata->target_tgid = all_vms ? 0 : TGID;
	f.skel->rodata->all_vms = all_vms;
	f.skel->rodata->target_vcpu = vcpu_filter;
	vp_marker_ports((struct vp_port_span *)f.skel->rodata->marker_ports);
	f.skel->rodata->keep_guest_part = 1;
	f.skel->rodata->count_at_entry = count_at_entry;
	f.count_at_entry = count_at_entry;
	assert_int_equal(vmexit_synth__load(f.skel), 0);
	vp_result_init(&f.res);
	return &f;
}

struct fixture *load_counting_at_entry(int vcpu_filter, int count_at_entry)
{
	return load_as(vcpu_filter, count_at_entry, 0);
}

struct fixture *load_host_wide(void)
{
	return load_as(-1, 1, 1);
}

void unload(struct fixture *f)
{
	vp_result_free(&f->res);
	vmexit_synth__destroy(f->skel);
}

void send_ev(struct fixture *f, struct vp_synth_event *e)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = e, .ctx_size_in = sizeof(*e));

	if (!e->tgid)
		e->tgid = TGID;
	if (!e->tid)
		e->tid = TID;
	if (!e->comm[0])
		memcpy(e->comm, "CPU 0/KVM", 10);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(f->skel->progs.synth_event), &opts),
			 0);
	assert_int_equal(opts.retval, 0);
}

void run_enter_after(struct fixture *f, uint64_t ts, const struct kvm_run *run)
{
	struct vp_synth_event e = { .type = VP_SYN_RUN_ENTER, .ts = ts, .a = { 10 } };

	if (run) {
		memcpy(e.run, run, sizeof(e.run));
		e.run_valid = 1;
	}
	send_ev(f, &e);
}

void read_back(struct fixture *f)
{
	assert_int_equal(vp_read_maps(bpf_map__fd(f->skel->maps.stats),
				      bpf_map__fd(f->skel->maps.vcpu_stats),
				      bpf_map__fd(f->skel->maps.stats_overflow),
				      bpf_map__fd(f->skel->maps.counters), &f->res),
			 0);
	assert_int_equal(vp_read_threads(bpf_map__fd(f->skel->maps.threads),
					 f->skel->rodata->target_vcpu, f->skel->rodata->all_vms,
					 f->count_at_entry, &f->res),
			 0);
}

const struct vp_stat *row(struct fixture *f, uint8_t kind, uint8_t dir, uint8_t size, uint16_t vcpu,
			  uint32_t code, uint64_t addr, uint8_t isa)
{
	struct vp_key k = { .kind = kind,
			    .dir = dir,
			    .size = size,
			    .vcpu = vcpu,
			    .code = code,
			    .addr = addr,
			    .isa = isa };
	const struct vp_row *r = vp_result_find(&f->res, &k);

	if (!r)
		fail_msg("no row kind=%u addr=0x%llx code=%u vcpu=%u", kind,
			 (unsigned long long)addr, code, vcpu);
	return &r->st;
}

void io_run(struct kvm_run *run, int out, uint16_t port, uint8_t size)
{
	memset(run, 0, sizeof(*run));
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = out ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	run->io.port = port;
	run->io.size = size;
	run->io.count = 1;
}

void mmio_run(struct kvm_run *run, int write, uint64_t gpa, uint32_t len)
{
	memset(run, 0, sizeof(*run));
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = len;
	run->mmio.is_write = write;
}
