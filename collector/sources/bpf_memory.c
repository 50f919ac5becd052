// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "bpf_memory.h"

#include <bpf/libbpf.h>
#include <inttypes.h>
#include <stdio.h>

static uint64_t map_memlock(int fd)
{
	char path[64], line[128];
	uint64_t bytes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %" SCNu64, &bytes) == 1)
			break;
	fclose(f);
	return bytes;
}

uint64_t vp_bpf_object_map_bytes(const struct bpf_object *obj)
{
	const struct bpf_map *m;
	uint64_t sum = 0;

	bpf_object__for_each_map(m, obj)
	{
		int fd = bpf_map__fd(m);

		if (fd >= 0)
			sum += map_memlock(fd);
	}
	return sum;
}
