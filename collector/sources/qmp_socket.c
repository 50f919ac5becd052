// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Finding the QMP socket of a running QEMU from its command line, so the
 * QMP attribution source needs no --qmp for the usual setups.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "growbuf.h"
#include "qmp.h"

#define OPT_MAX 4096

/*
 * The value of key in a QEMU option string ("socket,id=m,path=/x,server=on").
 * QEMU writes a comma inside a value as ",,".  The first item may be a bare
 * value of the implied key (-chardev's backend, -mon's chardev); a later
 * bare item is a boolean flag ("server", "nowait"), which reads as "on".
 */
static bool opt_get(const char *spec, const char *key, const char *implied, char *out, size_t len)
{
	size_t klen = strlen(key);
	bool first = true;

	while (*spec) {
		char item[OPT_MAX];
		size_t n = 0;
		const char *eq;

		for (; *spec && n < sizeof(item) - 1; spec++) {
			if (*spec == ',' && spec[1] == ',')
				spec++;
			else if (*spec == ',')
				break;
			item[n++] = *spec;
		}
		item[n] = '\0';
		if (*spec == ',')
			spec++;
		eq = strchr(item, '=');
		if (eq && (size_t)(eq - item) == klen && !strncmp(item, key, klen)) {
			snprintf(out, len, "%s", eq + 1);
			return true;
		}
		if (!eq && first && implied && !strcmp(implied, key)) {
			snprintf(out, len, "%s", item);
			return true;
		}
		if (!eq && !first && !strcmp(item, key)) {
			snprintf(out, len, "on");
			return true;
		}
		first = false;
	}
	return false;
}

/* A socket QEMU listens on; a client socket (no server) it connects out
 * from, and then there is nothing for us to connect to. */
static bool is_server(const char *spec)
{
	char v[16];

	return opt_get(spec, "server", NULL, v, sizeof(v)) && strcmp(v, "off") &&
	       strcmp(v, "false") && strcmp(v, "no");
}

/* QEMU takes "-opt" and "--opt" alike. */
static const char *opt_name(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

static int put(const char *value, char *path, size_t len)
{
	if (!value[0])
		return -ENOENT;
	if (strlen(value) >= len)
		return -ENAMETOOLONG;
	memcpy(path, value, strlen(value) + 1);
	return 0;
}

/* The path of the server socket chardev id among argv's -chardev options. */
static int chardev_path(int argc, char *const argv[], const char *id, char *path, size_t len)
{
	for (int i = 0; i + 1 < argc; i++) {
		const char *o = opt_name(argv[i]), *spec = argv[i + 1];
		char v[OPT_MAX];

		if (!o || strcmp(o, "chardev"))
			continue;
		if (!opt_get(spec, "id", NULL, v, sizeof(v)) || strcmp(v, id))
			continue;
		if (!opt_get(spec, "backend", "backend", v, sizeof(v)) || strcmp(v, "socket") ||
		    !is_server(spec) || !opt_get(spec, "path", NULL, v, sizeof(v)))
			return -ENOENT; /* tcp, fd= (libvirt) or a client */
		return put(v, path, len);
	}
	return -ENOENT;
}

int vp_qmp_socket_from_argv(int argc, char *const argv[], char *path, size_t len)
{
	for (int i = 0; i + 1 < argc; i++) {
		const char *o = opt_name(argv[i]), *spec = argv[i + 1];
		char v[OPT_MAX];
		int ret;

		if (!o)
			continue;
		/* -qmp unix:PATH[,server=on,...]: the legacy chardev syntax, whose
		 * first item is the path. */
		if ((!strcmp(o, "qmp") || !strcmp(o, "qmp-pretty")) && !strncmp(spec, "unix:", 5) &&
		    is_server(spec + 5) && opt_get(spec + 5, "path", "path", v, sizeof(v))) {
			ret = put(v, path, len);
			if (ret != -ENOENT)
				return ret;
		}
		/* -mon [chardev=]X,mode=control: mode defaults to readline (HMP). */
		if (!strcmp(o, "mon") && opt_get(spec, "mode", NULL, v, sizeof(v)) &&
		    !strcmp(v, "control") && opt_get(spec, "chardev", "chardev", v, sizeof(v))) {
			ret = chardev_path(argc, argv, v, path, len);
			if (ret != -ENOENT)
				return ret;
		}
	}
	return -ENOENT;
}

int vp_qmp_socket_for_pid(const char *proc_root, int pid, char *path, size_t len)
{
	char file[256], *buf = NULL, **argv = NULL, sock[4096];
	size_t n = 0;
	int argc = 0, ret, fd;

	snprintf(file, sizeof(file), "%s/%d/cmdline", proc_root, pid);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* The arguments, each NUL-terminated, in one read-to-end buffer. */
	ret = vp_read_all(fd, &buf, &n);
	close(fd);
	if (ret)
		return ret;
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t p = 0; p < n; p += strlen(buf + p) + 1)
		argv[argc++] = buf + p;
	ret = vp_qmp_socket_from_argv(argc, argv, sock, sizeof(sock));
	if (!ret) {
		/* QEMU resolves a relative path against its own cwd. */
		int w = sock[0] == '/' ? snprintf(path, len, "%s", sock)
				       : snprintf(path, len, "%s/%d/cwd/%s", proc_root, pid, sock);

		if (w < 0 || (size_t)w >= len)
			ret = -ENAMETOOLONG;
	}
out:
	free(argv);
	free(buf);
	return ret;
}
