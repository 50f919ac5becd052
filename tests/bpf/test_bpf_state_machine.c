// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The kernel state machine, run in the kernel on synthetic events: exit ->
 * entry pairing, the user-space split, kvm_pio/kvm_mmio ordering, filtering
 * and bounded maps.  Read back through the collector's own map reader.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "synth_fixture.h"

static void exit_entry_pairs_kernel_time(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	EV(f, .type = VP_SYN_EXIT, .ts = 1000, .a = { 30, VP_ISA_VMX_CODE, 1 });
	EV(f, .type = VP_SYN_PIO, .ts = 1100, .a = { VP_KVM_PIO_OUT, 0x3f8, 1, 1 });
	EV(f, .type = VP_SYN_ENTRY, .ts = 1500, .a = { 1 });
	read_back(f);
	const struct vp_stat *ex = row(f, VP_K_EXIT, 0, 0, 1, 30, 0, VP_ISA_VMX_CODE);
	assert_int_equal(ex->count, 1);
	assert_int_equal(ex->kern_ns, 500);
	assert_int_equal(ex->min_ns, 500);
	assert_int_equal(ex->max_ns, 500);
	assert_int_equal(ex->slots[8], 1); /* 256 <= 500 < 512 */
	const struct vp_stat *pio = row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0x3f8, 0);
	assert_int_equal(pio->count, 1);
	assert_int_equal(pio->user_count, 0);
	assert_int_equal(pio->kern_ns, 500);
	unload(f);
}

static void user_exit_splits_kernel_and_vmm_time(void **state)
{
	struct kvm_run run;
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	io_run(&run, 1, 0x70, 1);
	EV(f, .type = VP_SYN_EXIT, .ts = 0, .a = { 30, VP_ISA_VMX_CODE, 0 });
	EV(f, .type = VP_SYN_PIO, .ts = 100, .a = { VP_KVM_PIO_OUT, 0x70, 1, 1 });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 300, .a = { KVM_EXIT_IO });
	run_enter_after(f, 10300, &run);
	EV(f, .type = VP_SYN_ENTRY, .ts = 10400, .a = { 0 });
	read_back(f);
	const struct vp_stat *user = row(f, VP_K_USER, 0, 0, 0, KVM_EXIT_IO, 0, 0);
	assert_int_equal(user->count, 1);
	assert_int_equal(user->user_ns, 10000);
	const struct vp_stat *ex = row(f, VP_K_EXIT, 0, 0, 0, 30, 0, VP_ISA_VMX_CODE);
	assert_int_equal(ex->kern_ns, 400); /* 300 before the exit to user space, 100 after */
	const struct vp_stat *pio = row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0x70, 0);
	assert_int_equal(pio->count, 1);
	assert_int_equal(pio->user_count, 1);
	assert_int_equal(pio->user_ns, 10000);
	assert_int_equal(pio->kern_ns, 400);
	unload(f);
}

/*
 * Without kvm_exit/kvm_entry (PVM and some nested hosts), an OUT handled in
 * the kernel is followed by an IN that goes to the VMM; kvm_pio for the IN
 * fires only after the VMM answered.  The VMM time must land on the IN port.
 */
static void in_after_kernel_out_gets_the_vmm_time(void **state)
{
	struct kvm_run run;
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	io_run(&run, 0, 0x71, 1);
	EV(f, .type = VP_SYN_PIO, .ts = 50,
	   .a = { VP_KVM_PIO_OUT, 0x80, 1, 1 }); /* OUT served in the kernel */
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 100, .a = { KVM_EXIT_IO });
	run_enter_after(f, 2100, &run);
	EV(f, .type = VP_SYN_PIO, .ts = 2200,
	   .a = { VP_KVM_PIO_IN, 0x71, 1, 1 }); /* IN completes */
	read_back(f);
	const struct vp_stat *out = row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0x80, 0);
	assert_int_equal(out->count, 1);
	assert_int_equal(out->user_count, 0);
	const struct vp_stat *in = row(f, VP_K_PIO, VP_DIR_READ, 1, VP_VCPU_ANY, 0, 0x71, 0);
	assert_int_equal(in->count, 1);
	assert_int_equal(in->user_count, 1);
	assert_int_equal(in->user_ns, 2000);
	assert_false(vp_result_has_exit_events(&f->res));
	unload(f);
}

