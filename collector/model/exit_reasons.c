// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Exit-reason name tables. Numbers: Intel SDM Vol. 3 Appendix C (VMX basic
 * exit reasons), AMD APM Vol. 2 Appendix C (SVM exit codes), Linux UAPI
 * <linux/kvm.h> (KVM_EXIT_*). Names: the kernel's kvm_exit trace spelling.
 *
 * Tables are arrays indexed by code with designated initializers rather than
 * sorted lists: lookup needs no ordering invariant, gaps are NULL for free,
 * and a code listed twice is a -Woverride-init error (part of -Wextra).
 * Numbers are written out instead of taken from <asm/vmx.h>/<asm/svm.h> so
 * the collector also builds where those x86-only headers are absent or old;
 * the unit test cross-checks them against the headers when present.
 */
#include "exit_reasons.h"
#include <linux/types.h>
#include "vmexit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const vmx_names[] = {
	[0] = "EXCEPTION_NMI",
	[1] = "EXTERNAL_INTERRUPT",
	[2] = "TRIPLE_FAULT",
	[3] = "INIT_SIGNAL",
	[4] = "SIPI_SIGNAL",
	[7] = "INTERRUPT_WINDOW",
	[8] = "NMI_WINDOW",
	[9] = "TASK_SWITCH",
	[10] = "CPUID",
	[12] = "HLT",
	[13] = "INVD",
	[14] = "INVLPG",
	[15] = "RDPMC",
	[16] = "RDTSC",
	[18] = "VMCALL",
	[19] = "VMCLEAR",
	[20] = "VMLAUNCH",
	[21] = "VMPTRLD",
	[22] = "VMPTRST",
	[23] = "VMREAD",
	[24] = "VMRESUME",
	[25] = "VMWRITE",
	[26] = "VMOFF",
	[27] = "VMON",
	[28] = "CR_ACCESS",
	[29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION",
	[31] = "MSR_READ",
	[32] = "MSR_WRITE",
	[33] = "INVALID_STATE",
	[34] = "MSR_LOAD_FAIL",
	[36] = "MWAIT_INSTRUCTION",
	[37] = "MONITOR_TRAP_FLAG",
	[39] = "MONITOR_INSTRUCTION",
	[40] = "PAUSE_INSTRUCTION",
	[41] = "MCE_DURING_VMENTRY",
	[43] = "TPR_BELOW_THRESHOLD",
	[44] = "APIC_ACCESS",
	[45] = "EOI_INDUCED",
	[46] = "GDTR_IDTR",
	[47] = "LDTR_TR",
	[48] = "EPT_VIOLATION",
	[49] = "EPT_MISCONFIG",
	[50] = "INVEPT",
	[51] = "RDTSCP",
	[52] = "PREEMPTION_TIMER",
	[53] = "INVVPID",
	[54] = "WBINVD",
	[55] = "XSETBV",
	[56] = "APIC_WRITE",
	[57] = "RDRAND",
	[58] = "INVPCID",
	[59] = "VMFUNC",
	[60] = "ENCLS",
	[61] = "RDSEED",
	[62] = "PML_FULL",
	[63] = "XSAVES",
	[64] = "XRSTORS",
	[67] = "UMWAIT",
	[68] = "TPAUSE",
	[74] = "BUS_LOCK",
	[75] = "NOTIFY",
	[77] = "TDCALL",
	[84] = "MSR_READ_IMM",
	[85] = "MSR_WRITE_IMM",
};

