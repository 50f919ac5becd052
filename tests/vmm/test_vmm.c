/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * vmexit-test-vmm: a minimal VMM whose guest makes an exactly known number of
 * port I/O, MMIO and CPUID exits, so a profiler's counts can be checked
 * against ground truth.  The guest runs in 16-bit real mode; its code is
 * generated at start-up from the requested counts (one counted loop per
 * port/address), so large counts cost no code space.  Output format: README.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define PROG "vmexit-test-vmm"
/* The only memslot covers guest-physical 0..64 KiB, so every access to
 * 0xa0000 and above has no backing memory and exits with KVM_EXIT_MMIO. */
#define MEM_SIZE 0x10000
#define CODE_GPA 0x1000
#define CODE_MAX 1024
/* Every guest write carries the low `size` bytes of this; the VMM checks it. */
#define GUEST_DATA 0x5aa5c33cu
/* Byte the VMM returns for every IN and MMIO read. */
#define READ_FILL 0xa5

enum kind { K_OUT, K_IN, K_MMIO_WRITE, K_MMIO_READ, K_CPUID, K_NKINDS };

static const char *const kind_name[K_NKINDS] = {
	"pio out", "pio in", "mmio write", "mmio read", "cpuid",
};

struct target {
	enum kind kind;
	uint32_t addr; /* port or guest-physical address */
	uint8_t size;  /* access width in bytes */
	uint64_t expect;
	uint64_t seen;
};

#define T(k, a, s)                                                                                 \
	{                                                                                          \
		.kind = (k), .addr = (a), .size = (s)                                              \
	}
/* Each kind's count is split round-robin over its rows, in table order:
 * row i of a kind with P rows gets N / P, plus 1 if i < N % P. */
