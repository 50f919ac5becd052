// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "vmexit_source.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_memory.h"
#include "devices.h"
#include "growbuf.h"
#include "host_checks.h"
#include "stats_reader.h"
#include "vmexit.skel.h"

/* Without these the profiler has nothing to say; the rest are optional. */
static const char *const required_tracepoints[] = {
	"kvm_userspace_exit", "kvm_pio", "kvm_mmio", "sys_enter", "sys_exit",
};

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	/* Without --verbose, failures become our own one-line error. */
	if (!verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static bool is_required(const char *name)
{
	for (size_t i = 0; i < sizeof(required_tracepoints) / sizeof(required_tracepoints[0]); i++)
		if (!strcmp(name, required_tracepoints[i]))
			return true;
	return false;
}

/* The tp_btf twin of a kvm tracepoint's classic program, if there is one. */
static struct bpf_program *btf_twin(struct bpf_object *obj, const char *event)
{
	struct bpf_program *prog;
	char sec[80];

	snprintf(sec, sizeof(sec), "tp_btf/%s", event);
	bpf_object__for_each_program(prog, obj)
	{
		if (!strcmp(bpf_program__section_name(prog), sec))
			return prog;
	}
	return NULL;
}

/*
 * Programs are named by section, "tp/<category>/<event>" or its twin
 * "tp_btf/<event>": keep one of each pair, of flavour f, for the
 * tracepoints the kernel has.
 */
static int select_programs(struct vp_live *l, const char *tracefs, enum vp_tp_flavour f, char *err,
			   size_t errlen)
{
	struct bpf_program *prog;

	/* A tp_btf program is kept, or not, with its classic twin below. */
	bpf_object__for_each_program(prog, l->skel->obj)
	{
		if (!strncmp(bpf_program__section_name(prog), "tp_btf/", 7))
			bpf_program__set_autoload(prog, false);
	}
	bpf_object__for_each_program(prog, l->skel->obj)
	{
		char category[64], event[64];
		const char *sec = bpf_program__section_name(prog);
		struct bpf_program *twin;
		bool have;

		if (sscanf(sec, "tp/%63[^/]/%63s", category, event) != 2)
			continue;
		have = vp_tracepoint_exists(tracefs, category, event);
		twin = btf_twin(l->skel->obj, event);
		if (!have && is_required(event)) {
			snprintf(err, errlen,
				 "this kernel has no %s:%s tracepoint (is KVM enabled?)", category,
				 event);
			return -ENOENT;
		}
		if (!have) {
			size_t used = strlen(l->missing);

			snprintf(l->missing + used, sizeof(l->missing) - used, "%s%s",
				 used ? " " : "", event);
		}
		/* kvm_exit's twin reads the reason from SVM's state (vmexit.bpf.c). */
		if (twin && !strcmp(event, "kvm_exit") && access("/sys/module/kvm_amd", F_OK))
			twin = NULL;
		bpf_program__set_autoload(prog, have && !(twin && f == VP_TP_BTF));
		if (twin)
			bpf_program__set_autoload(twin, have && f == VP_TP_BTF);
	}
	return 0;
}

int vp_live_update_vcpus(struct vp_live *l, const struct vp_target *t)
{
	int fd = bpf_map__fd(l->skel->maps.vcpu_fds);

	for (int i = 0; i < t->nr_vcpus; i++) {
		struct vp_vcpu_fd v = { .vcpu = t->vcpus[i].vcpu,
					.run_addr = t->vcpus[i].run_addr };
		struct vp_vcpu_fd_key key = { .tgid = (__u32)t->pid, .fd = (__u32)t->vcpus[i].fd };

		if (bpf_map_update_elem(fd, &key, &v, BPF_ANY))
			return -errno;
	}
	return 0;
}

void vp_marker_ports(struct vp_port_span spans[VP_MARKER_SPANS])
{
	const struct vp_device *d = vp_device_by_id("fw_cfg");

	for (size_t i = 0; i < VP_MARKER_SPANS; i++) {
		bool used = i < d->nports;

		spans[i].first = used ? d->ports[i].first : 1;
		spans[i].last = used ? d->ports[i].last : 0;
	}
}

uint32_t vp_stats_entries(int ncpus)
{
	uint64_t each =
		VP_STATS_ENTRY_BYTES + (uint64_t)sizeof(struct vp_stat) * (ncpus > 0 ? ncpus : 1);
	uint64_t fit = ((uint64_t)VP_STATS_BUDGET_MIB << 20) / each;

	return fit < VP_MAX_STATS ? (uint32_t)fit : VP_MAX_STATS;
}

/* The option values, in enum order. */
static const char *const run_hook_names[] = { "auto", "none", "fentry", "syscalls" };
static const char *const tp_flavour_names[] = { "auto", "btf", "classic" };
#define VP_NAMES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* name's index in names[0..n), -EINVAL when it is none of them. */
static int name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -EINVAL;
}

