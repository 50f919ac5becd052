#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The HTML report in a real browser.

Renders each recorded result document to a page with --render (a command
template: {json} and {html} are replaced by the paths), opens it in headless
Chromium with the network cut off, and over the DevTools protocol checks that
the page logs nothing, fetches nothing, draws every chart and shows the
document's numbers (the data-value attributes) exactly.  A full-page
screenshot of each page is left in --out for people to look at.

Exit 77 (skip) when Chromium is not installed.
"""
import argparse
import base64
import json
import os
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
DEADLINE_S = 60


class CdpError(Exception):
    pass


class WebSocket:
    """Just enough of RFC 6455 for DevTools: one client, text frames."""

    def __init__(self, url, timeout):
        if not url.startswith("ws://"):
            raise CdpError("unexpected DevTools URL " + url)
        hostport, _, path = url[len("ws://"):].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CdpError("DevTools closed the connection during the handshake")
            head += chunk
        head, _, self.buf = head.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise CdpError("DevTools refused the websocket: " + head.split(b"\r\n")[0].decode())

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise CdpError("DevTools closed the connection")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise CdpError("DevTools closed the websocket")
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode()

    def close(self):
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class Cdp:
    """Commands on one flattened page session; events kept in order."""

    def __init__(self, ws, deadline):
        self.ws, self.deadline, self.next_id, self.events, self.session = ws, deadline, 0, [], None

    def _recv(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise CdpError("timed out waiting for Chromium")
        self.ws.sock.settimeout(remaining)
        return json.loads(self.ws.recv())

    def call(self, method, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = self._recv()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method):
        for e in self.events:
            if e["method"] == method:
                return e
        while True:
            e = self._recv()
            if "method" in e:
                self.events.append(e)
                if e["method"] == method:
                    return e


def start_chromium(binary, profile_dir):
    args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            f"--user-data-dir={profile_dir}", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
            # No network at all: every request would go to a dead proxy, and no name resolves.
            "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
            "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
            "--window-size=1280,900", "about:blank"]
    # Its own process group, so the renderer and GPU helpers go with it.
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    end, err = time.monotonic() + 30, b""
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stderr], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            err += chunk
            for line in err.decode(errors="replace").splitlines():
                if "DevTools listening on " in line:
                    return proc, line.split("DevTools listening on ", 1)[1].strip()
        if proc.poll() is not None:
            break
    tail = err.decode(errors="replace")[-2000:]
    return proc, CdpError("Chromium did not open DevTools:\n" + tail)


def stop_chromium(proc):
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; give its helpers a moment to leave the group.
        end = time.monotonic() + wait
        while time.monotonic() < end:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            continue
        break
    proc.stderr.close()


# Runs in the page: every chart present and every shown number equal to the
# document's.  Returns {"problems": [...], "checked": n}.
CHECK_JS = r"""
(function (doc) {
  var problems = [], checked = 0;
  function fail(m) { problems.push(m); }
  function need(sel) {
    var e = document.querySelector(sel);
    if (!e) fail('missing ' + sel);
    return e;
  }
  function eq(what, el, attr, want) {
    checked++;
    if (!el) { fail(what + ': no element'); return; }
    var got = el.getAttribute(attr);
    if (want === null || want === undefined) {
      if (got !== null && got !== '') fail(what + ': ' + got + ' for null');
      return;
    }
    if (got === null || parseFloat(got) !== want) fail(what + ': shown ' + got + ', document ' + want);
  }
  function row(sel, i) {
    return Array.prototype.find.call(document.querySelectorAll(sel),
      function (e) { return parseInt(e.getAttribute('data-row'), 10) === i; });
  }
  function cell(table, i, header) {
    var t = document.getElementById(table), r = row('#' + table + ' tbody tr:not(.detail)', i), col = -1;
    t.querySelectorAll('th[data-col]').forEach(function (th) {
      if (th.textContent === header) col = +th.dataset.col;
    });
    if (col < 0) { fail(table + ': no column ' + header); return null; }
    return r ? r.cells[col] : null;
  }
  function rendered(svg) {
    var b = svg.getBoundingClientRect();
    if (!(b.width > 100 && b.height > 50)) fail(svg.id + ' not drawn (' + b.width + 'x' + b.height + ')');
  }
  function hist(id, lat) {
    var svg = need('#' + id);
    if (!svg) return;
    var shown = 0, total = 0;
    svg.querySelectorAll('rect.slot').forEach(function (r) {
      var want = lat.log2_slots[+r.dataset.slot];
      eq(id + ' slot ' + r.dataset.slot, r, 'data-value', want);
      shown += +r.dataset.value;
    });
    lat.log2_slots.forEach(function (n) { total += n; });
    if (shown !== total) fail(id + ': bars hold ' + shown + ' of ' + total + ' samples');
    ['p50', 'p90', 'p99', 'max'].forEach(function (m) {
      eq(id + ' ' + m, svg.querySelector('[data-marker=' + m + ']'), 'data-value', lat[m + '_ns']);
    });
  }

  ['summary'].forEach(function (id) { need('#' + id); });
  document.querySelectorAll('svg.chart').forEach(rendered);
  if (document.scripts.length !== 1) fail(document.scripts.length + ' script elements');
  var p = doc.profile;
  if (p) {
    ['chart-exit-reasons', 'table-exit-reasons', 'chart-devices', 'table-devices', 'latency-reasons',
     'latency-devices', 'table-vcpus', 'table-accesses'].forEach(function (id) { need('#' + id); });
    var total = p.kvm_exit_fired ? p.events.kvm_exit : p.events.kvm_userspace_exit;
    eq('total exits', document.querySelector('[data-field=total_exits] [data-value]'), 'data-value', total);
    p.exit_reasons.forEach(function (r, i) {
      var g = row('#chart-exit-reasons g.bar', i);
      eq('exit reason ' + i + ' time', g && g.querySelector('rect'), 'data-value', r.time_ns);
      eq('exit reason ' + i + ' count', g, 'data-count', r.count);
      eq('exit reason ' + i + ' table count', cell('table-exit-reasons', i, 'Exits'), 'data-value', r.count);
      eq('exit reason ' + i + ' table time', cell('table-exit-reasons', i, 'Total time'), 'data-value', r.time_ns);
      if (g && g.getAttribute('data-label') !== r.reason) fail('exit reason ' + i + ' label');
      if (r.latency) hist('hist-reason-' + i, r.latency);
    });
    p.devices.forEach(function (d, i) {
      var g = row('#chart-devices g.bar', i);
      eq(d.device + ' to_user', g && g.querySelector('rect[data-series=to_user]'), 'data-value', d.to_user);
      eq(d.device + ' in_kernel', g && g.querySelector('rect[data-series=in_kernel]'), 'data-value', d.in_kernel);
      eq(d.device + ' table to_user', cell('table-devices', i, 'To QEMU'), 'data-value', d.to_user);
      eq(d.device + ' table in_kernel', cell('table-devices', i, 'In kernel'), 'data-value', d.in_kernel);
      if (d.latency) hist('hist-device-' + i, d.latency);
    });
    if (p.timeline) {
      var chart = need('#chart-timeline');
      p.timeline.samples.forEach(function (s, i) {
        ['exits_to_user', 'kernel_exits'].forEach(function (k) {
          var pts = chart ? chart.querySelectorAll('g.series[data-series=' + k + '][data-vcpu="' +
                                                   (s.vcpu === null ? -1 : s.vcpu) + '"] circle') : [];
          var pt = Array.prototype.find.call(pts, function (c) { return +c.dataset.t === s.t; });
          eq('timeline ' + i + ' ' + k, pt, 'data-value', s[k]);
        });
      });
    } else if (document.getElementById('chart-timeline')) fail('timeline drawn without samples');
  }
  if (doc.speedups) {
    ['chart-speedups', 'chart-speedup-time', 'chart-speedup-exits', 'table-speedups'].forEach(
      function (id) { need('#' + id); });
    doc.speedups.forEach(function (s, i) {
      eq('speedup ' + i + ' ratio', row('#chart-speedup-time g.bar', i).querySelector('rect'), 'data-value', s.ratio);
      eq('speedup ' + i + ' exits', row('#chart-speedup-exits g.bar', i).querySelector('rect'), 'data-value',
         s.exits_ratio);
      eq('speedup ' + i + ' table', cell('table-speedups', i, 'Speed-up'), 'data-value', s.ratio);
      eq('speedup ' + i + ' table exits', cell('table-speedups', i, 'Exit ratio'), 'data-value', s.exits_ratio);
    });
  }
  if (doc.workloads) {
    ['table-workloads', 'chart-workload-exits'].forEach(function (id) { need('#' + id); });
    doc.workloads.forEach(function (w, i) {
      var g = row('#chart-workload-exits g.bar', i), e = w.exits_per_op;
      ['to_user', 'in_kernel'].forEach(function (k) {
        var r = g && g.querySelector('rect[data-series=' + k + ']');
        if (e[k] === null) { checked++; if (r) fail(w.name + ' ' + k + ' drawn for null'); }
        else eq(w.name + ' ' + k + '/op', r, 'data-value', e[k]);
      });
      eq(w.name + ' us/op', cell('table-workloads', i, 'Time/op (median)'), 'data-value', w.timing.us_per_op);
      eq(w.name + ' total/op', cell('table-workloads', i, 'Total'), 'data-value', e.total);
      eq(w.name + ' irq/op', cell('table-workloads', i, 'Interrupts/op'), 'data-value', w.interrupts.per_op);
      if (w.error) {
        checked++;
        var d = row('#table-workloads tr.detail', i);
        if (!d || d.textContent !== w.error) fail(w.name + ': error not shown verbatim');
      }
    });
  }
  // The optional script: sorting a numeric column orders it.
  var th = document.querySelector('table.sortable th.num[data-col]');
  if (th) {
    var t = th.closest('table'), col = +th.dataset.col;
    th.click();
    var vals = Array.prototype.map.call(t.querySelectorAll('tbody tr:not(.detail)'), function (r) {
      var v = r.cells[col].dataset.value; return v === '' ? -Infinity : +v; });
    checked++;
    for (var k = 1; k < vals.length; k++) if (vals[k] > vals[k - 1]) { fail('sorting ' + t.id); break; }
  }
  return { problems: problems, checked: checked };
})
"""


def check_page(cdp, html, doc, shot):
    problems = []
    cdp.call("Page.enable")
    cdp.call("Runtime.enable")
    cdp.call("Log.enable")
    cdp.call("Network.enable")
    cdp.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
    nav = cdp.call("Page.navigate", url="file://" + os.path.abspath(html))
    if nav.get("errorText"):
        return [f"navigation: {nav['errorText']}"]
    cdp.wait_event("Page.loadEventFired")
    result = cdp.call("Runtime.evaluate", expression=f"{CHECK_JS}({json.dumps(doc)})", returnByValue=True)
    if "exceptionDetails" in result:
        problems.append("check script: " + json.dumps(result["exceptionDetails"])[:500])
    else:
        value = result["result"]["value"]
        problems += value["problems"]
        print(f"  {value['checked']} numbers and elements checked against the document")
    metrics = cdp.call("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    png = cdp.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                   clip={"x": 0, "y": 0, "width": 1280, "height": size["height"], "scale": 1})
    with open(shot, "wb") as f:
        f.write(base64.b64decode(png["data"]))
    print(f"  screenshot: {shot} (1280x{int(size['height'])})")

    for e in cdp.events:
        m, prm = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in prm.get("args", []))
            problems.append(f"console.{prm.get('type')}: {text}")
        elif m == "Runtime.exceptionThrown":
            problems.append("exception: " + prm["exceptionDetails"].get("text", "") + " " +
                            str(prm["exceptionDetails"].get("exception", {}).get("description", "")))
        elif m == "Log.entryAdded":
            entry = prm["entry"]
            problems.append(f"log {entry.get('level')}: {entry.get('text')} {entry.get('url', '')}")
        elif m == "Network.requestWillBeSent":
            url = prm["request"]["url"]
            if not url.startswith(("file://", "data:")):
                problems.append("request: " + url)
        elif m == "Network.loadingFailed":
            problems.append(f"failed load: {prm.get('errorText')} {prm.get('blockedReason', '')}")
    return problems


def run_case(binary, render, name, json_path, out_dir):
    html = os.path.join(out_dir, f"report-{name}.html")
    shot = os.path.join(out_dir, f"report-{name}.png")
    cmd = [a.replace("{json}", json_path).replace("{html}", html) for a in shlex.split(render)]
    if os.path.exists(html):
        os.unlink(html)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or not os.path.exists(html):
        return [f"renderer {cmd} exited {r.returncode}: {r.stderr.strip()}"]
    with open(json_path) as f:
        doc = json.load(f)

    profile_dir = tempfile.mkdtemp(prefix="vp-chromium-")
    proc, ws, problems = None, None, []
    try:
        proc, url = start_chromium(binary, profile_dir)
        if isinstance(url, Exception):
            raise url
        deadline = time.monotonic() + DEADLINE_S
        ws = WebSocket(url, timeout=DEADLINE_S)
        cdp = Cdp(ws, deadline)
        target = cdp.call("Target.createTarget", url="about:blank")["targetId"]
        cdp.session = cdp.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        problems = check_page(cdp, html, doc, shot)
    except (CdpError, OSError, KeyError, ValueError) as e:
        problems.append(f"{type(e).__name__}: {e}")
    finally:
        if ws:
            ws.close()
        if proc:
            stop_chromium(proc)
        shutil.rmtree(profile_dir, ignore_errors=True)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--render", required=True,
                    help="renderer command; {json} and {html} are replaced, e.g. 'vmexit-prof report {json} --html {html}'")
    ap.add_argument("--data", required=True, help="directory of result-profile.json and result-compare.json")
    ap.add_argument("--out", required=True, help="where the pages and screenshots are kept")
    ap.add_argument("--chromium", default=os.environ.get("VP_CHROMIUM", "chromium"))
    args = ap.parse_args()

    binary = shutil.which(args.chromium)
    if not binary:
        print(f"SKIP: no {args.chromium} on PATH (Debian package chromium, scripts/setup-deps.sh)")
        return SKIP
    os.makedirs(args.out, exist_ok=True)
    failed = False
    for name in ("profile", "compare"):
        print(f"{name}:")
        problems = run_case(binary, args.render, name, os.path.join(args.data, f"result-{name}.json"), args.out)
        for p in problems:
            print("  FAIL " + p)
        failed |= bool(problems)
        if not problems:
            print("  ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