/* SVM codes 0x000-0x0a6: intercepts of CRs, DRs, exceptions, instructions. */
#define SVM_EXCP(vec) (0x040 + (vec))
static const char *const svm_low_names[] = {
	[0x000] = "read_cr0",
	[0x002] = "read_cr2",
	[0x003] = "read_cr3",
	[0x004] = "read_cr4",
	[0x008] = "read_cr8",
	[0x010] = "write_cr0",
	[0x012] = "write_cr2",
	[0x013] = "write_cr3",
	[0x014] = "write_cr4",
	[0x018] = "write_cr8",
	[0x020] = "read_dr0",
	[0x021] = "read_dr1",
	[0x022] = "read_dr2",
	[0x023] = "read_dr3",
	[0x024] = "read_dr4",
	[0x025] = "read_dr5",
	[0x026] = "read_dr6",
	[0x027] = "read_dr7",
	[0x030] = "write_dr0",
	[0x031] = "write_dr1",
	[0x032] = "write_dr2",
	[0x033] = "write_dr3",
	[0x034] = "write_dr4",
	[0x035] = "write_dr5",
	[0x036] = "write_dr6",
	[0x037] = "write_dr7",
	[SVM_EXCP(0)] = "DE excp",
	[SVM_EXCP(1)] = "DB excp",
	[SVM_EXCP(3)] = "BP excp",
	[SVM_EXCP(4)] = "OF excp",
	[SVM_EXCP(5)] = "BR excp",
	[SVM_EXCP(6)] = "UD excp",
	[SVM_EXCP(7)] = "NM excp",
	[SVM_EXCP(8)] = "DF excp",
	[SVM_EXCP(10)] = "TS excp",
	[SVM_EXCP(11)] = "NP excp",
	[SVM_EXCP(12)] = "SS excp",
	[SVM_EXCP(13)] = "GP excp",
	[SVM_EXCP(14)] = "PF excp",
	[SVM_EXCP(16)] = "MF excp",
	[SVM_EXCP(17)] = "AC excp",
	[SVM_EXCP(18)] = "MC excp",
	[SVM_EXCP(19)] = "XF excp",
	[0x060] = "interrupt",
	[0x061] = "nmi",
	[0x062] = "smi",
	[0x063] = "init",
	[0x064] = "vintr",
	[0x065] = "cr0_sel_write",
	[0x066] = "read_idtr",
	[0x067] = "read_gdtr",
	[0x068] = "read_ldtr",
	[0x069] = "read_rt", /* sic: TR read; kernel spelling */
	[0x06a] = "write_idtr",
	[0x06b] = "write_gdtr",
	[0x06c] = "write_ldtr",
	[0x06d] = "write_rt",
	[0x06e] = "rdtsc",
	[0x06f] = "rdpmc",
	[0x070] = "pushf",
	[0x071] = "popf",
	[0x072] = "cpuid",
	[0x073] = "rsm",
	[0x074] = "iret",
	[0x075] = "swint",
	[0x076] = "invd",
	[0x077] = "pause",
	[0x078] = "hlt",
	[0x079] = "invlpg",
	[0x07a] = "invlpga",
	[0x07b] = "io",
	[0x07c] = "msr",
	[0x07d] = "task_switch",
	[0x07e] = "ferr_freeze",
	[0x07f] = "shutdown",
	[0x080] = "vmrun",
	[0x081] = "hypercall", /* VMMCALL */
	[0x082] = "vmload",
	[0x083] = "vmsave",
	[0x084] = "stgi",
	[0x085] = "clgi",
	[0x086] = "skinit",
	[0x087] = "rdtscp",
	[0x088] = "icebp",
	[0x089] = "wbinvd",
	[0x08a] = "monitor",
	[0x08b] = "mwait",
	[0x08d] = "xsetbv",
	[0x08f] = "write_efer_trap",
	[0x090] = "write_cr0_trap",
	[0x094] = "write_cr4_trap",
	[0x098] = "write_cr8_trap",
	[0x0a2] = "invpcid",
	[0x0a5] = "buslock",
	[0x0a6] = "idle-halt",
};

/* SVM codes 0x400-0x403: nested paging, AVIC, SEV-ES #VMGEXIT. */
static const char *const svm_npf_names[] = {
	[0x0] = "npf",
	[0x1] = "avic_incomplete_ipi",
	[0x2] = "avic_unaccelerated_access",
	[0x3] = "vmgexit",
};

/* SVM codes 0x80000000+: GHCB-protocol #VMGEXIT sub-exits. */
static const char *const svm_vmgexit_names[] = {
	[0x01] = "vmgexit_mmio_read",	  [0x02] = "vmgexit_mmio_write",
	[0x03] = "vmgexit_nmi_complete",  [0x04] = "vmgexit_ap_hlt_loop",
	[0x05] = "vmgexit_ap_jump_table", [0x10] = "vmgexit_page_state_change",
	[0x11] = "vmgexit_guest_request", [0x12] = "vmgexit_ext_guest_request",
	[0x13] = "vmgexit_ap_creation",
};

static const char *const svm_hv_features_name[] = { "vmgexit_hypervisor_feature" };
static const char *const svm_err_name[] = { "invalid_guest_state" };

/* A run of consecutive codes starting at base; holes are NULL. */
struct name_block {
	uint32_t base;
	uint32_t count;
	const char *const *names;
};

