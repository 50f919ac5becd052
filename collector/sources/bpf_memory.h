/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a loaded BPF object's maps cost: the kernel memory they lock. */
#ifndef VP_BPF_MEMORY_H
#define VP_BPF_MEMORY_H

#include <stdint.h>

struct bpf_object;

/* The sum of the kernel's memlock figure of obj's maps (fdinfo), which
 * counts per-CPU values once per possible CPU; 0 when unreadable. */
uint64_t vp_bpf_object_map_bytes(const struct bpf_object *obj);

#endif
