/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one header shared by the kernel programs and the collector: map keys,
 * map values and counters.  Fixed-width types only, so both sides agree on
 * the layout without either seeing the other's headers.
 */
#ifndef VMEXIT_H
#define VMEXIT_H

/* Values of struct kvm_run (UAPI, stable): the kernel programs and QEMU's
 * probes both read a vCPU's exit from it. */
#define VP_KVM_EXIT_IO	   2
#define VP_KVM_EXIT_MMIO   6
#define VP_RUN_EXIT_REASON 8
#define VP_RUN_UNION	   32
#define VP_RUN_IO_PORT	   2 /* in the union: __u8 direction, __u8 size, __u16 port */

/* log2(ns) buckets: slot i holds samples in [2^i, 2^(i+1)) ns; the last
 * slot also holds everything slower (2^31 ns is about 2 s). */
#define VP_HIST_SLOTS 32

/*
 * Map sizes, for a big VM: 64 vCPUs, the exit reasons a guest really takes,
 * 64 devices with their registers.
 *
 *   exit reasons (VP_K_EXIT)     64 vCPUs x 64 hw reasons          4096
 *   user exits (VP_K_USER)       64 vCPUs x 16 KVM_EXIT_* reasons  1024
 *   KVM_RUN (VP_K_RUN)           64 vCPUs                            64
 *   device registers (PIO/MMIO)  64 devices x 16 registers
 *                                x 2 directions                    2048
 *   exits per access             64 vCPUs x 2 reasons (io, npf)
 *   (VP_K_EXIT_ACCESS)           x 64 hot registers                8192
 *   CPUID, MSR, hypercall, IRQ, MSI: leaves, MSRs x 2 directions,
 *                                lines, vectors                    2048
 *                                                          total  17472
 *
 * Bulk MMIO windows are keyed per page (VP_VGA_WINDOW_*), so the VGA
 * window costs 32 pages x 2 directions x a few widths, not a key per byte.
 *
 * Two tables.  A vCPU's own keys (exits, exits to user space, KVM_RUN,
 * exits per access: 13376 above) are updated by that vCPU's thread only,
 * so one copy serves: vcpu_stats, a plain hash of VP_MAX_VCPU_STATS
 * (16384).  The keys every vCPU updates (device registers, CPUID, MSRs,
 * interrupts: 4096 above, and any key of a thread whose vCPU is not known)
 * are per CPU, so no update needs an atomic: stats, VP_MAX_STATS (8192),
 * twice the estimate, for guests and firmware that probe more registers.
 * Keys beyond either are not dropped but folded into one row per key
 * kind (stats_overflow), counted in VP_C_STATS_FULL.
 *
 * Cost: a hash preallocates its entries: the value (sizeof(struct
 * vp_stat), 184 B), once per possible CPU in a per-CPU hash, and the key
 * (24 B) with the element header, about 96 B together (bpftool's memlock):
 *   vcpu_stats  16384 x (96 + 184) B: 4.5 MB, whatever the CPUs;
 *   stats        8192 x (96 + 184 x CPUs) B: 3.8 MB with 2 CPUs; the
 *                collector lowers its entries on big hosts to keep it
 *                within 64 MiB (5652 entries with 64 CPUs).
 * The overflow array is VP_K_NKINDS x 184 B per CPU.
 *
 * Threads: only threads that call KVM_RUN or take a vCPU's tracepoints
 * enter the map, i.e. the 64 vCPU threads.  Entries are never removed, so
 * a vCPU thread that ended (unplug and replug) keeps its slot: 1024 is
 *  16 x 64 vCPUs, at 1120 B a value with its held rows (1.1 MiB), so
 * hot-plug churn does not fill it.  A host-wide profile removes a VM's threads when the VM is gone.
 *
 * VMs: a host-wide profile follows up to VP_MAX_VMS VMM processes at once.
 */
#define VP_MAX_THREADS	     1024
#define VP_MAX_STATS	     8192
#define VP_MAX_VCPU_STATS    16384
#define VP_STATS_BUDGET_MIB  64 /* what stats may lock, whatever the CPUs */
#define VP_STATS_ENTRY_BYTES 96 /* a hash element's key and header */
#define VP_MAX_VCPU_FDS	     1024
#define VP_MAX_VMS	     256

/*
 * Bulk MMIO windows, keyed per VP_PAGE_SIZE page (address rounded down):
 * firmware and guests write the legacy VGA window (text buffer at 0xb8000,
 * graphics at 0xa0000) a byte at a time, which would make every byte its
 * own key.  Ports and all other MMIO keep per-register keys.
 */
#define VP_PAGE_SIZE	    4096ULL
#define VP_VGA_WINDOW_START 0xa0000ULL
#define VP_VGA_WINDOW_END   0xc0000ULL /* exclusive */

