// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for collector/model/exit_reasons.c.
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -Icollector \
 *          collector/model/exit_reasons.c tests/unit/test_exit_reasons.c -lcmocka
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h> /* cmocka.h needs these first */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "exit_reasons.h"
#include <linux/types.h>
#include "vmexit.h"

#if defined(__has_include)
#if __has_include(<asm/vmx.h>) && __has_include(<asm/svm.h>) && \
	__has_include(<asm/kvm.h>) && __has_include(<linux/kvm.h>)
#include <asm/kvm.h> /* *_VECTOR used by SVM_EXIT_REASONS */
#include <asm/svm.h>
#include <asm/vmx.h>
#include <linux/kvm.h>
#define HAVE_KVM_UAPI 1
#endif
#endif

struct entry {
	uint32_t code;
	const char *name;
};

#define MAX_ENTRIES 512

/* Every named code of an ISA, found through the public API only. The ranges
 * cover all blocks the tables can hold (VMX basic reasons are 16-bit). */
static size_t collect(uint32_t isa, struct entry *out)
{
	static const struct {
		uint64_t lo, hi;
	} ranges[] = {
		{ 0x0, 0xffff },
		{ 0x80000000, 0x8000ffff },
		{ 0xffff0000, 0xffffffff },
	};
	size_t n = 0;
	size_t nranges = isa == VP_ISA_VMX ? 1 : 3;

	for (size_t r = 0; r < nranges; r++)
		for (uint64_t c = ranges[r].lo; c <= ranges[r].hi; c++) {
			const char *name = vp_exit_reason_name(isa, (uint32_t)c);

			if (!name)
				continue;
			assert_true(n < MAX_ENTRIES);
			out[n].code = (uint32_t)c;
			out[n].name = name;
			n++;
		}
	return n;
}

static const char *fmt(uint32_t isa, uint32_t code)
{
	static char buf[VP_EXIT_REASON_BUFLEN];

	return vp_exit_reason_format(isa, code, buf, sizeof(buf));
}

static const char *kfmt(uint32_t reason)
{
	static char buf[VP_EXIT_REASON_BUFLEN];

	return vp_kvm_run_exit_format(reason, buf, sizeof(buf));
}

static int ascii_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (*a >= 'A' && *a <= 'Z') ? *a - 'A' + 'a' : *a;
		int cb = (*b >= 'A' && *b <= 'Z') ? *b - 'A' + 'a' : *b;

		if (ca != cb || !ca)
			return ca - cb;
	}
}

static void test_vmx_common_exits(void **state)
{
	(void)state;
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 30), "IO_INSTRUCTION");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 48), "EPT_VIOLATION");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 49), "EPT_MISCONFIG");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 10), "CPUID");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 12), "HLT");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 0), "EXCEPTION_NMI");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 31), "MSR_READ");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 32), "MSR_WRITE");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 74), "BUS_LOCK");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 77), "TDCALL");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 84), "MSR_READ_IMM");
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 85), "MSR_WRITE_IMM");
	assert_string_equal(fmt(VP_ISA_VMX, 30), "IO_INSTRUCTION");
	assert_string_equal(fmt(VP_ISA_VMX, 48), "EPT_VIOLATION");
}

static void test_same_code_other_isa(void **state)
{
	(void)state;
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x7b), "io");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x72), "cpuid");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x78), "hlt");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x400), "npf");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x81), "hypercall");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x4e), "PF excp");
	/* SVM 0x30 is a DR write, not EPT_VIOLATION (VMX 48 == 0x30) */
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x30), "write_dr0");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x00), "read_cr0");

	/* SVM codes are not VMX codes: shown as numbers, never as names */
	assert_null(vp_exit_reason_name(VP_ISA_VMX, 0x7b));
	assert_string_equal(fmt(VP_ISA_VMX, 0x7b), "VMX#0x7b");
	assert_null(vp_exit_reason_name(VP_ISA_VMX, 0x400));
	assert_string_equal(fmt(VP_ISA_VMX, 0x400), "VMX#0x400");
	/* ...and VMX 30 (0x1e, a CR14 write on SVM) is unknown to SVM */
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 30));
	assert_string_equal(fmt(VP_ISA_SVM, 30), "SVM#0x1e");
	assert_string_equal(fmt(VP_ISA_SVM, 0x7b), "io");
}

