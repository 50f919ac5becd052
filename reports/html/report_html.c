// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The HTML report's page: head, summary cards and tables.  The charts are
 * in report_html_charts.c, their SVG primitives in report_html_svg.c.
 *
 * The page must open anywhere, offline, and show every number without
 * JavaScript: styles, charts and the optional sorting script are inline,
 * and a Content-Security-Policy forbids any fetch, so a stray URL in a
 * document can never phone home.
 */
#include "report_html.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "report_html_int.h"
#include "report_tables.h"
#include "atomic_file.h"

static const char css[] =
	":root{--fg:#1d2330;--dim:#5f6b7a;--line:#d9dee5;--bg:#f5f7fa;--card:#fff;--warn:#b4441c}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"
	"'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n"
	"header{background:#1f2a3a;color:#fff;padding:18px 32px}\n"
	"header h1{margin:0;font-size:20px;font-weight:600;letter-spacing:.2px}\n"
	"header .meta{color:#b9c4d2;font-size:13px;margin-top:4px}\n"
	"nav{padding:8px 32px;background:#fff;border-bottom:1px solid var(--line);font-size:13px}\n"
	"nav a{color:#3b6fb6;text-decoration:none;margin-right:18px}\n"
	"main{max-width:1320px;margin:0 auto;padding:8px 32px 40px}\n"
	"section{background:var(--card);border:1px solid "
	"var(--line);border-radius:6px;padding:16px 20px;"
	"margin:18px 0}\n"
	"h2{font-size:16px;margin:0 0 4px;font-weight:600}\n"
	"h3{font-size:13px;margin:16px 0 "
	"6px;color:var(--dim);text-transform:uppercase;letter-spacing:.6px}\n"
	".lede{color:var(--dim);margin:0 0 12px;max-width:900px}\n"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:12px}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px "
	"14px}\n"
	".card .k{font-size:11px;text-transform:uppercase;letter-spacing:.6px;color:var(--dim)}\n"
	".card .v{font-size:18px;font-weight:600;margin:2px 0;font-variant-numeric:tabular-nums;"
	"overflow-wrap:anywhere}\n"
	".card .d{font-size:12px;color:var(--dim);overflow-wrap:anywhere}\n"
	".card.warn{border-color:var(--warn)}.card.warn .v{color:var(--warn)}\n"
	".notes{margin:12px 0 0;padding:10px 14px 10px 30px;background:#fff8e6;border:1px solid "
	"#ecd9a6;"
	"border-radius:6px}\n"
	"table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}\n"
	"th,td{padding:5px 7px;border-bottom:1px solid "
	"#edf0f3;text-align:left;vertical-align:top;white-space:nowrap}\n"
	"tr.detail td{white-space:normal}.small{font-size:11px}\n"
	".scroll{overflow-x:auto}\n"
	"th{font-weight:600;color:var(--dim);font-size:12px;border-bottom:1px solid var(--line);"
	"white-space:nowrap;cursor:pointer;user-select:none}\n"
	"td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"td.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12px}\n"
	"tbody tr:hover{background:#f3f6fb}\n"
	".dim{color:var(--dim)}\n"
	".badge{display:inline-block;padding:0 "
	"6px;border-radius:3px;font-size:11px;font-weight:600;"
	"background:#e8edf3;color:#3d4a5c}\n"
	".badge.user{background:#dfe8f5;color:" VH_C_USER
	"}.badge.kernel{background:#fbead7;color:#a65c12}\n"
	".badge.ok{background:#e0f0e3;color:#2f6b3a}.badge.bad{background:#f8e0da;color:var(--warn)"
	"}\n"
	".errmsg{color:var(--warn);font-size:12px;overflow-wrap:anywhere}\n"
	"svg.chart{display:block;max-width:100%;height:auto;margin:6px 0}\n"
	"svg.hbar,svg.line{width:100%;max-width:960px}\n"
	"svg text{font-size:12px;fill:#2b3442}\n"
	"svg .sub{fill:#7a8594;font-size:11px}\n"
	"svg .value{fill:#2b3442;font-variant-numeric:tabular-nums}\n"
	"svg .axis text{fill:#6b7684;font-size:11px}\n"
	"svg .axis-label{fill:#5f6b7a!important;font-size:12px!important}\n"
	"svg .grid{stroke:#e6e9ee}svg .tick{stroke:#9aa4b1}\n"
	"svg .ref{stroke:#555;stroke-dasharray:4 3}\n"
	"svg .title{font-weight:600;font-size:13px}\n"
	"svg .slot{fill:#7f9cc9}svg .slot:hover,svg .seg:hover{opacity:.8}\n"
	"svg .marker line{stroke:#c0392b;stroke-width:1.2}svg .marker "
	"text{fill:#c0392b;font-size:10px}\n"
	"svg .marker.p50 line{stroke:#2f6b3a}svg .marker.p50 text{fill:#2f6b3a}\n"
	"svg .empty{fill:#9aa4b1}svg .stats{font-size:11px;fill:#4a5563}svg .stats "
	".k{font-weight:600}\n"
	"th.group{text-align:center;border-bottom:1px solid var(--line);cursor:default}\n"
	"tr.detail td{border-top:0;padding-top:0}\n"
	".hist-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:4px "
	"16px}\n"
	".chart-pair{display:grid;grid-template-columns:1fr;gap:0}\n"
	"footer{color:var(--dim);font-size:12px;text-align:center;padding:0 0 24px}\n";