/* vCPU index not known yet (no kvm_exit vcpu_id, no vCPU fd, no thread name). */
#define VP_VCPU_UNKNOWN 0xffff
/* Device keys are not split per vCPU: the key's vcpu field holds this. */
#define VP_VCPU_ANY 0xfffe

/*
 * KVM_RUN returned an error rather than an exit: kvm_run.exit_reason then
 * still holds the previous exit's reason (the immediate_exit path), so the
 * code is this bit with the errno instead.  -EINTR, however it came, is
 * KVM_EXIT_INTR.
 */
#define VP_USER_ERROR	 0x80000000u
#define VP_KVM_EXIT_INTR 10
#define VP_EINTR	 4

/* What a stats key describes. */
enum vp_key_kind {
	VP_K_EXIT = 1, /* code: hw exit reason (isa in key.isa); time: in-kernel handling */
	VP_K_USER =
		2, /* code: KVM_EXIT_* or VP_USER_ERROR|errno; time: spent in the VMM's user space */
	VP_K_PIO = 3,	       /* addr: port; dir; size */
	VP_K_MMIO = 4,	       /* addr: guest-physical address; dir; size */
	VP_K_FAST_MMIO = 5,    /* addr: guest-physical address served by an ioeventfd */
	VP_K_CPUID = 6,	       /* code: leaf (function) */
	VP_K_MSR = 7,	       /* code: MSR index; dir */
	VP_K_HYPERCALL = 8,    /* code: hypercall number */
	VP_K_IRQ = 9,	       /* code: GSI raised (level != 0) */
	VP_K_MSI = 10,	       /* addr: MSI address; code: vector (data & 0xff) */
	VP_K_RUN = 11,	       /* time: one ioctl(KVM_RUN) from entry to return */
	VP_K_EXIT_ACCESS = 12, /* a VP_K_EXIT (isa, vcpu, code) taken for a device access:
				* dir holds the access's kind (VP_K_PIO, VP_K_MMIO), addr its
				* port or address; time: in-kernel handling */
};
/* Kinds are below this: the overflow array has one slot per kind. */
#define VP_K_NKINDS 13

/* vp_key.flags */
#define VP_KEY_FOLDED 1 /* the row of a kind's events whose own key did not fit */
/* A folded row's address: no device has it, so it is attributed to none. */
#define VP_ADDR_FOLDED 0xffffffffffffffffULL

enum vp_dir { VP_DIR_NONE = 0, VP_DIR_READ = 1, VP_DIR_WRITE = 2 };

/* kvm:kvm_pio's `rw` values (KVM_PIO_IN, KVM_PIO_OUT in arch/x86/kvm/trace.h). */
enum vp_kvm_pio_rw { VP_KVM_PIO_IN = 0, VP_KVM_PIO_OUT = 1 };

/* kvm:kvm_exit's `isa` values. */
enum vp_isa { VP_ISA_VMX_CODE = 1, VP_ISA_SVM_CODE = 2 };

struct vp_key {
	__u8 kind;   /* enum vp_key_kind */
	__u8 dir;    /* enum vp_dir */
	__u8 isa;    /* VP_K_EXIT only */
	__u8 size;   /* access width in bytes (PIO, MMIO) */
	__u16 vcpu;  /* vCPU index, VP_VCPU_UNKNOWN or VP_VCPU_ANY */
	__u16 flags; /* VP_KEY_*: 0 in the kernel's keys, set by the collector */
	__u32 code;
	__u32 vm; /* the VM's process in a host-wide profile, else 0 */
	__u64 addr;
};

/*
 * One aggregate, per CPU in the kernel and summed by the collector.
 * `count` counts events.  The latency fields (min, max, slots) describe the
 * key's own cost: kernel handling for VP_K_EXIT, VMM time for VP_K_USER and
 * for device accesses that went to user space, the whole call for VP_K_RUN.
 * Device accesses also carry their share of kernel time when kvm_exit and
 * kvm_entry fire (kern_*), so one row shows both sides of the exit.
 * VP_K_RUN keeps the whole call (guest and kernel) in kern_*.
 */
struct vp_stat {
	__u64 count;
	__u64 user_count; /* samples that went to user space */
	__u64 user_ns;
	__u64 kern_count; /* samples with a kernel-handling time */
	__u64 kern_ns;
	__u64 min_ns; /* 0 = no sample yet */
	__u64 max_ns;
	__u32 slots[VP_HIST_SLOTS];
};

