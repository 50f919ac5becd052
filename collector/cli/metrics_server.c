// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "metrics_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

int vp_listen_parse(const char *spec, struct vp_listen_addr *a)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&a->sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->sa;
	char host[64] = "127.0.0.1", *end;
	const char *port = spec, *colon = strrchr(spec, ':');
	long p;

	memset(a, 0, sizeof(*a));
	if (colon) {
		size_t n = (size_t)(colon - spec);
		bool v6 = n >= 2 && spec[0] == '[' && spec[n - 1] == ']';

		if (v6)
			spec++, n -= 2;
		if (!n || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = '\0';
		port = colon + 1;
		if (!v6 && strchr(host, ':'))
			return -EINVAL; /* an IPv6 address needs its brackets */
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || end == port || *end || p < 1 || p > 65535 || *port == '+' || *port == '-')
		return -EINVAL;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)p);
		a->len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		a->len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* The q of one media range's parameters ("; version=1.0.0; q=0.5"), or -1
 * when its version is one this exporter does not write. */
static double range_q(const char *params, size_t len, bool om)
{
	double q = 1.0;

	for (const char *p = params; p < params + len;) {
		size_t n = strcspn(p, ";");

		if (n > (size_t)(params + len - p))
			n = (size_t)(params + len - p);
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		if (n > 2 && !strncasecmp(p, "q=", 2))
			q = strtod(p + 2, NULL);
		else if (om && n > 8 && !strncasecmp(p, "version=", 8) &&
			 strncmp(p + 8, "1.0.0", 5))
			return -1;
		p += n + 1;
	}
	return q;
}

enum vp_metrics_format vp_metrics_negotiate(const char *accept)
{
	double om_q = -1, text_q = -1;

	for (const char *r = accept; r && *r;) {
		size_t n = strcspn(r, ","), type;

		while (n && (*r == ' ' || *r == '\t'))
			r++, n--;
		type = strcspn(r, ";,");
		if (type > n)
			type = n;
		while (type && (r[type - 1] == ' ' || r[type - 1] == '\t'))
			type--;
		if (type == 28 && !strncasecmp(r, "application/openmetrics-text", 28)) {
			double q = range_q(r + type, n - type, true);

			om_q = q > om_q ? q : om_q;
		} else if ((type == 10 && !strncasecmp(r, "text/plain", 10)) ||
			   (type == 6 && !strncasecmp(r, "text/*", 6)) ||
			   (type == 3 && !strncmp(r, "*/*", 3))) {
			double q = range_q(r + type, n - type, false);

			text_q = q > text_q ? q : text_q;
		}
		r += n + (r[n] == ',');
	}
	return om_q > 0 && om_q >= text_q ? VP_METRICS_OPENMETRICS : VP_METRICS_PROMETHEUS;
}

struct vp_metrics_server {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	char *text[2]; /* by enum vp_metrics_format; NULL until the first publish */
	size_t len[2];
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     const char *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *content_type(enum vp_metrics_format f)
{
	return f == VP_METRICS_OPENMETRICS ? VP_METRICS_CT_OPENMETRICS : VP_METRICS_CT_PROMETHEUS;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **con_cls)
{
	static const char plain[] = "text/plain; charset=utf-8";
	struct vp_metrics_server *s = cls;
	enum vp_metrics_format f;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	if (strcmp(url, "/metrics")) {
		static const char body[] = "Not found: the metrics are at /metrics\n";

		return reply(c, MHD_HTTP_NOT_FOUND, plain, body, sizeof(body) - 1);
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		static const char body[] = "Only GET and HEAD\n";

		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, plain, body, sizeof(body) - 1);
	}
	f = vp_metrics_negotiate(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	pthread_mutex_lock(&s->lock);
	if (s->text[f])
		ret = reply(c, MHD_HTTP_OK, content_type(f), s->text[f], s->len[f]);
	else
		ret = reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, plain, "Not attached yet\n", 17);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static void addr_text(const struct vp_listen_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (a->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)&a->sa;

		inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(in4->sin_port));
	}
}

/* Our own socket, so a port in use is told as the kernel says it. */
static int listen_on(const struct vp_listen_addr *a)
{
	int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, err;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&a->sa, a->len) || listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

struct vp_metrics_server *vp_metrics_server_start(const struct vp_listen_addr *a, char *err,
						  size_t errlen)
{
	struct vp_metrics_server *s = calloc(1, sizeof(*s));
	sigset_t all, old;
	char where[80];
	int fd;

	addr_text(a, where, sizeof(where));
	if (!s) {
		snprintf(err, errlen, "cannot serve metrics: %s", strerror(ENOMEM));
		return NULL;
	}
	fd = listen_on(a);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", where, strerror(-fd));
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	/* The server's thread takes no signal: the profiler reads them from a
	 * signalfd, which only works while every thread blocks them. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
				handle, s, MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_LIMIT, 64U, MHD_OPTION_CONNECTION_TIMEOUT,
				10U, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->d) {
		snprintf(err, errlen, "cannot serve metrics on %s: libmicrohttpd did not start",
			 where);
		close(fd);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

int vp_metrics_server_publish(struct vp_metrics_server *s, const json_t *doc)
{
	char *text[2];
	size_t len[2];

	for (int f = 0; f < 2; f++) {
		text[f] = vp_metrics_text(doc, (enum vp_metrics_format)f, &len[f]);
		if (!text[f]) {
			int err = -errno;

			if (f)
				free(text[0]);
			return err;
		}
	}
	pthread_mutex_lock(&s->lock);
	for (int f = 0; f < 2; f++) {
		char *old = s->text[f];

		s->text[f] = text[f];
		s->len[f] = len[f];
		text[f] = old;
	}
	pthread_mutex_unlock(&s->lock);
	free(text[0]);
	free(text[1]);
	return 0;
}

void vp_metrics_server_stop(struct vp_metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->lock);
	free(s->text[0]);
	free(s->text[1]);
	free(s);
}
