// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A recording's slowest exits, one line each. */
#include <inttypes.h>
#include <string.h>

#include "text_report_int.h"

/* "pio write 0x3f0/1 (floppy)" */
static void access_text(const json_t *a, char *buf, size_t len)
{
	const char *dir = vp_doc_str(a, "direction");

	if (!json_is_object(a)) {
		snprintf(buf, len, "%s", NONE);
		return;
	}
	snprintf(buf, len, "%s%s%s %#" PRIx64 "/%.0f (%s)", vp_doc_str(a, "kind") ?: "?",
		 dir ? " " : "", dir ? dir : "", (uint64_t)vp_doc_num_or(a, "address", 0),
		 vp_doc_num_or(a, "size", 0), vp_doc_str(a, "device") ?: "?");
}

void vp_tr_slowest(const struct vp_tr_ctx *c, const json_t *slow)
{
	static const struct vp_tt_col cols[] = {
		{ "AT (s)", VP_TT_RIGHT, 0 }, { "VCPU", VP_TT_RIGHT, 0 },
		{ "TOTAL", VP_TT_RIGHT, 0 },  { "KERNEL", VP_TT_RIGHT, 0 },
		{ "REASON", VP_TT_LEFT, 24 }, { "TO USER", VP_TT_LEFT, 12 },
		{ "ACCESS", VP_TT_LEFT, 40 },
	};
	size_t n = json_array_size(slow), show = n;
	struct vp_table *t;
	char buf[128];

	if (!n)
		return;
	if (c->st->max_rows && show > c->st->max_rows)
		show = c->st->max_rows;
	vp_tr_heading(c, "Slowest exits", "one by one, from the recording: kvm_exit to kvm_entry");
	t = vp_tt_new(cols, ARRAY_SIZE(cols));
	if (!t)
		return;
	for (size_t i = 0; i < show; i++) {
		const json_t *s = json_array_get(slow, i), *v = vp_doc_get(s, "vcpu");
		double k;

		vp_tt_row(t);
		vp_tt_cellf(t, VP_TT_PLAIN, "%.6f", vp_doc_num_or(s, "start_s", 0));
		if (json_is_integer(v))
			vp_tt_cellf(t, VP_TT_PLAIN, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		else
			vp_tt_cell(t, NONE, VP_TT_DIM);
		vp_tt_cell(t, vp_fmt_ns(vp_doc_num_or(s, "total_ns", 0), buf, sizeof(buf)),
			   VP_TT_BOLD);
		vp_tt_cell(t,
			   vp_doc_num(s, "kernel_ns", &k) ? vp_fmt_ns(k, buf, sizeof(buf)) : NONE,
			   VP_TT_PLAIN);
		vp_tt_cell(t, vp_doc_str(s, "reason") ?: NONE, VP_TT_PLAIN);
		vp_tt_cell(t, vp_doc_str(s, "user_reason") ?: NONE, VP_TT_PLAIN);
		access_text(vp_doc_get(s, "access"), buf, sizeof(buf));
		vp_tt_cell(t, buf, VP_TT_PLAIN);
	}
	vp_tt_print(c->out, t, c->st, 2);
	vp_tt_free(t);
	if (show < n)
		fprintf(c->out, "  (%zu more in the document)\n", n - show);
}
