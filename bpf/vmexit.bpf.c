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
#include "vmexit_maps.bpf.h"
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

#include "record_ring.bpf.h"

/* Waking the reader for every event would cost more than the event: it
 * is woken once the ring is a quarter full, and polls on a timer anyway. */
static __always_inline __u64 rec_wakeup(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >
			       bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4
		       ? BPF_RB_FORCE_WAKEUP
		       : BPF_RB_NO_WAKEUP;
}

static __always_inline void rec_head(struct vp_rec_ev *r, const struct vp_ev *ev, __u8 type,
				     __u8 flags)
{
	r->type = type;
	r->flags = flags;
	r->pad = 0;
	r->tid = ev->tid;
	r->ts = ev->now;
}

/* A thread's name and process come once, before its first event; the
 * threads map only remembers which were told. */
static __always_inline void rec_thread(const struct vp_ev *ev)
{
	struct vp_rec_thread *r;

	if (bpf_map_lookup_elem(&threads, &ev->tid))
		return;
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		rec_lost_one(VP_REC_THREAD);
		return; /* told with its next event */
	}
	rec_head(&r->ev, ev, VP_REC_THREAD, 0);
	r->ev.a[0] = ev->tgid;
	r->ev.a[1] = 0;
	r->ev.a[2] = 0;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	bpf_ringbuf_submit(r, rec_wakeup());
	new_thread(ev->tid, ev->tgid, VP_VCPU_UNKNOWN);
}

static __always_inline int rec(const struct vp_ev *ev, __u8 type, __u8 flags, __u64 a0, __u64 a1,
			       __u64 a2)
{
	struct vp_rec_ev *r;

	rec_thread(ev);
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		rec_lost_one(type);
		return 0;
	}
	rec_head(r, ev, type, flags);
	r->a[0] = a0;
	r->a[1] = a1;
	r->a[2] = a2;
	bpf_ringbuf_submit(r, rec_wakeup());
	return 0;
}

/* KVM_RUN entered: the vCPU when known, and the head of its kvm_run. */
static __always_inline int rec_run(const struct vp_ev *ev, const struct vp_vcpu_fd *vf,
				   const __u8 *run)
{
	struct vp_rec_run *r;

	rec_thread(ev);
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		rec_lost_one(VP_REC_RUN_ENTER);
		return 0;
	}
	rec_head(&r->ev, ev, VP_REC_RUN_ENTER, (vf ? VP_REC_F_VCPU : 0) | (run ? VP_REC_F_RUN : 0));
	r->ev.a[0] = vf ? vf->vcpu : 0;
	r->ev.a[1] = run ? *(const __u32 *)(run + VP_RUN_EXIT_REASON) : 0;
	r->ev.a[2] = 0;
	for (int i = 0; i < VP_REC_RUN_UNION_WORDS; i++)
		r->u[i] = run ? *(const __u64 *)(run + VP_RUN_UNION + 8 * i) : 0;
	bpf_ringbuf_submit(r, rec_wakeup());
	return 0;
}

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

	if (record_events)
		return rec(&ev, VP_REC_EXIT, has_vcpu ? VP_REC_F_VCPU : 0, ctx->exit_reason,
			   ctx->isa, has_vcpu ? ctx->vcpu_id : 0);
	handle_exit(&ev, ctx->exit_reason, ctx->isa, has_vcpu ? ctx->vcpu_id : 0, has_vcpu);
	return 0;
}

SEC("tp/kvm/kvm_entry")
int tp_kvm_entry(struct trace_event_raw_kvm_entry___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_ENTRY, VP_REC_F_VCPU, ctx->vcpu_id, 0, 0);
	handle_entry(&ev, ctx->vcpu_id, 1);
	return 0;
}

SEC("tp/kvm/kvm_userspace_exit")
int tp_kvm_userspace_exit(struct trace_event_raw_kvm_userspace_exit___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_USER_EXIT, 0, ctx->reason, (__u32)ctx->errno, 0);
	handle_user_exit(&ev, ctx->reason, ctx->errno);
	return 0;
}

SEC("tp/kvm/kvm_pio")
int tp_kvm_pio(struct trace_event_raw_kvm_pio___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_PIO, 0, ctx->rw, ctx->port, ctx->size);
	handle_pio(&ev, ctx->rw, ctx->port, ctx->size);
	return 0;
}

SEC("tp/kvm/kvm_mmio")
int tp_kvm_mmio(struct trace_event_raw_kvm_mmio___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_MMIO, 0, ctx->type, ctx->len, ctx->gpa);
	handle_mmio(&ev, ctx->type, ctx->len, ctx->gpa);
	return 0;
}

SEC("tp/kvm/kvm_fast_mmio")
int tp_kvm_fast_mmio(struct trace_event_raw_kvm_fast_mmio___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_FAST_MMIO, 0, ctx->gpa, 0, 0);
	handle_fast_mmio(&ev, ctx->gpa);
	return 0;
}

