#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""`vmexit-prof --pid --metrics` and `--metrics-file` on the project's QEMU
running a bundled workload under TCG (its USDT probes), as a fleet's
Prometheus sees them:

  prometheus   a real Prometheus (Debian's) scrapes --metrics every second;
               once the guest is frozen (SIGSTOP) every vmexit_prof_*_total
               series it stored equals the final --json document's, rendered
               by `report --metrics`, and the device's counters equal the
               document's fields; Prometheus's own Accept header gets
               OpenMetrics, curl's the 0.0.4 text that promtool accepts;
  textfile     --metrics-file is always a whole file promtool accepts,
               replaced (a new inode) at each refresh, its last version the
               final document's numbers, no temporary file left;
  port-in-use  a taken port, or an address not of this host: status 2, one
               line, and no program of ours loaded.

usage: metrics_live.py VMEXIT_PROF VP_QEMU GUEST_DIR CASE      (77: skipped)
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_live import (NAME, UUID, Guest, Prometheus, fail, get, loaded, parse,  # noqa: E402
                     profile, require, serve_metrics, wait_for)

PROM_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
               "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")


def promtool(text, scratch):
    path = os.path.join(scratch, "check.prom")
    with open(path, "w") as f:
        f.write(text)
    with open(path) as f:
        r = subprocess.run(["promtool", "check", "metrics"], stdin=f, capture_output=True,
                           text=True)
    return r.returncode, r.stdout + r.stderr


def case_prometheus(prof, guest, scratch):
    live = os.path.join(scratch, "live.json")
    p, url, mport = serve_metrics(prof, guest.pid, scratch, "--json", live)
    prom = Prometheus(scratch, [f"127.0.0.1:{mport}"])
    query = prom.query
    try:
        wait_for("Prometheus's first scrape", lambda: query('up{job="vmexit-prof"} == 1'), 60)
        # a scrape's format is Prometheus's choice: OpenMetrics, as asked
        ctype, om = get(url, PROM_ACCEPT)
        if not ctype.startswith("application/openmetrics-text; version=1.0.0"):
            fail(f"Prometheus's Accept header got {ctype}")
        if not om.endswith("# EOF\n"):
            fail("the OpenMetrics exposition does not end in # EOF")
        ctype, text = get(url)
        if not ctype.startswith("text/plain; version=0.0.4") or "# EOF" in text:
            fail(f"a plain GET got {ctype}")
        rc, why = promtool(text, scratch)
        if rc:
            fail(f"promtool check metrics: {why}")
        try:
            get(f"http://127.0.0.1:{mport}/")
            fail("/ was served")
        except urllib.error.HTTPError as e:
            if e.code != 404:
                fail(f"/ got {e.code}, want 404")
        time.sleep(2)
        os.kill(guest.pid, signal.SIGSTOP)  # nothing counts any more

        ide = 'vmexit_prof_device_accesses_total{device="ide",kind="vmm"}'
        last = [None]

        def settled():
            r = query(ide)
            v = r and r[0]["value"][1]
            ok = v is not None and v == last[0]
            last[0] = v
            return ok
        time.sleep(3)  # two refreshes after the freeze, and scrapes of them
        wait_for("the scraped counters to settle", settled, 30)
        scraped = {}
        for s in query('{__name__=~"vmexit_prof_.+_total"}'):
            m = {k: v for k, v in s["metric"].items() if k not in ("job", "instance")}
            name = m.pop("__name__")
            scraped[(name, frozenset(m.items()))] = float(s["value"][1])
    finally:
        prom.stop()
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    if p.returncode != 0:
        fail(f"vmexit-prof exited {p.returncode}: {err}")
    # the final document's own metrics, by the renderer `report` uses
    exp = os.path.join(scratch, "final.prom")
    subprocess.run([prof, "report", live, "--metrics", exp], check=True,
                   stdout=subprocess.DEVNULL)
    with open(exp) as f:
        want = {k: v for k, v in parse(f.read()).items() if k[0].endswith("_total")}
    if not want:
        fail("the final document has no counters")
    diff = [(k, want.get(k), scraped.get(k)) for k in set(want) | set(scraped)
            if want.get(k) != scraped.get(k)]
    if diff:
        fail(f"{len(diff)} series differ (series, document, Prometheus): {sorted(diff)[:5]}")
    doc = json.load(open(live))
    ide = next(d for d in doc["profile"]["devices"] if d["device"] == "ide")
    vm = frozenset({("domain", NAME), ("uuid", UUID), ("device", "ide")})
    checks = [("vmexit_prof_device_accesses_total", vm | {("kind", "vmm")}, ide["to_user"]),
              ("vmexit_prof_device_interrupts_total", vm, ide["interrupts"])]
    for name, labels, value in checks:
        if scraped.get((name, labels)) != value:
            fail(f"{name}{dict(labels)}: Prometheus has {scraped.get((name, labels))}, "
                 f"the document {value}")
    if ide["to_user"] < 1000 or ide["interrupts"] < 10:
        fail(f"the guest hardly ran: {ide}")
    print(f"ok: {len(want)} counter series scraped by Prometheus equal the final document's; "
          f"ide {ide['to_user']} accesses, {ide['interrupts']} interrupts")