const char *vp_run_hook_name(enum vp_run_hook h)
{
	return run_hook_names[h];
}

int vp_run_hook_parse(const char *name, enum vp_run_hook *h)
{
	int i = name_index(run_hook_names, VP_NAMES(run_hook_names), name);

	if (i < 0)
		return i;
	*h = i;
	return 0;
}

const char *vp_tp_flavour_name(enum vp_tp_flavour f)
{
	return tp_flavour_names[f];
}

int vp_tp_flavour_parse(const char *name, enum vp_tp_flavour *f)
{
	int i = name_index(tp_flavour_names, VP_NAMES(tp_flavour_names), name);

	if (i < 0)
		return i;
	*f = i;
	return 0;
}

/* Keeps only the KVM_RUN pair of hook h, or none. */
static void select_run_hook(struct vmexit *skel, enum vp_run_hook h)
{
	bool fentry = h == VP_RUN_HOOK_FENTRY, syscalls = h == VP_RUN_HOOK_SYSCALLS;

	bpf_program__set_autoload(skel->progs.fentry_kvm_run, fentry);
	bpf_program__set_autoload(skel->progs.fexit_kvm_run, fentry);
	bpf_program__set_autoload(skel->progs.tp_sys_enter, syscalls);
	bpf_program__set_autoload(skel->progs.tp_sys_exit, syscalls);
	skel->rodata->count_at_entry = h == VP_RUN_HOOK_NONE;
}

/* A PVM host's kvm_exit and kvm_entry never fire: there the VMM's time
 * can only be bounded by a KVM_RUN hook. */
static bool kvm_entry_fires(void)
{
	return access("/sys/module/kvm_pvm", F_OK) != 0;
}

/* One attempt with one KVM_RUN hook: open, configure, load, attach. */
static int open_with(struct vp_live *l, const struct vp_target *t, const struct vp_live_opts *o,
		     const char *tracefs, enum vp_tp_flavour f, enum vp_run_hook h, char *err,
		     size_t errlen)
{
	int ret;

	l->missing[0] = '\0';
	l->skel = vmexit__open();
	if (!l->skel) {
		ret = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-ret));
		return ret;
	}
	l->hook = h;
	l->flavour = f;
	/* Host-wide: the VMs come and go in the vms map. */
	l->skel->rodata->target_tgid = t ? (__u32)t->pid : 0;
	l->skel->rodata->all_vms = !t;
	l->skel->rodata->target_vcpu = o->vcpu_filter;
	vp_marker_ports((struct vp_port_span *)l->skel->rodata->marker_ports);
	l->skel->rodata->keep_guest_part = o->guest_part;
	l->stats_entries = vp_stats_entries(libbpf_num_possible_cpus());
	l->vcpu_filter = o->vcpu_filter;
	l->recording = o->record_ring_bytes > 0;
	bpf_map__set_max_entries(l->skel->maps.stats, l->stats_entries);
	/* Unused, the table need not cost its preallocated entries. */
	if (!o->guest_part || l->recording)
		bpf_map__set_max_entries(l->skel->maps.guest_stats, 1);
	if (l->recording) {
		/* The recorder's replay aggregates: the kernel keeps no table. */
		l->skel->rodata->record_events = 1;
		bpf_map__set_max_entries(l->skel->maps.events, o->record_ring_bytes);
		bpf_map__set_max_entries(l->skel->maps.stats, 1);
		bpf_map__set_max_entries(l->skel->maps.vcpu_stats, 1);
	}
	ret = select_programs(l, tracefs, f, err, errlen);
	if (ret)
		goto fail;
	select_run_hook(l->skel, h);
	ret = vmexit__load(l->skel);
	if (ret) {
		snprintf(err, errlen, "cannot load the BPF programs: %s%s", strerror(-ret),
			 o->verbose ? "" : " (run with --verbose for the verifier's log)");
		goto fail;
	}
	ret = t ? vp_live_update_vcpus(l, t) : 0;
	if (ret) {
		snprintf(err, errlen, "cannot fill the vCPU map: %s", strerror(-ret));
		goto fail;
	}
	ret = vmexit__attach(l->skel);
	if (ret) {
		snprintf(err, errlen, "cannot attach to the tracepoints: %s", strerror(-ret));
		goto fail;
	}
	return 0;
