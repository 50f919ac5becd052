/*
 * The guest runtime: what every workload links against.
 *
 * The library boots the machine (boot.S, then guest_main), sets up the
 * console and the standard I/O regions, calibrates the TSC, then calls the
 * workload's workload_main().  Its return value is the run's status: the
 * library prints the region and result lines (format in ../README.md) and
 * ends QEMU through isa-debug-exit with that status.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "console.h"
#include "errors.h"
#include "io.h"
#include "params.h"
#include "pci.h"
#include "str.h"

/* The status in the result line; its number is the isa-debug-exit code,
   so QEMU exits with (status << 1) | 1. */
enum guest_status {
	GS_OK = 0,
	GS_FAIL = 1,	   /* a check failed: results are wrong */
	GS_BAD_PARAM = 2,  /* the command line was rejected */
	GS_NO_DEVICE = 3,  /* the device the workload drives is absent */
	GS_TIMEOUT = 4,	   /* a bounded wait ran out */
	GS_EXCEPTION = 5,  /* a CPU exception */
	GS_BOOT_ERROR = 6, /* not started by a multiboot loader */
};

#define ISA_DEBUG_EXIT_PORT 0xf4

const char *guest_status_name(int status);

/* Filled by the workload; printed in the result line. */
struct guest_result {
	uint64_t ops;	 /* operations completed */
	uint64_t bytes;	 /* payload bytes moved through guest memory */
	uint64_t kicks;	 /* doorbell (notification) writes */
	uint64_t cycles; /* TSC cycles of the measured phase */
	char extra[192]; /* " key=value" pairs added by result_add() */
};
extern struct guest_result guest_result;

/* Appends " key=value" (fmt must produce exactly that, without the space). */
void result_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Defined by each workload. */
extern const char workload_name[];
int workload_main(void);

/* The command line after the image path, as given with -append. */
const char *boot_cmdline(void);
/* Parses boot_cmdline() into params: GS_OK, or GS_BAD_PARAM after printing
   the reason. */
int guest_params(const struct param *params, unsigned n);

/* Prints "FAIL: ..." and returns GS_FAIL, for `return fail(...)`. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the region and result lines, then exits with status. */
_Noreturn void guest_finish(int status);
/* Exits QEMU at once through isa-debug-exit. */
_Noreturn void guest_exit(int status);

#endif