static void mmio_read_counted_once(void **state)
{
	struct kvm_run run;
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	mmio_run(&run, 0, 0xfeb00010, 4);
	EV(f, .type = VP_SYN_MMIO, .ts = 10, .a = { 0, 4, 0xfeb00010 }); /* READ_UNSATISFIED */
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 20, .a = { KVM_EXIT_MMIO });
	run_enter_after(f, 520, &run);
	EV(f, .type = VP_SYN_MMIO, .ts = 530, .a = { 1, 4, 0xfeb00010 }); /* READ with the value */
	EV(f, .type = VP_SYN_MMIO, .ts = 600,
	   .a = { 2, 4, 0xfee000b0 }); /* write served in the kernel */
	read_back(f);
	const struct vp_stat *rd = row(f, VP_K_MMIO, VP_DIR_READ, 4, VP_VCPU_ANY, 0, 0xfeb00010, 0);
	assert_int_equal(rd->count, 1);
	assert_int_equal(rd->user_count, 1);
	assert_int_equal(rd->user_ns, 500);
	const struct vp_stat *wr =
		row(f, VP_K_MMIO, VP_DIR_WRITE, 4, VP_VCPU_ANY, 0, 0xfee000b0, 0);
	assert_int_equal(wr->count, 1);
	assert_int_equal(wr->user_count, 0);
	unload(f);
}

/*
 * A vCPU asked to stop while QEMU handles an MMIO exit returns from its
 * next KVM_RUN with -EINTR and the MMIO exit_reason still in kvm_run.
 */
static void interrupted_run_is_not_another_exit(void **state)
{
	struct kvm_run run;
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	mmio_run(&run, 1, 0xfeb00010, 4);
	EV(f, .type = VP_SYN_MMIO, .ts = 10, .a = { 2, 4, 0xfeb00010 });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 20, .a = { KVM_EXIT_MMIO });
	run_enter_after(f, 520, &run);
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 530, .a = { KVM_EXIT_MMIO, (uint64_t)-EINTR });
	run_enter_after(f, 1530, &run);
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1540, .a = { KVM_EXIT_MMIO, (uint64_t)-EFAULT });
	run_enter_after(f, 1600, &run);
	read_back(f);
	assert_int_equal(row(f, VP_K_USER, 0, 0, 0, KVM_EXIT_MMIO, 0, 0)->count, 1);
	assert_int_equal(row(f, VP_K_USER, 0, 0, 0, KVM_EXIT_INTR, 0, 0)->count, 1);
	assert_int_equal(row(f, VP_K_USER, 0, 0, 0, VP_USER_ERROR | EFAULT, 0, 0)->count, 1);
	const struct vp_stat *wr =
		row(f, VP_K_MMIO, VP_DIR_WRITE, 4, VP_VCPU_ANY, 0, 0xfeb00010, 0);
	assert_int_equal(wr->count, 1);
	assert_int_equal(wr->user_count, 1);
	assert_int_equal(wr->user_ns, 500);
	unload(f);
}

static void other_processes_never_counted(void **state)
{
	struct fixture *f;
	uint32_t key, next;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	EV(f, .type = VP_SYN_EXIT, .tgid = OTHER_TGID, .ts = 1, .a = { 12, 1, 0 });
	EV(f, .type = VP_SYN_ENTRY, .tgid = OTHER_TGID, .ts = 2, .a = { 0 });
	EV(f, .type = VP_SYN_PIO, .tgid = OTHER_TGID, .ts = 3, .a = { VP_KVM_PIO_OUT, 0x80, 1, 1 });
	EV(f, .type = VP_SYN_MSI, .tgid = OTHER_TGID, .ts = 4, .a = { 0xfee00000, 0x41 });
	read_back(f);
	assert_int_equal(f->res.nrows, 0);
	assert_int_not_equal(bpf_map_get_next_key(bpf_map__fd(f->skel->maps.threads), NULL, &next),
			     0);
	(void)key;
	unload(f);
}

static void vcpu_from_fd_then_thread_name(void **state)
{
	struct vp_vcpu_fd vf = { .vcpu = 5 };
	struct fixture *f;
	struct vp_vcpu_fd_key fd = { .tgid = TGID, .fd = 10 };

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	/* A thread named like QEMU's vCPU threads, before any fd is known. */
	EV(f, .type = VP_SYN_USER_EXIT, .tid = 501, .ts = 1, .a = { KVM_EXIT_HLT },
	   .comm = "CPU 3/KVM");
	EV(f, .type = VP_SYN_USER_EXIT, .tid = 502, .ts = 1, .a = { KVM_EXIT_HLT },
	   .comm = "qemu-system-x86");
	assert_int_equal(
		bpf_map_update_elem(bpf_map__fd(f->skel->maps.vcpu_fds), &fd, &vf, BPF_ANY), 0);
	EV(f, .type = VP_SYN_RUN_ENTER, .tid = 503, .ts = 5, .a = { 10 });
	EV(f, .type = VP_SYN_USER_EXIT, .tid = 503, .ts = 9, .a = { KVM_EXIT_HLT });
	read_back(f);
	assert_int_equal(row(f, VP_K_USER, 0, 0, 3, KVM_EXIT_HLT, 0, 0)->count, 1);
	assert_int_equal(row(f, VP_K_USER, 0, 0, VP_VCPU_UNKNOWN, KVM_EXIT_HLT, 0, 0)->count, 1);
	assert_int_equal(row(f, VP_K_USER, 0, 0, 5, KVM_EXIT_HLT, 0, 0)->count, 1);
	unload(f);
}

