#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The Grafana dashboard (reports/metrics/grafana/vmexit-prof.json) against
a real Prometheus scraping `vmexit-prof --pid --metrics` on the project's
QEMU running ide-dma under TCG:

  - the JSON loads; its datasource variable is of type prometheus and its
    domain variable is label_values(vmexit_prof_target_info, domain);
    every panel has a title and targets, every datasource is the
    variable's, every $variable of an expr is the dashboard's or Grafana's;
  - every series an expr names is one the renderer emits (the golden file
    or the live exposition);
  - the domain variable's query gives the VM's name, and every expr, its
    variables substituted, gives status success and at least one series,
    except those listed in TCG_EMPTY (with why), which must parse and give
    none: under TCG there are no VM exits to time.

usage: dashboard_queries.py VMEXIT_PROF VP_QEMU GUEST_DIR DASHBOARD GOLDEN   (77: skipped)
"""
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from vp_live import NAME, Guest, Prometheus, fail, get, require, serve_metrics, wait_for  # noqa: E402

# Grafana's own variables, and what the test puts for them (a 1 s scrape
# interval leaves five samples in each rate's window).
BUILTIN = {"__rate_interval": "5s", "__interval": "5s", "__range": "1m"}
NO_EXITS = "no VM exits under TCG: QEMU runs the guest without KVM"
NO_VCPUS = "no vCPU threads in KVM_RUN under TCG, so no time on exits to split"
TCG_EMPTY = {
    ("Exits/s per VM", "A"): NO_EXITS,
    ("Exits/s per reason", "A"): NO_EXITS,
    ("Exit latency p50 per reason", "A"): NO_EXITS,
    ("Exit latency p99 per reason", "A"): NO_EXITS,
    ("Exit time: in KVM against QEMU", "A"): NO_VCPUS,
    ("Exit time: in KVM against QEMU", "B"): NO_EXITS,
    ("QEMU time per device exit, p99", "A"): NO_EXITS + " (the accesses have no exit time)",
    ("KVM events/s per kind", "A"): "CPUID, MSR, hypercall and irq events are KVM's",
}
VAR = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")
SERIES = re.compile(r"\bvmexit_prof_\w+")


def sample_names(text):
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines()
            if line and not line.startswith("#")}


def check_structure(dash):
    """(panel title, refId, expr) of every target; fails on a bad structure."""
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail(f"no datasource variable of type prometheus: {ds}")
    dom = variables.get("domain")
    q = dom and dom.get("query")
    q = q.get("query") if isinstance(q, dict) else q
    if not dom or dom.get("type") != "query" or q != "label_values(vmexit_prof_target_info, domain)":
        fail(f"the domain variable is not label_values(vmexit_prof_target_info, domain): {dom}")
    uids = {"${datasource}", "$datasource"}
    if dom["datasource"].get("uid") not in uids:
        fail(f"the domain variable's datasource {dom['datasource']} is not ${{datasource}}")
    known = set(variables) | set(BUILTIN)
    targets = []
    for p in dash["panels"]:
        if p["type"] == "row":
            continue
        title = p.get("title")
        if not title or not p.get("targets"):
            fail(f"panel {p.get('id')} has no title or no targets: {title!r}")
        for o in [p] + p["targets"]:
            uid = o.get("datasource", {}).get("uid")
            if uid not in uids:
                fail(f"{title}: unknown datasource uid {uid!r}")
        refs = [t["refId"] for t in p["targets"]]
        if len(set(refs)) != len(refs):
            fail(f"{title}: refIds repeat: {refs}")
        for t in p["targets"]:
            expr = t.get("expr")
            if not expr:
                fail(f"{title} {t['refId']}: no expr")
            unknown = {a or b for a, b in VAR.findall(expr)} - known
            if unknown:
                fail(f"{title} {t['refId']}: unknown variables {unknown} in {expr}")
            targets.append((title, t["refId"], expr))
    stale = set(TCG_EMPTY) - {(t, r) for t, r, _ in targets}
    if stale:
        fail(f"TCG_EMPTY names targets the dashboard does not have: {stale}")
    return targets


def substitute(expr, domain):
    values = dict(BUILTIN, domain=domain, datasource="prometheus")
    out = VAR.sub(lambda m: values[m.group(1) or m.group(2)], expr)
    if "$" in out:
        fail(f"a variable is left in {out}")
    return out


def main():
    prof, qemu, guests, dashboard, golden = sys.argv[1:6]
    try:
        with open(dashboard) as f:
            dash = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{dashboard}: {e}")
    targets = check_structure(dash)
    print(f"ok: {len(dash['panels'])} panels, {len(targets)} targets, structure and variables")
    require(qemu, ("prometheus",))
    with open(golden) as f:
        emitted = sample_names(f.read())
    scratch = tempfile.mkdtemp(prefix="vp-dashboard-")
    guest = Guest(prof, qemu, guests, scratch)
    p = prom = None
    try:
        p, url, port = serve_metrics(prof, guest.pid, scratch)
        prom = Prometheus(scratch, [f"127.0.0.1:{port}"])
        n = wait_for("three scrapes", lambda: prom.scrapes() >= 3 and prom.scrapes(), 60)
        # after a refresh: the exposition before the first has no events yet
        emitted |= sample_names(get(url)[1])
        for title, ref, expr in targets:
            foreign = set(SERIES.findall(expr)) - emitted
            if foreign:
                fail(f"{title} {ref}: series the renderer does not emit: {foreign}")
        _, body = get(prom.api + "label/domain/values?match[]=" +
                      urllib.parse.quote("vmexit_prof_target_info"))
        domains = json.loads(body)["data"]
        if domains != [NAME]:
            fail(f"the domain variable's values are {domains}, want [{NAME!r}]")
        print(f"ok: {n} scrapes; the domain variable gives {domains}")
        for title, ref, expr in targets:
            q = substitute(expr, domains[0])
            a = prom.answer(q)
            if not a or a.get("status") != "success":
                fail(f"{title} {ref}: {q}: {a}")
            series = a["data"]["result"]
            why = TCG_EMPTY.get((title, ref))
            if why and series:
                fail(f"{title} {ref} is listed as empty under TCG ({why}) but gave "
                     f"{len(series)} series: take it off the list")
            if not why and not series:
                fail(f"{title} {ref}: no series: {q}")
            top = max((float(r["value"][1]) for r in series), default=None)
            print(f"ok: {title} [{ref}]: {len(series)} series (largest {top})"
                  + (f"; empty as expected: {why}" if why else ""))
    finally:
        if prom:
            prom.stop()
        if p:
            p.send_signal(signal.SIGINT)
            p.communicate(timeout=60)
        guest.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    if p.returncode != 0:
        fail(f"vmexit-prof exited {p.returncode}")


if __name__ == "__main__":
    main()
