// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tables both reports draw from report_tables.h: headings that each
 * renderer can draw unambiguously, and cells that read the recorded
 * document's values.
 */
#include <setjmp.h> /* cmocka.h needs these first */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "doc_access.h"
#include "report_tables.h"

static const struct vp_table_def *const tables[] = {
	&vp_table_vcpus, &vp_table_exit_reasons, &vp_table_devices,  &vp_table_accesses,
	&vp_table_other, &vp_table_workloads,	 &vp_table_speedups,
};

/* A column is found by its title (the sorting script, the browser test,
 * a reader): two columns of one table may not share one.  A terminal head
 * "\nNAME" continues the group line of the column before it, so one must
 * have opened a group. */
static void test_headings_are_unambiguous(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct vp_table_def *d = tables[t];
		const char *prev = NULL;

		for (size_t i = 0; i < d->ncols; i++) {
			const struct vp_col *c = &d->cols[i];

			assert_true(c->term || c->html);
			if (c->html) {
				assert_non_null(d->id);
				for (size_t j = 0; j < i; j++)
					if (d->cols[j].html && !strcmp(d->cols[j].html, c->html))
						fail_msg("%s: two columns titled %s", d->id,
							 c->html);
			}
			if (!c->term)
				continue;
			if (c->term[0] == '\n' && !(prev && strchr(prev, '\n')))
				fail_msg("%s: %s continues no group", d->rows, c->term + 1);
			prev = c->term;
		}
	}
}

static json_t *load(const char *name)
{
	char path[512];
	json_error_t e;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s", VP_TEST_DATA_DIR, name);
	doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("%s: %s", path, e.text);
	return doc;
}

/* The time shares of the exit reasons add up to the whole, and the mean
 * is time over count, in both reports. */
static void test_shares_and_means(void **state)
{
	json_t *doc = load("result-profile.json");
	const json_t *rows = vp_doc_get(doc, "profile.exit_reasons");
	const struct vp_table_def *d = &vp_table_exit_reasons;
	struct vp_table_ctx ctx;
	struct vp_cell c;
	double sum = 0;

	(void)state;
	assert_true(json_array_size(rows) > 1);
	vp_table_ctx_init(&ctx, d, doc, rows);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *r = json_array_get(rows, i);

		for (size_t k = 0; k < d->ncols; k++) {
			vp_cell_get(&d->cols[k], &ctx, r, &c);
			if (d->cols[k].kind == VP_COL_SHARE)
				sum += c.num;
			if (d->cols[k].kind == VP_COL_MEAN)
				assert_float_equal(c.num,
						   vp_doc_num_or(r, "time_ns", NAN) /
							   vp_doc_num_or(r, "count", NAN),
						   1e-9);
		}
	}
	assert_float_equal(sum, 100, 1e-9);
	json_decref(doc);
}

/* A speed-up row shows each side's time, read from its workload. */
static void test_speedup_reads_its_workloads(void **state)
{
	json_t *doc = load("result-compare.json");
	const json_t *s = json_array_get(vp_doc_get(doc, "speedups"), 0);
	const json_t *w = vp_doc_get(doc, "workloads");
	const char *pv = vp_doc_str(s, "paravirtual");
	struct vp_table_ctx ctx;
	struct vp_cell c;
	double want = NAN;

	(void)state;
	assert_non_null(pv);
	for (size_t i = 0; i < json_array_size(w); i++)
		if (!strcmp(vp_doc_str(json_array_get(w, i), "name"), pv))
			want = vp_doc_num_or(json_array_get(w, i), "timing.us_per_op", NAN);
	assert_false(isnan(want));
	vp_table_ctx_init(&ctx, &vp_table_speedups, doc, vp_doc_get(doc, "speedups"));
	for (size_t k = 0; k < vp_table_speedups.ncols; k++) {
		const struct vp_col *col = &vp_table_speedups.cols[k];

		if (col->kind == VP_COL_WL_US && !strcmp(col->path, "paravirtual")) {
			vp_cell_get(col, &ctx, s, &c);
			assert_float_equal(c.num, want, 1e-9);
			json_decref(doc);
			return;
		}
	}
	fail_msg("no paravirtual time column");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headings_are_unambiguous),
		cmocka_unit_test(test_shares_and_means),
		cmocka_unit_test(test_speedup_reads_its_workloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
