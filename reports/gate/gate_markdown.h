/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The gate's summary in Markdown, for a CI job's page or a pull request. */
#ifndef VP_GATE_MARKDOWN_H
#define VP_GATE_MARKDOWN_H

#include <stdio.h>

#include "gate.h"

/* res, the comparison of the documents baseline and current (their paths)
 * under config: the verdict, the regressions, then every value compared. */
void vp_gate_markdown(FILE *out, const char *baseline, const char *current,
		      const struct vp_gate_config *config, const struct vp_gate_result *res);

#endif
