/*
 * selftest: checks the guest library on any QEMU pc machine, no extra device.
 *
 * Formatting, parameter parsing and the bounded wait are checked in the
 * guest itself.  Then, `ops` times each, it writes and reads back the PIIX
 * IDE function's bus-master descriptor pointer (a port BAR the library finds,
 * sizes and enables) and selects and reads the I/O APIC's version register
 * (MMIO at 0xfec00000, near the PCI BARs).  Those two regions are the
 * measured ones, so the result line must read pio_out=ops pio_in=ops
 * mmio_read=ops mmio_write=ops, which the tests check from outside too.
 * fault=1 executes an invalid opcode first, to check the exception report.
 */
#include "guest.h"

const char workload_name[] = "selftest";

#define IOAPIC_BASE    0xfec00000ull
#define IOAPIC_REGSEL  0x00
#define IOAPIC_WIN     0x10
#define IOAPIC_VERSION 0x01
#define BMDMA_PRD_ADDR 0x04 /* bus-master IDE: descriptor table pointer */

static int failures;

static void expect_format(const char *got, int ret, const char *want)
{
	if (strcmp(got, want) || ret != (int)strlen(want)) {
		printf("FAIL: format gave \"%s\" (%d), want \"%s\"\n", got, ret, want);
		failures++;
	}
}

static void check_format(void)
{
	char b[64];
	int n;
#define FMT(want, ...) (n = snprintf(b, sizeof(b), __VA_ARGS__), expect_format(b, n, want))
	FMT("-42", "%d", -42);
	FMT("   42|7   |", "%5d|%-4u|", 42, 7u);
	FMT("-0042", "%05d", -42);
	FMT("4294967295", "%u", 4294967295u);
	FMT("beef 0000BEEF", "%x %08X", 0xbeefu, 0xbeefu);
	FMT("123456789abcdef", "%lx", 0x123456789abcdefUL);
	FMT("18446744073709551615", "%llu", 18446744073709551615ULL);
	FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	FMT("[  abc][ab][z]%", "[%5s][%.2s][%c]%%", "abc", "abcdef", 'z');
	FMT("0x1000 7", "%p %zu", (void *)0x1000, (size_t)7);
#undef FMT
	n = snprintf(b, 4, "%s", "abcdef"); /* truncates, reports full length */
	if (n != 6 || strcmp(b, "abc")) {
		printf("FAIL: truncation gave \"%s\" (%d)\n", b, n);
		failures++;
	}
}

static void check_params(void)
{
	static const struct {
		const char *line;
		int ok;
		uint64_t ops, size;
	} cases[] = {
		{ "", 1, 5, 9 },
		{ "ops=100 size=0x200", 1, 100, 512 },
		{ "  size=1\tops=1  ", 1, 1, 1 },
		{ "ops=abc", 0, 0, 0 },
		{ "ops=", 0, 0, 0 },
		{ "ops=0x", 0, 0, 0 },
		{ "ops=0", 0, 0, 0 },			 /* below min */
		{ "ops=1001", 0, 0, 0 },		 /* above max */
		{ "ops=18446744073709551616", 0, 0, 0 }, /* overflows */
		{ "ops=1 ops=2", 0, 0, 0 },
		{ "opz=1", 0, 0, 0 },
		{ "ops", 0, 0, 0 },
		{ "ops=-1", 0, 0, 0 },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ops = 5, size = 9;
		const struct param p[] = {
			{ "ops", &ops, 1, 1000 },
			{ "size", &size, 0, UINT64_MAX },
		};
		int err = params_parse(cases[i].line, p, 2);
		bool good = cases[i].ok
				    ? err == 0 && ops == cases[i].ops && size == cases[i].size
				    : err == -EINVAL && ops == 5 && size == 9 && params_error()[0];
		if (!good) {
			printf("FAIL: params \"%s\": err=%d ops=%lu size=%lu (%s)\n", cases[i].line,
			       err, (unsigned long)ops, (unsigned long)size, params_error());
			failures++;
		}
	}
}