static void test_vmx_flags(void **state)
{
	(void)state;
	assert_string_equal(vp_exit_reason_name(VP_ISA_VMX, 0x80000021), "INVALID_STATE");
	assert_string_equal(fmt(VP_ISA_VMX, 0x80000021), "INVALID_STATE FAILED_VMENTRY");
	assert_string_equal(fmt(VP_ISA_VMX, 0x80000022), "MSR_LOAD_FAIL FAILED_VMENTRY");
	/* other flag bits (27: exit from enclave) are kept, as the kernel does */
	assert_string_equal(fmt(VP_ISA_VMX, 0x08000030), "EPT_VIOLATION 0x8000000");
	assert_string_equal(fmt(VP_ISA_VMX, 0x88000021), "INVALID_STATE FAILED_VMENTRY 0x8000000");
	/* unknown basic reason: the whole code as a number */
	assert_null(vp_exit_reason_name(VP_ISA_VMX, 0x80000023));
	assert_string_equal(fmt(VP_ISA_VMX, 0x80000023), "VMX#0x80000023");
	/* bit 31 means nothing special on SVM */
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x80000021));
	assert_string_equal(fmt(VP_ISA_SVM, 0x80000021), "SVM#0x80000021");
}

static void test_unknown_isa(void **state)
{
	(void)state;
	assert_null(vp_exit_reason_name(3, 30));
	assert_null(vp_exit_reason_name(VP_ISA_UNKNOWN, 30));
	assert_string_equal(fmt(3, 0x1234), "ISA3#0x1234");
	assert_string_equal(fmt(VP_ISA_UNKNOWN, 30), "ISA0#0x1e");
	assert_string_equal(fmt(0xffffffff, 0xffffffff), "ISA4294967295#0xffffffff");
}

static void test_vmx_gaps(void **state)
{
	static const uint32_t gaps[] = { 5,  6,	 11, 17, 35, 38, 42, 65, 66, 69, 70,	71,
					 72, 73, 76, 78, 79, 80, 81, 82, 83, 86, 0xffff };
	char want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		assert_null(vp_exit_reason_name(VP_ISA_VMX, gaps[i]));
		snprintf(want, sizeof(want), "VMX#0x%" PRIx32, gaps[i]);
		assert_string_equal(fmt(VP_ISA_VMX, gaps[i]), want);
	}
}

static void test_svm_special_codes(void **state)
{
	(void)state;
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0xffffffff), "invalid_guest_state");
	assert_string_equal(fmt(VP_ISA_SVM, (uint32_t)-1), "invalid_guest_state");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x403), "vmgexit");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x80000010),
			    "vmgexit_page_state_change");
	assert_string_equal(vp_exit_reason_name(VP_ISA_SVM, 0x8000fffd),
			    "vmgexit_hypervisor_feature");
	/* holes and neighbours of the sparse blocks */
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0xfffffffe));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x80000000));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x80000014));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x8000fffe));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x404));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x3ff));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x0a7));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0xf0000000));
	assert_null(vp_exit_reason_name(VP_ISA_SVM, 0x42)); /* NMI vector: no intercept name */
	assert_string_equal(fmt(VP_ISA_SVM, 0xfffffffe), "SVM#0xfffffffe");
}

static void test_kvm_run_exits(void **state)
{
	(void)state;
	assert_string_equal(vp_kvm_run_exit_name(0), "UNKNOWN");
	assert_string_equal(vp_kvm_run_exit_name(2), "IO");
	assert_string_equal(vp_kvm_run_exit_name(5), "HLT");
	assert_string_equal(vp_kvm_run_exit_name(6), "MMIO");
	assert_string_equal(vp_kvm_run_exit_name(8), "SHUTDOWN");
	assert_string_equal(vp_kvm_run_exit_name(10), "INTR");
	assert_string_equal(vp_kvm_run_exit_name(24), "SYSTEM_EVENT");
	assert_string_equal(vp_kvm_run_exit_name(29), "X86_RDMSR");
	assert_string_equal(vp_kvm_run_exit_name(30), "X86_WRMSR");
	assert_string_equal(vp_kvm_run_exit_name(37), "NOTIFY");
	assert_string_equal(vp_kvm_run_exit_name(39), "MEMORY_FAULT");
	assert_null(vp_kvm_run_exit_name(999));
	assert_string_equal(kfmt(2), "IO");
	assert_string_equal(kfmt(6), "MMIO");
	assert_string_equal(kfmt(999), "KVM_EXIT#999");
	assert_string_equal(kfmt(0xffffffff), "KVM_EXIT#4294967295");
	/* a failed KVM_RUN is named by its errno, never by the stale exit_reason */
	assert_string_equal(kfmt(VP_USER_ERROR | EFAULT), "error EFAULT");
	assert_string_equal(kfmt(VP_USER_ERROR | 4000), "error 4000");

	/* no two codes share a name */
	for (uint32_t a = 0; a < 1024; a++)
		for (uint32_t b = a + 1; b < 1024; b++) {
			const char *na = vp_kvm_run_exit_name(a);
			const char *nb = vp_kvm_run_exit_name(b);

			if (na && nb)
				assert_true(ascii_casecmp(na, nb) != 0);
		}
}

