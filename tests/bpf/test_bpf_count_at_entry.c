// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A profile without a KVM_RUN hook (count_at_entry): the kvm tracepoints
 * alone bound each exit, and each exit, its return to the VMM and its
 * device access are counted at the vCPU's next kvm_entry.  On synthetic
 * events, in the kernel: the VMM's time ends at the thread's next kvm
 * event, a read while an exit is open counts it once, and an entry adds
 * nothing twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "synth_fixture.h"

#define IO_REASON   30 /* VMX's I/O instruction */
#define EPT_REASON  48 /* VMX's EPT violation */
#define HLT_REASON  12
#define IDE_DATA    0x1f0
#define IDE_COMMAND 0x1f7
#define BAR	    0xfebf0000ULL

static const struct vp_stat *exit_row(struct fixture *f, uint32_t reason)
{
	return row(f, VP_K_EXIT, 0, 0, 0, reason, 0, VP_ISA_VMX_CODE);
}

static const struct vp_stat *user_row(struct fixture *f, uint32_t reason)
{
	return row(f, VP_K_USER, 0, 0, 0, reason, 0, 0);
}

static void exit_ev(struct fixture *f, uint64_t ts, uint32_t reason)
{
	EV(f, .type = VP_SYN_EXIT, .ts = ts, .a = { reason, VP_ISA_VMX_CODE, 0 });
}

/* An OUT that went to the VMM: its time there ends at kvm_entry, and a
 * read while the VMM handles it already shows the exit, once. */
static void out_is_counted_once_and_timed_at_entry(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_counting_at_entry(-1, 1);
	exit_ev(f, 1000, IO_REASON);
	EV(f, .type = VP_SYN_PIO, .ts = 1010, .a = { VP_KVM_PIO_OUT, IDE_COMMAND, 1, 1 });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1020, .a = { KVM_EXIT_IO });
	read_back(f);
	assert_int_equal(exit_row(f, IO_REASON)->count, 1);
	assert_int_equal(exit_row(f, IO_REASON)->kern_count, 0);
	assert_int_equal(user_row(f, KVM_EXIT_IO)->count, 1);
	assert_int_equal(row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, IDE_COMMAND, 0)->count,
			 1);

	EV(f, .type = VP_SYN_ENTRY, .ts = 1520, .a = { 0 });
	read_back(f);
	const struct vp_stat *e = exit_row(f, IO_REASON);
	assert_int_equal(e->count, 1);
	assert_int_equal(e->kern_count, 1);
	assert_int_equal(e->kern_ns, 20); /* exit to the VMM's return */
	const struct vp_stat *u = user_row(f, KVM_EXIT_IO);
	assert_int_equal(u->count, 1);
	assert_int_equal(u->user_count, 1);
	assert_int_equal(u->user_ns, 500);
	const struct vp_stat *d = row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, IDE_COMMAND, 0);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->user_count, 1);
	assert_int_equal(d->user_ns, 500);
	assert_int_equal(d->kern_count, 1);
	assert_int_equal(d->kern_ns, 20);
	assert_int_equal(f->res.counters[VP_C_RUN_UNREAD], 0);
	unload(f);
}

/* An IN's kvm_pio fires once the VMM answered: the VMM's time ends there,
 * and the rest until kvm_entry is the kernel's again. */
static void in_ends_the_vmm_time_at_its_answer(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_counting_at_entry(-1, 1);
	exit_ev(f, 1000, IO_REASON);
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1020, .a = { KVM_EXIT_IO });
	EV(f, .type = VP_SYN_PIO, .ts = 1520, .a = { VP_KVM_PIO_IN, IDE_COMMAND, 1, 1 });
	EV(f, .type = VP_SYN_ENTRY, .ts = 1600, .a = { 0 });
	read_back(f);
	const struct vp_stat *d = row(f, VP_K_PIO, VP_DIR_READ, 1, VP_VCPU_ANY, 0, IDE_COMMAND, 0);
	assert_int_equal(d->count, 1);
	assert_int_equal(d->user_ns, 500);
	assert_int_equal(d->kern_ns, 100);
	assert_int_equal(exit_row(f, IO_REASON)->kern_ns, 100);
	unload(f);
}

/* A rep insw the VMM answers in two pieces before the guest runs again:
 * two accesses, two VMM times, one exit. */
