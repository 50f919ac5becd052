/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* How keys and numbers are shown: one place for the text and JSON reports. */
#ifndef VP_LABELS_H
#define VP_LABELS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "vmexit.h"

/* "IO_INSTRUCTION", "MMIO", "0x3f8", "0xfebf1000", "leaf 0x1" ... */
const char *vp_key_name(const struct vp_key *k, char *buf, size_t len);
/* The name of a kind's folded row (VP_KEY_FOLDED): "other ports, not kept
 * apart", ... */
const char *vp_folded_name(uint8_t kind);
/* "read", "write" or "" */
const char *vp_dir_name(uint8_t dir);
/* Short table title of a key kind ("pio", "mmio", ...) as used in JSON. */
const char *vp_kind_name(enum vp_key_kind kind);
/* "vmx", "svm" or "unknown" */
const char *vp_isa_name(uint8_t isa);

#endif
