/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A profile document (reports/doc/SCHEMA.md) as metrics for Prometheus:
 * the OpenMetrics 1.0 text exposition, or the Prometheus 0.0.4 text format
 * that the textfile collector of node_exporter and older scrapers read.
 * Every series is labelled by the VM (domain, and uuid when known) and by
 * bounded keys only (vCPU, reason, device, kind): never an address or port.
 */
#ifndef VP_METRICS_H
#define VP_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

enum vp_metrics_format {
	VP_METRICS_OPENMETRICS, /* families by base name, "# UNIT", "# EOF" */
	VP_METRICS_PROMETHEUS,	/* 0.0.4: families by sample name, no "# EOF" */
};

/* The Content-Type of each, as a scraper negotiates them. */
#define VP_METRICS_CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define VP_METRICS_CT_PROMETHEUS  "text/plain; version=0.0.4; charset=utf-8"

/* Writes the metrics of doc's profile to f (doc may be an array of
 * profile documents, one per VM).  0; -EINVAL when a doc has no profile
 * section; -EIO when f failed. */
int vp_metrics_render(FILE *f, const json_t *doc, enum vp_metrics_format fmt);
/* The same as one allocated string (the caller frees it) of *len bytes;
 * NULL with errno set on failure. */
char *vp_metrics_text(const json_t *doc, enum vp_metrics_format fmt, size_t *len);
/* The Prometheus text written atomically to path (a textfile collector
 * never reads half a file).  0 or -errno. */
int vp_metrics_write(const char *path, const json_t *doc);

#endif
