// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A host-wide profile: the programs follow the processes in their VM set
 * only, every key says which VM it is, and a process taken out of the set
 * is no longer counted; the same port on two VMs stays two rows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <linux/kvm.h>

#include "stats_reader.h"
#include "synth_fixture.h"

#define VM_A   TGID
#define VM_B   OTHER_TGID
#define NOT_VM 999

static void add_vm(struct fixture *f, uint32_t tgid)
{
	uint32_t one = 1;

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(f->skel->maps.vms), &tgid, &one, BPF_ANY),
			 0);
}

/* One port exit to user space, bounded by the kvm tracepoints. */
static void port_exit(struct fixture *f, uint32_t tgid, uint32_t tid, uint64_t ts, uint16_t port)
{
	EV(f, .type = VP_SYN_EXIT, .tgid = tgid, .tid = tid, .ts = ts, .a = { 0x7b, 2, 0 });
	EV(f, .type = VP_SYN_PIO, .tgid = tgid, .tid = tid, .ts = ts + 1,
	   .a = { 1 /* out */, port, 1, 1 });
	EV(f, .type = VP_SYN_USER_EXIT, .tgid = tgid, .tid = tid, .ts = ts + 2,
	   .a = { KVM_EXIT_IO });
	EV(f, .type = VP_SYN_ENTRY, .tgid = tgid, .tid = tid, .ts = ts + 10, .a = { 0 });
}

static uint64_t count_of(struct fixture *f, uint32_t vm, uint8_t kind, uint64_t addr)
{
	uint64_t n = 0;

	for (size_t i = 0; i < f->res.nrows; i++) {
		const struct vp_key *k = &f->res.rows[i].key;

		if (k->vm == vm && k->kind == kind && (kind != VP_K_PIO || k->addr == addr))
			n += f->res.rows[i].st.count;
	}
	return n;
}

static void keys_say_their_vm(void **state)
{
	struct fixture *f;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_host_wide();
	add_vm(f, VM_A);
	add_vm(f, VM_B);
	port_exit(f, VM_A, 11, 100, 0x3f8);
	port_exit(f, VM_A, 11, 200, 0x3f8);
	port_exit(f, VM_B, 21, 100, 0x3f8);
	port_exit(f, NOT_VM, 31, 100, 0x3f8);
	read_back(f);
	assert_int_equal(count_of(f, VM_A, VP_K_PIO, 0x3f8), 2);
	assert_int_equal(count_of(f, VM_B, VP_K_PIO, 0x3f8), 1);
	assert_int_equal(count_of(f, NOT_VM, VP_K_PIO, 0x3f8), 0);
	assert_int_equal(count_of(f, VM_A, VP_K_USER, 0), 2);
	assert_int_equal(count_of(f, VM_B, VP_K_EXIT, 0), 1);
	assert_int_equal(count_of(f, 0, VP_K_PIO, 0x3f8), 0);
	unload(f);
}

static void a_vm_taken_out_is_no_longer_counted(void **state)
{
	struct fixture *f;
	uint32_t tgid = VM_B;

	(void)state;
	if (skip_unless_root())
		return;
	f = load_host_wide();
	add_vm(f, VM_A);
	add_vm(f, VM_B);
	port_exit(f, VM_B, 21, 100, 0x60);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(f->skel->maps.vms), &tgid), 0);
	port_exit(f, VM_B, 21, 200, 0x60);
	port_exit(f, VM_A, 11, 200, 0x60);
	read_back(f);
	assert_int_equal(count_of(f, VM_B, VP_K_PIO, 0x60), 1);
	assert_int_equal(count_of(f, VM_A, VP_K_PIO, 0x60), 1);
	unload(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_say_their_vm),
		cmocka_unit_test(a_vm_taken_out_is_no_longer_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
