/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `--metrics [ADDR:]PORT`: the live profile served to Prometheus over HTTP
 * (libmicrohttpd, on its own thread).  Each refresh renders the document
 * once per format into buffers swapped in under a lock, so a scrape never
 * waits for the profiler and never sees half a refresh.
 */
#ifndef VP_METRICS_SERVER_H
#define VP_METRICS_SERVER_H

#include <stddef.h>
#include <sys/socket.h>

#include <jansson.h>

#include "metrics.h"

struct vp_listen_addr {
	struct sockaddr_storage sa;
	socklen_t len;
};

/* "PORT", "ADDR:PORT" or "[IPV6]:PORT", ADDR numeric (or "localhost");
 * PORT alone listens on 127.0.0.1.  0 or -EINVAL. */
int vp_listen_parse(const char *spec, struct vp_listen_addr *a);

/* The format a scraper's Accept header asks for: OpenMetrics when it lists
 * application/openmetrics-text (version 1.0.0 or none) at least as high as
 * text/plain, else the 0.0.4 text.  NULL: the text format. */
enum vp_metrics_format vp_metrics_negotiate(const char *accept);

struct vp_metrics_server;

/* Listens on a and serves GET /metrics (503 until the first publish).
 * NULL with one line in err ("cannot listen on 127.0.0.1:9100: Address
 * already in use"). */
struct vp_metrics_server *vp_metrics_server_start(const struct vp_listen_addr *a, char *err,
						  size_t errlen);
/* What /metrics serves from now on: doc's metrics.  0 or -errno (the
 * previous exposition stays). */
int vp_metrics_server_publish(struct vp_metrics_server *s, const json_t *doc);
/* Stops serving and frees s; NULL is fine. */
void vp_metrics_server_stop(struct vp_metrics_server *s);

#endif