static void test_format_small_buffer(void **state)
{
	char buf[16];

	(void)state;
	memset(buf, 'Z', sizeof(buf));
	assert_ptr_equal(vp_exit_reason_format(VP_ISA_VMX, 30, buf, 8), buf);
	assert_string_equal(buf, "IO_INST");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	vp_exit_reason_format(VP_ISA_VMX, 0x80000021, buf, 8);
	assert_string_equal(buf, "INVALID");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	vp_exit_reason_format(VP_ISA_VMX, 0x8000007b, buf, 8);
	assert_string_equal(buf, "VMX#0x8");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	vp_exit_reason_format(VP_ISA_SVM, 0x402, buf, 8);
	assert_string_equal(buf, "avic_un");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	assert_ptr_equal(vp_kvm_run_exit_format(999, buf, 8), buf);
	assert_string_equal(buf, "KVM_EXI");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	vp_kvm_run_exit_format(24, buf, 8);
	assert_string_equal(buf, "SYSTEM_");
	assert_int_equal(buf[8], 'Z');

	memset(buf, 'Z', sizeof(buf));
	vp_exit_reason_format(VP_ISA_VMX, 30, buf, 1);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'Z');

	/* len 0: nothing may be written */
	memset(buf, 'Z', sizeof(buf));
	assert_ptr_equal(vp_exit_reason_format(VP_ISA_VMX, 30, buf, 0), buf);
	assert_ptr_equal(vp_kvm_run_exit_format(2, buf, 0), buf);
	assert_int_equal(buf[0], 'Z');
	assert_null(vp_exit_reason_format(VP_ISA_VMX, 30, NULL, 0));

	/* the longest possible output fits VP_EXIT_REASON_BUFLEN untruncated */
	char big[VP_EXIT_REASON_BUFLEN];
	const char *s = vp_exit_reason_format(VP_ISA_VMX, 0xffff0029, big, sizeof(big));

	assert_string_equal(s, "MCE_DURING_VMENTRY FAILED_VMENTRY 0x7fff0000");
	vp_exit_reason_format(0xffffffff, 0xffffffff, big, sizeof(big));
	assert_true(strlen(big) < sizeof(big) - 1);
}

static void check_roundtrip_isa(uint32_t isa)
{
	struct entry e[MAX_ENTRIES];
	size_t n = collect(isa, e);
	char buf[VP_EXIT_REASON_BUFLEN];
	uint32_t code;

	assert_true(n > 60);
	for (size_t i = 0; i < n; i++) {
		code = 0xdeadbeef;
		assert_int_equal(vp_exit_reason_parse(isa, e[i].name, &code), 0);
		assert_int_equal(code, e[i].code);

		/* case-insensitive */
		snprintf(buf, sizeof(buf), "%s", e[i].name);
		for (char *p = buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
			else if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		code = 0xdeadbeef;
		assert_int_equal(vp_exit_reason_parse(isa, buf, &code), 0);
		assert_int_equal(code, e[i].code);
	}
}

static void test_parse_roundtrip_names(void **state)
{
	(void)state;
	check_roundtrip_isa(VP_ISA_VMX);
	check_roundtrip_isa(VP_ISA_SVM);
}

static void test_parse_roundtrip_format(void **state)
{
	static const struct {
		uint32_t isa, code;
	} cases[] = {
		{ VP_ISA_VMX, 30 },	    { VP_ISA_VMX, 0x80000021 },
		{ VP_ISA_VMX, 0x08000030 }, { VP_ISA_VMX, 0x88000021 },
		{ VP_ISA_VMX, 0xffff0029 }, { VP_ISA_VMX, 0x7b },
		{ VP_ISA_VMX, 0x8000007b }, { VP_ISA_VMX, 0xffffffff },
		{ VP_ISA_SVM, 0x4e },	    { VP_ISA_SVM, 0xffffffff },
		{ VP_ISA_SVM, 0x1e },	    { VP_ISA_SVM, 0x80000021 },
		{ VP_ISA_SVM, 0x0a6 },	    { 3, 0x1234 },
		{ VP_ISA_UNKNOWN, 0 },	    { 0xffffffff, 0xffffffff },
	};
	char buf[VP_EXIT_REASON_BUFLEN];
	uint32_t code;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vp_exit_reason_format(cases[i].isa, cases[i].code, buf, sizeof(buf));
		code = 0xdeadbeef;
		assert_int_equal(vp_exit_reason_parse(cases[i].isa, buf, &code), 0);
		assert_int_equal(code, cases[i].code);
	}
	/* numbers are accepted for known codes too, case-insensitively */
	assert_int_equal(vp_exit_reason_parse(VP_ISA_VMX, "vmx#0X1E", &code), 0);
	assert_int_equal(code, 30);
	assert_int_equal(vp_exit_reason_parse(VP_ISA_SVM, "pf EXCP", &code), 0);
	assert_int_equal(code, 0x4e);
	assert_int_equal(vp_exit_reason_parse(VP_ISA_VMX, "hlt failed_vmentry", &code), 0);
	assert_int_equal(code, 0x8000000c);
}

