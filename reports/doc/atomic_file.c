// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "atomic_file.h"

#include <errno.h>
#include <limits.h>
#include <unistd.h>

int vp_atomic_write(const char *path, int (*write)(FILE *f, void *arg), void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	rc = write(f, arg);
	if (fflush(f) && !rc)
		rc = -errno;
	if (!rc && fsync(fileno(f)))
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
