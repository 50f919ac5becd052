#!/usr/bin/env python3
"""Tracing overhead of vmexit-prof against bpftrace and perf record, side by side.

Runs one workload six ways in one run, interleaved round by round so machine
noise hits every configuration alike: untraced, traced by vmexit-prof as it
chooses (where kvm_entry fires nothing hooks KVM_RUN, the kvm tracepoints
read as tp_btf), by vmexit-prof with KVM_RUN seen by fentry on
kvm_arch_vcpu_ioctl_run, by vmexit-prof through its fallbacks (the
raw_syscalls tracepoints, the kvm tracepoints' records: --run-hook syscalls
--tracepoints classic, what a kernel without BTF for kvm gets), by an
equivalent bpftrace script (the same tracepoints vmexit-prof chooses on this
host), and under `perf record` of those tracepoints.
A way the kernel cannot attach is said so and left out.  Prints each traced/untraced ratio of the
workload's own elapsed time (medians), and the kernel-side cost per event from
kernel.bpf_stats_enabled, which does not depend on machine noise: all programs
together per exit, against bpftrace's, and per program; then each tracer's
attach time (start to ready) and peak resident memory.

Workloads:
  port, mmio, cpuid  the test VMM's guest making --exits exits of that kind:
         port writes, MMIO writes, CPUID (needs a usable /dev/kvm);
  storm  the same number of ioctl(KVM_RUN) calls on a non-KVM fd, the profiled
         process itself: what a tracer on the system-call path taxes a process
         that makes system calls; measurable on any host.  A KVM_RUN that
         never reaches KVM is no exit, so a tracer that hooks KVM itself
         costs it nothing.
  bystander  the storm's calls made by an unrelated process while the tracer
         profiles a VM (the test VMM's, idle; needs a usable /dev/kvm): what
         profiling one VM taxes the rest of the host.

With --before BUILD_DIR, vmexit-prof as built there (an earlier commit)
runs beside the others as vmexit-prof-before: a change's before and after
measured in the same rounds; --compare NAME=BUILD_DIR (repeatable) adds
more builds as vmexit-prof-NAME.  --tracers keeps only the named ones.

usage: overhead.py BUILD_DIR [--exits N] [--rounds R] [--workload port|mmio|cpuid|storm|bystander|all]
                   [--before BUILD_DIR] [--compare NAME=BUILD_DIR] [--tracers NAME,...]
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# BEGIN runs once every probe is attached: its line is bpftrace's ready line.
# Each script does what vmexit-prof does on such a host: where kvm_entry
# fires, the kvm tracepoints alone bound each exit; elsewhere KVM_RUN is seen
# on the system-call path.
BPFTRACE_COUNTS = r"""
BEGIN { printf("traced\n"); }
tracepoint:kvm:kvm_pio /pid == $1/ { @pio[args->port, args->rw, args->size] = count(); }
tracepoint:kvm:kvm_mmio /pid == $1/ { @mmio[args->gpa, args->type, args->len] = count(); }
tracepoint:kvm:kvm_cpuid /pid == $1/ { @cpuid[args->function] = count(); }
"""
BPFTRACE_ENTRY = BPFTRACE_COUNTS + r"""
tracepoint:kvm:kvm_exit /pid == $1/ { @kexit_ts[tid] = nsecs; @hw[args->exit_reason] = count(); }
tracepoint:kvm:kvm_userspace_exit /pid == $1/ { @exit_ts[tid] = nsecs; @reason[args->reason] = count(); }
tracepoint:kvm:kvm_entry /pid == $1/ {
  if (@exit_ts[tid]) { @vmm_ns = hist(nsecs - @exit_ts[tid]); delete(@exit_ts[tid]); }
  if (@kexit_ts[tid]) { @kernel_ns = hist(nsecs - @kexit_ts[tid]); delete(@kexit_ts[tid]); }
}
"""
BPFTRACE_SYSCALLS = BPFTRACE_COUNTS + r"""
tracepoint:kvm:kvm_userspace_exit /pid == $1/ { @exit_ts[tid] = nsecs; @reason[args->reason] = count(); }
tracepoint:raw_syscalls:sys_enter /pid == $1 && args->id == 16 && args->args[1] == 0xae80/ {
  @run_ts[tid] = nsecs;
  if (@exit_ts[tid]) { @vmm_ns = hist(nsecs - @exit_ts[tid]); delete(@exit_ts[tid]); }
}
tracepoint:raw_syscalls:sys_exit /pid == $1 && @run_ts[tid]/ { @run_ns = hist(nsecs - @run_ts[tid]); delete(@run_ts[tid]); }
"""
# Where kvm_entry fires: not on a PVM host, whose KVM never reports it.
KVM_ENTRY_FIRES = not os.path.exists("/sys/module/kvm_pvm")
PERF_EVENTS = ["kvm:kvm_userspace_exit", "kvm:kvm_pio", "kvm:kvm_mmio", "kvm:kvm_cpuid"] + (
    ["kvm:kvm_exit", "kvm:kvm_entry"] if KVM_ENTRY_FIRES else ["raw_syscalls:sys_enter", "raw_syscalls:sys_exit"])


def wait_line(proc, prefix, timeout=30, seen=None):
    """The first line of proc's output starting with prefix; the lines before
    it go to seen, so a failure can show what the program said instead."""
    end = time.time() + timeout
    while time.time() < end:
        line = proc.stdout.readline()
        if not line:
            return None
        if line.startswith(prefix):
            return line
        if seen is not None:
            seen.append(line.rstrip())
    return None


def prog_ids():
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True).stdout
    return {p["id"]: p for p in json.loads(out or "[]")}


class Workload:
    """Starts the workload paused, reports its pid, runs it and returns elapsed ns."""

    def __init__(self, kind, build, exits):
        self.kind, self.build, self.exits = kind, build, exits

    def spawn(self, cmd):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = wait_line(proc, "ready")
        if not line:
            proc.wait()
            raise RuntimeError(proc.stderr.read().strip() or "workload did not start")
        return proc, line.split()

    def start(self):
        # The VMM lingers after its last exit so the tracer's programs are
        # still loaded when their cost is read.
        counts = {k: "0" for k in ("--out", "--in", "--mmio-write", "--mmio-read", "--cpuid")}
        counts[VMM_KINDS.get(self.kind, "--out")] = str(self.exits)
        vmm = [f"{self.build}/tests/vmm/vmexit-test-vmm", "--wait-signal", "--linger-ms", "1500",
               *(x for kv in counts.items() for x in kv)]
        storm = [f"{self.build}/bench/kvm_run_storm", str(self.exits)]
        self.vm = None
        if self.kind == "bystander":
            # The profiled VM never gets its start signal: it only has to exist.
            self.vm, f = self.spawn(vmm)
            target = int(f[1])
            self.proc, f = self.spawn(storm)
            self.pid, self.fd = int(f[1]), None
            return target
        self.proc, f = self.spawn(vmm if self.kind in VMM_KINDS else storm)
        self.pid, self.fd = int(f[1]), (int(f[2]) if len(f) > 2 else None)
        return self.pid

    def stop(self):
        for p in (self.proc, self.vm):
            if p and p.poll() is None:
                p.kill()
                p.wait()

    def run(self):
        """Elapsed ns of the workload, returned while it still lingers."""
        os.kill(self.pid, signal.SIGUSR1)
        line = wait_line(self.proc, "elapsed_ns", timeout=600)
        if not line:
            self.proc.wait()
            raise RuntimeError("workload failed: " + self.proc.stderr.read().strip())
        return int(line.split()[1])

    def finish(self):
        self.proc.wait()


class Tracer:
    def __init__(self, name, build, workload):
        self.name, self.build, self.workload = name, build, workload
        self.proc, self.bpf_ns, self.bpf_runs, self.hook = None, 0, 0, None
        self.per_prog, self.attach_s, self.rss_kib = {}, 0.0, 0

    def attach(self, pid):
        self.before = set(prog_ids())
        if self.name == "untraced":
            return
        if self.name.startswith("vmexit-prof"):
            hook, flavour = VARIANTS[self.name]
            build = BUILDS.get(self.name, self.build)
            if self.workload.kind in (*VMM_KINDS, "bystander"):
                cmd = [f"{build}/collector/vmexit-prof", "--pid", str(pid), "--interval", "60",
                       "--run-hook", hook, "--tracepoints", flavour]
                ready = "vmexit-prof: attached to pid"  # its note on stderr, merged below
            else:
                cmd = [f"{build}/bench/attach_fd", str(pid), str(self.workload.fd), hook, flavour]
                ready = "attached"
        elif self.name == "bpftrace":
            script = BPFTRACE_ENTRY if KVM_ENTRY_FIRES else BPFTRACE_SYSCALLS
            self.script = tempfile.NamedTemporaryFile("w", suffix=".bt", delete=False)
            self.script.write(script)
            self.script.close()
            cmd = ["bpftrace", self.script.name, str(pid)]
            ready = "traced"
        else:
            self.data = tempfile.mktemp(suffix=".perf.data")
            cmd = ["perf", "record", "-q", "-o", self.data, "-p", str(pid)]
            for e in PERF_EVENTS:
                cmd += ["-e", e]
            ready = None
        started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        said = []
        if ready and not wait_line(self.proc, ready, seen=said):
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise RuntimeError(f"{self.name} did not attach: " + (" / ".join(said) or "no output"))
        self.attach_s = time.monotonic() - started
        if not ready:
            time.sleep(1.0)  # perf has no ready line; its attach is synchronous but its start is not

    def collect(self):
        """Kernel-side cost of this tracer's programs, read while they are still loaded,
        and the tracer's peak resident memory so far."""
        if self.proc:
            try:
                with open(f"/proc/{self.proc.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.rss_kib = int(line.split()[1])
            except OSError:
                pass
        if self.name in ("untraced", "perf"):
            return
        for pid, p in prog_ids().items():
            if pid not in self.before:
                self.bpf_ns += p.get("run_time_ns", 0)
                self.bpf_runs += p.get("run_cnt", 0)
                name = p.get("name", "?")
                ns, runs = self.per_prog.get(name, (0, 0))
                self.per_prog[name] = (ns + p.get("run_time_ns", 0), runs + p.get("run_cnt", 0))
        if self.name.startswith("vmexit-prof") and self.per_prog:
            names = set(self.per_prog)
            self.hook = ("fentry" if "fentry_kvm_run" in names else
                         "syscalls" if "tp_sys_enter" in names else "none") + \
                (", tp_btf" if any(n.startswith("btf_kvm_") for n in names) else ", classic")

    def detach(self):
        if self.proc:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        # A tracer that failed to start may not have made its file.
        for made in (getattr(self, "data", None), getattr(getattr(self, "script", None), "name", None)):
            if made and os.path.exists(made):
                os.unlink(made)


# vmexit-prof's ways of attaching: as it chooses (where kvm_entry fires,
# nothing on KVM_RUN), with KVM_RUN hooked by fentry, and its fallbacks.
VARIANTS = {"vmexit-prof": ("auto", "auto"), "vmexit-prof-fentry": ("fentry", "auto"),
            "vmexit-prof-fallback": ("syscalls", "classic")}
TRACERS = ["untraced", *VARIANTS, "bpftrace", "perf"]
BUILDS = {}  # --before, --compare: tracer name -> the build its vmexit-prof is from
# The exit kinds the test VMM makes, by the option that sets their count.
VMM_KINDS = {"port": "--out", "mmio": "--mmio-write", "cpuid": "--cpuid"}


def bench(kind, build, exits, rounds, names):
    elapsed = {n: [] for n in names}
    bpf = {n: [0, 0] for n in names}
    progs = {n: {} for n in names}
    hooks = {}
    attach = {n: [] for n in names}
    rss = {n: 0 for n in names}
    unavailable = {}
    for r in range(rounds):
        for n in names:
            if n in unavailable:
                continue
            w = Workload(kind, build, exits)
            pid = w.start()
            t = Tracer(n, build, w)
            try:
                try:
                    t.attach(pid)
                except RuntimeError as e:
                    unavailable[n] = str(e)
                    print(f"  {n}: {e}", file=sys.stderr, flush=True)
                    continue
                elapsed[n].append(w.run())
                t.collect()
                w.finish()
                print(f"  round {r + 1}: {n} {elapsed[n][-1] / 1e6:.1f}ms", file=sys.stderr, flush=True)
            finally:
                t.detach()
                w.stop()
            bpf[n][0] += t.bpf_ns
            bpf[n][1] += exits
            for name, (ns, runs) in t.per_prog.items():
                a, b = progs[n].get(name, (0, 0))
                progs[n][name] = (a + ns, b + runs)
            if t.hook:
                hooks[n] = t.hook
            attach[n].append(t.attach_s)
            rss[n] = max(rss[n], t.rss_kib)
    base = statistics.median(elapsed["untraced"])
    what = {"port": "port exits", "mmio": "MMIO exits", "cpuid": "CPUID exits", "storm": "ioctl(KVM_RUN) calls",
            "bystander": "ioctl(KVM_RUN) calls of a process beside the profiled VM"}[kind]
    print(f"\n{kind}: {exits} {what}, "
          f"{rounds} rounds, medians")
    unit = "exit" if kind in VMM_KINDS else "call"
    print(f"{'tracer':<21} {'elapsed':>10} {'ratio':>7} {'spread':>7} {'BPF ns/' + unit:>12}  KVM_RUN hook, tracepoints")
    ratios = {}
    for n in unavailable:
        print(f"{n:<21} not available here: {unavailable[n]}")
    names = [n for n in names if n not in unavailable]
    for n in names:
        med = statistics.median(elapsed[n])
        spread = (max(elapsed[n]) - min(elapsed[n])) / med
        ratios[n] = med / base
        per = f"{bpf[n][0] / bpf[n][1]:.0f}" if bpf[n][1] and n not in ("untraced", "perf") else "-"
        print(f"{n:<21} {med / 1e6:>8.1f}ms {ratios[n]:>7.3f} {spread:>6.1%} {per:>12}  {hooks.get(n, '')}")
    if bpf.get("bpftrace", [0])[0]:
        for n in (v for v in VARIANTS if v in names):
            print(f"BPF time of {n} / bpftrace's: {bpf[n][0] / bpf['bpftrace'][0]:.2f}")
    for n in (v for v in (*VARIANTS, "bpftrace") if v in names):
        ran = sorted(progs[n].items(), key=lambda kv: -kv[1][0])
        print(f"{n} per program (ns per run x runs per {unit}): " + ", ".join(
            f"{name} {ns / runs:.0f} x {runs / bpf[n][1]:.2f}" for name, (ns, runs) in ran if runs))
    for n in names[1:]:
        if n == "perf":
            continue  # no line says when perf is ready: its attach time is not measured
        print(f"{n}: attach {statistics.median(attach[n]) * 1000:.0f} ms (median), "
              f"peak RSS {rss[n] / 1024:.1f} MiB" + (" (targets: <= 500 ms, <= 64 MiB)" if n == "vmexit-prof" else ""))
    best = min((n for n in ("vmexit-prof", "bpftrace", "perf") if n in ratios), key=lambda n: ratios[n],
               default="-")
    print(f"lowest overhead: {best}" + (" (target: vmexit-prof <= 1.02 and lowest)" if kind in VMM_KINDS else
                                      " (target: vmexit-prof <= 1.02)" if kind == "bystander" else ""))
    return ratios


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--exits", type=int, default=200000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workload", choices=[*VMM_KINDS, "storm", "bystander", "all"], default="all")
    ap.add_argument("--before", metavar="BUILD_DIR")
    ap.add_argument("--compare", metavar="NAME=BUILD_DIR", action="append", default=[])
    ap.add_argument("--tracers", help="comma-separated; untraced always runs")
    a = ap.parse_args()
    names = list(TRACERS)
    extra = ([f"before={a.before}"] if a.before else []) + a.compare
    for i, spec in enumerate(extra):
        name, sep, build = spec.partition("=")
        if not sep or not name or not build:
            sys.exit(f"overhead: --compare wants NAME=BUILD_DIR, not {spec!r}")
        BUILDS[f"vmexit-prof-{name}"] = build
        VARIANTS[f"vmexit-prof-{name}"] = VARIANTS["vmexit-prof"]
        names.insert(names.index("vmexit-prof") + 1 + i, f"vmexit-prof-{name}")
    if a.tracers:
        keep = set(a.tracers.split(","))
        unknown = keep - set(names)
        if unknown:
            sys.exit(f"overhead: no tracer named {', '.join(sorted(unknown))} (have: {', '.join(names)})")
        names = [n for n in names if n == "untraced" or n in keep]
    if os.geteuid() != 0:
        sys.exit("overhead: needs root to attach tracers")
    subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=1"], check=True)
    try:
        kinds = [*VMM_KINDS, "storm", "bystander"] if a.workload == "all" else [a.workload]
        for kind in kinds:
            try:
                bench(kind, a.build, a.exits, a.rounds, names)
            except RuntimeError as e:
                print(f"\n{kind}: skipped: {e}")
    finally:
        subprocess.run(["sysctl", "-q", "kernel.bpf_stats_enabled=0"])


if __name__ == "__main__":
    main()
