/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading a result document (SCHEMA.md): the one accessor kit every
 * renderer uses.  Paths are dotted member names ("meta.lost.stats_full");
 * an absent member, or one of another type, reads as absent.
 */
#ifndef VP_DOC_ACCESS_H
#define VP_DOC_ACCESS_H

#include <stdbool.h>

#include <jansson.h>

/* The value at path under o, or NULL. */
const json_t *vp_doc_get(const json_t *o, const char *path);
/* A number at path into *v; false (v untouched) when it is absent or null. */
bool vp_doc_num(const json_t *o, const char *path, double *v);
/* The number at path, or dflt when it is absent or null. */
double vp_doc_num_or(const json_t *o, const char *path, double dflt);
/* The string at path, or NULL. */
const char *vp_doc_str(const json_t *o, const char *path);

#endif