fail:
	vp_live_close(l);
	return ret < 0 ? ret : -EINVAL;
}

int vp_live_open(struct vp_live *l, const struct vp_target *t, const struct vp_live_opts *o,
		 char *err, size_t errlen)
{
	char tracefs[256];
	int ret = -EINVAL;

	memset(l, 0, sizeof(*l));
	l->pid = t ? t->pid : 0;
	verbose_libbpf = o->verbose;
	libbpf_set_print(libbpf_print);
	if (vp_find_tracefs(tracefs, sizeof(tracefs))) {
		snprintf(err, errlen, "no tracefs with an events directory; is tracefs available?");
		return -ENOENT;
	}
	/* Cheapest first: no KVM_RUN hook at all where kvm_entry fires; a
	 * kernel without kvm's BTF or trampolines still has the classic
	 * tracepoints and the syscall ones, which see every KVM_RUN at the
	 * cost of every other system call. */
	for (enum vp_tp_flavour f = VP_TP_BTF; f <= VP_TP_CLASSIC; f++) {
		if (o->flavour != VP_TP_AUTO && f != o->flavour)
			continue;
		for (enum vp_run_hook h = VP_RUN_HOOK_NONE; h <= VP_RUN_HOOK_SYSCALLS; h++) {
			if (o->hook != VP_RUN_HOOK_AUTO && h != o->hook)
				continue;
			if (o->hook == VP_RUN_HOOK_AUTO && h == VP_RUN_HOOK_NONE &&
			    !kvm_entry_fires())
				continue;
			ret = open_with(l, t, o, tracefs, f, h, err, errlen);
			if (!ret) {
				if (h == VP_RUN_HOOK_FENTRY)
					l->fentry_why[0] = '\0';
				if (f == VP_TP_BTF)
					l->btf_why[0] = '\0';
				return 0;
			}
			if (h == VP_RUN_HOOK_FENTRY)
				snprintf(l->fentry_why, sizeof(l->fentry_why), "%s", err);
			if (f == VP_TP_BTF)
				snprintf(l->btf_why, sizeof(l->btf_why), "%s", err);
		}
	}
	return ret;
}

int vp_live_add_vm(struct vp_live *l, const struct vp_target *t)
{
	__u32 tgid = (__u32)t->pid, one = 1;

	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.vms), &tgid, &one, BPF_ANY))
		return -errno;
	return vp_live_update_vcpus(l, t);
}

/* Deletes the keys of map (of key_size bytes) that mine() says are
 * the VM's: collected first, as deleting while walking restarts a walk. */