/* Per-CPU counters of what the programs saw and what did not fit. */
enum vp_counter {
	VP_C_EV_EXIT,
	VP_C_EV_ENTRY,
	VP_C_EV_USER_EXIT,
	VP_C_EV_PIO,
	VP_C_EV_MMIO,
	VP_C_EV_FAST_MMIO,
	VP_C_EV_MSR,
	VP_C_EV_CPUID,
	VP_C_EV_HYPERCALL,
	VP_C_EV_IRQ,
	VP_C_EV_RUN_ENTER,
	VP_C_EV_RUN_EXIT,
	VP_C_STATS_FULL,   /* a new key did not fit in the stats map: folded into stats_overflow */
	VP_C_THREADS_FULL, /* a new thread did not fit in the thread map */
	VP_C_RUN_UNREAD,   /* kvm_run could not be read: VMM time not attributed to an address */
	VP_C_GUEST_FULL, /* a device key did not fit in guest_stats: its part after the firmware is low */
	VP_C_MAX,
};

/*
 * The firmware's part of a run ends with its last access to a marker port
 * (fw_cfg's: the firmware loads the guest through it, the guest never
 * touches it).  The collector fills the spans from its device table.
 */
#define VP_MARKER_SPANS 2
struct vp_port_span {
	__u16 first, last; /* inclusive; last < first: unused */
};

/*
 * A device key's events after the last marker access: the guest's own,
 * without what the firmware did through the same registers.  `epoch` is
 * the marker count the figures started after; a per-CPU copy left at an
 * older epoch holds only the firmware's and is not summed.
 *
 * Cost: VP_MAX_GUEST_STATS x (96 + 48 x CPUs) B: 0.8 MB with 2 CPUs,
 * 13 MB with 64.  Device keys only (ports, MMIO, ioeventfd addresses,
 * interrupt lines and MSI vectors): the 2048 registers of the estimate
 * above, twice over.
 */
#define VP_MAX_GUEST_STATS 4096
struct vp_guest_stat {
	__u64 epoch;
	__u64 count;
	__u64 user_count;
	__u64 user_ns;
	__u64 kern_count;
	__u64 kern_ns;
};

/*
 * One thread's exit in progress (the threads map).  With count_at_entry
 * (vmexit_maps.bpf.h) an exit, its VMM round trip and its access are
 * counted only when the vCPU enters the guest again; the collector counts
 * what is still open (in_exit, in_user, acc_n) at a read.
 */
/*
 * The rows a vCPU thread holds before they reach the tables, one per role
 * its exits play: a vCPU repeats its exits (the same reason, the same
 * return to the VMM, the same register), so each role's row is added to
 * in the thread's own entry while its key stays the same, and is added
 * to the table only when the thread's next exit in that role has another
 * key.  The lookups an exit makes are then the thread's alone.  A reader
 * adds what the threads hold to what the tables hold.
 */
enum vp_held_role {
	VP_HELD_EXIT,	     /* VP_K_EXIT */
	VP_HELD_USER,	     /* VP_K_USER */
	VP_HELD_EXIT_ACCESS, /* VP_K_EXIT_ACCESS */
	VP_HELD_ACCESS,	     /* the device access: VP_K_PIO, VP_K_MMIO */
	VP_HELD_EVENT,	     /* the exit's own event: VP_K_CPUID, VP_K_MSR, VP_K_HYPERCALL */
	VP_HELD_N,
};

struct vp_held {
	struct vp_key key; /* kind 0: nothing held */
	struct vp_stat st;
};

struct vp_thread {
	__u64 exit_ts;	    /* when the kernel clock of the exit in progress last started */
	__u64 kern_ns;	    /* kernel time of the exit in progress so far */
	__u64 user_exit_ts; /* kvm_userspace_exit not yet followed by KVM_RUN */
	__u64 run_enter_ts;
	__u64 acc_addr;	   /* the device access of the exit in progress */
	__u64 acc_user_ns; /* its VMM time, when acc_timed */
	__u32 exit_reason;
	__u32 user_reason;
	__u32 acc_n; /* accesses to acc_* not yet counted in stats */
	__u16 vcpu;
	__u8 isa;
	__u8 in_exit;
	__u8 acc_kind;
	__u8 acc_dir;
	__u8 acc_size;
	__u8 acc_timed;
	__u8 in_run;
	__u8 kclock;  /* exit_ts is running: not paused for the VMM */
	__u8 in_user; /* user_exit_ts is set: the VMM is handling an exit */
	__u8 pad;
	__u32 tgid; /* its process: which VM, in a host-wide profile */
	__u32 pad2;
	struct vp_held held[VP_HELD_N];
};

/* A vCPU fd of one VMM process. */
struct vp_vcpu_fd_key {
	__u32 tgid;
	__u32 fd;
};

/* What user space tells the kernel about one vCPU fd of the target. */
struct vp_vcpu_fd {
	__u32 vcpu;
	__u32 pad;
	__u64 run_addr; /* where the VMM mapped this vCPU's struct kvm_run, 0 = unknown */
};

/*
 * Recording (record_events): instead of aggregating, each event the
 * programs see goes to the ring buffer as it came, with its thread and
 * time; the collector replays them through the same state machine
 * (vmexit_core.bpf.h).  Fields are the handlers' arguments.
 */
