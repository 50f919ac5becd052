// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Live sources: the kvm tracepoints and ioctl(KVM_RUN) of one process.
 *
 * The tracepoint records are declared here as ___vp flavours with
 * preserve_access_index: libbpf matches them by name against the running
 * kernel's BTF, vmlinux's when kvm is built in and /sys/kernel/btf/kvm's when
 * it is a module, so one object loads on both without vmlinux.h having to
 * carry kvm's types.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define VP_LIVE
#include "vmexit_core.bpf.h"

#define VP_NR_IOCTL 16	   /* x86_64 */
#define VP_KVM_RUN  0xae80 /* _IO(KVMIO, 0x80) */

struct trace_event_raw_kvm_exit___vp {
	unsigned int exit_reason;
	u32 isa;
	unsigned int vcpu_id; /* not on older kernels */
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_entry___vp {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_userspace_exit___vp {
	__u32 reason;
	int errno;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_pio___vp {
	unsigned int rw;
	unsigned int port;
	unsigned int size;
	unsigned int count;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_mmio___vp {
	u32 type;
	u32 len;
	u64 gpa;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_fast_mmio___vp {
	u64 gpa;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_msr___vp {
	unsigned int write;
	u32 ecx;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_cpuid___vp {
	unsigned int function;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_hypercall___vp {
	unsigned long nr;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_set_irq___vp {
	unsigned int gsi;
	int level;
	int irq_source_id;
} __attribute__((preserve_access_index));

/* Each interrupt line's last level per source (QEMU, the in-kernel PIT...):
 * QEMU sets a level-triggered line high again while it already is (IDE and
 * e1000 do on most register writes), which delivers nothing. */
#define VP_IRQ_LINES   1024
#define VP_IRQ_SOURCES 4
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VP_IRQ_LINES *VP_IRQ_SOURCES);
	__type(key, __u32);
	__type(value, __u32);
} irq_levels SEC(".maps");

struct kvm_vcpu___vp {
	int vcpu_id;
	void *run;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_msi_set_irq___vp {
	__u64 address;
	__u64 data;
} __attribute__((preserve_access_index));

/* Cheap filter first: every syscall of the machine passes through here. */
static __always_inline int current_ev(struct vp_ev *ev)
{
	__u64 id = bpf_get_current_pid_tgid();

	ev->tgid = id >> 32;
	if (!is_vm(ev->tgid))
		return -1;
	ev->tid = (__u32)id;
	ev->now = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int is_target(void)
{
	return is_vm(bpf_get_current_pid_tgid() >> 32);
}

#define EV_OR_RETURN()                                                                             \
	struct vp_ev ev;                                                                           \
	if (current_ev(&ev))                                                                       \
	return 0

SEC("tp/kvm/kvm_exit")
int tp_kvm_exit(struct trace_event_raw_kvm_exit___vp *ctx)
{
	int has_vcpu = bpf_core_field_exists(ctx->vcpu_id);
	EV_OR_RETURN();

	handle_exit(&ev, ctx->exit_reason, ctx->isa, has_vcpu ? ctx->vcpu_id : 0, has_vcpu);
	return 0;
}

SEC("tp/kvm/kvm_entry")
int tp_kvm_entry(struct trace_event_raw_kvm_entry___vp *ctx)
{
	EV_OR_RETURN();

	handle_entry(&ev, ctx->vcpu_id, 1);
	return 0;
}

SEC("tp/kvm/kvm_userspace_exit")
int tp_kvm_userspace_exit(struct trace_event_raw_kvm_userspace_exit___vp *ctx)
{
	EV_OR_RETURN();

	handle_user_exit(&ev, ctx->reason, ctx->errno);
	return 0;
}

SEC("tp/kvm/kvm_pio")
int tp_kvm_pio(struct trace_event_raw_kvm_pio___vp *ctx)
{
	EV_OR_RETURN();

	handle_pio(&ev, ctx->rw, ctx->port, ctx->size);
	return 0;
}

SEC("tp/kvm/kvm_mmio")
int tp_kvm_mmio(struct trace_event_raw_kvm_mmio___vp *ctx)
{
	EV_OR_RETURN();

	handle_mmio(&ev, ctx->type, ctx->len, ctx->gpa);
	return 0;
}

SEC("tp/kvm/kvm_fast_mmio")
int tp_kvm_fast_mmio(struct trace_event_raw_kvm_fast_mmio___vp *ctx)
{
	EV_OR_RETURN();

	handle_fast_mmio(&ev, ctx->gpa);
	return 0;
}

SEC("tp/kvm/kvm_msr")
int tp_kvm_msr(struct trace_event_raw_kvm_msr___vp *ctx)
{
	EV_OR_RETURN();

	handle_simple(&ev, VP_C_EV_MSR, VP_K_MSR, ctx->write ? VP_DIR_WRITE : VP_DIR_READ, ctx->ecx,
		      0);
	return 0;
}

SEC("tp/kvm/kvm_cpuid")
int tp_kvm_cpuid(struct trace_event_raw_kvm_cpuid___vp *ctx)
{
	EV_OR_RETURN();

	handle_simple(&ev, VP_C_EV_CPUID, VP_K_CPUID, VP_DIR_NONE, ctx->function, 0);
	return 0;
}

SEC("tp/kvm/kvm_hypercall")
int tp_kvm_hypercall(struct trace_event_raw_kvm_hypercall___vp *ctx)
{
	EV_OR_RETURN();

	handle_simple(&ev, VP_C_EV_HYPERCALL, VP_K_HYPERCALL, VP_DIR_NONE, ctx->nr, 0);
	return 0;
}

/* Only a rising edge of a line is an interrupt. */
static __always_inline void on_set_irq(const struct vp_ev *ev, __u32 gsi, int lvl, int src)
{
	__u32 line = (gsi % VP_IRQ_LINES) * VP_IRQ_SOURCES + (__u32)src % VP_IRQ_SOURCES;
	__u32 *level = bpf_map_lookup_elem(&irq_levels, &line);
	__u32 was;

	if (!level)
		return;
	was = *level;
	*level = lvl != 0;
	if (lvl && !was)
		handle_irq(ev, VP_K_IRQ, gsi, 0);
}

SEC("tp/kvm/kvm_set_irq")
int tp_kvm_set_irq(struct trace_event_raw_kvm_set_irq___vp *ctx)
{
	EV_OR_RETURN();

	on_set_irq(&ev, ctx->gsi, ctx->level, ctx->irq_source_id);
	return 0;
}

SEC("tp/kvm/kvm_msi_set_irq")
int tp_kvm_msi_set_irq(struct trace_event_raw_kvm_msi_set_irq___vp *ctx)
{
	EV_OR_RETURN();

	handle_irq(&ev, VP_K_MSI, ctx->data & 0xff, ctx->address);
	return 0;
}

/*
 * Where KVM_RUN is seen.  kvm_arch_vcpu_ioctl_run is entered only for
 * KVM_RUN, with the vCPU and its struct kvm_run in kernel memory, so its
 * fentry/fexit pair costs nothing to any other system call of the host.
 * The raw_syscalls pair below is the fallback for kernels that cannot
 * attach there (no BTF for kvm, no trampolines): the loader keeps one pair.
 */
SEC("fentry/kvm_arch_vcpu_ioctl_run")
int BPF_PROG(fentry_kvm_run, struct kvm_vcpu___vp *vcpu)
{
	struct vp_vcpu_fd vf = {};
	__u8 run[64];
	void *kr;

	if (!is_target())
		return 0;
	EV_OR_RETURN();
	vf.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	kr = BPF_CORE_READ(vcpu, run);
	if (kr && bpf_probe_read_kernel(run, sizeof(run), kr) == 0)
		handle_run_enter(&ev, &vf, run);
	else
		handle_run_enter(&ev, &vf, NULL);
	return 0;
}

SEC("fexit/kvm_arch_vcpu_ioctl_run")
int BPF_PROG(fexit_kvm_run, struct kvm_vcpu___vp *vcpu, int ret)
{
	if (!is_target())
		return 0;
	EV_OR_RETURN();
	handle_run_exit(&ev);
	return 0;
}

SEC("tp/raw_syscalls/sys_enter")
int tp_sys_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct vp_vcpu_fd_key fd;
	struct vp_vcpu_fd *vf;
	__u8 run[64];

	/* The VMM's other syscalls leave before reading the clock. */
	if (!is_target() || ctx->id != VP_NR_IOCTL || (__u32)ctx->args[1] != VP_KVM_RUN)
		return 0;
	EV_OR_RETURN();
	fd.tgid = ev.tgid;
	fd.fd = ctx->args[0];
	vf = bpf_map_lookup_elem(&vcpu_fds, &fd);
	if (vf && vf->run_addr &&
	    bpf_probe_read_user(run, sizeof(run), (const void *)vf->run_addr) == 0)
		handle_run_enter(&ev, vf, run);
	else
		handle_run_enter(&ev, vf, NULL);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int tp_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (!is_target() || ctx->id != VP_NR_IOCTL)
		return 0;
	EV_OR_RETURN();
	handle_run_exit(&ev);
	return 0;
}

/*
 * The same events as BTF-typed raw tracepoints: the kernel hands over the
 * tracepoint's arguments as they are, without first filling a record for a
 * perf buffer.  The loader keeps these or the classic ones above, never
 * both (vmexit_source.c).
 */

/* kvm_exit passes the vCPU, not its reason: the reason is the vendor's
 * state, read here for SVM as svm_get_exit_info() reads it (the VMCB's
 * exit code; struct vcpu_svm begins with its struct kvm_vcpu).  The
 * loader keeps this program on AMD hosts only; VMX keeps the classic
 * kvm_exit, whose record holds the reason. */
struct vmcb_control_area___vp {
	u32 exit_code;
} __attribute__((preserve_access_index));

struct vmcb___vp {
	struct vmcb_control_area___vp control;
} __attribute__((preserve_access_index));

struct vcpu_svm___vp {
	struct kvm_vcpu___vp vcpu;
	struct vmcb___vp *vmcb;
} __attribute__((preserve_access_index));

SEC("tp_btf/kvm_exit")
int BPF_PROG(btf_kvm_exit, struct kvm_vcpu___vp *vcpu, u32 isa)
{
	struct vcpu_svm___vp *svm;
	__u32 reason;

	EV_OR_RETURN();
	if (!bpf_core_type_exists(struct vcpu_svm___vp))
		return 0;
	svm = (void *)((char *)vcpu - bpf_core_field_offset(struct vcpu_svm___vp, vcpu));
	reason = BPF_CORE_READ(svm, vmcb, control.exit_code);
	handle_exit(&ev, reason, isa, vcpu->vcpu_id, 1);
	return 0;
}
SEC("tp_btf/kvm_entry")
int BPF_PROG(btf_kvm_entry, struct kvm_vcpu___vp *vcpu)
{
	EV_OR_RETURN();

	/* A typed argument: read in place, no helper call. */
	handle_entry(&ev, vcpu->vcpu_id, 1);
	return 0;
}

SEC("tp_btf/kvm_userspace_exit")
int BPF_PROG(btf_kvm_userspace_exit, __u32 reason, int err)
{
	EV_OR_RETURN();

	handle_user_exit(&ev, reason, err);
	return 0;
}

SEC("tp_btf/kvm_pio")
int BPF_PROG(btf_kvm_pio, unsigned int rw, unsigned int port, unsigned int size)
{
	EV_OR_RETURN();

	handle_pio(&ev, rw, port, size);
	return 0;
}

SEC("tp_btf/kvm_mmio")
int BPF_PROG(btf_kvm_mmio, int type, int len, u64 gpa)
{
	EV_OR_RETURN();

	handle_mmio(&ev, type, len, gpa);
	return 0;
}

SEC("tp_btf/kvm_fast_mmio")
int BPF_PROG(btf_kvm_fast_mmio, u64 gpa)
{
	EV_OR_RETURN();

	handle_fast_mmio(&ev, gpa);
	return 0;
}

SEC("tp_btf/kvm_msr")
int BPF_PROG(btf_kvm_msr, unsigned int write, u32 ecx)
{
	EV_OR_RETURN();

	handle_simple(&ev, VP_C_EV_MSR, VP_K_MSR, write ? VP_DIR_WRITE : VP_DIR_READ, ecx, 0);
	return 0;
}

SEC("tp_btf/kvm_cpuid")
int BPF_PROG(btf_kvm_cpuid, unsigned int function)
{
	EV_OR_RETURN();

	handle_simple(&ev, VP_C_EV_CPUID, VP_K_CPUID, VP_DIR_NONE, function, 0);
	return 0;
}

SEC("tp_btf/kvm_hypercall")
int BPF_PROG(btf_kvm_hypercall, unsigned long nr)
{
	EV_OR_RETURN();

	handle_simple(&ev, VP_C_EV_HYPERCALL, VP_K_HYPERCALL, VP_DIR_NONE, nr, 0);
	return 0;
}

SEC("tp_btf/kvm_set_irq")
int BPF_PROG(btf_kvm_set_irq, unsigned int gsi, int level, int irq_source_id)
{
	EV_OR_RETURN();

	on_set_irq(&ev, gsi, level, irq_source_id);
	return 0;
}

SEC("tp_btf/kvm_msi_set_irq")
int BPF_PROG(btf_kvm_msi_set_irq, __u64 address, __u64 data)
{
	EV_OR_RETURN();

	handle_irq(&ev, VP_K_MSI, data & 0xff, address);
	return 0;
}
