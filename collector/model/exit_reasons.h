/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names for KVM exit codes: hardware exit reasons as reported by the
 * kvm:kvm_exit tracepoint (VMX / SVM) and struct kvm_run exit reasons as
 * reported by kvm:kvm_userspace_exit.
 *
 * Names are spelled exactly as the kernel's kvm_exit tracepoint prints them
 * (e.g. VMX "IO_INSTRUCTION", SVM "io", "PF excp", "hypercall"), so reports
 * line up with perf/trace-cmd output. Codes the kernel does not name are
 * unknown here too and are shown as numbers.
 *
 * All functions are pure and thread-safe; returned names are static strings.
 */
#ifndef VP_EXIT_REASONS_H
#define VP_EXIT_REASONS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* same numbering as the kernel's KVM_ISA_VMX / KVM_ISA_SVM in the kvm_exit
 * tracepoint's `isa` field */
enum vp_isa_kind { VP_ISA_UNKNOWN = 0, VP_ISA_VMX = 1, VP_ISA_SVM = 2 };

/* Bit 31 of a VMX exit reason: the VM entry failed. */
#define VP_VMX_FAILED_VMENTRY 0x80000000u

/* Enough for any string the format functions produce. */
#define VP_EXIT_REASON_BUFLEN 64

/*
 * Name of a hardware exit reason as reported by kvm:kvm_exit, or NULL when
 * the code is not known for that ISA. For VMX, only the basic reason (low 16
 * bits) names the exit; bit 31 (failed VM-entry) is a flag.
 */
const char *vp_exit_reason_name(uint32_t isa, uint32_t code);

/*
 * Writes a display string into buf (at most len bytes, always NUL-terminated
 * when len > 0, truncated if needed) and returns buf.
 *   known:   the name; for VMX followed by " FAILED_VMENTRY" when bit 31 is
 *            set and by " 0x<bits>" for any other bits of 16..30 (as the
 *            kernel prints them), e.g. "INVALID_STATE FAILED_VMENTRY".
 *   unknown: the whole code as a number that can never be mistaken for a
 *            name: "VMX#0x7b", "SVM#0x1234", "ISA3#0x1234".
 */
const char *vp_exit_reason_format(uint32_t isa, uint32_t code, char *buf, size_t len);

/*
 * Name of a KVM_EXIT_* code from struct kvm_run.exit_reason (as in
 * kvm:kvm_userspace_exit) without the KVM_EXIT_ prefix, e.g. "IO", "MMIO",
 * "HLT", "SYSTEM_EVENT", "X86_RDMSR"; NULL when unknown.
 */
const char *vp_kvm_run_exit_name(uint32_t reason);

/*
 * Same, with "error EFAULT" for a KVM_RUN that failed (VP_USER_ERROR|errno)
 * and "KVM_EXIT#<decimal>" for unknown codes. Returns buf.
 */
const char *vp_kvm_run_exit_format(uint32_t reason, char *buf, size_t len);

/*
 * Parses a string as printed by vp_exit_reason_format() for this ISA (case
 * insensitive), e.g. "io", "EPT_VIOLATION", "INVALID_STATE FAILED_VMENTRY",
 * "VMX#0x7b". Returns 0 and sets *code, -ENOENT when the string is not such a
 * name or number, -EINVAL when name or code is NULL.
 */
int vp_exit_reason_parse(uint32_t isa, const char *name, uint32_t *code);

#ifdef __cplusplus
}
#endif

#endif /* VP_EXIT_REASONS_H */
