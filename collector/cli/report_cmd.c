// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "report_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cli_options.h"
#include "doc_access.h"
#include "doc_reader.h"
#include "errors.h"
#include "metrics.h"
#include "report_html.h"
#include "doc_writer.h"
#include "qemu_trace_doc.h"
#include "recording_doc.h"
#include "text_report.h"

void vp_print_report_usage(FILE *out)
{
	fputs("Usage: vmexit-prof report FILE [--html OUT.html] [--json OUT.json]\n"
	      "                          [--metrics OUT.prom [--metrics-format F]] [--color "
	      "auto|always|never]\n"
	      "       vmexit-prof report --qemu-trace TRACE [...]\n"
	      "Print the report of a result document (reports/doc/SCHEMA.md) or of a\n"
	      "recording (`vmexit-prof record`) on the terminal,\n"
	      "or of a trace QEMU wrote with its simple backend (-trace events=FILE,file=TRACE,\n"
	      "FILE from `vmexit-prof trace-events`) or through LTTng-UST (TRACE the session's\n"
	      "output directory, the events enabled as qemu:NAME): neither root nor BPF is\n"
	      "needed.\n\n"
	      "  -Q, --qemu-trace TRACE  read QEMU's trace instead of a document: a file is a\n"
	      "                     simple trace, a directory LTTng's CTF traces under it\n"
	      "  -H, --html OUT     also write the HTML report (one self-contained page)\n"
	      "  -j, --json OUT     also write the document back, normalized (sorted keys)\n"
	      "  -m, --metrics OUT  also write a profile's metrics for Prometheus\n"
	      "  -F, --metrics-format F  prometheus (default: text 0.0.4, as node_exporter's\n"
	      "                     textfile collector reads) or openmetrics (1.0.0)\n"
	      "  -c, --color WHEN   auto (a terminal, TERM not dumb, NO_COLOR unset), always, "
	      "never\n"
	      "Exit status: 0 done, 1 stdout not writable, 2 bad input (options, document,\n"
	      "output file).\n",
	      out);
}

enum color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct report_opts {
	const char *in, *json, *html, *metrics;
	enum vp_metrics_format metrics_format;
	bool qemu_trace; /* in is QEMU's trace: simple (a file) or LTTng-UST */
	enum color color;
	bool help;
};

static const struct option report_longopts[] = {
	{ "html", required_argument, NULL, 'H' },
	{ "qemu-trace", required_argument, NULL, 'Q' },
	{ "json", required_argument, NULL, 'j' },
	{ "color", required_argument, NULL, 'c' },
	{ "metrics", required_argument, NULL, 'm' },
	{ "metrics-format", required_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse(int argc, char **argv, struct report_opts *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->metrics_format = VP_METRICS_PROMETHEUS;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":H:j:c:m:F:Q:h", report_longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
		case 'j':
			if (!*optarg)
				goto bad_value;
			*(c == 'H' ? &o->html : &o->json) = optarg;
			break;
		case 'm':
			if (!*optarg)
				goto bad_value;
			o->metrics = optarg;
			break;
		case 'F':
			if (!strcmp(optarg, "prometheus"))
				o->metrics_format = VP_METRICS_PROMETHEUS;
			else if (!strcmp(optarg, "openmetrics"))
				o->metrics_format = VP_METRICS_OPENMETRICS;
			else
				goto bad_value;
			break;
		case 'c':
			if (!strcmp(optarg, "auto"))
				o->color = COLOR_AUTO;
			else if (!strcmp(optarg, "always"))
				o->color = COLOR_ALWAYS;
			else if (!strcmp(optarg, "never"))
				o->color = COLOR_NEVER;
			else
				goto bad_value;
			break;
		case 'Q':
			o->in = optarg;
			o->qemu_trace = true;
			break;
		case 'h': o->help = true; return 0;
		default: return vp_getopt_error(c, argv, "report", err, errlen);
		}
	}
	if (optind >= argc && !o->qemu_trace) {
		snprintf(err, errlen, "report: FILE.json is required (see report --help)");
		return -EINVAL;
	}
	if (!o->qemu_trace)
		o->in = argv[optind++];
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see report --help)", argv[optind]);
		return -EINVAL;
	}
	return 0;
bad_value:
	snprintf(err, errlen, "invalid value '%s' for --%s", optarg,
		 vp_option_name(report_longopts, c));
	return -EINVAL;
}

static void terminal_style(enum color color, struct vp_text_style *st)
{
	vp_tt_style_auto(STDOUT_FILENO, st);
	if (color != COLOR_AUTO)
		st->color = color == COLOR_ALWAYS;
}

/* jansson reports a failed write as -EIO whatever the cause; the common
 * cause, a directory that is missing or read-only, has a better name. */
static const char *write_error(const char *path, int ret)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0'; /* "/out.json": the root */
	else
		*slash = '\0';
	if (ret == -EIO && access(dir, W_OK))
		return strerror(errno);
	return strerror(-ret);
}

struct metrics_arg {
	const json_t *doc;
	enum vp_metrics_format fmt;
};

static int render_metrics(FILE *f, void *arg)
{
	const struct metrics_arg *m = arg;

	return vp_metrics_render(f, m->doc, m->fmt);
}

static int write_metrics(const char *path, const json_t *doc, enum vp_metrics_format fmt)
{
	struct metrics_arg m = { doc, fmt };

	return vp_atomic_write(path, render_metrics, &m);
}

int vp_report_main(int argc, char **argv)
{
	struct report_opts o;
	struct vp_text_style st;
	char err[512];
	json_t *doc;
	int ret;

	if (parse(argc, argv, &o, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.help) {
		vp_print_report_usage(stdout);
		return 0;
	}
	if (o.qemu_trace)
		doc = vp_qemu_trace_doc(o.in, err, sizeof(err));
	else if (vp_is_recording(o.in))
		doc = vp_recording_doc(o.in, err, sizeof(err));
	else
		doc = vp_doc_load(o.in, err, sizeof(err));
	if (!doc) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.html && !vp_doc_get(doc, "profile") && !vp_doc_get(doc, "workloads")) {
		vp_error("%s: a run document has no HTML report (its terminal report has it all)",
			 o.in);
		json_decref(doc);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.metrics && !vp_doc_get(doc, "profile")) {
		vp_error("%s: only a profile (--pid) document has metrics", o.in);
		json_decref(doc);
		return VP_EXIT_BAD_INPUT;
	}
	/* Files first: a bad output path is bad input, and stdout stays empty. */
	if (o.json && (ret = vp_json_dump_atomic(json_incref(doc), o.json))) {
		vp_error("cannot write %s: %s", o.json, write_error(o.json, ret));
		json_decref(doc);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.html && vp_html_write(doc, o.html, err, sizeof(err))) {
		vp_error("cannot write %s", err);
		json_decref(doc);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.metrics && (ret = write_metrics(o.metrics, doc, o.metrics_format))) {
		vp_error("cannot write %s: %s", o.metrics, write_error(o.metrics, ret));
		json_decref(doc);
		return VP_EXIT_BAD_INPUT;
	}
	terminal_style(o.color, &st);
	vp_text_render(stdout, doc, &st);
	json_decref(doc);
	if (fflush(stdout) || ferror(stdout)) {
		vp_error("cannot write the report to stdout: %s", strerror(errno));
		return 1;
	}
	return 0;
}