static void string_in_counts_every_round_trip(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_counting_at_entry(-1, 1);
	exit_ev(f, 1000, IO_REASON);
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1010, .a = { KVM_EXIT_IO });
	EV(f, .type = VP_SYN_PIO, .ts = 1110, .a = { VP_KVM_PIO_IN, IDE_DATA, 2, 256 });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1120, .a = { KVM_EXIT_IO });
	EV(f, .type = VP_SYN_PIO, .ts = 1320, .a = { VP_KVM_PIO_IN, IDE_DATA, 2, 256 });
	EV(f, .type = VP_SYN_ENTRY, .ts = 1400, .a = { 0 });
	read_back(f);
	const struct vp_stat *d = row(f, VP_K_PIO, VP_DIR_READ, 2, VP_VCPU_ANY, 0, IDE_DATA, 0);
	assert_int_equal(d->count, 2);
	assert_int_equal(d->user_count, 2);
	assert_int_equal(d->user_ns, 300);
	assert_int_equal(d->max_ns, 200);
	assert_int_equal(user_row(f, KVM_EXIT_IO)->count, 2);
	assert_int_equal(exit_row(f, IO_REASON)->count, 1);
	assert_int_equal(exit_row(f, IO_REASON)->kern_ns, 100);
	unload(f);
}

/* An MMIO read is one access, counted when its value is known, with the
 * VMM's time up to then. */
static void mmio_read_is_one_access(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_counting_at_entry(-1, 1);
	exit_ev(f, 1000, EPT_REASON);
	EV(f, .type = VP_SYN_MMIO, .ts = 1010, .a = { 0, 4, BAR });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 1020, .a = { KVM_EXIT_MMIO });
	EV(f, .type = VP_SYN_MMIO, .ts = 1320, .a = { 1, 4, BAR });
	EV(f, .type = VP_SYN_ENTRY, .ts = 1400, .a = { 0 });
	exit_ev(f, 2000, EPT_REASON);
	EV(f, .type = VP_SYN_MMIO, .ts = 2010, .a = { 2, 4, BAR });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 2020, .a = { KVM_EXIT_MMIO });
	EV(f, .type = VP_SYN_ENTRY, .ts = 2420, .a = { 0 });
	read_back(f);
	const struct vp_stat *r = row(f, VP_K_MMIO, VP_DIR_READ, 4, VP_VCPU_ANY, 0, BAR, 0);
	assert_int_equal(r->count, 1);
	assert_int_equal(r->user_ns, 300);
	const struct vp_stat *w = row(f, VP_K_MMIO, VP_DIR_WRITE, 4, VP_VCPU_ANY, 0, BAR, 0);
	assert_int_equal(w->count, 1);
	assert_int_equal(w->user_ns, 400);
	assert_int_equal(exit_row(f, EPT_REASON)->count, 2);
	assert_int_equal(user_row(f, KVM_EXIT_MMIO)->user_count, 2);
	unload(f);
}

/* The HLT that ends the VM has no entry; an exit whose entry was missed is
 * counted when the next one begins.  Neither is lost nor counted twice. */
static void exits_without_entry_are_counted(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_counting_at_entry(-1, 1);
	exit_ev(f, 1000, IO_REASON);
	EV(f, .type = VP_SYN_PIO, .ts = 1010, .a = { VP_KVM_PIO_OUT, IDE_COMMAND, 1, 1 });
	exit_ev(f, 2000, HLT_REASON); /* the entry between them was not seen */
	EV(f, .type = VP_SYN_USER_EXIT, .ts = 2010, .a = { KVM_EXIT_HLT });
	read_back(f);
	assert_int_equal(exit_row(f, IO_REASON)->count, 1);
	assert_int_equal(row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, IDE_COMMAND, 0)->count,
			 1);
	assert_int_equal(exit_row(f, HLT_REASON)->count, 1);
	assert_int_equal(user_row(f, KVM_EXIT_HLT)->count, 1);
	read_back(f);
	assert_int_equal(exit_row(f, HLT_REASON)->count, 1);
	unload(f);
}

/* Only the profiled vCPU's open exits are added, as the kernel adds only
 * its finished ones. */
static void open_exits_of_other_vcpus_are_left_out(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_counting_at_entry(1, 1);
	exit_ev(f, 1000, HLT_REASON); /* "CPU 0/KVM" */
	EV(f, .type = VP_SYN_EXIT, .tid = TID + 1, .comm = "CPU 1/KVM", .ts = 1000,
	   .a = { IO_REASON, VP_ISA_VMX_CODE, 1 });
	read_back(f);
	assert_int_equal(vp_result_total_count(&f->res, VP_K_EXIT), 1);
	assert_int_equal(row(f, VP_K_EXIT, 0, 0, 1, IO_REASON, 0, VP_ISA_VMX_CODE)->count, 1);
	unload(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(out_is_counted_once_and_timed_at_entry),
		cmocka_unit_test(in_ends_the_vmm_time_at_its_answer),
		cmocka_unit_test(string_in_counts_every_round_trip),
		cmocka_unit_test(mmio_read_is_one_access),
		cmocka_unit_test(exits_without_entry_are_counted),
		cmocka_unit_test(open_exits_of_other_vcpus_are_left_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