static void test_parse_rejects_garbage(void **state)
{
	static const struct {
		uint32_t isa;
		const char *s;
	} bad[] = {
		{ VP_ISA_VMX, "" },
		{ VP_ISA_VMX, "bogus" },
		{ VP_ISA_VMX, "IO_INSTRUCTIO" },
		{ VP_ISA_VMX, "IO_INSTRUCTIONX" },
		{ VP_ISA_VMX, " IO_INSTRUCTION" },
		{ VP_ISA_VMX, "IO_INSTRUCTION " },
		{ VP_ISA_VMX, "IO INSTRUCTION" },
		{ VP_ISA_VMX, "io" }, /* an SVM name */
		{ VP_ISA_VMX, "FAILED_VMENTRY" },
		{ VP_ISA_VMX, "HLT FAILED_VMENTRY FAILED_VMENTRY" },
		{ VP_ISA_VMX, "HLT 0x8000000 FAILED_VMENTRY" },
		{ VP_ISA_VMX, "HLT 0x1" },	  /* low 16 bits are the reason */
		{ VP_ISA_VMX, "HLT 0x80000000" }, /* bit 31 is spelled out */
		{ VP_ISA_VMX, "HLT 0x0" },
		{ VP_ISA_VMX, "HLT 0x" },
		{ VP_ISA_VMX, "HLT  FAILED_VMENTRY" },
		{ VP_ISA_VMX, "HLT FAILED" },
		{ VP_ISA_VMX, "VMX#0x" },
		{ VP_ISA_VMX, "VMX#" },
		{ VP_ISA_VMX, "VMX#0x123456789" },
		{ VP_ISA_VMX, "VMX#0xg" },
		{ VP_ISA_VMX, "VMX#0x-1" },
		{ VP_ISA_VMX, "VMX#0x 1" },
		{ VP_ISA_VMX, "VMX#0x1 " },
		{ VP_ISA_VMX, "VMX#30" },
		{ VP_ISA_VMX, "SVM#0x7b" }, /* another ISA's number */
		{ VP_ISA_VMX, "30" },
		{ VP_ISA_VMX, "0x1e" },
		{ VP_ISA_SVM, "IO_INSTRUCTION" },
		{ VP_ISA_SVM, "VMX#0x7b" },
		{ VP_ISA_SVM, "PF  excp" },
		{ VP_ISA_SVM, "PF" },
		{ VP_ISA_SVM, "excp" },
		{ VP_ISA_SVM, "io FAILED_VMENTRY" },
		{ VP_ISA_SVM, "io\n" },
		{ 3, "HLT" },
		{ 3, "ISA4#0x1" },
		{ 3, "VMX#0x1" },
		{ 31, "ISA3#0x1" }, /* prefix of "ISA31#" */
	};
	uint32_t code = 0xdeadbeef;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vp_exit_reason_parse(bad[i].isa, bad[i].s, &code) != -ENOENT)
			fail_msg("accepted \"%s\" for isa %" PRIu32, bad[i].s, bad[i].isa);
	}
	assert_int_equal(code, 0xdeadbeef);
	assert_int_equal(vp_exit_reason_parse(VP_ISA_VMX, NULL, &code), -EINVAL);
	assert_int_equal(vp_exit_reason_parse(VP_ISA_VMX, "HLT", NULL), -EINVAL);
	assert_int_equal(vp_exit_reason_parse(3, "ISA3#0x1f", &code), 0);
	assert_int_equal(code, 0x1f);
}

