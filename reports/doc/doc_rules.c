// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The result document's schema (reports/doc/SCHEMA.md), one table per
 * object kind, transcribed: a field added to SCHEMA.md is one line here.
 */
#include "doc_rules.h"

#define END                                                                                        \
	{                                                                                          \
		NULL, 0, NULL, 0, NULL                                                             \
	}

static const struct rule latency_rules[] = {
	{ "samples", T_INT, NULL, 0, NULL },
	{ "min_ns", T_INT, NULL, 0, NULL },
	{ "p50_ns", T_INT, NULL, 0, NULL },
	{ "p90_ns", T_INT, NULL, 0, NULL },
	{ "p99_ns", T_INT, NULL, 0, NULL },
	{ "max_ns", T_INT, NULL, 0, NULL },
	{ "log2_slots", T_ARR, NULL, 32, NULL },
	{ "log2_slots[]", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule meta_rules[] = {
	{ "command", T_STR, "profile|compare|run", 0, NULL },
	{ "tool_version", T_STR, NULL, 0, NULL },
	{ "created", T_STR, NULL, 0, NULL },
	{ "host", T_OBJ, NULL, 0, NULL },
	{ "host.kernel", T_STR, NULL, 0, NULL },
	{ "host.cpu_vendor", T_STR, NULL, 0, NULL },
	{ "host.cpu_model", T_STR, NULL, 0, NULL },
	{ "host.cpus", T_INT, NULL, 0, NULL },
	{ "qemu", T_OBJ, NULL, 0, NULL },
	{ "qemu.binary", T_STR | T_NULL, NULL, 0, NULL },
	{ "qemu.version", T_STR | T_NULL, NULL, 0, NULL },
	{ "qemu.usdt", T_BOOL, NULL, 0, NULL },
	{ "accelerator", T_STR, "kvm|tcg|unknown", 0, NULL },
	{ "vm_exits_measured", T_BOOL, NULL, 0, NULL },
	{ "kvm_run_hook", T_STR | T_NULL | T_OPT, "none|fentry|syscalls", 0, NULL },
	{ "kvm_tracepoints", T_STR | T_NULL | T_OPT, "btf|classic", 0, NULL },
	{ "source", T_STR | T_OPT, "live|qemu-simple-trace|qemu-ust-trace|recording", 0, NULL },
	{ "attribution", T_OBJ, NULL, 0, NULL },
	{ "attribution.source", T_STR, NULL, 0, NULL },
	{ "attribution.detail", T_STR, NULL, 0, NULL },
	{ "duration_s", T_NUM | T_NULL, NULL, 0, NULL },
	{ "lost", T_OBJ, NULL, 0, NULL },
	{ "lost.*", T_INT, NULL, 0, NULL },
	{ "notes", T_ARR, NULL, 0, NULL },
	{ "notes[]", T_STR, NULL, 0, NULL },
	END,
};

static const struct rule vcpu_rules[] = {
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "exits_to_user", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_exits", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "kvm_run_calls", T_INT | T_NULL, NULL, 0, NULL },
	{ "kvm_run_ns", T_INT | T_NULL, NULL, 0, NULL },
	END,
};

static const struct rule exit_device_rules[] = {
	{ "device", T_STR, NULL, 0, NULL },
	{ "count", T_INT, NULL, 0, NULL },
	{ "time_ns", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule exit_reason_rules[] = {
	{ "where", T_STR, "user|kernel", 0, NULL },
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "reason", T_STR, NULL, 0, NULL },
	{ "code", T_INT | T_NULL, NULL, 0, NULL },
	{ "folded", T_BOOL | T_OPT, NULL, 0, NULL },
	{ "isa", T_STR | T_OPT, "VMX|SVM", 0, NULL },
	{ "devices", T_ARR | T_OPT, NULL, 0, NULL },
	{ "devices[]", T_OBJ, NULL, 0, exit_device_rules },
	{ "count", T_INT, NULL, 0, NULL },
	{ "time_ns", T_INT, NULL, 0, NULL },
	{ "latency", T_OBJ | T_NULL, NULL, 0, latency_rules },
	END,
};

static const struct rule device_rules[] = {
	{ "device", T_STR, NULL, 0, NULL },
	{ "name", T_STR, NULL, 0, NULL },
	{ "class", T_STR, "emulated|paravirtual|platform|unknown", 0, NULL },
	{ "to_user", T_INT, NULL, 0, NULL },
	{ "in_kernel", T_INT, NULL, 0, NULL },
	{ "in_kernel_kinds", T_OBJ, NULL, 0, NULL },
	{ "in_kernel_kinds.*", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "interrupts", T_INT, NULL, 0, NULL },
	{ "latency", T_OBJ | T_NULL, NULL, 0, latency_rules },
	{ "source", T_STR, NULL, 0, NULL },
	{ "qemu_events", T_OBJ | T_OPT, NULL, 0, NULL },
	{ "qemu_events.*", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule access_rules[] = {
	{ "kind", T_STR, "pio|mmio|fast_mmio", 0, NULL },
	{ "address", T_INT | T_NULL, NULL, 0, NULL },
	{ "folded", T_BOOL | T_OPT, NULL, 0, NULL },
	{ "direction", T_STR | T_OPT, "read|write", 0, NULL },
	{ "size", T_INT, NULL, 0, NULL },
	{ "device", T_STR, NULL, 0, NULL },
	{ "region", T_STR | T_NULL, NULL, 0, NULL },
	{ "count", T_INT, NULL, 0, NULL },
	{ "to_user", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "latency", T_OBJ | T_NULL, NULL, 0, latency_rules },
	END,
};

static const struct rule other_rules[] = {
	{ "kind", T_STR, NULL, 0, NULL },
	{ "name", T_STR, NULL, 0, NULL },
	{ "code", T_INT | T_NULL, NULL, 0, NULL },
	{ "address", T_INT | T_NULL | T_OPT, NULL, 0, NULL },
	{ "folded", T_BOOL | T_OPT, NULL, 0, NULL },
	{ "direction", T_STR | T_OPT, NULL, 0, NULL },
	{ "count", T_INT, NULL, 0, NULL },
	{ "device", T_STR | T_OPT, NULL, 0, NULL },
	END,
};

static const struct rule sample_rules[] = {
	{ "t", T_NUM, NULL, 0, NULL },
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "exits_to_user", T_INT, NULL, 0, NULL },
	{ "kernel_exits", T_INT, NULL, 0, NULL },
	{ "user_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule slow_access_rules[] = {
	{ "kind", T_STR, "pio|mmio|fast_mmio", 0, NULL },
	{ "address", T_INT, NULL, 0, NULL },
	{ "size", T_INT, NULL, 0, NULL },
	{ "direction", T_STR | T_OPT, "read|write", 0, NULL },
	{ "device", T_STR, NULL, 0, NULL },
	END,
};

static const struct rule slow_exit_rules[] = {
	{ "start_s", T_NUM, NULL, 0, NULL },
	{ "vcpu", T_INT | T_NULL, NULL, 0, NULL },
	{ "tid", T_INT, NULL, 0, NULL },
	{ "total_ns", T_INT, NULL, 0, NULL },
	{ "kernel_ns", T_INT | T_NULL, NULL, 0, NULL },
	{ "to_user", T_BOOL, NULL, 0, NULL },
	{ "reason", T_STR | T_NULL, NULL, 0, NULL },
	{ "code", T_INT | T_NULL, NULL, 0, NULL },
	{ "isa", T_STR | T_OPT, "VMX|SVM", 0, NULL },
	{ "user_reason", T_STR | T_NULL, NULL, 0, NULL },
	{ "access", T_OBJ | T_NULL, NULL, 0, slow_access_rules },
	END,
};

static const struct rule profile_rules[] = {
	{ "target", T_OBJ, NULL, 0, NULL },
	{ "target.pid", T_INT, NULL, 0, NULL },
	{ "target.comm", T_STR, NULL, 0, NULL },
	{ "target.name", T_STR | T_NULL | T_OPT, NULL, 0, NULL },
	{ "target.uuid", T_STR | T_NULL | T_OPT, NULL, 0, NULL },
	{ "target.exited", T_BOOL, NULL, 0, NULL },
	{ "target.vcpus", T_INT, NULL, 0, NULL },
	{ "kvm_exit_fired", T_BOOL, NULL, 0, NULL },
	{ "events", T_OBJ, NULL, 0, NULL },
	{ "events.*", T_INT, NULL, 0, NULL },
	{ "vcpus", T_ARR, NULL, 0, NULL },
	{ "vcpus[]", T_OBJ, NULL, 0, vcpu_rules },
	{ "exit_reasons", T_ARR, NULL, 0, NULL },
	{ "exit_reasons[]", T_OBJ, NULL, 0, exit_reason_rules },
	{ "devices", T_ARR, NULL, 0, NULL },
	{ "devices[]", T_OBJ, NULL, 0, device_rules },
	{ "accesses", T_ARR, NULL, 0, NULL },
	{ "accesses[]", T_OBJ, NULL, 0, access_rules },
	{ "other", T_ARR, NULL, 0, NULL },
	{ "other[]", T_OBJ, NULL, 0, other_rules },
	{ "timeline", T_OBJ | T_OPT, NULL, 0, NULL },
	{ "timeline.interval_s", T_NUM, NULL, 0, NULL },
	{ "timeline.samples", T_ARR, NULL, 0, NULL },
	{ "timeline.samples[]", T_OBJ, NULL, 0, sample_rules },
	{ "slowest_exits", T_ARR | T_OPT, NULL, 0, NULL },
	{ "slowest_exits[]", T_OBJ, NULL, 0, slow_exit_rules },
	END,
};

static const struct rule workload_rules[] = {
	{ "name", T_STR, NULL, 0, NULL },
	{ "group", T_STR | T_NULL, NULL, 0, NULL },
	{ "path", T_STR | T_NULL, "emulated|paravirtual", 0, NULL },
	{ "device", T_STR, NULL, 0, NULL },
	{ "device_class", T_STR, NULL, 0, NULL },
	{ "params", T_STR, NULL, 0, NULL },
	{ "ran", T_BOOL, NULL, 0, NULL },
	{ "status", T_STR, NULL, 0, NULL },
	{ "error", T_STR | T_OPT, NULL, 0, NULL },
	{ "ops", T_INT, NULL, 0, NULL },
	{ "bytes_per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_per_op", T_OBJ, NULL, 0, NULL },
	{ "exits_per_op.to_user", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_per_op.in_kernel", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_per_op.total", T_NUM | T_NULL, NULL, 0, NULL },
	{ "accesses", T_OBJ, NULL, 0, NULL },
	{ "accesses.qemu", T_OBJ, NULL, 0, NULL },
	{ "accesses.guest", T_OBJ, NULL, 0, NULL },
	{ "accesses.firmware", T_OBJ, NULL, 0, NULL },
	{ "accesses.*.reads", T_INT, NULL, 0, NULL },
	{ "accesses.*.writes", T_INT, NULL, 0, NULL },
	{ "in_kernel", T_OBJ, NULL, 0, NULL },
	{ "in_kernel.ioeventfd", T_INT, NULL, 0, NULL },
	{ "in_kernel.coalesced", T_INT, NULL, 0, NULL },
	{ "in_kernel.source", T_STR, "kvm|derived", 0, NULL },
	{ "interrupts", T_OBJ, NULL, 0, NULL },
	{ "interrupts.count", T_INT, NULL, 0, NULL },
	{ "interrupts.per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "host_ns_per_op", T_OBJ, NULL, 0, NULL },
	{ "host_ns_per_op.kernel", T_NUM | T_NULL, NULL, 0, NULL },
	{ "host_ns_per_op.qemu", T_NUM | T_NULL, NULL, 0, NULL },
	{ "guest", T_OBJ, NULL, 0, NULL },
	{ "guest.cycles", T_INT, NULL, 0, NULL },
	{ "guest.tsc_khz", T_INT, NULL, 0, NULL },
	{ "guest.cycles_per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing", T_OBJ, NULL, 0, NULL },
	{ "timing.us_per_op", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.runs_us_per_op", T_ARR, NULL, 0, NULL },
	{ "timing.runs_us_per_op[]", T_NUM, NULL, 0, NULL },
	{ "timing.min", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.max", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.spread_pct", T_NUM | T_NULL, NULL, 0, NULL },
	{ "timing.us_per_op_profiled", T_NUM | T_NULL, NULL, 0, NULL },
	{ "events_not_recorded", T_INT, NULL, 0, NULL },
	{ "qemu_events_per_op", T_OBJ | T_OPT, NULL, 0, NULL },
	{ "qemu_events_per_op.*", T_NUM | T_NULL, NULL, 0, NULL },
	END,
};

static const struct rule speedup_rules[] = {
	{ "group", T_STR, NULL, 0, NULL },
	{ "paravirtual", T_STR, NULL, 0, NULL },
	{ "emulated", T_STR, NULL, 0, NULL },
	{ "ratio", T_NUM | T_NULL, NULL, 0, NULL },
	{ "exits_ratio", T_NUM | T_NULL, NULL, 0, NULL },
	END,
};

static const struct rule rw_rules[] = {
	{ "reads", T_INT, NULL, 0, NULL },
	{ "writes", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule guest_region_rules[] = {
	{ "name", T_STR, NULL, 0, NULL },
	{ "space", T_STR, "pio|mmio", 0, NULL },
	{ "base", T_INT, NULL, 0, NULL },
	{ "size", T_INT, NULL, 0, NULL },
	{ "reads", T_INT, NULL, 0, NULL },
	{ "writes", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule guest_rules[] = {
	{ "line", T_STR, NULL, 0, NULL },
	{ "workload", T_STR, NULL, 0, NULL },
	{ "status", T_STR, NULL, 0, NULL },
	{ "code", T_INT | T_NULL, NULL, 0, NULL },
	{ "counts", T_OBJ, NULL, 0, NULL },
	{ "counts.*", T_INT, NULL, 0, NULL },
	{ "extra", T_ARR, NULL, 0, NULL },
	{ "extra[]", T_OBJ, NULL, 0, NULL },
	{ "extra[].key", T_STR, NULL, 0, NULL },
	{ "extra[].value", T_STR, NULL, 0, NULL },
	{ "regions", T_ARR, NULL, 0, NULL },
	{ "regions[]", T_OBJ, NULL, 0, guest_region_rules },
	END,
};

static const struct rule usdt_region_rules[] = {
	{ "name", T_STR, NULL, 0, NULL },
	{ "mr", T_INT, NULL, 0, NULL },
	{ "reads", T_INT, NULL, 0, NULL },
	{ "writes", T_INT, NULL, 0, NULL },
	{ "guest_region", T_OBJ | T_NULL, NULL, 0, NULL },
	{ "guest_region.name", T_STR, NULL, 0, NULL },
	{ "guest_region.reads", T_INT, NULL, 0, NULL },
	{ "guest_region.writes", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule usdt_device_rules[] = {
	{ "device", T_STR, NULL, 0, NULL },
	{ "class", T_STR, "emulated|paravirtual|platform|unknown", 0, NULL },
	{ "qemu", T_OBJ, NULL, 0, rw_rules },
	{ "firmware", T_OBJ, NULL, 0, rw_rules },
	{ "guest", T_OBJ | T_NULL, NULL, 0, rw_rules },
	END,
};

static const struct rule usdt_rules[] = {
	{ "fw_cfg_seen", T_BOOL, NULL, 0, NULL },
	{ "regions", T_ARR, NULL, 0, NULL },
	{ "regions[]", T_OBJ, NULL, 0, usdt_region_rules },
	{ "devices", T_ARR, NULL, 0, NULL },
	{ "devices[]", T_OBJ, NULL, 0, usdt_device_rules },
	{ "interrupts", T_ARR, NULL, 0, NULL },
	{ "interrupts[]", T_OBJ, NULL, 0, NULL },
	{ "interrupts[].device", T_STR, NULL, 0, NULL },
	{ "interrupts[].raised", T_INT, NULL, 0, NULL },
	{ "events", T_ARR, NULL, 0, NULL },
	{ "events[]", T_OBJ, NULL, 0, NULL },
	{ "events[].device", T_STR, NULL, 0, NULL },
	{ "events[].event", T_STR, NULL, 0, NULL },
	{ "events[].count", T_INT, NULL, 0, NULL },
	END,
};

static const struct rule run_rules[] = {
	{ "workload", T_STR, NULL, 0, NULL },
	{ "description", T_STR | T_NULL, NULL, 0, NULL },
	{ "params", T_STR, NULL, 0, NULL },
	{ "elf", T_STR, NULL, 0, NULL },
	{ "missing_device", T_STR | T_NULL, NULL, 0, NULL },
	{ "status", T_STR, NULL, 0, NULL },
	{ "error", T_STR | T_OPT, NULL, 0, NULL },
	{ "reasons", T_ARR, NULL, 0, NULL },
	{ "reasons[]", T_STR, NULL, 0, NULL },
	{ "guest", T_OBJ | T_NULL, NULL, 0, guest_rules },
	{ "usdt", T_OBJ | T_OPT, NULL, 0, usdt_rules },
	END,
};

const struct rule vp_doc_rules[] = {
	{ "meta", T_OBJ, NULL, 0, meta_rules },
	{ "profile", T_OBJ | T_OPT, NULL, 0, profile_rules },
	{ "workloads", T_ARR | T_OPT, NULL, 0, NULL },
	{ "workloads[]", T_OBJ, NULL, 0, workload_rules },
	{ "speedups", T_ARR | T_OPT, NULL, 0, NULL },
	{ "speedups[]", T_OBJ, NULL, 0, speedup_rules },
	{ "run", T_OBJ | T_OPT, NULL, 0, run_rules },
	END,
};
