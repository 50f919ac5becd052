/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The result document of a recording: its events replayed into the
 * profile the live --pid gives of the same events, with the slowest exits
 * one by one.  Neither root nor BPF is needed.
 */
#ifndef VP_RECORDING_DOC_H
#define VP_RECORDING_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* True when path is a recording (not a document). */
bool vp_is_recording(const char *path);
/* NULL with one line in err: not a recording, another version, damaged,
 * out of memory.  A recording cut short is read up to the cut, noted. */
json_t *vp_recording_doc(const char *path, char *err, size_t errlen);

#endif