static void check_table_sanity(uint32_t isa)
{
	struct entry e[MAX_ENTRIES];
	size_t n = collect(isa, e);

	for (size_t i = 0; i < n; i++) {
		/* '#' marks numbers; VMX parsing splits flags off at spaces */
		assert_null(strchr(e[i].name, '#'));
		assert_true(e[i].name[0] != '\0');
		if (isa == VP_ISA_VMX)
			assert_null(strchr(e[i].name, ' '));
		for (size_t j = i + 1; j < n; j++)
			if (ascii_casecmp(e[i].name, e[j].name) == 0)
				fail_msg("isa %" PRIu32 ": 0x%" PRIx32 " and 0x%" PRIx32
					 " are both \"%s\"",
					 isa, e[i].code, e[j].code, e[i].name);
	}
}

static void test_names_unique_per_isa(void **state)
{
	(void)state;
	check_table_sanity(VP_ISA_VMX);
	check_table_sanity(VP_ISA_SVM);
}

#ifdef HAVE_KVM_UAPI
struct uapi_entry {
	long long code; /* SVM_EXIT_ERR is -1 */
	const char *name;
};

static void check_uapi(uint32_t isa, const struct uapi_entry *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *ours = vp_exit_reason_name(isa, (uint32_t)u[i].code);

		if (!ours || strcmp(ours, u[i].name) != 0)
			fail_msg("isa %" PRIu32 " code 0x%llx: header says \"%s\", we say \"%s\"",
				 isa, (unsigned long long)u[i].code, u[i].name,
				 ours ? ours : "(null)");
	}
}
#endif

/* The UAPI headers carry the kernel's own name lists; ours must agree. */
static void test_matches_kernel_headers(void **state)
{
	(void)state;
#ifdef HAVE_KVM_UAPI
	static const struct uapi_entry vmx[] = { VMX_EXIT_REASONS };
	static const struct uapi_entry svm[] = { SVM_EXIT_REASONS };
#define K(x)                                                                                       \
	{                                                                                          \
		KVM_EXIT_##x, #x                                                                   \
	}
	static const struct uapi_entry kvm[] = {
		K(UNKNOWN),
		K(EXCEPTION),
		K(IO),
		K(HYPERCALL),
		K(DEBUG),
		K(HLT),
		K(MMIO),
		K(IRQ_WINDOW_OPEN),
		K(SHUTDOWN),
		K(FAIL_ENTRY),
		K(INTR),
		K(SET_TPR),
		K(TPR_ACCESS),
		K(S390_SIEIC),
		K(S390_RESET),
		K(DCR),
		K(NMI),
		K(INTERNAL_ERROR),
		K(OSI),
		K(PAPR_HCALL),
		K(S390_UCONTROL),
		K(WATCHDOG),
		K(S390_TSCH),
		K(EPR),
		K(SYSTEM_EVENT),
		K(S390_STSI),
		K(IOAPIC_EOI),
		K(HYPERV),
		K(ARM_NISV),
		K(X86_RDMSR),
		K(X86_WRMSR),
		K(DIRTY_RING_FULL),
		K(AP_RESET_HOLD),
		K(X86_BUS_LOCK),
		K(XEN),
		K(RISCV_SBI),
		K(RISCV_CSR),
		K(NOTIFY),
#ifdef KVM_EXIT_LOONGARCH_IOCSR
		K(LOONGARCH_IOCSR),
#endif
#ifdef KVM_EXIT_MEMORY_FAULT
		K(MEMORY_FAULT),
#endif
#ifdef KVM_EXIT_TDX
		K(TDX),
#endif
	};
#undef K

	check_uapi(VP_ISA_VMX, vmx, sizeof(vmx) / sizeof(vmx[0]));
	check_uapi(VP_ISA_SVM, svm, sizeof(svm) / sizeof(svm[0]));
	for (size_t i = 0; i < sizeof(kvm) / sizeof(kvm[0]); i++) {
		const char *ours = vp_kvm_run_exit_name((uint32_t)kvm[i].code);

		if (!ours || strcmp(ours, kvm[i].name) != 0)
			fail_msg("KVM_EXIT_%s (%lld): we say \"%s\"", kvm[i].name, kvm[i].code,
				 ours ? ours : "(null)");
	}
	assert_int_equal(VP_VMX_FAILED_VMENTRY, VMX_EXIT_REASONS_FAILED_VMENTRY);
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmx_common_exits),
		cmocka_unit_test(test_same_code_other_isa),
		cmocka_unit_test(test_vmx_flags),
		cmocka_unit_test(test_unknown_isa),
		cmocka_unit_test(test_vmx_gaps),
		cmocka_unit_test(test_svm_special_codes),
		cmocka_unit_test(test_kvm_run_exits),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_parse_roundtrip_names),
		cmocka_unit_test(test_parse_roundtrip_format),
		cmocka_unit_test(test_parse_rejects_garbage),
		cmocka_unit_test(test_names_unique_per_isa),
		cmocka_unit_test(test_matches_kernel_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