#define BLOCK(base, arr)                                                                           \
	{                                                                                          \
		(base), (uint32_t)ARRAY_SIZE(arr), (arr)                                           \
	}

static const struct name_block vmx_blocks[] = {
	BLOCK(0, vmx_names),
};

static const struct name_block svm_blocks[] = {
	BLOCK(0x000, svm_low_names),	       BLOCK(0x400, svm_npf_names),
	BLOCK(0x80000000u, svm_vmgexit_names), BLOCK(0x8000fffdu, svm_hv_features_name),
	BLOCK(0xffffffffu, svm_err_name), /* VMEXIT_INVALID (-1) */
};

static const char *const kvm_run_names[] = {
	[0] = "UNKNOWN",
	[1] = "EXCEPTION",
	[2] = "IO",
	[3] = "HYPERCALL",
	[4] = "DEBUG",
	[5] = "HLT",
	[6] = "MMIO",
	[7] = "IRQ_WINDOW_OPEN",
	[8] = "SHUTDOWN",
	[9] = "FAIL_ENTRY",
	[10] = "INTR",
	[11] = "SET_TPR",
	[12] = "TPR_ACCESS",
	[13] = "S390_SIEIC",
	[14] = "S390_RESET",
	[15] = "DCR",
	[16] = "NMI",
	[17] = "INTERNAL_ERROR",
	[18] = "OSI",
	[19] = "PAPR_HCALL",
	[20] = "S390_UCONTROL",
	[21] = "WATCHDOG",
	[22] = "S390_TSCH",
	[23] = "EPR",
	[24] = "SYSTEM_EVENT",
	[25] = "S390_STSI",
	[26] = "IOAPIC_EOI",
	[27] = "HYPERV",
	[28] = "ARM_NISV",
	[29] = "X86_RDMSR",
	[30] = "X86_WRMSR",
	[31] = "DIRTY_RING_FULL",
	[32] = "AP_RESET_HOLD",
	[33] = "X86_BUS_LOCK",
	[34] = "XEN",
	[35] = "RISCV_SBI",
	[36] = "RISCV_CSR",
	[37] = "NOTIFY",
	[38] = "LOONGARCH_IOCSR",
	[39] = "MEMORY_FAULT",
	[40] = "TDX",
};

static const char vmx_failed_vmentry[] = "FAILED_VMENTRY";

static int isa_blocks(uint32_t isa, const struct name_block **blocks, size_t *n)
{
	switch (isa) {
	case VP_ISA_VMX:
		*blocks = vmx_blocks;
		*n = ARRAY_SIZE(vmx_blocks);
		return 0;
	case VP_ISA_SVM:
		*blocks = svm_blocks;
		*n = ARRAY_SIZE(svm_blocks);
		return 0;
	default: return -ENOENT;
	}
}

static const char *block_lookup(const struct name_block *blocks, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++) {
		/* unsigned difference: codes below base wrap to huge values */
		uint32_t off = code - blocks[i].base;

		if (off < blocks[i].count)
			return blocks[i].names[off];
	}
	return NULL;
}

const char *vp_exit_reason_name(uint32_t isa, uint32_t code)
{
	const struct name_block *blocks;
	size_t n;

	if (isa_blocks(isa, &blocks, &n))
		return NULL;
	if (isa == VP_ISA_VMX)
		code &= 0xffff; /* high bits are flags, not part of the reason */
	return block_lookup(blocks, n, code);
}

/* Prefix of the numeric form; must contain a character no name has ('#'). */
static void number_prefix(uint32_t isa, char *buf, size_t len)
{
	if (isa == VP_ISA_VMX)
		snprintf(buf, len, "VMX#0x");
	else if (isa == VP_ISA_SVM)
		snprintf(buf, len, "SVM#0x");
	else
		snprintf(buf, len, "ISA%" PRIu32 "#0x", isa);
}

const char *vp_exit_reason_format(uint32_t isa, uint32_t code, char *buf, size_t len)
{
	const char *name = vp_exit_reason_name(isa, code);
	char prefix[24];

	if (!buf || !len)
		return buf;
	if (!name) {
		number_prefix(isa, prefix, sizeof(prefix));
		snprintf(buf, len, "%s%" PRIx32, prefix, code);
		return buf;
	}
	if (isa != VP_ISA_VMX) {
		snprintf(buf, len, "%s", name);
		return buf;
	}

	const char *failed = (code & VP_VMX_FAILED_VMENTRY) ? " FAILED_VMENTRY" : "";
	uint32_t other = code & 0x7fff0000u;

	/* other flag bits (e.g. 27, exit from enclave) would otherwise be lost */
	if (other)
		snprintf(buf, len, "%s%s 0x%" PRIx32, name, failed, other);
	else
		snprintf(buf, len, "%s%s", name, failed);
	return buf;
}