/* Only sorting: every number is already in the markup. */
static const char js[] =
	"document.querySelectorAll('table.sortable').forEach(function(t){\n"
	" t.tHead.querySelectorAll('th[data-col]').forEach(function(th){\n"
	"  var col=+th.dataset.col;th.title='sort';\n"
	"  th.addEventListener('click',function(){\n"
	"   var dir=th.dataset.dir==='desc'?'asc':'desc',tb=t.tBodies[0],groups=[];\n"
	"   th.dataset.dir=dir;\n"
	"   Array.prototype.forEach.call(tb.rows,function(r){\n"
	"    if(r.classList.contains('detail')&&groups.length)groups[groups.length-1].push(r);\n"
	"    else groups.push([r]);});\n"
	"   groups.sort(function(a,b){var x=a[0].cells[col],y=b[0].cells[col],u,v,r;\n"
	"    if(!x||!y)return 0;u=x.dataset.value;v=y.dataset.value;\n"
	"    if(u!==undefined&&v!==undefined){u=u===''?-Infinity:+u;v=v===''?-Infinity:+v;\n"
	"     r=u===v?0:u<v?-1:1;}else r=x.textContent.localeCompare(y.textContent);\n"
	"    return dir==='asc'?r:-r;});\n"
	"   groups.forEach(function(g){g.forEach(function(r){tb.appendChild(r);});});});});});\n";

static void card_open(FILE *out, const char *field, const char *key, bool warn)
{
	fprintf(out,
		"<div class=\"card%s\" data-field=\"%s\"><div class=\"k\">%s</div><div "
		"class=\"v\">",
		warn ? " warn" : "", field, key);
}

static void card_detail(FILE *out)
{
	fputs("</div><div class=\"d\">", out);
}

static void card_close(FILE *out)
{
	fputs("</div></div>\n", out);
}

static double total_exits(const json_t *doc, bool *to_user_only)
{
	const json_t *p = vp_doc_get(doc, "profile"), *w = vp_doc_get(doc, "workloads");
	double sum = NAN;

	*to_user_only = false;
	if (p) {
		if (json_is_true(vp_doc_get(p, "kvm_exit_fired")))
			return vp_doc_num_or(p, "events.kvm_exit", NAN);
		*to_user_only = true;
		return vp_doc_num_or(p, "events.kvm_userspace_exit", NAN);
	}
	for (size_t i = 0; i < json_array_size(w); i++) {
		const json_t *row = json_array_get(w, i);
		double e = vp_doc_num_or(row, "exits_per_op.total", NAN) *
			   vp_doc_num_or(row, "ops", NAN);

		if (!isnan(e))
			sum = (isnan(sum) ? 0 : sum) + round(e);
	}
	return sum;
}

