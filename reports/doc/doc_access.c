// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "doc_access.h"

#include <string.h>

const json_t *vp_doc_get(const json_t *o, const char *path)
{
	char key[64];

	while (o && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key) || !json_is_object(o))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (path[n] == '.');
	}
	return o;
}

bool vp_doc_num(const json_t *o, const char *path, double *v)
{
	const json_t *j = vp_doc_get(o, path);

	if (!json_is_number(j))
		return false;
	*v = json_number_value(j);
	return true;
}

double vp_doc_num_or(const json_t *o, const char *path, double dflt)
{
	double v;

	return vp_doc_num(o, path, &v) ? v : dflt;
}

const char *vp_doc_str(const json_t *o, const char *path)
{
	return json_string_value(vp_doc_get(o, path));
}
