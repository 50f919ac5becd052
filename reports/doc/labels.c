// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "labels.h"

#include <inttypes.h>
#include <stdio.h>

#include "exit_reasons.h"

const char *vp_dir_name(uint8_t dir)
{
	return dir == VP_DIR_READ ? "read" : dir == VP_DIR_WRITE ? "write" : "";
}

const char *vp_folded_name(uint8_t kind)
{
	switch ((enum vp_key_kind)kind) {
	case VP_K_EXIT:
	case VP_K_USER:
	case VP_K_EXIT_ACCESS: return "other reasons, not kept apart";
	case VP_K_PIO: return "other ports, not kept apart";
	case VP_K_MMIO:
	case VP_K_FAST_MMIO:
	case VP_K_MSI: return "other addresses, not kept apart";
	case VP_K_CPUID: return "other leaves, not kept apart";
	case VP_K_MSR: return "other MSRs, not kept apart";
	case VP_K_HYPERCALL: return "other hypercalls, not kept apart";
	case VP_K_IRQ: return "other lines, not kept apart";
	case VP_K_RUN: return "KVM_RUN, not kept apart";
	}
	return "others, not kept apart";
}

const char *vp_isa_name(uint8_t isa)
{
	return isa == VP_ISA_VMX_CODE ? "vmx" : isa == VP_ISA_SVM_CODE ? "svm" : "unknown";
}

const char *vp_kind_name(enum vp_key_kind kind)
{
	switch (kind) {
	case VP_K_EXIT: return "exit";
	case VP_K_USER: return "user_exit";
	case VP_K_PIO: return "pio";
	case VP_K_MMIO: return "mmio";
	case VP_K_FAST_MMIO: return "fast_mmio";
	case VP_K_CPUID: return "cpuid";
	case VP_K_MSR: return "msr";
	case VP_K_HYPERCALL: return "hypercall";
	case VP_K_IRQ: return "irq";
	case VP_K_MSI: return "msi";
	case VP_K_RUN: return "kvm_run";
	case VP_K_EXIT_ACCESS: return "exit_access";
	}
	return "unknown";
}

const char *vp_key_name(const struct vp_key *k, char *buf, size_t len)
{
	if (k->flags & VP_KEY_FOLDED) {
		snprintf(buf, len, "%s", vp_folded_name(k->kind));
		return buf;
	}
	switch ((enum vp_key_kind)k->kind) {
	case VP_K_EXIT:
	case VP_K_EXIT_ACCESS: return vp_exit_reason_format(k->isa, k->code, buf, len);
	case VP_K_USER: return vp_kvm_run_exit_format(k->code, buf, len);
	case VP_K_PIO:
	case VP_K_MMIO:
	case VP_K_FAST_MMIO:
	case VP_K_MSI: snprintf(buf, len, "0x%" PRIx64, (uint64_t)k->addr); return buf;
	case VP_K_CPUID:
	case VP_K_MSR: snprintf(buf, len, "0x%" PRIx32, k->code); return buf;
	case VP_K_HYPERCALL:
	case VP_K_IRQ: snprintf(buf, len, "%" PRIu32, k->code); return buf;
	case VP_K_RUN: snprintf(buf, len, "KVM_RUN"); return buf;
	}
	snprintf(buf, len, "?");
	return buf;
}
