// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "gate_cmd.h"
#include "gate_markdown.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_options.h"
#include "atomic_file.h"
#include "doc_reader.h"
#include "errors.h"

void vp_print_gate_usage(FILE *out)
{
	char names[256];

	vp_gate_metric_list(names, sizeof(names));
	fprintf(out,
		"Usage: vmexit-prof gate --baseline B.json --current C.json [--max-increase PCT]\n"
		"                        [--metric M[,M...]] [--markdown FILE]\n"
		"Compare two documents of `vmexit-prof run --compare --json` workload by workload\n"
		"and print a Markdown summary; fail on a regression.\n\n"
		"  -b, --baseline FILE     the accepted result\n"
		"  -c, --current FILE      the result under test\n"
		"  -x, --max-increase PCT  allowed increase in percent: 5%%, 5 or 2.5%% (default "
		"5%%);\n"
		"                          timing metrics also get the runs' own spread\n"
		"  -m, --metric LIST       compare only these (default all): %s\n"
		"  -o, --markdown FILE     also write the summary to FILE (e.g. "
		"$GITHUB_STEP_SUMMARY)\n"
		"Exit status: 0 within bounds, 1 regression, 2 bad input.\n",
		names);
}

static const struct option gate_longopts[] = {
	{ "baseline", required_argument, NULL, 'b' },
	{ "current", required_argument, NULL, 'c' },
	{ "max-increase", required_argument, NULL, 'x' },
	{ "metric", required_argument, NULL, 'm' },
	{ "markdown", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int vp_parse_percent(const char *s, double *pct)
{
	size_t n = strspn(s, "0123456789.");
	const char *dot = memchr(s, '.', n);
	char *end;

	/* a fraction (0.05) would read as 0.05%: one grammar, percent only */
	if (!n || (s[n] && strcmp(s + n, "%")) || (dot && memchr(dot + 1, '.', n - (dot + 1 - s))))
		return -EINVAL;
	errno = 0;
	*pct = strtod(s, &end);
	if (errno || end != s + n || !isfinite(*pct))
		return -EINVAL;
	return 0;
}

/* Adds each name of the comma-separated list to *mask. */
static int parse_metrics(const char *list, unsigned *mask, char *err, size_t errlen)
{
	char names[256];

	for (const char *p = list;;) {
		size_t n = strcspn(p, ",");
		char one[64];
		int m;

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		m = n < sizeof(one) ? vp_gate_metric_parse(one) : -1;
		if (m < 0) {
			vp_gate_metric_list(names, sizeof(names));
			snprintf(err, errlen, "unknown metric '%.*s' for --metric (known: %s)",
				 (int)(n > 60 ? 60 : n), p, names);
			return -EINVAL;
		}
		*mask |= 1u << m;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

int vp_parse_gate_options(int argc, char **argv, struct vp_gate_options *o, char *err,
			  size_t errlen)
{
	unsigned metrics = 0;
	int c;

	memset(o, 0, sizeof(*o));
	o->config.max_increase_pct = VP_GATE_DEFAULT_MAX_INCREASE;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":b:c:x:m:o:h", gate_longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'c':
		case 'o':
			if (!*optarg)
				goto bad_value;
			*(c == 'b' ? &o->baseline : c == 'c' ? &o->current : &o->markdown) = optarg;
			break;
		case 'x':
			if (vp_parse_percent(optarg, &o->config.max_increase_pct)) {
				snprintf(err, errlen,
					 "invalid value '%s' for --max-increase (a percentage: "
					 "5%%, 5 or 2.5%%)",
					 optarg);
				return -EINVAL;
			}
			break;
		case 'm':
			if (parse_metrics(optarg, &metrics, err, errlen))
				return -EINVAL;
			break;
		case 'h': o->help = true; return 0;
		default: return vp_getopt_error(c, argv, "gate", err, errlen);
		}
	}
	o->config.metrics = metrics ? metrics : VP_GATE_ALL_METRICS;
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (see gate --help)", argv[optind]);
		return -EINVAL;
	}
	if (!o->baseline || !o->current) {
		snprintf(err, errlen, "gate: --%s FILE is required (see gate --help)",
			 o->baseline ? "current" : "baseline");
		return -EINVAL;
	}
	return 0;
bad_value:
	snprintf(err, errlen, "invalid value '%s' for --%s", optarg,
		 vp_option_name(gate_longopts, c));
	return -EINVAL;
}

struct text {
	const char *s;
	size_t len;
};

static int text_to(FILE *f, void *arg)
{
	const struct text *t = arg;

	return fwrite(t->s, 1, t->len, f) == t->len ? 0 : -EIO;
}

static json_t *load(const char *path)
{
	char err[512];
	json_t *doc = vp_doc_load(path, err, sizeof(err));

	if (!doc) {
		vp_error("%s", err);
		return NULL;
	}
	if (!json_is_array(json_object_get(doc, "workloads"))) {
		vp_error("%s: workloads: missing; the gate compares documents of "
			 "`vmexit-prof run --compare --json`",
			 path);
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int vp_gate_main(int argc, char **argv)
{
	struct vp_gate_options o;
	struct vp_gate_result res;
	json_t *base = NULL, *cur = NULL;
	char err[512], *text = NULL;
	size_t len = 0;
	int ret = VP_EXIT_BAD_INPUT, r;
	FILE *md;

	if (vp_parse_gate_options(argc, argv, &o, err, sizeof(err))) {
		vp_error("%s", err);
		return VP_EXIT_BAD_INPUT;
	}
	if (o.help) {
		vp_print_gate_usage(stdout);
		return 0;
	}
	base = load(o.baseline);
	if (!base)
		return VP_EXIT_BAD_INPUT;
	cur = load(o.current);
	if (!cur)
		goto out;
	if (vp_gate_compare(base, cur, &o.config, &res)) {
		vp_error("gate: out of memory");
		goto out;
	}
	/* rendered once, so stdout and the file cannot differ, and written to
	 * the file first, so a failed write leaves stdout empty */
	md = open_memstream(&text, &len);
	if (!md) {
		vp_error("gate: out of memory");
		goto free_res;
	}
	vp_gate_markdown(md, o.baseline, o.current, &o.config, &res);
	if (fclose(md)) {
		vp_error("gate: out of memory");
		goto free_res;
	}
	if (o.markdown && (r = vp_atomic_write(o.markdown, text_to, &(struct text){ text, len }))) {
		vp_error("cannot write %s: %s", o.markdown, strerror(-r));
		goto free_res;
	}
	fwrite(text, 1, len, stdout);
	ret = res.nregressions ? 1 : 0;
free_res:
	free(text);
	vp_gate_result_free(&res);
out:
	json_decref(base);
	json_decref(cur);
	return ret;
}
