#!/usr/bin/env python3
"""What recording costs and keeps up with, beside the aggregating profile.

Runs one workload three ways in one run, interleaved round by round so the
machine's noise hits each alike: untraced, profiled by the aggregating
programs (`vmexit-prof --pid`), and recorded (`vmexit-prof record`).
Prints the workload's slowdown under each (medians of the rounds, with
their spread), then of the recordings: events recorded per second of the
workload, events lost (the ring buffer full), bytes per event on disk, and
how fast `vmexit-prof report FILE` reads them back (records/s, the whole
command: start, decompression, replay, document).  Targets: >= 1 M events/s
recorded without loss, <= 16 bytes per event, >= 1 M records/s read.

Workloads:
  storm  ioctl(KVM_RUN) calls on a non-KVM fd (bench/kvm_run_storm), two
         events each where the syscall tracepoints see KVM_RUN (where
         kvm_entry does not fire, as on a PVM host): any host;
  port   the test VMM's port writes, a real exit each (needs /dev/kvm: the
         lab, or a KVM host).

usage: record.py BUILD_DIR [--workload storm|port] [--exits N] [--rounds R] [--ring-mb M]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from overhead import Workload, wait_line  # noqa: E402

WAYS = ["untraced", "aggregate", "record"]
SUMMARY = re.compile(r"recorded (\d+) events \(\d+ of QEMU.s probes\) in ([\d.]+) s into .*: (\d+) bytes, [\d.]+ per event; (\d+) lost")


def start_tracer(way, build, w, out, ring_mb):
    prof = f"{build}/collector/vmexit-prof"
    if way == "aggregate":
        cmd = ([prof, "--pid", str(w.pid), "--interval", "60"] if w.fd is None else
               [f"{build}/bench/attach_fd", str(w.pid), str(w.fd)])
    else:
        cmd = ([prof, "record", "--pid", str(w.pid), "-o", out, "--ring-mb", str(ring_mb)] if w.fd is None else
               [f"{build}/bench/record_storm", str(w.pid), str(w.fd), out, "auto", "auto", str(ring_mb)])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = []
    if not wait_line(proc, "attached" if w.fd is not None and way == "aggregate" else "vmexit-prof: attached",
                     seen=said):
        proc.kill()
        raise RuntimeError(f"{way} did not attach: " + " / ".join(said))
    return proc


def stop_tracer(proc):
    """Its output after attaching: the recorder's summary among it."""
    if proc.poll() is None:
        proc.send_signal(2)
    out, _ = proc.communicate(timeout=300)
    return out


def read_rate(build, path, events):
    started = time.monotonic()
    r = subprocess.run([f"{build}/collector/vmexit-prof", "report", path, "--json", os.devnull],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.monotonic() - started
    if r.returncode:
        raise RuntimeError(f"report of the recording failed: {r.stderr.strip()}")
    return events / took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--workload", choices=["storm", "port"], default="storm")
    ap.add_argument("--exits", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--ring-mb", type=int, default=64)
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("record: needs root to attach")
    elapsed = {w: [] for w in WAYS}
    recs = []
    with tempfile.TemporaryDirectory() as scratch:
        for r in range(a.rounds):
            for way in WAYS:
                w = Workload(a.workload, a.build, a.exits)
                w.start()
                out = os.path.join(scratch, f"r{r}.vpr")
                proc = None
                try:
                    if way != "untraced":
                        proc = start_tracer(way, a.build, w, out, a.ring_mb)
                    elapsed[way].append(w.run())
                    w.finish()
                    said = stop_tracer(proc) if proc else ""
                finally:
                    w.stop()
                    if proc and proc.poll() is None:
                        proc.kill()
                print(f"  round {r + 1}: {way} {elapsed[way][-1] / 1e6:.1f} ms", file=sys.stderr, flush=True)
                if way == "record":
                    m = SUMMARY.search(said)
                    if not m:
                        raise SystemExit(f"record: no summary from the recorder: {said.strip()}")
                    n, _, size, lost = int(m[1]), float(m[2]), int(m[3]), int(m[4])
                    recs.append({"events": n, "bytes": size, "lost": lost,
                                 "rate": n / (elapsed[way][-1] / 1e9), "read": read_rate(a.build, out, n)})
                    os.unlink(out)
    base = statistics.median(elapsed["untraced"])
    unit = "ioctl(KVM_RUN) calls" if a.workload == "storm" else "port exits"
    print(f"\n{a.workload}: {a.exits} {unit}, {a.rounds} rounds, ring buffer {a.ring_mb} MiB, medians")
    print(f"{'way':<10} {'elapsed':>10} {'ratio':>7} {'spread':>7}")
    ratio = {}
    for way in WAYS:
        med = statistics.median(elapsed[way])
        ratio[way] = med / base
        spread = (max(elapsed[way]) - min(elapsed[way])) / med
        print(f"{way:<10} {med / 1e6:>8.1f}ms {ratio[way]:>7.3f} {spread:>6.1%}")
    print(f"recording's slowdown / the aggregating profile's: {ratio['record'] / ratio['aggregate']:.3f}")
    med = {k: statistics.median(x[k] for x in recs) for k in ("events", "bytes", "rate", "read")}
    lost = sum(x["lost"] for x in recs)
    print(f"recorded {med['events']:.0f} events a round, {med['rate'] / 1e6:.2f} M events/s of the workload, "
          f"{lost} lost in all rounds (target: >= 1 M/s, none lost)")
    print(f"on disk {med['bytes'] / med['events']:.2f} bytes per event (target: <= 16)")
    print(f"report FILE reads {med['read'] / 1e6:.2f} M records/s (target: >= 1 M/s)")


if __name__ == "__main__":
    main()
