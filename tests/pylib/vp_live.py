"""What the live tests share: the project's QEMU running a bundled workload
under TCG, `vmexit-prof --pid` on it, and a real Prometheus on 127.0.0.1
with its own config and data directory.

Exit status 77 is ctest's "skipped" (SKIP_RETURN_CODE).
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

NAME, UUID = "web-01", "6a1b2c3d-0000-4000-8000-0123456789ab"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def skip(msg):
    print("skipped:", msg)
    sys.exit(77)


def require(qemu, tools=()):
    """Skips unless the project's QEMU, root (for BPF) and tools are here."""
    if not qemu or not os.access(qemu, os.X_OK):
        skip("no project QEMU (VP_QEMU)")
    if os.geteuid() != 0:
        skip("loading BPF programs needs root")
    for tool in ("bpftool", *tools):
        if not shutil.which(tool):
            skip(f"no {tool}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loaded():
    """Our USDT programs loaded now (bpf/qemu_usdt.bpf.c names them vp_*)."""
    out = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True).stdout
    return sum(" name vp_" in line for line in out.splitlines())


def parse(text):
    """{(name, frozenset(labels)): value} of the samples of an exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        name, _, rest = head.partition("{")
        labels = {}
        rest = rest[:-1] if rest else ""
        while rest:
            k, _, rest = rest.partition('="')
            v, i = "", 0
            while rest[i] != '"':
                if rest[i] == "\\":
                    i += 1
                    v += {"n": "\n"}.get(rest[i], rest[i])
                else:
                    v += rest[i]
                i += 1
            labels[k] = v
            rest = rest[i + 1:].lstrip(",")
        out[(name, frozenset(labels.items()))] = float(value)
    return out


def get(url, accept=None):
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def wait_for(what, cond, timeout):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.25)
    fail(f"timed out waiting for {what}")


class Guest:
    """A workload under TCG, named as libvirt names a VM, busy for minutes
    (ide-dma by default)."""

    def __init__(self, prof, qemu, guests, scratch, workload="ide-dma",
                 append="ops=200000 size=1", extra=()):
        env = dict(os.environ, TMPDIR=scratch)
        self.log = f"{scratch}/run.out"
        self.runner = subprocess.Popen(
            [prof, "run", workload, "--append", append, "--disk", "128",
             "--qemu", qemu, "--accel", "tcg", "--timeout", "300", "--guest-dir", guests,
             "--arg=-name", "--arg", f"guest={NAME},debug-threads=on", "--arg=-uuid",
             "--arg", UUID, *extra],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, env=env)
        self.pid = None
        for _ in range(100):
            r = subprocess.run(["pgrep", "-P", str(self.runner.pid), "-f", "--",
                                f"-kernel .*/{workload}.elf"],
                               capture_output=True, text=True)
            if r.stdout.strip():
                self.pid = int(r.stdout.split()[0])
                break
            time.sleep(0.1)
        if not self.pid:
            self.stop()
            fail("QEMU did not start: " + open(self.log).read())
        time.sleep(0.5)  # past the firmware, busy with its disk

    def stop(self):
        if self.pid:
            for sig in (signal.SIGCONT, signal.SIGKILL):
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    pass
        self.runner.kill()
        self.runner.wait()


def profile(prof, pid, *args):
    return subprocess.Popen([prof, "--pid", str(pid), "--interval", "1", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def serve_metrics(prof, pid, scratch, *args):
    """`vmexit-prof --pid PID --metrics` on a free port, once it serves:
    (process, its /metrics URL, the port)."""
    port = free_port()
    p = profile(prof, pid, "--metrics", f"127.0.0.1:{port}", *args)
    url = f"http://127.0.0.1:{port}/metrics"

    def served():
        if p.poll() is not None:
            fail(f"vmexit-prof exited {p.returncode}: {p.stderr.read()}")
        try:
            return get(url)
        except OSError:
            return None
    wait_for("the metrics server", served, 30)
    return p, url, port


class Prometheus:
    """Debian's Prometheus scraping targets every second, its config, data
    and log in scratch, its API on a free port of 127.0.0.1."""

    def __init__(self, scratch, targets):
        if not shutil.which("prometheus"):
            skip("no prometheus binary")
        self.port = free_port()
        cfg = os.path.join(scratch, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: vmexit-prof\n    static_configs:\n"
                    f"      - targets: {json.dumps(targets)}\n")
        self.proc = subprocess.Popen(["prometheus", f"--config.file={cfg}",
                                      f"--storage.tsdb.path={scratch}/tsdb",
                                      f"--web.listen-address=127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(f"{scratch}/prom.log", "w"))
        self.api = f"http://127.0.0.1:{self.port}/api/v1/"

    def answer(self, q):
        """The API's whole answer to an instant query, an error's included;
        None while Prometheus is not up."""
        try:
            _, body = get(self.api + "query?query=" + urllib.parse.quote(q))
        except urllib.error.HTTPError as e:
            # While it starts, Prometheus answers 503 in plain text.
            try:
                return json.loads(e.read().decode())
            except ValueError:
                return None
        except OSError:
            return None
        return json.loads(body)

    def query(self, q):
        """The result of an instant query; None while Prometheus is not up."""
        a = self.answer(q)
        return a and a.get("data", {}).get("result")

    def scrapes(self):
        """Scrapes of the job so far, by the samples of its up series."""
        r = self.query('count_over_time(up{job="vmexit-prof"}[10m])')
        return int(float(r[0]["value"][1])) if r else 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
