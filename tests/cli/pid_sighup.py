#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""SIGHUP to `vmexit-prof --pid --metrics-file`, as `systemctl reload` sends
it, on the project's QEMU running ide-dma under TCG with a QMP socket:

  twice, right after a refresh, the metrics file is moved away as a log
  rotation does and SIGHUP sent; each time vmexit-prof is still running,
  prints `vmexit-prof: reloaded`, has as many vp_* programs loaded as
  before, reads QEMU's memory map again (a new connection to the QMP
  socket, seen through a relay), and writes the file again before the
  next refresh is due, every counter of it at least what it was;
  then SIGINT ends it with status 0, the final report and a last file
  whose counters are at least the last seen, the ide ones higher than at
  the start; its programs are unloaded.

usage: pid_sighup.py VMEXIT_PROF VP_QEMU GUEST_DIR      (77: skipped)
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_live import Guest, fail, loaded, parse, require, wait_for  # noqa: E402

INTERVAL = 3  # s: room between refreshes to tell the reload's write from theirs
IDE = "vmexit_prof_device_accesses_total"


class QmpRelay:
    """A unix socket relaying each connection to QEMU's QMP socket,
    counting them: one per read of QEMU's map."""

    def __init__(self, path, target):
        self.target, self.connections = target, 0
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            client, _ = self.sock.accept()
            qemu = socket.socket(socket.AF_UNIX)
            qemu.connect(self.target)
            self.connections += 1
            for a, b in ((client, qemu), (qemu, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def counters(path):
    with open(path) as f:
        return {k: v for k, v in parse(f.read()).items() if k[0].endswith("_total")}


def not_less(before, after, when):
    less = [(k[0], dict(k[1]), v, after.get(k)) for k, v in before.items()
            if after.get(k) is None or after[k] < v]
    if less:
        fail(f"{when}: counters went back or vanished: {less[:3]}")


def ide_accesses(c):
    return sum(v for k, v in c.items() if k[0] == IDE and ("device", "ide") in k[1])


def inode(path):
    try:
        return os.stat(path).st_ino
    except FileNotFoundError:
        return None


def main():
    prof, qemu, guests = sys.argv[1:4]
    require(qemu)
    scratch = tempfile.mkdtemp(prefix="vp-sighup-")
    qmp, relay_path = f"{scratch}/qmp.sock", f"{scratch}/relay.sock"
    guest = Guest(prof, qemu, guests, scratch,
                  extra=("--arg=-qmp", "--arg", f"unix:{qmp},server=on,wait=off"))
    before = loaded()
    path = os.path.join(scratch, "vmexit-prof.prom")
    p = None
    try:
        wait_for("QEMU's QMP socket", lambda: os.path.exists(qmp), 30)
        relay = QmpRelay(relay_path, qmp)
        p = subprocess.Popen([prof, "--pid", str(guest.pid), "--interval", str(INTERVAL),
                              "--metrics-file", path, "--qmp", relay_path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        err = []
        threading.Thread(target=lambda: err.extend(p.stderr), daemon=True).start()
        out = []
        threading.Thread(target=lambda: out.append(p.stdout.read()), daemon=True).start()
        wait_for("vmexit-prof to attach", lambda: any("attached to pid" in e for e in err), 60)
        wait_for("the first metrics file", lambda: os.path.exists(path), 10)
        progs = loaded() - before
        if progs <= 0:
            fail(f"no vp_* program loaded: {err}")
        start = last = counters(path)
        for n in (1, 2):
            ino = inode(path)
            wait_for("a refresh", lambda: inode(path) not in (ino, None), 2 * INTERVAL + 5)
            last, conns = counters(path), relay.connections
            os.rename(path, f"{path}.{n}")  # as logrotate does
            t = time.monotonic()
            p.send_signal(signal.SIGHUP)
            wait_for("the file again", lambda: os.path.exists(path), INTERVAL / 2)
            again = time.monotonic() - t
            wait_for(f"reload {n}", lambda: sum(e == "vmexit-prof: reloaded\n" for e in err) == n,
                     10)
            if p.poll() is not None:
                fail(f"SIGHUP {n} ended vmexit-prof (status {p.returncode}): {err}")
            if loaded() - before != progs:
                fail(f"SIGHUP {n}: {loaded() - before} vp_* programs loaded, {progs} before")
            if relay.connections <= conns:
                fail(f"SIGHUP {n}: QEMU's map was not read again over QMP")
            now = counters(path)
            not_less(last, now, f"SIGHUP {n}")
            last = now
            print(f"ok: SIGHUP {n}: still running, reloaded, {progs} vp_* programs, QMP "
                  f"connection {relay.connections}, the file back after {again:.2f} s with "
                  f"{ide_accesses(now):.0f} ide accesses")
        ino = inode(path)
        wait_for("a refresh after the reloads", lambda: inode(path) not in (ino, None),
                 2 * INTERVAL + 5)
        now = counters(path)
        not_less(last, now, "the refresh after the reloads")
        last = now
        p.send_signal(signal.SIGINT)
        rc = p.wait(timeout=60)
        time.sleep(0.2)  # the reader threads' last lines
        if rc != 0:
            fail(f"SIGINT: status {rc}: {err}")
        report = "".join(out)
        if "ide" not in report:
            fail(f"no final report on stdout: {report[-500:]!r}")
        final = counters(path)
        not_less(last, final, "the final file")
        if ide_accesses(final) <= ide_accesses(start):
            fail(f"the profile did not count on: {ide_accesses(start)} -> {ide_accesses(final)}")
        reloads = sum(e == "vmexit-prof: reloaded\n" for e in err)
        if reloads != 2:
            fail(f"{reloads} reload lines for 2 SIGHUPs: {err}")
        if loaded() != before:
            fail("vp_* programs left loaded after the end")
        print(f"ok: SIGINT: status 0, final report ({len(report.splitlines())} lines), ide "
              f"accesses {ide_accesses(start):.0f} at the start, {ide_accesses(final):.0f} at "
              f"the end; programs unloaded")
    finally:
        if p and p.poll() is None:
            p.kill()
            p.wait()
        guest.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