enum vp_rec_type {
	VP_REC_EXIT = 1,  /* a0 reason, a1 isa, a2 vcpu_id (VP_REC_F_VCPU) */
	VP_REC_ENTRY,	  /* a0 vcpu_id (VP_REC_F_VCPU) */
	VP_REC_USER_EXIT, /* a0 reason, a1 errno (as the tracepoint's int) */
	VP_REC_PIO,	  /* a0 rw, a1 port, a2 size */
	VP_REC_MMIO,	  /* a0 type, a1 len, a2 gpa */
	VP_REC_FAST_MMIO, /* a0 gpa */
	VP_REC_MSR,	  /* a0 write, a1 ecx */
	VP_REC_CPUID,	  /* a0 function */
	VP_REC_HYPERCALL, /* a0 nr */
	VP_REC_IRQ,	  /* a0 gsi: a rising edge */
	VP_REC_MSI,	  /* a0 address, a1 data */
	VP_REC_RUN_ENTER, /* a0 vcpu (VP_REC_F_VCPU), a1 kvm_run exit_reason and
			    * struct vp_rec_run's u[] (VP_REC_F_RUN) */
	VP_REC_RUN_EXIT,  /* nothing */
	VP_REC_THREAD,	  /* a thread's first event: a0 its process, comm in vp_rec_thread */
	VP_REC_QEMU,	  /* one of QEMU's probes: a0-a2 as qemu_usdt.h (enum vp_usdt_op);
			   * with VP_REC_F_NAME, a0 a QEMU object and its name (vp_rec_name) */
	VP_REC_NTYPES,	  /* at most 16: a recording keeps the type in 4 bits */
};

#define VP_REC_F_VCPU 1 /* the event names its vCPU */
#define VP_REC_F_RUN  2 /* the vCPU's kvm_run head could be read */
#define VP_REC_F_NAME 1 /* VP_REC_QEMU: the record names an object */

struct vp_rec_ev {
	__u8 type; /* enum vp_rec_type */
	__u8 flags;
	__u16 pad;
	__u32 tid;
	__u64 ts; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 a[3];
};

/* struct kvm_run's exit union begins here; its first 24 bytes are all a
 * device exit's key needs (vmexit_core.bpf.h, key_from_run). */
#define VP_REC_RUN_UNION_WORDS 3
struct vp_rec_run {
	struct vp_rec_ev ev;
	__u64 u[VP_REC_RUN_UNION_WORDS];
};

struct vp_rec_thread {
	struct vp_rec_ev ev;
	__u8 comm[16];
};

#define VP_REC_NAME_LEN 64 /* qemu_usdt.h, VP_USDT_NAME_LEN */
struct vp_rec_name {
	struct vp_rec_ev ev;
	char name[VP_REC_NAME_LEN];
};

/* Synthetic events, driven through BPF_PROG_TEST_RUN by the self-test. */
enum vp_synth_type {
	VP_SYN_EXIT = 1,  /* a0 reason, a1 isa, a2 vcpu_id */
	VP_SYN_ENTRY,	  /* a0 vcpu_id */
	VP_SYN_USER_EXIT, /* a0 KVM_EXIT_*, a1 errno (0 or negative) */
	VP_SYN_PIO,	  /* a0 rw (enum vp_kvm_pio_rw), a1 port, a2 size, a3 count */
	VP_SYN_MMIO,	  /* a0 type (0 read unsatisfied, 1 read, 2 write), a1 len, a2 gpa */
	VP_SYN_FAST_MMIO, /* a0 gpa */
	VP_SYN_MSR,	  /* a0 write, a1 ecx */
	VP_SYN_CPUID,	  /* a0 function */
	VP_SYN_HYPERCALL, /* a0 nr */
	VP_SYN_SET_IRQ,	  /* a0 gsi, a1 level */
	VP_SYN_MSI,	  /* a0 address, a1 data */
	VP_SYN_RUN_ENTER, /* a0 fd; run snapshot in run[] */
	VP_SYN_RUN_EXIT,  /* no argument */
};

/* A QEMU probe's event for the synthetic probes (tests/bpf/usdt_synth.bpf.c):
 * as a recording holds them (VP_REC_QEMU, flags VP_REC_F_NAME or 0). */
struct vp_synth_qemu {
	__u32 flags;
	__u32 tid;
	__u64 a[3];
	char name[VP_REC_NAME_LEN];
};

struct vp_synth_event {
	__u32 type;
	__u32 tgid;
	__u32 tid;
	__u32 pad;
	__u64 ts;
	__u64 a[4];
	__u8 comm[16];
	__u8 run[64]; /* the head of a struct kvm_run, as the VMM left it */
	__u32 run_valid;
	__u32 pad2;
};

#endif
