/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The result document of `vmexit-prof run WORKLOAD` (reports/doc/SCHEMA.md):
 * its "run" section, with QEMU's USDT counts when it was profiled. */
#ifndef VP_RUN_DOC_H
#define VP_RUN_DOC_H

#include <jansson.h>

#include "guest_result.h"
#include "qemu_counts.h"

struct vp_run_input {
	const char *workload;		     /* its name */
	const char *description;	     /* NULL: none (an image not in the table) */
	const char *params;		     /* the -append the guest got */
	const char *elf;		     /* the image booted */
	const char *qemu;		     /* the binary */
	const char *accel;		     /* "kvm" or "tcg" */
	const char *missing_device;	     /* a device the QEMU lacks, left out; NULL */
	const struct vp_guest_result *guest; /* NULL or !valid: no result line */
	const char *serial;		     /* the guest's console; NULL: none read */
	const char *error;		     /* why the run failed; NULL: it did not */
	const struct vp_usdt_counts *usdt;   /* NULL: not profiled */
};

json_t *vp_run_doc(const struct vp_run_input *in);

#endif
