"""What every KVM test shares: where it runs, and the sums a profile
document must hold on any run, whatever the guest did (a reader adds the
numbers of one table and expects another's).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
# The KVM tests take it from here, as every test script ends alike.
from vp_verdict import verdict  # noqa: E402,F401


def in_lab():
    return os.environ.get("VMEXIT_PROF_LAB") == "1"


def kvm_usable():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
        return True
    except OSError:
        return False


def host_is_pvm():
    """A PVM host's KVM (kvm_pvm): kvm_exit/kvm_entry never fire there, and
    it runs only guest kernels built for PVM."""
    return os.path.isdir("/sys/module/kvm_pvm") and not in_lab()


def table_sums(doc):
    """Return a list of the sums that do not hold, as sentences."""
    p = doc["profile"]
    errors = []

    # Per device: accesses to QEMU and in the kernel are those of its rows.
    rows = {}
    for a in p["accesses"]:
        d = rows.setdefault(a["device"], {"to_user": 0, "count": 0})
        d["to_user"] += a["to_user"]
        d["count"] += a["count"]
    for dev in p["devices"]:
        r = rows.get(dev["device"], {"to_user": 0, "count": 0})
        if dev["to_user"] != r["to_user"]:
            errors.append(f"device {dev['device']}: {dev['to_user']} accesses to QEMU, its rows have {r['to_user']}")
        kinds = sum(dev.get("in_kernel_kinds", {}).values())
        if dev["in_kernel"] != kinds:
            errors.append(f"device {dev['device']}: {dev['in_kernel']} in the kernel, its kinds add up to {kinds}")

    # Exits by reason are the exits by vCPU, on each side.
    for vcpu in p["vcpus"]:
        mine = [r for r in p["exit_reasons"] if r["vcpu"] == vcpu["vcpu"]]
        for where, field, time_field in (("user", "exits_to_user", "user_ns"), ("kernel", "kernel_exits", "kernel_ns")):
            count = sum(r["count"] for r in mine if r["where"] == where)
            ns = sum(r["time_ns"] for r in mine if r["where"] == where)
            if count != vcpu[field]:
                errors.append(f"vCPU {vcpu['vcpu']}: {vcpu[field]} {field}, its {where} reasons add up to {count}")
            # Where kvm_exit is silent nothing times the kernel: null, never 0.
            if time_field == "kernel_ns" and not p["kvm_exit_fired"]:
                if vcpu[time_field] is not None:
                    errors.append(f"vCPU {vcpu['vcpu']}: kernel_ns {vcpu[time_field]} although kvm_exit never fired")
            elif ns != vcpu[time_field]:
                errors.append(f"vCPU {vcpu['vcpu']}: {vcpu[time_field]} ns {time_field}, its {where} reasons add up to {ns}")
    orphans = [r for r in p["exit_reasons"] if r["vcpu"] not in {v["vcpu"] for v in p["vcpus"]}]
    if orphans:
        errors.append(f"exit reasons of no listed vCPU: {orphans}")

    # Every exit to user space was counted by the tracepoint that saw it.
    user = sum(r["count"] for r in p["exit_reasons"] if r["where"] == "user")
    if user != p["events"]["kvm_userspace_exit"]:
        errors.append(f"{user} exits to user space by reason, kvm_userspace_exit fired {p['events']['kvm_userspace_exit']} times")
    if p["kvm_exit_fired"]:
        kernel = sum(r["count"] for r in p["exit_reasons"] if r["where"] == "kernel")
        if kernel != p["events"]["kvm_exit"]:
            errors.append(f"{kernel} kernel exits by reason, kvm_exit fired {p['events']['kvm_exit']} times")

    lost = {k: v for k, v in doc["meta"]["lost"].items() if v}
    if lost:
        errors.append(f"events lost: {lost}")
    return errors


SKIP = 77


def read_line(stream, timeout):
    """The next line of a child's pipe, or "" when none came within timeout
    seconds.  Read a byte at a time from the descriptor itself: a buffered
    readline would take the lines written together with this one out of
    the pipe, where select no longer sees them, and the next call would
    wait for the child to write more or to exit."""
    import os
    import select
    import time
    fd, line, end = stream.fileno(), b"", time.time() + timeout
    while not line.endswith(b"\n"):
        left = end - time.time()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        byte = os.read(fd, 1)
        if not byte:
            break
        line += byte
    return line.decode(errors="replace")


def start_test_vmm(vmm, linger_ms, counts):
    """The test VMM started and waiting for SIGUSR1: (process, pid), or
    (None, exit status) once it said why it could not start."""
    import subprocess
    proc = subprocess.Popen([vmm, "--wait-signal", "--linger-ms", str(linger_ms)] + counts,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = read_line(proc.stdout, 20)
    if first.startswith("ready"):
        return proc, int(first.split()[1])
    proc.wait(10)
    err = proc.stderr.read().strip()
    if proc.returncode == SKIP:
        print(f"skipped: {err}")
        return None, SKIP
    print(f"FAIL: test VMM did not start ({proc.returncode}): {err}")
    return None, 1


def start_profiler(argv, timeout):
    """vmexit-prof started with argv: the process once it says it attached,
    or None (with the reason printed) when it exited or took too long."""
    import subprocess
    import time
    prof = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + timeout
    while "attached" not in read_line(prof.stderr, 1):
        if prof.poll() is not None or time.time() > deadline:
            print("FAIL: vmexit-prof did not attach:",
                  prof.stderr.read().strip() if prof.poll() is not None else f"nothing in {timeout} s")
            prof.kill()
            return None
    return prof