static void delete_keys(int fd, size_t key_size, bool (*mine)(const void *key, const void *arg),
			const void *arg)
{
	unsigned char key[64], next[64], *prev = NULL, *doomed = NULL;
	size_t n = 0, cap = 0;

	while (key_size <= sizeof(key) && !bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (!mine(key, arg))
			continue;
		if (vp_grow((void **)&doomed, n, &cap, key_size, 64))
			break;
		memcpy(doomed + n++ * key_size, key, key_size);
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, doomed + i * key_size);
	free(doomed);
}

static bool key_of_vm(const void *key, const void *arg)
{
	return ((const struct vp_key *)key)->vm == *(const __u32 *)arg;
}

static bool fd_of_vm(const void *key, const void *arg)
{
	return ((const struct vp_vcpu_fd_key *)key)->tgid == *(const __u32 *)arg;
}

struct thread_arg {
	int fd;
	__u32 tgid;
};

static bool thread_of_vm(const void *key, const void *arg)
{
	const struct thread_arg *a = arg;
	struct vp_thread t;

	return !bpf_map_lookup_elem(a->fd, key, &t) && t.tgid == a->tgid;
}

void vp_live_remove_vm(struct vp_live *l, int pid)
{
	struct thread_arg ta = { bpf_map__fd(l->skel->maps.threads), (__u32)pid };
	__u32 tgid = (__u32)pid;

	/* Out of the set first: nothing of it is counted while it goes. */
	bpf_map_delete_elem(bpf_map__fd(l->skel->maps.vms), &tgid);
	delete_keys(bpf_map__fd(l->skel->maps.vcpu_fds), sizeof(struct vp_vcpu_fd_key), fd_of_vm,
		    &tgid);
	delete_keys(ta.fd, sizeof(__u32), thread_of_vm, &ta);
	delete_keys(bpf_map__fd(l->skel->maps.stats), sizeof(struct vp_key), key_of_vm, &tgid);
	delete_keys(bpf_map__fd(l->skel->maps.vcpu_stats), sizeof(struct vp_key), key_of_vm, &tgid);
}

int vp_live_read(struct vp_live *l, struct vp_result *r)
{
	int err = vp_read_maps(
		bpf_map__fd(l->skel->maps.stats), bpf_map__fd(l->skel->maps.vcpu_stats),
		bpf_map__fd(l->skel->maps.stats_overflow), bpf_map__fd(l->skel->maps.counters), r);

	if (!err)
		err = vp_read_threads(bpf_map__fd(l->skel->maps.threads),
				      l->skel->rodata->target_vcpu, l->skel->rodata->all_vms,
				      l->hook == VP_RUN_HOOK_NONE, r);
	return err;
}

int vp_live_read_guest(struct vp_live *l, struct vp_result *r, uint64_t *markers)
{
	uint64_t epoch = __atomic_load_n(&l->skel->bss->fw_epoch, __ATOMIC_RELAXED);

	*markers = epoch;
	return vp_read_guest_map(bpf_map__fd(l->skel->maps.guest_stats), epoch, r);
}

uint64_t vp_live_map_bytes(const struct vp_live *l)
{
	return l->skel ? vp_bpf_object_map_bytes(l->skel->obj) : 0;
}

int vp_live_events_fd(const struct vp_live *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int vp_live_rec_lost_fd(const struct vp_live *l)
{
	return bpf_map__fd(l->skel->maps.rec_lost);
}

int vp_rec_lost_read(int fd, uint64_t lost[VP_REC_NTYPES])
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals;

	memset(lost, 0, VP_REC_NTYPES * sizeof(*lost));
	if (ncpus <= 0)
		return -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t type = 0; type < VP_REC_NTYPES; type++) {
		if (bpf_map_lookup_elem(fd, &type, vals)) {
			free(vals);
			return -errno;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			lost[type] += vals[cpu];
	}
	free(vals);
	return 0;
}

void vp_live_detach(struct vp_live *l)
{
	vmexit__detach(l->skel);
}

void vp_live_close(struct vp_live *l)
{
	vmexit__destroy(l->skel);
	l->skel = NULL;
}
