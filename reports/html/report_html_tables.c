// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tables of the HTML report.  Numeric cells are right-aligned with
 * tabular figures and carry their raw value in data-value, which both the
 * optional sorting script and the tests read.
 */
#include <math.h>
#include <string.h>

#include "report_html_int.h"
#include "report_tables.h"

static void td_num(FILE *out, double v, const char *shown)
{
	char raw[32];

	fprintf(out, "<td class=\"num\" data-value=\"%s\">%s</td>", vh_fmt_raw(v, raw, sizeof(raw)),
		shown);
}

static size_t html_cols(const struct vp_table_def *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->ncols; i++)
		n += t->cols[i].html != NULL;
	return n;
}

static const char *num_class(const struct vp_col *col)
{
	return vp_col_numeric(col) ? " class=\"num\"" : "";
}

/* Columns that share an HTML group sit under its heading, in a second
 * header row; the others span both rows. */
static void thead(FILE *out, const struct vp_table_def *t)
{
	const struct vp_col *c = t->cols, *prev = NULL;
	bool groups = false;
	int col = 0;

	for (size_t i = 0; i < t->ncols; i++)
		groups |= c[i].html && c[i].html_group;
	fprintf(out, "<div class=\"scroll\"><table id=\"%s\" class=\"sortable\"><thead><tr>",
		t->id);
	for (size_t i = 0; i < t->ncols; i++) {
		if (!c[i].html)
			continue;
		if (!c[i].html_group) {
			fprintf(out, "<th%s data-col=\"%d\"%s>%s</th>",
				groups ? " rowspan=\"2\"" : "", col, num_class(&c[i]), c[i].html);
		} else if (!prev || !prev->html_group ||
			   strcmp(prev->html_group, c[i].html_group)) {
			size_t span = 0;

			for (size_t j = i; j < t->ncols; j++)
				if (c[j].html &&
				    (!c[j].html_group || strcmp(c[j].html_group, c[i].html_group)))
					break;
				else
					span += c[j].html != NULL;
			fprintf(out, "<th colspan=\"%zu\" class=\"group\">%s</th>", span,
				c[i].html_group);
		}
		prev = &c[i];
		col++;
	}
	if (groups) {
		fputs("</tr><tr>", out);
		col = 0;
		for (size_t i = 0; i < t->ncols; i++) {
			if (!c[i].html)
				continue;
			if (c[i].html_group)
				fprintf(out, "<th data-col=\"%d\"%s>%s</th>", col, num_class(&c[i]),
					c[i].html);
			col++;
		}
	}
	fputs("</tr></thead><tbody>\n", out);
}

static void where_cell(FILE *out, const json_t *row)
{
	const char *where = vp_doc_str(row, "where"), *isa = vp_doc_str(row, "isa");

	if (where && !strcmp(where, "user"))
		fputs("<td><span class=\"badge user\">QEMU</span></td>", out);
	else if (where && !strcmp(where, "kernel")) {
		fputs("<td><span class=\"badge kernel\">kernel", out);
		if (isa) {
			fputc(' ', out);
			vh_esc(out, isa);
		}
		fputs("</span></td>", out);
	} else
		fputs("<td>" VH_DASH "</td>", out);
}

static void address_cell(FILE *out, const json_t *row, const struct vp_cell *v)
{
	char r[32];

	if (json_is_true(vp_doc_get(row, "folded")))
		fprintf(out, "<td>%s</td>", v->text);
	else if (isnan(v->num))
		fputs("<td class=\"mono\">" VH_DASH "</td>", out);
	else
		fprintf(out, "<td class=\"mono\" data-value=\"%s\">%s</td>",
			vh_fmt_raw(v->num, r, sizeof(r)), v->text);
}

/* A name with a dimmer line under it (a workload's parameters). */
static void text_cell(FILE *out, const struct vp_col *col, const json_t *row,
		      const struct vp_cell *v)
{
	bool bold = col->flags & VP_COL_NAME;

	fputs(bold ? "<td><b>" : "<td>", out);
	vh_esc(out, v->text);
	fputs(bold ? "</b>" : "", out);
	if (col->path2) {
		fputs("<br><span class=\"dim\">", out);
		vh_text_at(out, row, col->path2);
		fputs("</span>", out);
	}
	fputs("</td>", out);
}

/* The spread with the runs' range under it. */
static void spread_cell(FILE *out, const struct vp_col *col, const json_t *row,
			const struct vp_cell *v)
{
	char r[32], key[64], lo[32], hi[32];
	double min, max;

	fprintf(out, "<td class=\"num\" data-value=\"%s\">%s", vh_fmt_raw(v->num, r, sizeof(r)),
		v->text);
	snprintf(key, sizeof(key), "%s.min", col->path2);
	if (vp_doc_num(row, key, &min)) {
		snprintf(key, sizeof(key), "%s.max", col->path2);
		if (vp_doc_num(row, key, &max))
			fprintf(out, "<br><span class=\"dim small\">%s \xe2\x80\x93 %s</span>",
				vp_fmt_us(min, lo, sizeof(lo)), vp_fmt_us(max, hi, sizeof(hi)));
	}
	fputs("</td>", out);
}

static void td(FILE *out, const struct vp_col *col, const json_t *row, const struct vp_cell *v)
{
	char b[48];

	switch (col->kind) {
	case VP_COL_WHERE: where_cell(out, row); break;
	case VP_COL_ADDR: address_cell(out, row, v); break;
	case VP_COL_SPREAD: spread_cell(out, col, row, v); break;
	case VP_COL_STATUS:
		fprintf(out, "<td class=\"status\"><span class=\"badge %s\">",
			v->alert ? "bad" : "ok");
		vh_esc(out, v->text);
		fputs("</span></td>", out);
		break;
	case VP_COL_RATIO: td_num(out, v->num, vh_fmt_ratio(v->num, b, sizeof(b))); break;
	default:
		if (vp_col_numeric(col))
			td_num(out, v->num, v->text);
		else
			text_cell(out, col, row, v);
	}
}

void vh_table(FILE *out, const struct vp_table_def *t, const json_t *doc, const json_t *rows)
{
	struct vp_table_ctx ctx;
	struct vp_cell v;

	vp_table_ctx_init(&ctx, t, doc, rows);
	thead(out, t);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);
		const char *detail = t->detail ? vp_doc_str(row, t->detail) : NULL;

		fprintf(out, "<tr data-row=\"%zu\">", i);
		for (size_t k = 0; k < t->ncols; k++) {
			if (!t->cols[k].html)
				continue;
			vp_cell_get(&t->cols[k], &ctx, row, &v);
			td(out, &t->cols[k], row, &v);
		}
		fputs("</tr>\n", out);
		/* A row of its own: the sorting script keeps it under its own. */
		if (detail) {
			fprintf(out,
				"<tr class=\"detail\" data-row=\"%zu\"><td colspan=\"%zu\"><div "
				"class=\"errmsg\">",
				i, html_cols(t));
			vh_esc(out, detail);
			fputs("</div></td></tr>\n", out);
		}
	}
	fputs("</tbody></table></div>\n", out);
}