static void vcpu_filter_drops_other_vcpus(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(1);
	EV(f, .type = VP_SYN_EXIT, .tid = 600, .ts = 0, .a = { 10, 1, 0 });
	EV(f, .type = VP_SYN_ENTRY, .tid = 600, .ts = 10, .a = { 0 });
	EV(f, .type = VP_SYN_EXIT, .tid = 601, .ts = 0, .a = { 10, 1, 1 });
	EV(f, .type = VP_SYN_CPUID, .tid = 601, .ts = 5, .a = { 0x1 });
	EV(f, .type = VP_SYN_ENTRY, .tid = 601, .ts = 20, .a = { 1 });
	read_back(f);
	assert_int_equal(vp_result_total_count(&f->res, VP_K_EXIT), 1);
	assert_int_equal(row(f, VP_K_EXIT, 0, 0, 1, 10, 0, 1)->kern_ns, 20);
	assert_int_equal(row(f, VP_K_CPUID, 0, 0, VP_VCPU_ANY, 1, 0, 0)->count, 1);
	unload(f);
}

static void percentiles_follow_the_distribution(void **state)
{
	struct fixture *f;
	uint64_t t = 0;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	for (int i = 0; i < 100; i++) {
		uint64_t lat = i < 90 ? 1000 : 1000000;

		EV(f, .type = VP_SYN_EXIT, .ts = t, .a = { 48, VP_ISA_VMX_CODE, 0 });
		EV(f, .type = VP_SYN_ENTRY, .ts = t + lat, .a = { 0 });
		t += lat + 1;
	}
	read_back(f);
	const struct vp_stat *s = row(f, VP_K_EXIT, 0, 0, 0, 48, 0, VP_ISA_VMX_CODE);
	assert_int_equal(s->count, 100);
	assert_int_equal(s->kern_ns, 90 * 1000 + 10 * 1000000);
	uint64_t p50 = vp_stat_percentile(s, 50), p99 = vp_stat_percentile(s, 99);
	assert_in_range(p50, 1000, 1024);      /* clamped to min, inside [512, 1024) */
	assert_in_range(p99, 524288, 1000000); /* the slow tail's bucket */
	assert_int_equal(vp_stat_percentile(s, 100), 1000000);
	unload(f);
}

static uint64_t count_of_kind(const struct fixture *f, uint8_t kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < f->res.nrows; i++)
		if (f->res.rows[i].key.kind == kind)
			n += f->res.rows[i].st.count;
	return n;
}

/* Firmware writing the VGA text buffer a byte at a time: one key per page,
 * not per byte; addresses next to the window keep their own keys. */
static void vga_window_is_keyed_per_page(void **state)
{
	struct kvm_run run;
	struct fixture *f;
	uint64_t t = 0;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	for (uint64_t a = 0xb8000; a < 0xbc000; a++)
		EV(f, .type = VP_SYN_MMIO, .ts = t++, .a = { 2, 1, a });
	for (uint64_t a = 0xa0000; a < 0xa0100; a += 2)
		EV(f, .type = VP_SYN_MMIO, .ts = t++, .a = { 1, 2, a });
	EV(f, .type = VP_SYN_MMIO, .ts = t++, .a = { 2, 1, 0x9ffff });
	EV(f, .type = VP_SYN_MMIO, .ts = t++, .a = { 2, 1, 0xc0001 });
	/* a write that went to the VMM: its time reaches the page's key */
	mmio_run(&run, 1, 0xbb123, 1);
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 100000, .a = { KVM_EXIT_MMIO });
	run_enter_after(f, 100700, &run);
	read_back(f);
	for (uint64_t page = 0xb8000; page < 0xbc000; page += 0x1000)
		assert_int_equal(row(f, VP_K_MMIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, page, 0)->count,
				 4096);
	assert_int_equal(row(f, VP_K_MMIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0xbb000, 0)->user_ns,
			 700);
	assert_int_equal(row(f, VP_K_MMIO, VP_DIR_READ, 2, VP_VCPU_ANY, 0, 0xa0000, 0)->count, 128);
	assert_int_equal(row(f, VP_K_MMIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0x9ffff, 0)->count, 1);
	assert_int_equal(row(f, VP_K_MMIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0xc0001, 0)->count, 1);
	/* 4 text pages, 1 graphics page, 2 neighbours; and the user exit's key */
	assert_int_equal(f->res.nrows, 7 + 1);
	assert_int_equal(count_of_kind(f, VP_K_MMIO), 0x4000 + 128 + 2);
	assert_int_equal(f->res.counters[VP_C_STATS_FULL], 0);
	unload(f);
}

