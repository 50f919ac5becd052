/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The devices an in-kernel exit reason was taken for: the exit's
 * VP_K_EXIT_ACCESS rows, each port or address given to its device.
 */
#ifndef VP_EXIT_DEVICES_H
#define VP_EXIT_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#include "attribution.h"
#include "result.h"

struct vp_exit_device {
	const struct vp_device *dev;
	uint64_t count, kern_ns;
};

/*
 * The devices of exit row `exit` (a VP_K_EXIT), most exits first.  Returns
 * their count; *out is allocated (NULL when there are none).
 */
size_t vp_exit_devices(const struct vp_result *r, const struct vp_attribution *a,
		       const struct vp_row *exit, struct vp_exit_device **out);

#endif