SEC("tp/kvm/kvm_msr")
int tp_kvm_msr(struct trace_event_raw_kvm_msr___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_MSR, 0, ctx->write, ctx->ecx, 0);
	handle_msr(&ev, ctx->write, ctx->ecx);
	return 0;
}

SEC("tp/kvm/kvm_cpuid")
int tp_kvm_cpuid(struct trace_event_raw_kvm_cpuid___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_CPUID, 0, ctx->function, 0, 0);
	handle_cpuid(&ev, ctx->function);
	return 0;
}

SEC("tp/kvm/kvm_hypercall")
int tp_kvm_hypercall(struct trace_event_raw_kvm_hypercall___vp *ctx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_HYPERCALL, 0, ctx->nr, 0, 0);
	handle_hypercall(&ev, ctx->nr);
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
	if (lvl && !was) {
		if (record_events)
			rec(ev, VP_REC_IRQ, 0, gsi, 0, 0);
		else
			handle_irq(ev, VP_K_IRQ, gsi, 0);
	}
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

	if (record_events)
		return rec(&ev, VP_REC_MSI, 0, ctx->address, ctx->data, 0);
	handle_msi(&ev, ctx->address, ctx->data);
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
		return record_events ? rec_run(&ev, &vf, run)
				     : (handle_run_enter(&ev, &vf, run), 0);
	if (record_events)
		return rec_run(&ev, &vf, NULL);
	handle_run_enter(&ev, &vf, NULL);
	return 0;
}

SEC("fexit/kvm_arch_vcpu_ioctl_run")
int BPF_PROG(fexit_kvm_run, struct kvm_vcpu___vp *vcpu, int ret)
{
	if (!is_target())
		return 0;
	EV_OR_RETURN();
	if (record_events)
		return rec(&ev, VP_REC_RUN_EXIT, 0, 0, 0, 0);
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
		return record_events ? rec_run(&ev, vf, run) : (handle_run_enter(&ev, vf, run), 0);
	if (record_events)
		return rec_run(&ev, vf, NULL);
	handle_run_enter(&ev, vf, NULL);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int tp_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	if (!is_target() || ctx->id != VP_NR_IOCTL)
		return 0;
	EV_OR_RETURN();
	if (record_events)
		return rec(&ev, VP_REC_RUN_EXIT, 0, 0, 0, 0);
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
	if (record_events)
		return rec(&ev, VP_REC_EXIT, VP_REC_F_VCPU, reason, isa, vcpu->vcpu_id);
	handle_exit(&ev, reason, isa, vcpu->vcpu_id, 1);
	return 0;
}
SEC("tp_btf/kvm_entry")
int BPF_PROG(btf_kvm_entry, struct kvm_vcpu___vp *vcpu)
{
	EV_OR_RETURN();

	/* A typed argument: read in place, no helper call. */
	if (record_events)
		return rec(&ev, VP_REC_ENTRY, VP_REC_F_VCPU, vcpu->vcpu_id, 0, 0);
	handle_entry(&ev, vcpu->vcpu_id, 1);
	return 0;
}

SEC("tp_btf/kvm_userspace_exit")
int BPF_PROG(btf_kvm_userspace_exit, __u32 reason, int err)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_USER_EXIT, 0, reason, (__u32)err, 0);
	handle_user_exit(&ev, reason, err);
	return 0;
}

SEC("tp_btf/kvm_pio")
int BPF_PROG(btf_kvm_pio, unsigned int rw, unsigned int port, unsigned int size)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_PIO, 0, rw, port, size);
	handle_pio(&ev, rw, port, size);
	return 0;
}

SEC("tp_btf/kvm_mmio")
int BPF_PROG(btf_kvm_mmio, int type, int len, u64 gpa)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_MMIO, 0, (__u32)type, (__u32)len, gpa);
	handle_mmio(&ev, type, len, gpa);
	return 0;
}

SEC("tp_btf/kvm_fast_mmio")
int BPF_PROG(btf_kvm_fast_mmio, u64 gpa)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_FAST_MMIO, 0, gpa, 0, 0);
	handle_fast_mmio(&ev, gpa);
	return 0;
}

SEC("tp_btf/kvm_msr")
int BPF_PROG(btf_kvm_msr, unsigned int write, u32 ecx)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_MSR, 0, write, ecx, 0);
	handle_msr(&ev, write, ecx);
	return 0;
}

SEC("tp_btf/kvm_cpuid")
int BPF_PROG(btf_kvm_cpuid, unsigned int function)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_CPUID, 0, function, 0, 0);
	handle_cpuid(&ev, function);
	return 0;
}

SEC("tp_btf/kvm_hypercall")
int BPF_PROG(btf_kvm_hypercall, unsigned long nr)
{
	EV_OR_RETURN();

	if (record_events)
		return rec(&ev, VP_REC_HYPERCALL, 0, nr, 0, 0);
	handle_hypercall(&ev, nr);
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

	if (record_events)
		return rec(&ev, VP_REC_MSI, 0, address, data, 0);
	handle_msi(&ev, address, data);
	return 0;
}