static struct target targets[] = {
	T(K_OUT, 0x3f0, 1),	     T(K_OUT, 0x3f1, 2),	  T(K_OUT, 0x3f4, 4),
	T(K_IN, 0x3f2, 1),	     T(K_IN, 0x3f3, 2),		  T(K_MMIO_WRITE, 0xa0000, 4),
	T(K_MMIO_WRITE, 0xa0004, 2), T(K_MMIO_WRITE, 0xb0000, 1), T(K_MMIO_READ, 0xa0000, 4),
	T(K_MMIO_READ, 0xb0000, 1),
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

struct options {
	uint64_t count[K_NKINDS];
	bool wait_signal;
	uint64_t linger_ms;
	const char *dump_path;
};

struct vm {
	int kvm, vm, vcpu;
	struct kvm_run *run;
};

struct vcpu_thread {
	struct vm *vm;
	pthread_barrier_t gate; /* named -> go: lets main print "ready" in between */
	int status;
	uint64_t elapsed_ns, io_exits, mmio_exits, hlt_exits;
};

/* ---- guest code generator ---------------------------------------------
 * All instructions are 16-bit real-mode encodings; 0x66 selects 32-bit
 * operands.  ESI is the loop counter because CPUID clobbers EAX..EDX.
 * `put(c, 0xb866, 2)` appends 66 B8: multi-byte opcodes are little-endian. */
struct code {
	uint8_t b[CODE_MAX];
	size_t len;
};

/* Appends the n low bytes of v, little-endian; overflow is detected once,
 * in build_guest(). */
static void put(struct code *c, uint32_t v, int n)
{
	for (int i = 0; i < n; i++, c->len++)
		if (c->len < CODE_MAX)
			c->b[c->len] = (uint8_t)(v >> (8 * i));
}

/* mov esi, n  (66 BE id); returns the loop top */
static size_t loop_head(struct code *c, uint32_t n)
{
	put(c, 0xbe66, 2);
	put(c, n, 4);
	return c->len;
}

/* dec esi (66 4E); jnz top (75 cb).  The body runs n >= 1 times. */
static void loop_tail(struct code *c, size_t top)
{
	put(c, 0x754e66, 3);
	put(c, (uint8_t)(int8_t)((long)top - (long)(c->len + 1)), 1);
}

/* Byte form of an accumulator opcode for size 1, byte_op+1 for 2, and
 * 0x66 byte_op+1 for 4: out dx,al/ax/eax = EE/EF/66 EF, in = EC/ED/66 ED,
 * mov moffs,al/ax/eax = A2/A3/66 A3, mov al/ax/eax,moffs = A0/A1/66 A1. */
static void acc_op(struct code *c, uint8_t size, uint8_t byte_op)
{
	if (size == 4)
		put(c, 0x66, 1);
	put(c, size == 1 ? byte_op : byte_op + 1u, 1);
}

/* mov eax, GUEST_DATA  (66 B8 id) */
static void mov_eax_data(struct code *c)
{
	put(c, 0xb866, 2);
	put(c, GUEST_DATA, 4);
}

/*   [mov eax, GUEST_DATA]         ; OUT only
 *   mov dx, port                  ; BA iw
 *   mov esi, n
 * top: out dx, {al|ax|eax}  /  in {al|ax|eax}, dx
 *   dec esi
 *   jnz top                                                         */
static void emit_pio(struct code *c, const struct target *t)
{
	if (t->kind == K_OUT)
		mov_eax_data(c);
	put(c, 0xba | t->addr << 8, 3);
	size_t top = loop_head(c, (uint32_t)t->expect);
	acc_op(c, t->size, t->kind == K_OUT ? 0xee : 0xec);
	loop_tail(c, top);
}

/*   mov ax, seg                   ; B8 iw   (seg = addr >> 4, 64 KiB aligned)
 *   mov es, ax                    ; 8E C0
 *   [mov eax, GUEST_DATA]         ; writes only
 *   mov esi, n
 * top: mov [es:off], {al|ax|eax}  /  mov {al|ax|eax}, [es:off]   ; 26 [66] A0..A3 ow
 *   dec esi
 *   jnz top                                                         */
static void emit_mmio(struct code *c, const struct target *t)
{
	uint32_t seg = (t->addr & ~0xffffu) >> 4, off = t->addr & 0xffff;

	put(c, 0xb8 | seg << 8, 3);
	put(c, 0xc08e, 2);
	if (t->kind == K_MMIO_WRITE)
		mov_eax_data(c);
	size_t top = loop_head(c, (uint32_t)t->expect);
	put(c, 0x26, 1); /* ES segment override */
	acc_op(c, t->size, t->kind == K_MMIO_WRITE ? 0xa2 : 0xa0);
	put(c, off, 2);
	loop_tail(c, top);
}

/*   mov esi, n
 * top: xor eax, eax               ; 66 31 C0  (leaf 0, for determinism)
 *   xor ecx, ecx                  ; 66 31 C9  (subleaf 0)
 *   cpuid                         ; 0F A2     (handled in the kernel)
 *   dec esi
 *   jnz top                                                         */
static void emit_cpuid(struct code *c, uint32_t n)
{
	size_t top = loop_head(c, n);

	put(c, 0xc03166, 3);
	put(c, 0xc93166, 3);
	put(c, 0xa20f, 2);
	loop_tail(c, top);
}

/* Blocks with a zero count are left out, so every loop runs at least once. */
static int build_guest(struct code *c, uint64_t cpuid_count)
{
	c->len = 0;
	for (size_t i = 0; i < NTARGETS; i++) {
		const struct target *t = &targets[i];

		if (t->expect == 0)
			continue;
		if (t->kind == K_OUT || t->kind == K_IN)
			emit_pio(c, t);
		else
			emit_mmio(c, t);
	}
	if (cpuid_count)
		emit_cpuid(c, (uint32_t)cpuid_count);
	put(c, 0xf4, 1); /* hlt */
	if (c->len > CODE_MAX) {
		fprintf(stderr, PROG ": guest code too large\n");
		return -1;
	}
	return 0;
}

static void split_counts(const struct options *o)
{
	for (int k = 0; k < K_CPUID; k++) {
		uint64_t rows = 0, i = 0;

		for (size_t j = 0; j < NTARGETS; j++)
			rows += targets[j].kind == (enum kind)k;
		for (size_t j = 0; j < NTARGETS; j++)
			if (targets[j].kind == (enum kind)k) {
				targets[j].expect = o->count[k] / rows + (i < o->count[k] % rows);
				i++;
			}
	}
}

/* ---- VM setup ---------------------------------------------------------- */

static int fail(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	return 1;
}

/* Returns 0, 1 (error) or 77 (no KVM: skip). */
static int vm_create(struct vm *v, const struct code *c)
{
	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		goto unavailable;
	if (ioctl(v->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, PROG ": unexpected KVM API version\n");
		return 1;
	}
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		goto unavailable;
	/* Needed for real mode on Intel hosts without unrestricted guest; the
	 * address is QEMU's, outside our slot.  Harmless elsewhere, so best effort. */
	(void)ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	uint8_t *mem =
		mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap guest memory");
	memcpy(mem + CODE_GPA, c->b, c->len);
	struct kvm_userspace_memory_region slot = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	int sz = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sz < (int)sizeof(struct kvm_run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	v->run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		return fail("mmap kvm_run");
	return 0;

unavailable:
	fprintf(stderr, PROG ": /dev/kvm unavailable: %s\n", strerror(errno));
	return 77;
}

/* Real mode, all segments based at 0 (the guest sets ES itself), IP at the code. */
static int vcpu_init(struct vm *v)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	struct kvm_segment *segs[] = { &sregs.cs, &sregs.ds, &sregs.es,
				       &sregs.fs, &sregs.gs, &sregs.ss };
	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		segs[i]->base = segs[i]->selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 0x2; /* bit 1 is reserved-as-one; IF clear, so HLT exits */
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

/* ---- exit handling ----------------------------------------------------- */

/* Counts one exit's `count` accesses (count > 1 only for string I/O).  For
 * writes it checks the guest's data; for reads it supplies READ_FILL bytes. */
static int account(enum kind k, uint64_t addr, uint32_t size, uint8_t *data, uint32_t count)
{
	struct target *t = NULL;

	for (size_t i = 0; i < NTARGETS && !t; i++)
		if (targets[i].kind == k && targets[i].addr == addr && targets[i].size == size)
			t = &targets[i];
	if (!t) {
		fprintf(stderr, PROG ": unexpected %s 0x%" PRIx64 " size %u\n", kind_name[k], addr,
			size);
		return -1;
	}
	for (uint32_t i = 0; i < size * count; i++) {
		if (k == K_IN || k == K_MMIO_READ) {
			data[i] = READ_FILL;
		} else if (data[i] != (uint8_t)(GUEST_DATA >> (8 * (i % size)))) {
			fprintf(stderr, PROG ": %s 0x%" PRIx64 ": unexpected data\n", kind_name[k],
				addr);
			return -1;
		}
	}
	t->seen += count;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Runs until HLT; any exit we did not ask for is an error. */
static int run_loop(struct vcpu_thread *th)
{
	struct kvm_run *run = th->vm->run;

	for (;;) {
		if (ioctl(th->vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return fail("KVM_RUN");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (account(run->io.direction == KVM_EXIT_IO_OUT ? K_OUT : K_IN,
				    run->io.port, run->io.size,
				    (uint8_t *)run + run->io.data_offset, run->io.count) < 0)
				return 1;
			th->io_exits++;
			break;
		case KVM_EXIT_MMIO:
			if (account(run->mmio.is_write ? K_MMIO_WRITE : K_MMIO_READ,
				    run->mmio.phys_addr, run->mmio.len, run->mmio.data, 1) < 0)
				return 1;
			th->mmio_exits++;
			break;
		case KVM_EXIT_HLT: th->hlt_exits++; return 0;
		default:
			/* suberror says why KVM could not emulate, when it is that */
			fprintf(stderr, PROG ": unexpected exit reason %u (internal suberror %u)\n",
				run->exit_reason,
				run->exit_reason == KVM_EXIT_INTERNAL_ERROR ? run->internal.suberror
									    : 0);
			return 1;
		}
	}
}

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *th = arg;

	/* QEMU's name for vCPU 0's thread: profilers find vCPUs by it. */
	prctl(PR_SET_NAME, "CPU 0/KVM", 0, 0, 0);
	pthread_barrier_wait(&th->gate); /* named */
	pthread_barrier_wait(&th->gate); /* go */
	uint64_t t0 = now_ns();
	th->status = run_loop(th);
	th->elapsed_ns = now_ns() - t0;
	return NULL;
}

/* ---- results ----------------------------------------------------------- */

/* Prints expect/handled lines; returns 1 if what the VMM saw differs. */
static int report(const struct vcpu_thread *th, const struct options *o)
{
	int bad = 0;

	for (size_t i = 0; i < NTARGETS; i++)
		printf("expect %s 0x%x %u %" PRIu64 "\n", kind_name[targets[i].kind],
		       targets[i].addr, targets[i].size, targets[i].expect);
	printf("expect cpuid %" PRIu64 "\n", o->count[K_CPUID]);
	for (size_t i = 0; i < NTARGETS; i++) {
		const struct target *t = &targets[i];

		printf("handled %s 0x%x %u %" PRIu64 "\n", kind_name[t->kind], t->addr, t->size,
		       t->seen);
		if (t->seen != t->expect) {
			fprintf(stderr,
				PROG ": mismatch: %s 0x%x size %u: expected %" PRIu64
				     ", handled %" PRIu64 "\n",
				kind_name[t->kind], t->addr, t->size, t->expect, t->seen);
			bad = 1;
		}
	}
	printf("handled io %" PRIu64 "\n", th->io_exits);
	printf("handled mmio %" PRIu64 "\n", th->mmio_exits);
	printf("handled hlt %" PRIu64 "\n", th->hlt_exits);
	printf("elapsed_ns %" PRIu64 "\n", th->elapsed_ns);
	fflush(stdout);
	return bad || th->hlt_exits != 1;
}

/* ---- options ----------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [options]\n"
		   "  --out N          port OUT writes (default 100)\n"
		   "  --in N           port IN reads (default 100)\n"
		   "  --mmio-write N   MMIO writes (default 100)\n"
		   "  --mmio-read N    MMIO reads (default 100)\n"
		   "  --cpuid N        CPUID instructions (default 100)\n"
		   "  --wait-signal    print 'ready <pid>', wait for SIGUSR1 before running\n"
		   "  --linger-ms N    sleep N ms after the guest halts\n"
		   "  --dump-guest F   write the guest code to file F and exit (no KVM needed)\n"
		   "  -h, --help       this text\n");
}

static int parse_num(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v > max) {
		fprintf(stderr, PROG ": bad value for --%s: '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* getopt_long values for the count options: OPT_COUNT + kind. */
#define OPT_COUNT 0x100

/* Returns -1 to continue, else an exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, OPT_COUNT + K_OUT },
		{ "in", required_argument, NULL, OPT_COUNT + K_IN },
		{ "mmio-write", required_argument, NULL, OPT_COUNT + K_MMIO_WRITE },
		{ "mmio-read", required_argument, NULL, OPT_COUNT + K_MMIO_READ },
		{ "cpuid", required_argument, NULL, OPT_COUNT + K_CPUID },
		{ "wait-signal", no_argument, NULL, 'w' },
		{ "linger-ms", required_argument, NULL, 'l' },
		{ "dump-guest", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, idx;

	for (int k = 0; k < K_NKINDS; k++)
		o->count[k] = 100;
	opterr = 0; /* we print our own one-line errors */
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		if (c >= OPT_COUNT && c < OPT_COUNT + K_NKINDS) {
			if (parse_num(longopts[idx].name, optarg, UINT32_MAX,
				      &o->count[c - OPT_COUNT]) < 0)
				return 2;
		} else if (c == 'w') {
			o->wait_signal = true;
		} else if (c == 'l') {
			if (parse_num("linger-ms", optarg, 86400000, &o->linger_ms) < 0)
				return 2;
		} else if (c == 'd') {
			o->dump_path = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, PROG ": bad option or missing value: '%s'\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return -1;
}

static int dump_guest(const char *path, const struct code *c)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(c->b, 1, c->len, f) != c->len || fclose(f) != 0)
		return fail(path);
	return 0;
}

/* ---- main -------------------------------------------------------------- */

/* Starts the vCPU thread, optionally waits for SIGUSR1, lets it run, joins. */
static int run_vcpu(struct vcpu_thread *th, bool wait_signal)
{
	sigset_t usr1;
	pthread_t tid;
	int sig;

	/* Block before creating the thread so it inherits the mask and a
	 * SIGUSR1 sent right after "ready" stays pending for sigwait(). */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (wait_signal)
		pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	pthread_barrier_init(&th->gate, NULL, 2);
	if ((errno = pthread_create(&tid, NULL, vcpu_main, th)) != 0)
		return fail("pthread_create");
	pthread_barrier_wait(&th->gate); /* thread is named */
	if (wait_signal) {
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		sigwait(&usr1, &sig);
	}
	pthread_barrier_wait(&th->gate); /* go */
	pthread_join(tid, NULL);
	pthread_barrier_destroy(&th->gate);
	return th->status;
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	struct code code;
	struct vm vm = { .kvm = -1, .vm = -1, .vcpu = -1 };
	struct vcpu_thread th = { .vm = &vm };
	int rc;

	if ((rc = parse_options(argc, argv, &opts)) >= 0)
		return rc;
	split_counts(&opts);
	if (build_guest(&code, opts.count[K_CPUID]) < 0)
		return 1;
	if (opts.dump_path)
		return dump_guest(opts.dump_path, &code);
	if ((rc = vm_create(&vm, &code)) != 0)
		return rc;
	if (vcpu_init(&vm) != 0 || run_vcpu(&th, opts.wait_signal) != 0)
		return 1;
	rc = report(&th, &opts);
	if (opts.linger_ms) {
		struct timespec ts = { .tv_sec = (time_t)(opts.linger_ms / 1000),
				       .tv_nsec = (long)(opts.linger_ms % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return rc;
}
