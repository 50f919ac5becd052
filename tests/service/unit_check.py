#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""collector/service/vmexit-prof.service, as `cmake --install` installs it:

  - the installed unit is the tree's but for ExecStart's path;
  - it runs `vmexit-prof --all --metrics 127.0.0.1:9477 --interval 15`,
    restarts on failure, reloads by SIGHUP to $MAINPID, keeps only the
    capabilities the profiler needs (each one the kernel's) and is
    hardened by ProtectSystem/ProtectHome;
  - every key is one of its section's (the list below), and, where
    systemd-analyze can run here, `systemd-analyze verify` says nothing
    about it (its ExecStart pointed at the built binary, which it checks);
  - `cmake --install` to a scratch prefix puts the binary, the unit and
    the Grafana dashboard where they belong.

usage: unit_check.py UNIT_SRC UNIT_BUILT VMEXIT_PROF CMAKE BUILD_DIR DASHBOARD
"""
import configparser
import filecmp
import os
import re
import shutil
import subprocess
import sys
import tempfile

UNIT_KEYS = {"Description", "Documentation", "After", "Before", "Wants", "Requires", "Requisite",
             "BindsTo", "PartOf", "Conflicts", "StartLimitIntervalSec", "StartLimitBurst",
             "ConditionPathExists", "ConditionVirtualization", "AssertPathExists"}
SERVICE_KEYS = {
    # systemd.service
    "Type", "ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStop",
    "ExecStopPost", "Restart", "RestartSec", "RestartPreventExitStatus", "SuccessExitStatus",
    "TimeoutStartSec", "TimeoutStopSec", "RemainAfterExit", "PIDFile", "NotifyAccess",
    "WatchdogSec",
    # systemd.exec
    "User", "Group", "DynamicUser", "SupplementaryGroups", "WorkingDirectory", "Environment",
    "EnvironmentFile", "UMask", "CapabilityBoundingSet", "AmbientCapabilities",
    "NoNewPrivileges", "SecureBits", "LimitMEMLOCK", "LimitNOFILE", "ProtectSystem",
    "ProtectHome", "ReadWritePaths", "ReadOnlyPaths", "InaccessiblePaths", "PrivateTmp",
    "PrivateDevices", "PrivateNetwork", "ProtectKernelTunables", "ProtectKernelModules",
    "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock", "ProtectHostname",
    "ProtectProc", "ProcSubset", "RestrictAddressFamilies", "RestrictNamespaces",
    "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality", "MemoryDenyWriteExecute",
    "SystemCallArchitectures", "SystemCallFilter", "StandardOutput", "StandardError",
    "SyslogIdentifier", "Nice", "CPUSchedulingPolicy", "RuntimeDirectory", "StateDirectory",
    "LogsDirectory",
    # systemd.kill, systemd.resource-control
    "KillMode", "KillSignal", "MemoryMax", "CPUQuota", "TasksMax", "Slice", "Delegate"}
INSTALL_KEYS = {"WantedBy", "RequiredBy", "Alias", "Also"}
KNOWN = {"Unit": UNIT_KEYS, "Service": SERVICE_KEYS, "Install": INSTALL_KEYS}
NEEDED_CAPS = {"CAP_BPF", "CAP_PERFMON", "CAP_SYS_RESOURCE", "CAP_SYS_PTRACE", "CAP_SYS_ADMIN"}
ARGS = "--all --metrics 127.0.0.1:9477 --interval 15"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def parse(path):
    c = configparser.ConfigParser(strict=True, interpolation=None, comment_prefixes=("#", ";"),
                                  empty_lines_in_values=False)
    c.optionxform = str  # systemd's keys are case-sensitive
    try:
        c.read(path)
    except configparser.Error as e:
        fail(f"{path}: {e}")
    return c


def kernel_caps():
    try:
        with open("/usr/include/linux/capability.h") as f:
            return set(re.findall(r"^#define\s+(CAP_[A-Z_]+)\s+\d+", f.read(), re.M))
    except OSError:
        return None


def check_keys(c):
    for section in c.sections():
        if section not in KNOWN:
            fail(f"unknown section [{section}]")
        unknown = set(c[section]) - KNOWN[section]
        if unknown:
            fail(f"[{section}]: unknown keys {sorted(unknown)}")
    s = c["Service"]
    exec_start = s.get("ExecStart", "")
    if not exec_start.startswith("/") or not exec_start.endswith("/vmexit-prof " + ARGS):
        fail(f"ExecStart={exec_start}, want an absolute path and {ARGS}")
    want = {"Restart": "on-failure", "ExecReload": "/bin/kill -HUP $MAINPID"}
    for k, v in want.items():
        if s.get(k) != v:
            fail(f"{k}={s.get(k)}, want {v}")
    caps = set(s.get("CapabilityBoundingSet", "").split())
    if caps != NEEDED_CAPS:
        fail(f"CapabilityBoundingSet is {sorted(caps)}, want {sorted(NEEDED_CAPS)}")
    known_caps = kernel_caps()
    if known_caps is not None and caps - known_caps:
        fail(f"capabilities the kernel's headers do not define: {caps - known_caps}")
    if s.get("ProtectSystem") not in ("strict", "full", "yes"):
        fail(f"ProtectSystem={s.get('ProtectSystem')}")
    if s.get("ProtectHome") not in ("yes", "read-only", "tmpfs"):
        fail(f"ProtectHome={s.get('ProtectHome')}")
    if c.get("Install", "WantedBy", fallback=None) != "multi-user.target":
        fail("not WantedBy=multi-user.target")


def analyze(unit, prof, scratch):
    """systemd-analyze verify's complaints, or None where it cannot run."""
    tool = shutil.which("systemd-analyze")
    if not tool:
        return None, "no systemd-analyze on this machine"
    # A unit it must accept: if it does not, it cannot run here.
    probe = os.path.join(scratch, "vp-probe.service")
    with open(probe, "w") as f:
        f.write("[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n")
    r = subprocess.run([tool, "verify", "--man=no", probe], capture_output=True, text=True)
    if r.returncode or r.stdout.strip() or r.stderr.strip():
        return None, f"systemd-analyze verify cannot run here: {(r.stdout + r.stderr).strip()}"
    # it checks that ExecStart's binary exists: the built one, not yet installed
    copy = os.path.join(scratch, "vmexit-prof.service")
    with open(unit) as f, open(copy, "w") as g:
        g.write(re.sub(r"^ExecStart=\S+", f"ExecStart={prof}", f.read(), count=1, flags=re.M))
    r = subprocess.run([tool, "verify", "--man=no", copy], capture_output=True, text=True)
    return (r.returncode, (r.stdout + r.stderr).strip()), "systemd-analyze verify"


def main():
    src, built, prof, cmake, build_dir, dashboard = sys.argv[1:7]
    with open(src) as f, open(built) as g:
        a, b = f.read().splitlines(), g.read().splitlines()
    diff = [(x, y) for x, y in zip(a, b) if x != y]
    if len(a) != len(b) or any(not x.startswith("ExecStart=") for x, _ in diff):
        fail(f"the installed unit differs from the tree's beyond ExecStart: {diff}")
    c = parse(built)
    check_keys(c)
    print(f"ok: keys of [Unit] [Service] [Install] known; ExecStart={c['Service']['ExecStart']}")
    scratch = tempfile.mkdtemp(prefix="vp-unit-")
    try:
        verdict, how = analyze(built, prof, scratch)
        if verdict is None:
            print(f"note: {how}; the unit was checked by the key parser alone")
        elif verdict[0] or verdict[1]:
            fail(f"{how}: status {verdict[0]}: {verdict[1]}")
        else:
            print(f"ok: {how} has nothing to say about the unit")
        prefix = os.path.join(scratch, "prefix")
        r = subprocess.run([cmake, "--install", build_dir, "--prefix", prefix],
                           capture_output=True, text=True)
        if r.returncode:
            fail(f"cmake --install: {r.stdout}{r.stderr}")
        unit = os.path.join(prefix, "lib/systemd/system/vmexit-prof.service")
        dash = os.path.join(prefix, "share/vmexit-prof/vmexit-prof.json")
        binary = os.path.join(prefix, "bin/vmexit-prof")
        if not os.access(binary, os.X_OK):
            fail("cmake --install put no bin/vmexit-prof")
        if not os.path.isfile(unit) or not filecmp.cmp(unit, built, shallow=False):
            fail("lib/systemd/system/vmexit-prof.service is not the built unit")
        if not os.path.isfile(dash) or not filecmp.cmp(dash, dashboard, shallow=False):
            fail("share/vmexit-prof/vmexit-prof.json is not the dashboard")
        print("ok: cmake --install puts bin/vmexit-prof, lib/systemd/system/vmexit-prof.service "
              "and share/vmexit-prof/vmexit-prof.json")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
