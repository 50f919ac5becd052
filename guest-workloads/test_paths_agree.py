#!/usr/bin/env python3
"""Both stopwatch paths measure the same interval and agree.

    test_paths_agree.py VMEXIT_PROF QEMU STOPWATCH-MMIO.elf STOPWATCH-PV.elf

Boots stopwatch-mmio (emulated registers) and stopwatch-pv (ring and
doorbell) with the same "ops=20 wait_us=2000" on the project's QEMU through
`vmexit-prof run --elf` (KVM where /dev/kvm can create a VM, TCG otherwise:
the runner decides, and its document says which).  Each op
brackets a 2000 us guest busy-wait between START and STOP; each workload
checks every op's interval itself and reports the mean (interval_ns) and
the shortest (interval_min_ns).  Passes when both runs end ok, the two
shortest intervals are within 10 % of each other and each lies in
[2000 us, 3000 us].

The shortest interval is compared because only one thing can make an
interval legitimately too long: the host descheduling QEMU inside an op (a
busy-wait absorbs a preemption only up to what is left of it), and on a
loaded 2-core host that stretches some ops by a scheduler tick; it cannot
shorten one.  A pair that is still too long or apart is measured again, at
most ATTEMPTS times in all, each attempt printed.  A failed status, a
missing figure or an interval below the wait (which no load can cause)
fails at once.

Exit status 0 pass, 1 fail, 77 skip (no QEMU given, as when VP_QEMU is
empty).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_run  # noqa: E402

OPS, WAIT_US = 20, 2000
APPEND = "ops=%d wait_us=%d" % (OPS, WAIT_US)
LOW_NS, HIGH_NS = WAIT_US * 1000, WAIT_US * 1000 * 3 // 2
AGREE = 0.10
ATTEMPTS = 5
EXIT_SKIP = 77
PASS, FAIL, RETRY = "pass", "fail", "retry"


def main():
    if len(sys.argv) != 5:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    prof, qemu_arg, mmio_elf, pv_elf = sys.argv[1:]
    qemu = check_run.find_qemu(qemu_arg)
    if not qemu:
        return EXIT_SKIP
    print("parameters: %s, accelerator: auto" % APPEND)

    for attempt in range(1, ATTEMPTS + 1):
        verdict = measure(prof, qemu, mmio_elf, pv_elf, attempt)
        if verdict != RETRY:
            break
        if attempt < ATTEMPTS:
            print("attempt %d: too long or apart, as a loaded host makes it: measuring again"
                  % attempt)
    else:
        verdict = FAIL
    print("PASS" if verdict == PASS else "FAIL")
    return 0 if verdict == PASS else 1


def measure(prof, qemu, mmio_elf, pv_elf, attempt):
    """One pair of runs: PASS, FAIL (hard) or RETRY (too long / apart)."""
    intervals = {}
    for name, elf in (("stopwatch-mmio", mmio_elf), ("stopwatch-pv", pv_elf)):
        doc, _, out, err = check_run.run_document(
            prof, qemu, ["--elf", elf, "--device", "vmexit-stopwatch", "--append", APPEND])
        result = check_run.fields(doc) if doc else {}
        problem = doc["run"].get("error") if doc else "vmexit-prof run wrote no document"
        status = result.get("status")
        if problem or status != "ok" or "interval_min_ns" not in result:
            sys.stdout.write(out + err)
            print("FAIL: %s: %s" % (name, problem or "status=%s, interval_min_ns=%s"
                                    % (status, result.get("interval_min_ns"))))
            return FAIL
        ns = int(result["interval_min_ns"])
        intervals[name] = ns
        print("attempt %d: %s (%s): interval_min_ns=%d (%.1f us, mean %s ns) kicks=%s "
              "mmio_read=%s mmio_write=%s tsc_khz=%s"
              % (attempt, name, doc["meta"]["accelerator"], ns, ns / 1000,
                 result.get("interval_ns"), result.get("kicks"), result.get("mmio_read"),
                 result.get("mmio_write"), result.get("tsc_khz")))

    verdict = PASS
    for name, ns in intervals.items():
        if ns < LOW_NS:
            print("FAIL: %s: interval_min_ns=%d is shorter than the %d ns wait" % (name, ns, LOW_NS))
            return FAIL
        if ns > HIGH_NS:
            print("attempt %d: %s: interval_min_ns=%d above %d" % (attempt, name, ns, HIGH_NS))
            verdict = RETRY
    a, b = intervals["stopwatch-mmio"], intervals["stopwatch-pv"]
    diff = abs(a - b) / min(a, b)
    print("attempt %d: difference %d ns (%.2f %% of the smaller; limit %d %%)"
          % (attempt, abs(a - b), diff * 100, AGREE * 100))
    if diff > AGREE:
        print("attempt %d: the two paths disagree by more than %d %%" % (attempt, AGREE * 100))
        verdict = RETRY
    return verdict

if __name__ == "__main__":
    sys.exit(main())
