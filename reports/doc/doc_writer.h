/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Building the result document (reports/doc/SCHEMA.md) that every report and
 * the gate read.  The profile and the comparison share its metadata part.
 */
#ifndef VP_DOC_WRITER_H
#define VP_DOC_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "attribution.h"
#include "doc_reader.h"
#include "result.h"
#include "replay.h"
#include "timeline.h"

#define VP_DOC_MAX_NOTES 8

struct vp_doc_meta {
	const char *command;	 /* "profile" or "compare" */
	const char *source;	 /* NULL: live; "qemu-simple-trace", "qemu-ust-trace": a trace;
			     * "recording": a recording read back */
	const json_t *host;	 /* the host's facts (vp_doc_host); NULL: this host's */
	const char *accelerator; /* "kvm", "tcg" or NULL (unknown) */
	const char *qemu_binary; /* NULL: unknown */
	const char *qemu_version;
	bool qemu_usdt;
	bool vm_exits_measured;
	const char *kvm_run_hook;	/* "fentry", "syscalls"; NULL: KVM_RUN not hooked */
	const char *kvm_tracepoints;	/* "btf", "classic"; NULL: not attached */
	const char *attribution_source; /* vp_attr_source_name() */
	const char *attribution_detail;
	double duration_s; /* < 0: not applicable */
	uint64_t stats_full, threads_full, kvm_run_unreadable;
	uint64_t usdt_counts_dropped, usdt_names_dropped;
	uint64_t trace_dropped; /* events QEMU or LTTng dropped from the trace, or (a
				 * recording) the recorder's ring buffer */
	const char *notes[VP_DOC_MAX_NOTES];
	size_t nnotes;
};

/* A document holding only its schema and meta (host facts filled in here);
 * the caller adds "profile" or "workloads". */
json_t *vp_doc_new(const struct vp_doc_meta *m);
/* This host's facts: kernel, CPU vendor and model, CPUs. */
json_t *vp_doc_host(void);
/* A latency object, or JSON null without a timed sample. */
json_t *vp_json_latency(const struct vp_stat *st);
/* Any bytes as a JSON string: invalid UTF-8 becomes '?'. */
json_t *vp_json_text(const char *s);
/* A number, or null when v < 0 (unknown). */
json_t *vp_json_num_or_null(double v);

struct vp_profile_input {
	const struct vp_result *r;
	const struct vp_device_total *dev;
	size_t ndev;
	const struct vp_attribution *a;
	const struct vp_timeline *tl;	 /* NULL: no timeline */
	const struct vp_slow_exit *slow; /* a recording's slowest exits; NULL: none */
	size_t nslow;
};

/* The "profile" section. */
json_t *vp_profile_json(const struct vp_profile_input *in);
/* "QEMU emulator version 7.2.13 (...)" of a binary (run with --version),
 * or "" when it cannot be run. */
void vp_qemu_version(const char *binary, char *out, size_t len);

/*
 * Writes doc (and drops the reference) atomically: a temporary file, then a
 * rename, so a reader never sees half a document.  NULL doc: -EINVAL.
 */
int vp_json_dump_atomic(json_t *doc, const char *path);
/* The way every command writes its document: checked first by the reader's
 * own rules (doc.h), so a document vmexit-prof writes is one it reads; then
 * vp_json_dump_atomic.  0, or -errno with one line in err. */
int vp_doc_save(json_t *doc, const char *path, char *err, size_t errlen);

#endif