static bool count_to(void *arg)
{
	unsigned *left = arg;
	return --*left == 0;
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

static void check_wait(void)
{
	unsigned left = 7;
	long a = wait_until(count_to, &left, 100);
	long b = wait_until(never, 0, 1000);
	if (a != 7 || b != -ETIMEDOUT) {
		printf("FAIL: wait_until gave %ld and %ld, want 7 and %d\n", a, b, -ETIMEDOUT);
		failures++;
	}
}

static int check_pci(struct pci_dev *ide)
{
	static struct pci_dev all[32];
	int n = pci_scan(all, 32);
	for (int i = 0; i < n && i < 32; i++)
		printf("pci 00:%02x.%u %04x:%04x class %06x\n", all[i].slot, all[i].fn,
		       all[i].vendor, all[i].device, all[i].class_code);
	struct pci_dev host, isa;
	if (pci_find_device(0x8086, 0x1237, &host) || pci_find_class(0x06, 0x01, &isa) ||
	    isa.vendor != 0x8086 || isa.device != 0x7000 || host.class_code >> 8 != 0x0600)
		return fail(
			"no i440FX host bridge 8086:1237 and PIIX3 ISA bridge 8086:7000 on bus 0");
	if (pci_find_device(0x8086, 0x7010, ide))
		return fail("no PIIX3 IDE function 8086:7010");
	if (pci_probe_bars(ide))
		return fail("could not place the IDE function's BARs");
	const struct pci_bar *bm = &ide->bar[4];
	printf("pci: IDE BAR4 %s 0x%lx size 0x%lx%s\n", bm->io ? "io" : "mem",
	       (unsigned long)bm->addr, (unsigned long)bm->size,
	       bm->assigned_by_us ? " (assigned)" : "");
	if (!bm->io || bm->size != 16 || !bm->addr)
		return fail("IDE BAR4 is not a 16-byte port range");
	pci_enable(ide, PCI_CMD_IO);
	return GS_OK;
}

int workload_main(void)
{
	uint64_t ops = 16, fault = 0;
	const struct param params[] = {
		{ "ops", &ops, 1, 1000000 },
		{ "fault", &fault, 0, 1 }, /* 1: raise #UD to test the report */
	};
	int st = guest_params(params, 2);
	if (st != GS_OK)
		return st;
	if (fault)
		__asm__ volatile("ud2");

	check_format();
	check_params();
	check_wait();
	struct pci_dev ide;
	if ((st = check_pci(&ide)) != GS_OK)
		return st;
	if (!tsc_khz() || tsc_khz() > 100000000u)
		return fail("implausible TSC frequency %lu kHz", (unsigned long)tsc_khz());

	uint16_t bm = (uint16_t)ide.bar[4].addr;
	io_region_add("piix-bmdma", false, bm, 16, true);
	io_region_add("ioapic", true, IOAPIC_BASE, 0x20, true);
	uint64_t other_before = io_counters.other[IO_PIO_OUT];
	outb(0x80, 0); /* POST port: in no region */
	if (io_counters.other[IO_PIO_OUT] != other_before + 1)
		return fail("an access outside every region was not counted as other");

	uint32_t version = 0;
	uint64_t t0 = rdtsc();
	for (uint64_t i = 0; i < ops; i++) {
		uint32_t pattern = (uint32_t)(0x00100000u + i * 4); /* low 2 bits are RO zero */
		outl(bm + BMDMA_PRD_ADDR, pattern);
		uint32_t got = inl(bm + BMDMA_PRD_ADDR);
		if (got != pattern)
			return fail("bus-master pointer read back 0x%x, wrote 0x%x", got, pattern);
		writel(IOAPIC_BASE + IOAPIC_REGSEL, IOAPIC_VERSION);
		version = readl(IOAPIC_BASE + IOAPIC_WIN);
	}
	guest_result.cycles = rdtsc() - t0;
	guest_result.ops = ops;
	printf("ioapic: version 0x%x, %u redirection entries\n", version & 0xff,
	       ((version >> 16) & 0xff) + 1);
	if ((version & 0xff) != 0x11 && (version & 0xff) != 0x20)
		return fail("I/O APIC version 0x%x is neither 0x11 nor 0x20", version & 0xff);
	if (io_measured(IO_PIO_OUT) != ops || io_measured(IO_PIO_IN) != ops ||
	    io_measured(IO_MMIO_READ) != ops || io_measured(IO_MMIO_WRITE) != ops)
		return fail("measured counters differ from %lu accesses of each kind",
			    (unsigned long)ops);
	if (failures)
		return fail("%d library check(s) failed", failures);
	return GS_OK;
}
