/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading a result document (reports/doc/SCHEMA.md) back: every report and the
 * gate start here, so a foreign or malformed document is refused in one
 * place, with the offending field named.
 */
#ifndef VP_DOC_READER_H
#define VP_DOC_READER_H

#include <stddef.h>

#include <jansson.h>

#define VP_DOC_SCHEMA "vmexit-prof/2"

/* Loads and validates path.  NULL with one line in err naming the file and
 * the field ("B.json: workloads[2].ops: expected an integer"). */
json_t *vp_doc_load(const char *path, char *err, size_t errlen);
/* Validates a document already parsed: 0, or -1 with one line in err. */
int vp_doc_validate(const json_t *doc, char *err, size_t errlen);

#endif