const char *vp_kvm_run_exit_name(uint32_t reason)
{
	return reason < ARRAY_SIZE(kvm_run_names) ? kvm_run_names[reason] : NULL;
}

const char *vp_kvm_run_exit_format(uint32_t reason, char *buf, size_t len)
{
	const char *name = vp_kvm_run_exit_name(reason);
	uint32_t err = reason & ~VP_USER_ERROR;

	if (!buf || !len)
		return buf;
	/* errno values end at 4095 (the kernel's MAX_ERRNO) */
	if (name) {
		snprintf(buf, len, "%s", name);
	} else if ((reason & VP_USER_ERROR) && err <= 4095) {
		const char *e = strerrorname_np((int)err);

		if (e)
			snprintf(buf, len, "error %s", e);
		else
			snprintf(buf, len, "error %" PRIu32, err);
	} else
		snprintf(buf, len, "KVM_EXIT#%" PRIu32, reason);
	return buf;
}

/* ASCII-only on purpose: strcasecmp() is POSIX and follows the locale. */
static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive match of s[0..n) against all of word. */
static int match_n(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n && word[i]; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)word[i]))
			return 0;
	return i == n && !word[i];
}

/* Strict hex: 1-8 digits, nothing else (strtoul takes signs/spaces/>32 bit). */
static int parse_hex32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n == 0 || n > 8)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		int c = lower((unsigned char)s[i]);
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else
			return -ENOENT;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static int lookup_name(const struct name_block *blocks, size_t nblocks, const char *s, size_t n,
		       uint32_t *code)
{
	for (size_t b = 0; b < nblocks; b++)
		for (uint32_t i = 0; i < blocks[b].count; i++) {
			const char *name = blocks[b].names[i];

			if (name && match_n(s, n, name)) {
				*code = blocks[b].base + i;
				return 0;
			}
		}
	return -ENOENT;
}

/* VMX: "NAME[ FAILED_VMENTRY][ 0x<bits 16..30>]", exactly as formatted. */
static int parse_vmx(const char *s, uint32_t *code)
{
	const char *sp = strchr(s, ' ');
	size_t n = sp ? (size_t)(sp - s) : strlen(s);
	uint32_t basic, flags = 0;

	if (lookup_name(vmx_blocks, ARRAY_SIZE(vmx_blocks), s, n, &basic))
		return -ENOENT;
	s += n;
	if (*s == ' ') {
		const char *tok = s + 1;

		sp = strchr(tok, ' ');
		n = sp ? (size_t)(sp - tok) : strlen(tok);
		if (match_n(tok, n, vmx_failed_vmentry)) {
			flags |= VP_VMX_FAILED_VMENTRY;
			s = tok + n;
		}
	}
	if (*s == ' ') {
		uint32_t other;

		s++;
		if (lower((unsigned char)s[0]) != '0' || lower((unsigned char)s[1]) != 'x')
			return -ENOENT;
		s += 2;
		if (parse_hex32(s, strlen(s), &other) || !other || (other & ~0x7fff0000u))
			return -ENOENT;
		flags |= other;
		s += strlen(s);
	}
	if (*s)
		return -ENOENT;
	*code = basic | flags;
	return 0;
}

int vp_exit_reason_parse(uint32_t isa, const char *name, uint32_t *code)
{
	const struct name_block *blocks;
	size_t nblocks;
	char prefix[24];
	size_t plen;

	if (!name || !code)
		return -EINVAL;

	number_prefix(isa, prefix, sizeof(prefix));
	plen = strlen(prefix);
	if (strlen(name) > plen && match_n(name, plen, prefix))
		return parse_hex32(name + plen, strlen(name + plen), code);

	if (isa_blocks(isa, &blocks, &nblocks))
		return -ENOENT;
	if (isa == VP_ISA_VMX)
		return parse_vmx(name, code);
	/* SVM names may contain a space ("PF excp"): match the whole string */
	return lookup_name(blocks, nblocks, name, strlen(name), code);
}