static void workloads_card(FILE *out, const json_t *w)
{
	size_t ran = 0, n = json_array_size(w), shown = 0;

	for (size_t i = 0; i < n; i++)
		ran += json_is_true(vp_doc_get(json_array_get(w, i), "ran"));
	card_open(out, "workloads", "Workloads", ran < n);
	fprintf(out, "%zu of %zu ran", ran, n);
	card_detail(out);
	for (size_t i = 0; i < n; i++) {
		if (json_is_true(vp_doc_get(json_array_get(w, i), "ran")))
			continue;
		fputs(shown++ ? ", " : "did not run: ", out);
		vh_text_at(out, json_array_get(w, i), "name");
	}
	if (!shown)
		fputs("all profiled", out);
	card_close(out);
}

static void cards(FILE *out, const json_t *doc)
{
	const json_t *meta = vp_doc_get(doc, "meta"), *lost = vp_doc_get(meta, "lost"),
		     *notes = vp_doc_get(meta, "notes");
	const json_t *prof = vp_doc_get(doc, "profile"), *v;
	double lost_sum = 0, total, cpus;
	bool user_only;
	const char *key;
	char b[48], r[32], hooks[64];

	fputs("<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">\n", out);
	card_open(out, "accelerator", "Accelerator", false);
	vh_text_at(out, meta, "accelerator");
	card_detail(out);
	v = vp_doc_get(meta, "vm_exits_measured");
	fputs(json_is_boolean(v) ? (json_is_true(v) ? "VM exits measured" : "VM exits not measured")
				 : VH_DASH,
	      out);
	if (vp_doc_hooks_text(meta, hooks, sizeof(hooks))) {
		fputs("<br>", out);
		vh_esc(out, hooks);
	}
	card_close(out);

	card_open(out, "attribution", "Attribution source", false);
	vh_text_at(out, meta, "attribution.source");
	card_detail(out);
	vh_text_at(out, meta, "attribution.detail");
	card_close(out);

	card_open(out, "host_kernel", "Host kernel", false);
	vh_text_at(out, meta, "host.kernel");
	card_detail(out);
	fputs("uname -r", out);
	card_close(out);

	card_open(out, "host_cpu", "Host CPUs", false);
	cpus = vp_doc_num_or(meta, "host.cpus", NAN);
	fputs(vh_fmt_raw(cpus, b, sizeof(b))[0] ? b : VH_DASH, out);
	card_detail(out);
	vh_text_at(out, meta, "host.cpu_vendor");
	fputs(" \xc2\xb7 ", out);
	vh_text_at(out, meta, "host.cpu_model");
	card_close(out);

	card_open(out, "qemu", "QEMU version", false);
	vh_text_at(out, meta, "qemu.version");
	card_detail(out);
	vh_text_at(out, meta, "qemu.binary");
	v = vp_doc_get(meta, "qemu.usdt");
	if (json_is_boolean(v))
		fputs(json_is_true(v) ? " \xc2\xb7 USDT probes" : " \xc2\xb7 no USDT probes", out);
	card_close(out);

	if (prof) {
		card_open(out, "target", "Target", false);
		vh_text_at(out, prof, "target.comm");
		card_detail(out);
		fprintf(out, "pid %s",
			vh_or_dash(
				vh_fmt_raw(vp_doc_num_or(prof, "target.pid", NAN), r, sizeof(r))));
		fprintf(out, " \xc2\xb7 %s vCPUs",
			vh_or_dash(vh_fmt_raw(vp_doc_num_or(prof, "target.vcpus", NAN), r,
					      sizeof(r))));
		if (json_is_true(vp_doc_get(prof, "target.exited")))
			fputs(" \xc2\xb7 exited during the profile", out);
		card_close(out);
	}

	if (json_is_array(vp_doc_get(doc, "workloads")))
		workloads_card(out, vp_doc_get(doc, "workloads"));

	card_open(out, "duration", "Duration", false);
	fputs(vp_fmt_ns(vp_doc_num_or(meta, "duration_s", NAN) * 1e9, b, sizeof(b)), out);
	card_detail(out);
	fputs("created ", out);
	vh_text_at(out, meta, "created");
	card_close(out);

	total = total_exits(doc, &user_only);
	card_open(out, "total_exits", "Total exits", false);
	fprintf(out, "<span data-value=\"%s\">%s</span>", vh_fmt_raw(total, r, sizeof(r)),
		vp_fmt_count(total, b, sizeof(b)));
	card_detail(out);
	if (prof && !user_only)
		fprintf(out, "%s to QEMU",
			vp_fmt_count(vp_doc_num_or(prof, "events.kvm_userspace_exit", NAN), b,
				     sizeof(b)));
	else if (prof)
		fputs("exits to QEMU only: kvm_exit did not fire", out);
	else
		fprintf(out, "on the devices under test, %zu workloads",
			json_array_size(vp_doc_get(doc, "workloads")));
	card_close(out);

	json_object_foreach ((json_t *)lost, key, v)
		lost_sum += json_is_number(v) ? json_number_value(v) : 0;
	card_open(out, "lost", "Lost events", lost_sum > 0);
	fprintf(out, "<span data-value=\"%s\">%s</span>",
		vh_fmt_raw(lost ? lost_sum : NAN, r, sizeof(r)),
		vp_fmt_count(lost ? lost_sum : NAN, b, sizeof(b)));
	card_detail(out);
	if (!lost_sum)
		fputs(lost ? "complete run" : VH_DASH, out);
	json_object_foreach ((json_t *)lost, key, v)
		if (json_is_number(v) && json_number_value(v) > 0) {
			vh_esc(out, key);
			fprintf(out, " %s ", vp_fmt_count(json_number_value(v), b, sizeof(b)));
		}
	card_close(out);

	card_open(out, "notes", "Notes", json_array_size(notes) > 0);
	fprintf(out, "%zu", json_array_size(notes));
	card_detail(out);
	fputs(json_array_size(notes) ? "see below" : "none", out);
	card_close(out);
	fputs("</div>\n", out);

	if (json_array_size(notes)) {
		fputs("<ul id=\"notes\" class=\"notes\">", out);
		for (size_t i = 0; i < json_array_size(notes); i++) {
			fputs("<li>", out);
			vh_esc(out, vh_or_dash(json_string_value(json_array_get(notes, i))));
			fputs("</li>", out);
		}
		fputs("</ul>\n", out);
	}
	fputs("</section>\n", out);
}

static void profile_sections(FILE *out, const json_t *doc, const json_t *p)
{
	if (json_array_size(vp_doc_get(p, "exit_reasons"))) {
		fputs("<section id=\"exit-reasons\"><h2>Exit reasons by time</h2>\n<p "
		      "class=\"lede\">Total time "
		      "per vCPU and reason.  Exits to QEMU are charged with the VMM's handling "
		      "time; in-kernel "
		      "exits with KVM's, excluding any time in QEMU.</p>\n",
		      out);
		vh_exit_reason_chart(out, p);
		vh_table(out, &vp_table_exit_reasons, doc, vp_doc_get(p, "exit_reasons"));
		fputs("</section>\n", out);
	}
	if (json_array_size(vp_doc_get(p, "devices"))) {
		fputs("<section id=\"devices\"><h2>Devices</h2>\n<p class=\"lede\">Guest accesses "
		      "per device: "
		      "those that exited to QEMU, and those KVM served itself (ioeventfd, "
		      "coalesced MMIO, "
		      "in-kernel devices).</p>\n",
		      out);
		vh_device_chart(out, p);
		vh_table(out, &vp_table_devices, doc, vp_doc_get(p, "devices"));
		fputs("</section>\n", out);
	}
	vh_latency_section(out, p);
	vh_timeline_section(out, p);
	vh_slowest_section(out, doc, p);
	if (json_array_size(vp_doc_get(p, "vcpus"))) {
		fputs("<section id=\"vcpus\"><h2>vCPUs</h2>\n", out);
		vh_table(out, &vp_table_vcpus, doc, vp_doc_get(p, "vcpus"));
		fputs("</section>\n", out);
	}
	if (json_array_size(vp_doc_get(p, "accesses"))) {
		fputs("<section id=\"accesses\"><h2>Ports and addresses</h2>\n", out);
		vh_table(out, &vp_table_accesses, doc, vp_doc_get(p, "accesses"));
		fputs("</section>\n", out);
	}
}

static void compare_sections(FILE *out, const json_t *doc)
{
	const json_t *w = vp_doc_get(doc, "workloads"), *s = vp_doc_get(doc, "speedups");

	if (json_is_array(s)) {
		fputs("<section id=\"speedups\"><h2>Paravirtual speed-up</h2>\n<p "
		      "class=\"lede\">Emulated over "
		      "paravirtual, per group: median time per guest operation, and device exits "
		      "per "
		      "operation.  Above 1\xc3\x97 the paravirtual device wins.</p>\n",
		      out);
		vh_table(out, &vp_table_speedups, doc, s);
		vh_speedup_chart(out, s);
		fputs("</section>\n", out);
	}
	if (json_is_array(w)) {
		fputs("<section id=\"workloads\"><h2>Workloads</h2>\n<p class=\"lede\">Time per "
		      "operation is the "
		      "median of the unprofiled runs, spread is the interquartile range / median.  "
		      "Exits and host "
		      "time are per operation on the device under test, from the profiled "
		      "run.</p>\n",
		      out);
		vh_table(out, &vp_table_workloads, doc, w);
		fputs("<h3>Device accesses per operation</h3>\n", out);
		vh_workload_exit_chart(out, w);
		fputs("</section>\n", out);
	}
}

static void nav_link(FILE *out, bool show, const char *id, const char *text)
{
	if (show)
		fprintf(out, "<a href=\"#%s\">%s</a>", id, text);
}

int vp_html_render(const json_t *doc, FILE *out)
{
	const json_t *meta = vp_doc_get(doc, "meta"), *p = vp_doc_get(doc, "profile");
	const char *cmd = vp_doc_str(meta, "command");

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n<title>vmexit-prof: ",
	      out);
	if (p) {
		fputs("profile of ", out);
		vh_text_at(out, p, "target.comm");
	} else
		fputs("workload comparison", out);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header><h1>vmexit-prof ",
		css);
	fputs(p ? "profile" : "workload comparison", out);
	fputs("</h1><div class=\"meta\">", out);
	vh_esc(out, vh_or_dash(cmd));
	fputs(" \xc2\xb7 created ", out);
	vh_text_at(out, meta, "created");
	fputs(" \xc2\xb7 vmexit-prof ", out);
	vh_text_at(out, meta, "tool_version");
	fputs(" \xc2\xb7 schema ", out);
	vh_text_at(out, doc, "schema");
	fputs("</div></header>\n<nav>", out);
	nav_link(out, true, "summary", "Summary");
	nav_link(out, json_array_size(vp_doc_get(p, "exit_reasons")), "exit-reasons",
		 "Exit reasons");
	nav_link(out, json_array_size(vp_doc_get(p, "devices")), "devices", "Devices");
	nav_link(out,
		 json_array_size(vp_doc_get(p, "exit_reasons")) ||
			 json_array_size(vp_doc_get(p, "devices")),
		 "latency", "Latency");
	nav_link(out, json_array_size(vp_doc_get(p, "timeline.samples")), "timeline", "Timeline");
	nav_link(out, json_array_size(vp_doc_get(p, "slowest_exits")), "slowest", "Slowest exits");
	nav_link(out, json_is_array(vp_doc_get(doc, "speedups")), "speedups", "Speed-up");
	nav_link(out, json_is_array(vp_doc_get(doc, "workloads")), "workloads", "Workloads");
	fputs("</nav>\n<main>\n", out);
	cards(out, doc);
	if (p)
		profile_sections(out, doc, p);
	compare_sections(out, doc);
	fputs("</main>\n<footer>Rendered by vmexit-prof from a ", out);
	vh_text_at(out, doc, "schema");
	fprintf(out, " document.</footer>\n<script>\n%s</script>\n</body></html>\n", js);
	return ferror(out) ? -EIO : 0;
}

static int render_to(FILE *f, void *doc)
{
	return vp_html_render(doc, f);
}

int vp_html_write(const json_t *doc, const char *path, char *err, size_t errlen)
{
	int rc = vp_atomic_write(path, render_to, (void *)doc);

	if (rc)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	return rc;
}
