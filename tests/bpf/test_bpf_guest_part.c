// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The guest's part of each device key, in the kernel on synthetic events:
 * what follows the firmware's last fw_cfg access, exits and interrupts
 * alike, read back through the collector's reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <bpf/libbpf.h>

#include "stats_reader.h"
#include "synth_fixture.h"

/* An exit to the VMM for an OUT to port, from ts on. */
static void out_exit(struct fixture *f, uint64_t ts, uint16_t port, uint64_t vmm_ns)
{
	struct kvm_run run;

	io_run(&run, 1, port, 1);
	EV(f, .type = VP_SYN_EXIT, .ts = ts, .a = { 30, VP_ISA_VMX_CODE, 0 });
	EV(f, .type = VP_SYN_PIO, .ts = ts + 10, .a = { VP_KVM_PIO_OUT, port, 1, 1 });
	EV(f, .type = VP_SYN_USER_EXIT, .ts = ts + 20, .a = { KVM_EXIT_IO });
	run_enter_after(f, ts + 20 + vmm_ns, &run);
	EV(f, .type = VP_SYN_ENTRY, .ts = ts + 30 + vmm_ns, .a = { 0 });
}

/*
 * The firmware drives the same devices the guest measures (SeaBIOS reads
 * the IDE disk, string instructions make one exit for many of QEMU's
 * dispatches): the guest's part of a device starts after the last fw_cfg
 * access, counted in exits by the kernel.
 */
static void guest_part_starts_after_the_last_fw_cfg_access(void **state)
{
	struct vp_result guest;
	uint64_t epoch;
	struct fixture *f;
	uint64_t ts = 1000;

	(void)state;
	if (skip_unless_root())
		return;
	f = load(-1);
	for (int i = 0; i < 3; i++, ts += 1000)
		out_exit(f, ts, 0x1f7, 500);
	EV(f, .type = VP_SYN_SET_IRQ, .ts = ts++, .a = { 14, 1 }); /* the firmware's interrupt */
	out_exit(f, ts, 0x510, 100);				   /* fw_cfg selector */
	ts += 1000;
	out_exit(f, ts, 0x1f7, 500);
	ts += 1000;
	EV(f, .type = VP_SYN_PIO, .ts = ts, .a = { VP_KVM_PIO_OUT, 0x514, 4, 1 }); /* fw_cfg DMA */
	ts += 1000;
	out_exit(f, ts, 0x1f7, 700);
	ts += 1000;
	out_exit(f, ts, 0x3f8, 200);
	EV(f, .type = VP_SYN_SET_IRQ, .ts = ts + 1, .a = { 14, 1 });
	EV(f, .type = VP_SYN_SET_IRQ, .ts = ts + 2, .a = { 14, 1 });
	read_back(f);
	vp_result_init(&guest);
	epoch = f->skel->bss->fw_epoch;
	assert_int_equal(epoch, 2);
	assert_int_equal(vp_read_guest_map(bpf_map__fd(f->skel->maps.guest_stats), epoch, &guest),
			 0);
	const struct vp_stat *all = row(f, VP_K_PIO, VP_DIR_WRITE, 1, VP_VCPU_ANY, 0, 0x1f7, 0);
	assert_int_equal(all->count, 5);
	assert_int_equal(all->user_count, 5);
	struct vp_key ide = {
		.kind = VP_K_PIO, .dir = VP_DIR_WRITE, .size = 1, .vcpu = VP_VCPU_ANY, .addr = 0x1f7
	};
	const struct vp_row *g = vp_result_find(&guest, &ide);
	assert_non_null(g);
	assert_int_equal(g->st.count, 1);
	assert_int_equal(g->st.user_count, 1);
	assert_int_equal(g->st.user_ns, 700);
	assert_int_equal(g->st.kern_count, 1);
	assert_int_equal(g->st.kern_ns, 30);
	ide.addr = 0x3f8;
	assert_non_null(vp_result_find(&guest, &ide));
	/* interrupts too: the guest's own, after the firmware's */
	struct vp_key irq = { .kind = VP_K_IRQ, .vcpu = VP_VCPU_ANY, .code = 14 };
	assert_int_equal(row(f, VP_K_IRQ, 0, 0, VP_VCPU_ANY, 14, 0, 0)->count, 3);
	g = vp_result_find(&guest, &irq);
	assert_non_null(g);
	assert_int_equal(g->st.count, 2);
	/* the marker accesses, and their handling, are the firmware's */
	ide.addr = 0x510;
	assert_null(vp_result_find(&guest, &ide));
	ide.addr = 0x514;
	ide.size = 4;
	assert_null(vp_result_find(&guest, &ide));
	vp_result_free(&guest);
	unload(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(guest_part_starts_after_the_last_fw_cfg_access),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