/* A full table folds new keys into their kind's row: every event is still
 * counted and timed, and the fold is itself counted.  A vCPU's own keys
 * are in their own table, which the devices' keys do not fill. */
static void full_map_folds_into_the_overflow_row(void **state)
{
	struct kvm_run run;
	struct vp_key fk;
	const struct vp_row *r;
	struct fixture *f;
	const int extra = 20, each = 3;
	uint64_t t = 0;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	for (int port = 0; port < VP_MAX_STATS; port++)
		EV(f, .type = VP_SYN_PIO, .ts = t++, .a = { VP_KVM_PIO_OUT, port, 1, 1 });
	for (int i = 0; i < extra; i++)
		for (int j = 0; j < each; j++)
			EV(f, .type = VP_SYN_PIO, .ts = t++,
			   .a = { VP_KVM_PIO_OUT, 40000 + i, 2, 1 });
	/* a timed exit to the VMM whose keys (its reason, its address) are new */
	mmio_run(&run, 1, 0xfe000000, 4);
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1000000, .a = { KVM_EXIT_MMIO });
	run_enter_after(f, 1002000, &run);
	/* the vCPU's next access, to another address, sends the one it held
	 * to the table; this one it holds, a row like any other */
	EV(f, .type = VP_SYN_PIO, .ts = 1003000, .a = { VP_KVM_PIO_OUT, 40000 + extra, 2, 1 });
	read_back(f);

	assert_int_equal(f->res.counters[VP_C_EV_PIO], VP_MAX_STATS + extra * each + 1);
	assert_int_equal(count_of_kind(f, VP_K_PIO), VP_MAX_STATS + extra * each + 1);
	assert_int_equal(row(f, VP_K_PIO, VP_DIR_WRITE, 2, VP_VCPU_ANY, 0, 40000 + extra, 0)->count,
			 1);
	fk = vp_key_folded(VP_K_PIO);
	r = vp_result_find(&f->res, &fk);
	assert_non_null(r);
	assert_int_equal(r->st.count, extra * each);
	fk = vp_key_folded(VP_K_USER);
	assert_null(vp_result_find(&f->res, &fk));
	const struct vp_stat *u = row(f, VP_K_USER, 0, 0, 0, KVM_EXIT_MMIO, 0, 0);
	assert_int_equal(u->count, 1);
	assert_int_equal(u->user_ns, 2000);
	fk = vp_key_folded(VP_K_MMIO);
	r = vp_result_find(&f->res, &fk);
	assert_non_null(r);
	assert_int_equal(r->st.user_count, 1);
	assert_int_equal(r->st.user_ns, 2000);
	assert_int_equal(r->st.max_ns, 2000);
	/* the table itself, a folded row per kind that folded, the user exit,
	 * the access held */
	assert_int_equal(f->res.nrows, VP_MAX_STATS + 4);
	/* 60 port events, the exit's address timed */
	assert_int_equal(f->res.counters[VP_C_STATS_FULL], extra * each + 1);
	unload(f);
}

static void run_time_and_unreadable_kvm_run(void **state)
{
	struct kvm_run run;
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	io_run(&run, 1, 0x60, 1);
	run.exit_reason = KVM_EXIT_MMIO; /* not the exit the kernel reported */
	EV(f, .type = VP_SYN_RUN_ENTER, .ts = 0, .a = { 10 });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 4000, .a = { KVM_EXIT_IO });
	EV(f, .type = VP_SYN_RUN_EXIT, .ts = 5000);
	run_enter_after(f, 6000, &run);
	read_back(f);
	const struct vp_stat *r = row(f, VP_K_RUN, 0, 0, 0, 0, 0, 0);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->kern_ns, 5000);
	assert_int_equal(f->res.counters[VP_C_RUN_UNREAD], 1);
	assert_int_equal(row(f, VP_K_USER, 0, 0, 0, KVM_EXIT_IO, 0, 0)->user_ns, 2000);
	unload(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_entry_pairs_kernel_time),
		cmocka_unit_test(user_exit_splits_kernel_and_vmm_time),
		cmocka_unit_test(in_after_kernel_out_gets_the_vmm_time),
		cmocka_unit_test(mmio_read_counted_once),
		cmocka_unit_test(interrupted_run_is_not_another_exit),
		cmocka_unit_test(other_processes_never_counted),
		cmocka_unit_test(vcpu_from_fd_then_thread_name),
		cmocka_unit_test(vcpu_filter_drops_other_vcpus),
		cmocka_unit_test(percentiles_follow_the_distribution),
		cmocka_unit_test(vga_window_is_keyed_per_page),
		cmocka_unit_test(full_map_folds_into_the_overflow_row),
		cmocka_unit_test(run_time_and_unreadable_kvm_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
