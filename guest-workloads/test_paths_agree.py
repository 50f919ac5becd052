#!/usr/bin/env python3
"""Both stopwatch paths measure the same interval and agree.

    test_paths_agree.py QEMU STOPWATCH-MMIO.elf STOPWATCH-PV.elf

Boots stopwatch-mmio (emulated registers) and stopwatch-pv (ring and
doorbell) with the same "ops=20 wait_us=2000" on the project's QEMU (KVM
where /dev/kvm works, TCG otherwise: run-guest.py decides).  Each op
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
import importlib.util
import os
import shutil
import sys

OPS, WAIT_US = 20, 2000
APPEND = "ops=%d wait_us=%d" % (OPS, WAIT_US)
LOW_NS, HIGH_NS = WAIT_US * 1000, WAIT_US * 1000 * 3 // 2
AGREE = 0.10
ATTEMPTS = 5
EXIT_SKIP = 77
PASS, FAIL, RETRY = "pass", "fail", "retry"


def load_runner():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-guest.py")
    spec = importlib.util.spec_from_file_location("run_guest", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    qemu_arg, mmio_elf, pv_elf = sys.argv[1:]
    if not qemu_arg:
        print("skip: no QEMU given (the project's build is needed; set VP_QEMU)")
        return EXIT_SKIP
    qemu = shutil.which(qemu_arg)
    if not qemu:
        print("skip: QEMU %r not found" % qemu_arg)
        return EXIT_SKIP
    runner = load_runner()
    accel = "kvm" if runner.kvm_usable() else "tcg"
    print("accel: %s (auto), parameters: %s" % (accel, APPEND))

    for attempt in range(1, ATTEMPTS + 1):
        verdict = measure(runner, qemu, mmio_elf, pv_elf, attempt)
        if verdict != RETRY:
            break
        if attempt < ATTEMPTS:
            print("attempt %d: too long or apart, as a loaded host makes it: measuring again"
                  % attempt)
    else:
        verdict = FAIL
    print("PASS" if verdict == PASS else "FAIL")
    return 0 if verdict == PASS else 1


def measure(runner, qemu, mmio_elf, pv_elf, attempt):
    """One pair of runs: PASS, FAIL (hard) or RETRY (too long / apart)."""
    intervals = {}
    for name, elf in (("stopwatch-mmio", mmio_elf), ("stopwatch-pv", pv_elf)):
        result, text, problem = runner.boot(elf, qemu, "auto", ["vmexit-stopwatch"], APPEND)
        status = result.get("status") if result else None
        if problem or status != "ok" or "interval_min_ns" not in result:
            sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
            print("FAIL: %s: %s" % (name, problem or "status=%s, interval_min_ns=%s"
                                    % (status, result.get("interval_min_ns") if result else None)))
            return FAIL
        ns = int(result["interval_min_ns"])
        intervals[name] = ns
        print("attempt %d: %s: interval_min_ns=%d (%.1f us, mean %s ns) kicks=%s mmio_read=%s "
              "mmio_write=%s tsc_khz=%s" % (attempt, name, ns, ns / 1000, result.get("interval_ns"),
                              result.get("kicks"),
                              result.get("mmio_read"), result.get("mmio_write"),
                              result.get("tsc_khz")))

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
