// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "qmp.h"
#include "monotonic.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define QMP_REPLY_TIMEOUT_MS 10000
/* No reply we ask for comes near this; beyond it QEMU is not talking QMP. */
#define QMP_MAX_MESSAGE (16u << 20)

/* QEMU creates the socket while starting up: retry until it listens, but
 * give up at once if QEMU died (its own error is then the one to show). */
static int connect_retry(struct vp_qmp *q, const char *path, pid_t pid, double timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double deadline = vp_now_s() + timeout_s;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	for (;;) {
		q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (q->fd < 0)
			return -errno;
		if (!connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		int err = errno;

		close(q->fd);
		q->fd = -1;
		/* Not there yet (QEMU still starting) is worth waiting for; once
		 * waiting is over, the last reason is the one to tell. */
		if ((err != ENOENT && err != ECONNREFUSED) || kill(pid, 0) ||
		    vp_now_s() >= deadline)
			return -err;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

/* Next JSON message (QMP sends one per line); NULL with *ret set. */
static json_t *next_message(struct vp_qmp *q, int *ret)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);

		if (nl) {
			size_t n = (size_t)(nl - q->buf) + 1;
			json_t *j = json_loadb(q->buf, n, 0, NULL);

			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (j)
				return j;
			continue; /* blank line */
		}
		if (q->len == q->cap) {
			size_t cap = q->cap ? q->cap * 2 : 8192;
			char *b = cap <= QMP_MAX_MESSAGE ? realloc(q->buf, cap) : NULL;

			if (!b) {
				*ret = -EMSGSIZE;
				return NULL;
			}
			q->buf = b;
			q->cap = cap;
		}
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int r = poll(&p, 1, QMP_REPLY_TIMEOUT_MS);

		if (r <= 0) {
			*ret = r == 0 ? -ETIMEDOUT : -errno;
			return NULL;
		}
		ssize_t got = read(q->fd, q->buf + q->len, q->cap - q->len);

		if (got <= 0) {
			*ret = got == 0 ? -ECONNRESET : -errno;
			return NULL;
		}
		q->len += (size_t)got;
	}
}

int vp_qmp_execute(struct vp_qmp *q, const char *command, json_t *args, json_t **ret_val, char *err,
		   size_t errlen)
{
	json_t *req = json_pack("{s:s}", "execute", command);
	char *line;
	size_t n;
	int ret = 0;

	if (ret_val)
		*ret_val = NULL;
	if (req && args)
		json_object_set(req, "arguments", args);
	line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!line) {
		snprintf(err, errlen, "QMP: cannot encode %s", command);
		return -ENOMEM;
	}
	n = strlen(line);
	/* QMP reads one JSON value per line; the newline ends this one. */
	if (write(q->fd, line, n) != (ssize_t)n || write(q->fd, "\n", 1) != 1) {
		ret = -errno;
		free(line);
		snprintf(err, errlen, "QMP: cannot send %s: %s", command, strerror(-ret));
		return ret;
	}
	free(line);
	for (;;) {
		json_t *m = next_message(q, &ret), *e, *r;

		if (!m) {
			snprintf(err, errlen, "QMP: no reply to %s: %s", command, strerror(-ret));
			return ret;
		}
		/* Asynchronous events may come before the reply. */
		if ((r = json_object_get(m, "return"))) {
			if (ret_val)
				*ret_val = json_incref(r);
			json_decref(m);
			return 0;
		}
		if ((e = json_object_get(m, "error"))) {
			const char *desc = json_string_value(json_object_get(e, "desc"));

			snprintf(err, errlen, "QMP: %s failed: %s", command, desc ? desc : "?");
			json_decref(m);
			return -EIO;
		}
		json_decref(m);
	}
}

int vp_qmp_command(struct vp_qmp *q, const char *command, char *err, size_t errlen)
{
	return vp_qmp_execute(q, command, NULL, NULL, err, errlen);
}

int vp_qmp_open(struct vp_qmp *q, const char *path, pid_t pid, double timeout_s, char *err,
		size_t errlen)
{
	json_t *greeting;
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	ret = connect_retry(q, path, pid, timeout_s);
	if (ret) {
		snprintf(err, errlen, "QMP: cannot connect to %s: %s", path, strerror(-ret));
		return ret;
	}
	greeting = next_message(q, &ret);
	if (!greeting || !json_object_get(greeting, "QMP")) {
		snprintf(err, errlen, "QMP: no greeting on %s: %s", path,
			 greeting ? "not a QMP server" : strerror(-ret));
		json_decref(greeting);
		vp_qmp_close(q);
		return greeting ? -EPROTO : ret;
	}
	json_decref(greeting);
	ret = vp_qmp_command(q, "qmp_capabilities", err, errlen);
	if (ret)
		vp_qmp_close(q);
	return ret;
}

void vp_qmp_close(struct vp_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
}
