"""A bundled workload's QEMU, booted paused by `vmexit-prof run`, for the
KVM tests that attach before the guest's first instruction: its QEMU's pid
once it has one, `go` to let the guest run, and the guest's result once
it ends."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "guest-workloads"))
import vp_qmp  # noqa: E402
import check_run  # noqa: E402


def qemu_child(pid):
    """The QEMU that `vmexit-prof run` (pid) started: its child booting the image."""
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        for child in f.read().split():
            with open(f"/proc/{child}/cmdline", "rb") as c:
                if b"-kernel" in c.read().split(b"\0"):
                    return int(child)
    return None


class PausedQemu:
    """`prof run WORKLOAD` on qemu, paused (-S), driven through its own QMP
    socket.  profiler_socket: a second socket, first on the command line,
    for the profiler to find (QEMU's map, for a QEMU without probes)."""

    def __init__(self, prof, qemu, guest_dir, tmp, name, workload="virtio-blk", append=None,
                 profiler_socket=False, accel="kvm"):
        self.name = name
        self.sock, self.doc = f"{tmp}/{name}.sock", f"{tmp}/{name}.run.json"
        cmd = [prof, "run", workload, "--qemu", qemu, "--accel", accel, "--guest-dir", guest_dir,
               "--timeout", "900", "--json", self.doc, "--arg=-S", "--arg=-name", f"--arg={name}"]
        if append:
            cmd += ["--append", append]
        if profiler_socket:
            cmd += ["--arg=-qmp", f"--arg=unix:{tmp}/{name}.prof.sock,server=on,wait=off"]
        cmd += ["--arg=-qmp", f"--arg=unix:{self.sock},server=on,wait=off"]
        self.out = ""
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.qmp = vp_qmp.Qmp(self.sock, time.monotonic() + 120)
        self.pid = qemu_child(self.proc.pid)

    def go(self):
        self.qmp.execute("cont")
        self.qmp.close()

    def result(self):
        """The guest's result line as check_run reads it, once QEMU ended; {} without one."""
        self.out = self.proc.communicate(timeout=900)[0]
        if not os.path.exists(self.doc):
            return {}
        with open(self.doc) as f:
            return check_run.fields(json.load(f))

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
