#include "guest.h"

#define MB_BOOT_MAGIC	 0x2BADB002u
#define MBI_FLAG_CMDLINE (1u << 2)

struct multiboot_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

struct exc_frame { /* as pushed by boot.S and the CPU */
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t offset_lo, selector;
	uint8_t ist, attr;
	uint16_t offset_mid;
	uint32_t offset_hi, reserved;
};

struct guest_result guest_result;
static char cmdline[512];
static struct idt_gate idt[32] __attribute__((aligned(16)));
extern const uint64_t exc_stubs[32];

void guest_main(uint32_t magic, uint32_t info);
_Noreturn void exception_handler(const struct exc_frame *f);

static const char *const status_names[] = {
	[GS_OK] = "ok",
	[GS_FAIL] = "fail",
	[GS_BAD_PARAM] = "bad-param",
	[GS_NO_DEVICE] = "no-device",
	[GS_TIMEOUT] = "timeout",
	[GS_EXCEPTION] = "exception",
	[GS_BOOT_ERROR] = "boot-error",
};

const char *guest_status_name(int status)
{
	if (status < 0 || status >= (int)(sizeof(status_names) / sizeof(status_names[0])))
		return "fail";
	return status_names[status];
}

const char *boot_cmdline(void)
{
	return cmdline;
}

void result_add(const char *fmt, ...)
{
	size_t len = strlen(guest_result.extra);
	if (len + 1 >= sizeof(guest_result.extra))
		return;
	guest_result.extra[len++] = ' ';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(guest_result.extra + len, sizeof(guest_result.extra) - len, fmt, ap);
	va_end(ap);
}

int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	return GS_FAIL;
}

int guest_params(const struct param *params, unsigned n)
{
	if (params_parse(cmdline, params, n) == 0)
		return GS_OK;
	printf("error: %s\n", params_error());
	return GS_BAD_PARAM;
}

_Noreturn void guest_exit(int status)
{
	outb(ISA_DEBUG_EXIT_PORT, (uint8_t)status);
	/* Still here: QEMU has no isa-debug-exit.  Reset through the keyboard
       controller (with -no-reboot QEMU then quits), else halt for good. */
	printf("guest: isa-debug-exit is missing; resetting\n");
	outb(0x64, 0xfe);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void print_region(const char *name, const char *space, uint64_t base, uint64_t size,
			 uint64_t reads, uint64_t writes)
{
	printf("VMEXIT-REGION workload=%s region=%s space=%s base=0x%lx size=0x%lx reads=%lu "
	       "writes=%lu\n",
	       workload_name, name, space, (unsigned long)base, (unsigned long)size,
	       (unsigned long)reads, (unsigned long)writes);
}

_Noreturn void guest_finish(int status)
{
	static bool finishing;
	if (finishing) /* a fault while reporting: just stop */
		guest_exit(GS_EXCEPTION);
	finishing = true;

	/* Counts are taken before printing, so the report's own serial output
       is not part of them. */
	static struct io_counters snap;
	snap = io_counters;
	uint64_t totals[IO_KINDS];
	for (unsigned k = 0; k < IO_KINDS; k++)
		totals[k] = io_measured(k);

	for (unsigned i = 0; i < snap.nregions; i++) {
		const struct io_region *r = &snap.region[i];
		print_region(r->name, r->mmio ? "mmio" : "pio", r->base, r->size,
			     r->count[r->mmio ? IO_MMIO_READ : IO_PIO_IN],
			     r->count[r->mmio ? IO_MMIO_WRITE : IO_PIO_OUT]);
	}
	print_region("other", "pio", 0, 0, snap.other[IO_PIO_IN], snap.other[IO_PIO_OUT]);
	print_region("other", "mmio", 0, 0, snap.other[IO_MMIO_READ], snap.other[IO_MMIO_WRITE]);

	const struct guest_result *r = &guest_result;
	printf("VMEXIT-RESULT workload=%s ops=%lu bytes=%lu pio_out=%lu pio_in=%lu mmio_read=%lu "
	       "mmio_write=%lu kicks=%lu cycles=%lu tsc_khz=%lu%s status=%s\n",
	       workload_name, (unsigned long)r->ops, (unsigned long)r->bytes,
	       (unsigned long)totals[IO_PIO_OUT], (unsigned long)totals[IO_PIO_IN],
	       (unsigned long)totals[IO_MMIO_READ], (unsigned long)totals[IO_MMIO_WRITE],
	       (unsigned long)r->kicks, (unsigned long)r->cycles, (unsigned long)tsc_khz(),
	       r->extra, guest_status_name(status));
	guest_exit(status);
}

_Noreturn void exception_handler(const struct exc_frame *f)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	printf("guest: CPU exception %lu error=0x%lx rip=0x%lx rsp=0x%lx cr2=0x%lx\n",
	       (unsigned long)f->vector, (unsigned long)f->error, (unsigned long)f->rip,
	       (unsigned long)f->rsp, (unsigned long)cr2);
	guest_finish(GS_EXCEPTION);
}

static void idt_init(void)
{
	for (int v = 0; v < 32; v++) {
		uint64_t a = exc_stubs[v];
		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)a,
			.selector = 0x08,
			.attr = 0x8e, /* present interrupt gate */
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr = {
		sizeof(idt) - 1,
		(uint64_t)(uintptr_t)idt,
	};
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* Copies the command line without its first word: multiboot loaders (QEMU
   included) put the image path there.  Returns false if it does not fit. */
static bool copy_cmdline(const struct multiboot_info *mbi)
{
	cmdline[0] = '\0';
	if (!(mbi->flags & MBI_FLAG_CMDLINE) || !mbi->cmdline)
		return true;
	const char *s = (const char *)(uintptr_t)mbi->cmdline;
	while (*s == ' ')
		s++;
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	if (n >= sizeof(cmdline))
		return false;
	memcpy(cmdline, s, n + 1);
	return true;
}

void guest_main(uint32_t magic, uint32_t info)
{
	/* Regions first, so the console's own accesses are attributed. */
	io_region_add("com1", false, COM1_BASE, 8, false);
	io_region_add("pci-config", false, PCI_CFG_ADDR, 8, false);
	io_region_add("pit", false, 0x40, 4, false);
	io_region_add("pit-gate", false, 0x61, 1, false);
	io_region_add("debug-exit", false, ISA_DEBUG_EXIT_PORT, 4, false);
	serial_init();
	idt_init();

	printf("guest %s: started\n", workload_name);
	if (magic != MB_BOOT_MAGIC) {
		printf("error: not booted by a multiboot loader (magic 0x%x)\n", magic);
		guest_finish(GS_BOOT_ERROR);
	}
	if (!copy_cmdline((const struct multiboot_info *)(uintptr_t)info)) {
		printf("error: command line longer than %u bytes\n", (unsigned)sizeof(cmdline) - 1);
		guest_finish(GS_BAD_PARAM);
	}
	printf("guest %s: cmdline \"%s\"\n", workload_name, cmdline);
	uint64_t khz = tsc_calibrate();
	printf("guest %s: TSC %lu kHz\n", workload_name, (unsigned long)khz);
	guest_finish(workload_main());
}
