"""What the tests and benchmarks of QEMU's trace sources share: an LTTng
session recording QEMU's events, and the check of a trace's document
against the USDT probes of the same run and a reader of QEMU's own.
"""
import collections
import contextlib
import os
import subprocess
import time


def lttng(*args, check=True):
    return subprocess.run(["lttng", *args], capture_output=True, text=True, check=check)


@contextlib.contextmanager
def lttng_session(output, events, per_process=True, subbuf="2M", nsubbuf=8):
    """Records events (names, each qemu:NAME) with the vpid context into
    output while the block runs.  per_process: each process its own trace
    under ust/pid/, so other QEMUs on the host do not mix in; subbuf and
    nsubbuf size its ring buffers (the default ones discard nothing here)."""
    if subprocess.run(["pgrep", "-x", "lttng-sessiond"], capture_output=True).returncode:
        subprocess.run(["lttng-sessiond", "--daemonize"], check=True)
        time.sleep(1)
    session = f"vmexit-prof-{os.getpid()}"
    lttng("create", session, f"--output={output}")
    try:
        chan = []
        if per_process:
            lttng("enable-channel", "-u", "--buffers-pid", f"--subbuf-size={subbuf}",
                  f"--num-subbuf={nsubbuf}", "-s", session, "vp")
            chan = ["-c", "vp"]
        lttng("enable-event", "-u", *chan, "-s", session, ",".join(f"qemu:{n}" for n in events))
        lttng("add-context", "-u", *chan, "-t", "vpid", "-s", session)
        lttng("start", session)
        yield session
        lttng("stop", session)
    finally:
        lttng("destroy", session, check=False)


def sum_rw(d):
    return d["reads"] + d["writes"]


def per_event(doc):
    n = collections.Counter()
    for d in doc["profile"]["devices"]:
        for name, c in d.get("qemu_events", {}).items():
            n[name] += c
    return n


def check_against(doc, usdt, names, early, dropped, reader):
    """A trace's document against the probes' counts of the same run (usdt)
    and the events a reader of QEMU's own found (names: per event name);
    early: the accesses QEMU made on no vCPU before the guest ran, dropped:
    the events the tracer lost.  Returns (errors, accesses, devices, events)."""
    errors = []
    traced = {d["device"]: d for d in doc["profile"]["devices"]}
    probed = {d["device"]: sum_rw(d["qemu"]) + sum_rw(d["firmware"]) for d in usdt["devices"]}
    diff = {dev: (traced[dev]["to_user"] if dev in traced else 0) - probed.get(dev, 0)
            for dev in set(probed) | set(traced)}
    extra = sum(d for d in diff.values() if d > 0)
    short = -sum(d for d in diff.values() if d < 0)
    # QEMU's accesses at reset, on no vCPU, come before the probes are
    # attached to the paused QEMU: only the trace has them.  Exact where the
    # tracer lost nothing; else short by at most what it says it lost (its
    # buffers fill when the machine is busy).
    if extra > early or short > dropped:
        errors.append(f"per device, trace - probes = {sorted((k, v) for k, v in diff.items() if v)}: "
                      f"{extra} more (want <= {early} made before the guest ran), "
                      f"{short} fewer (want <= {dropped} the tracer lost)")
    if not dropped and extra != early:
        errors.append(f"the trace has {extra} accesses the probes have not, want the {early} "
                      "QEMU made before the guest ran")
    for irq in usdt["interrupts"]:
        got = traced.get(irq["device"], {}).get("interrupts", 0)
        if got < irq["raised"] and not dropped:
            errors.append(f"{irq['device']}: {got} interrupts in the trace, "
                          f"{irq['raised']} after the firmware through the probes")
    accesses = names["memory_region_ops_read"] + names["memory_region_ops_write"]
    total = sum(d["to_user"] for d in doc["profile"]["devices"])
    if total != accesses or not accesses:
        errors.append(f"{total} accesses over the devices, {reader} reads {accesses}")
    events = per_event(doc)
    for name, n in events.items():
        if n != names[name]:
            errors.append(f"{name}: {n} over the devices, {reader} reads {names[name]}")
    return errors, total, len(traced), len(events)


def refused(prof, cases):
    """What `report --qemu-trace PATH` did wrong with each (PATH, WHY) of
    cases, input it must refuse: status 2, stdout empty, one line on stderr
    saying WHY."""
    errors = []
    for path, why in cases:
        b = subprocess.run([prof, "report", "--qemu-trace", path], capture_output=True,
                           text=True, timeout=300)
        err = b.stderr.strip().splitlines()
        if b.returncode != 2 or len(err) != 1 or why not in err[0] or b.stdout:
            errors.append(f"{os.path.basename(path)}: status {b.returncode}, stderr {err}, "
                          f"want 2 and one line saying '{why}'")
    return errors


def probes_unusable(qemu):
    """Why a trace cannot be compared with the USDT probes of its run here,
    or None."""
    if not qemu or not os.path.exists(qemu):
        return "the project's QEMU is not built"
    if os.geteuid() != 0:
        return "the USDT profile it is compared with needs root"
    return None