def case_textfile(prof, guest, scratch):
    out = os.path.join(scratch, "textfile")
    os.mkdir(out)
    path, live = os.path.join(out, "vmexit-prof.prom"), os.path.join(scratch, "live.json")
    p = profile(prof, guest.pid, "--interval", "0.5", "--duration", "5", "--metrics-file", path,
                "--json", live)
    inodes, reads = set(), 0
    while p.poll() is None:
        try:
            with open(path) as f:
                inodes.add(os.fstat(f.fileno()).st_ino)
                text = f.read()
        except FileNotFoundError:
            time.sleep(0.05)
            continue
        reads += 1
        rc, why = promtool(text, scratch)
        if rc or not text.endswith("\n"):
            fail(f"a reader saw a file promtool refuses: {why}")
        time.sleep(0.1)
    if p.returncode != 0:
        fail(f"vmexit-prof exited {p.returncode}: {p.stderr.read()}")
    if len(inodes) < 3:
        fail(f"the file was replaced {len(inodes)} times in 5 s at 0.5 s intervals")
    left = [n for n in os.listdir(out) if n != "vmexit-prof.prom"]
    if left:
        fail(f"temporary files left: {left}")
    with open(path) as f:
        got = parse(f.read())
    doc = json.load(open(live))
    ide = next(d for d in doc["profile"]["devices"] if d["device"] == "ide")
    key = ("vmexit_prof_device_accesses_total", frozenset(
        {("domain", NAME), ("uuid", UUID), ("device", "ide"), ("kind", "vmm")}))
    if got.get(key) != ide["to_user"] or ide["to_user"] < 100:
        fail(f"the last file has {got.get(key)} ide accesses, the document {ide['to_user']}")
    print(f"ok: {reads} reads of {len(inodes)} versions, each whole; the last has the "
          f"document's {ide['to_user']} ide accesses")


def case_port_in_use(prof, guest, scratch):
    before = loaded()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for spec, want in ((str(port), "Address already in use"),
                           ("192.0.2.1:9100", "Cannot assign requested address")):
            t = time.time()
            r = subprocess.run([prof, "--pid", str(guest.pid), "--metrics", spec],
                               capture_output=True, text=True, timeout=60)
            lines = r.stderr.splitlines()
            if r.returncode != 2:
                fail(f"--metrics {spec}: exit status {r.returncode}, want 2: {r.stderr}")
            if len(lines) != 1 or want not in lines[0] or not lines[0].startswith("vmexit-prof:"):
                fail(f"--metrics {spec}: stderr is not the one line about it: {r.stderr!r}")
            if loaded() != before:
                fail(f"--metrics {spec}: programs left loaded")
            print(f"ok: {lines[0]} ({time.time() - t:.2f} s, nothing attached)")


def main():
    prof, qemu, guests, case = sys.argv[1:5]
    require(qemu, ("promtool",))
    scratch = tempfile.mkdtemp(prefix="vp-metrics-")
    guest = Guest(prof, qemu, guests, scratch)
    try:
        {"prometheus": case_prometheus, "textfile": case_textfile,
         "port-in-use": case_port_in_use}[case](prof, guest, scratch)
    finally:
        guest.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
