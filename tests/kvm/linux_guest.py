#!/usr/bin/env python3
"""vmexit-prof --pid on what users profile: a Linux guest under KVM.

usage: linux_guest.py VMEXIT_PROF VP_QEMU

Debian's kernel with a busybox initramfs (linux-guest/) boots under
-accel kvm on the project's QEMU with its default VGA, an IDE disk, a
virtio-blk disk, an e1000 and a virtio-net card.  Once its drivers are up,
the profiler attaches; the guest then writes and reads both disks with dd
and pings over both cards between two snapshots of its own counters.  The
VM is paused while the profiler attaches and stops, so KVM's own per-vCPU
counters (QMP query-stats) cover exactly the profiled interval.

The profile must name every device, lose nothing, add up, and agree with
the guest (requests per disk from /proc/diskstats, interrupts per device
from /proc/interrupts) and with KVM's counters.
Exit status 77 (skip) when /dev/kvm cannot be used on this host.
"""
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pylib"))
import doc_checks  # noqa: E402
from vp_qmp import Qmp  # noqa: E402

SKIP = 77
PROF, QEMU = sys.argv[1], sys.argv[2]
BOOT_TIMEOUT = 600


class Fail(Exception):
    pass


class Console:
    """The guest's serial console: QEMU's stdin and stdout."""

    def __init__(self, proc):
        self.proc, self.lines, self.buf = proc, [], b""

    def wait_for(self, word, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for i, line in enumerate(self.lines):
                if word in line:
                    return self.lines[:i + 1]
            left = deadline - time.monotonic()
            if left <= 0:
                raise Fail(f"the guest did not print '{word}' within {timeout} s; console:\n" + "\n".join(self.lines[-30:]))
            ready, _, _ = select.select([self.proc.stdout], [], [], min(left, 1))
            if ready:
                data = os.read(self.proc.stdout.fileno(), 65536)
                if not data:
                    raise Fail(f"QEMU exited before '{word}'; console:\n" + "\n".join(self.lines[-30:]))
                self.buf += data
                *done, self.buf = self.buf.split(b"\n")
                self.lines += [d.decode(errors="replace").rstrip("\r") for d in done]

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()


def snapshot(lines, tag):
    """The guest's counters printed between 'vp-guest: TAG ...' markers."""
    disks, irqs, nics, part = {}, {}, {}, None
    for line in lines:
        m = re.match(rf"vp-guest: {tag} (\w+)", line)
        if m:
            part = m.group(1)
            f = line.split()
            if part == "net" and len(f) == 8 and f[5].isdigit() and f[7].isdigit():
                nics[f[3]] = {"tx": int(f[5]), "rx": int(f[7])}
            continue
        if part == "diskstats":
            f = line.split()
            if len(f) < 14 or f[2] not in ("sda", "vda"):
                continue
            # reads, writes, discards and flushes completed
            disks[f[2]] = sum(int(f[i]) for i in (3, 7, 14, 18) if i < len(f))
        elif part == "interrupts" and ":" in line:
            head, rest = line.split(":", 1)
            f = rest.split()
            counts = [int(x) for x in f if x.isdigit()]
            irqs[head.strip()] = {"count": sum(counts), "name": " ".join(f[len(counts):])}
    return disks, irqs, nics


def kvm_stats(qmp):
    out = {}
    for vcpu in qmp.execute("query-stats", target="vcpu", providers=[{"provider": "kvm"}]):
        for s in vcpu["stats"]:
            if isinstance(s["value"], int):
                out[s["name"]] = out.get(s["name"], 0) + s["value"]
    return out


def guest_irqs(before, after, pattern):
    """Interrupts the guest took on the lines whose handler name matches."""
    return sum(after[k]["count"] - before.get(k, {"count": 0})["count"]
               for k in after if re.search(pattern, after[k]["name"]))


def check(doc, lines, stats_before, stats_after):
    prof = doc["profile"]
    errors = doc_checks.table_sums(doc)
    devices = {d["device"]: d for d in prof["devices"]}
    d0, i0, _ = snapshot(lines, "before")
    d1, i1, n1 = snapshot(lines, "after")
    nic_driver = {m.group(1): m.group(2) for m in (re.match(r"vp-guest: nic (\S+) (\S+)", l) for l in lines) if m}

    unknown = [d for d in prof["devices"] if d["class"] == "unknown"]
    if unknown:
        errors.append(f"devices left unknown: {[(d['device'], d['name'], d['to_user']) for d in unknown]}")
    for dev in ("ide", "virtio-blk", "e1000", "virtio-net"):
        if dev not in devices:
            errors.append(f"device {dev} missing from the profile (have {sorted(devices)})")

    # Requests per disk: the guest's completed requests are QEMU's.
    for disk, dev, event in (("sda", "ide", "ide_exec_cmd"), ("vda", "virtio-blk", "virtio_blk_req_complete")):
        want = d1.get(disk, 0) - d0.get(disk, 0)
        got = devices.get(dev, {}).get("qemu_events", {}).get(event)
        if want <= 0 or got != want:
            errors.append(f"{disk}: the guest completed {want} requests, the profile shows {event} = {got} on {dev}")

    # Interrupts per device, as the guest's own handlers counted them.
    eth = {drv: dev for dev, drv in nic_driver.items()}
    # virtio's configuration interrupts are not queue notifications: neither side counts them.
    for dev, pattern in (("ide", r"ata_piix"), ("virtio-blk", r"virtio\d+-req\."),
                         ("e1000", re.escape(eth.get("e1000", "?")) + "$"),
                         ("virtio-net", r"virtio\d+-(input|output)\.")):
        want = guest_irqs(i0, i1, pattern)
        got = devices.get(dev, {}).get("interrupts")
        # e1000's Linux driver raises an interrupt of its own every 2 s
        # (its watchdog): one may fall in the moments the profile is longer.
        slack = 2 if dev == "e1000" else 0
        if want <= 0 or got is None or not want <= got <= want + slack:
            errors.append(f"{dev}: the guest took {want} interrupts, the profile shows {got}")
    for nic, drv in nic_driver.items():
        if n1.get(nic, {}).get("tx", 0) < 20:
            errors.append(f"{nic} ({drv}) sent {n1.get(nic)} frames, want at least the 20 pings")

    # KVM's own counters over the same interval.
    def exits(where, reason):
        return sum(r["count"] for r in prof["exit_reasons"] if r["where"] == where and r["reason"] == reason)

    delta = {k: stats_after.get(k, 0) - stats_before.get(k, 0) for k in stats_after}
    for stat, where, reason in (("io_exits", "kernel", "io"), ("halt_exits", "kernel", "hlt"),
                                ("irq_exits", "kernel", "interrupt"), ("mmio_exits", "user", "MMIO")):
        if delta.get(stat) != exits(where, reason):
            errors.append(f"KVM counted {delta.get(stat)} {stat}, the profile {exits(where, reason)} {where} '{reason}' exits")
    # Every exit, fastpath ones included, is a kvm_exit on the kernels this runs on.
    if delta.get("exits") != prof["events"]["kvm_exit"]:
        errors.append(f"KVM counted {delta.get('exits')} exits, the profile {prof['events']['kvm_exit']} kvm_exit")
    print(f"KVM's counters over the profile: {json.dumps({k: v for k, v in delta.items() if v})}")
    return errors


def run(tmp):
    initrd = os.path.join(tmp, "initramfs.gz")
    kernel = subprocess.run([os.path.join(HERE, "linux-guest", "mkinitramfs.sh"), initrd], check=True,
                            capture_output=True, text=True).stdout.split()[-1]
    for disk in ("ide.img", "vblk.img"):
        with open(os.path.join(tmp, disk), "wb") as f:
            f.truncate(16 << 20)
    qmp_prof, qmp_test = os.path.join(tmp, "qmp.sock"), os.path.join(tmp, "qmp-test.sock")
    qemu = subprocess.Popen(
        [QEMU, "-accel", "kvm", "-cpu", "host", "-machine", "pc", "-m", "256", "-smp", "1",
         "-L", "/usr/share/seabios", "-L", "/usr/share/qemu", "-display", "none", "-vga", "std",
         "-serial", "stdio", "-monitor", "none", "-no-reboot",
         "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 panic=-1 loglevel=3",
         "-drive", f"file={tmp}/ide.img,format=raw,if=ide,index=0",
         "-drive", f"file={tmp}/vblk.img,format=raw,if=none,id=vd0", "-device", "virtio-blk-pci,drive=vd0",
         "-netdev", "user,id=n0,net=10.0.2.0/24", "-device", "e1000,netdev=n0,romfile=",
         "-netdev", "user,id=n1,net=10.0.3.0/24", "-device", "virtio-net-pci,netdev=n1,romfile=",
         "-qmp", f"unix:{qmp_prof},server=on,wait=off",
         "-chardev", f"socket,id=qmp2,path={qmp_test},server=on,wait=off", "-mon", "chardev=qmp2,mode=control"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    prof = None
    console = Console(qemu)
    try:
        started = time.monotonic()
        console.wait_for("vp-guest: ready", BOOT_TIMEOUT)
        print(f"guest ready after {time.monotonic() - started:.1f} s")
        qmp = Qmp(qmp_test, time.monotonic() + 20)
        qmp.execute("stop")
        out = os.path.join(tmp, "profile.json")
        prof = subprocess.Popen([PROF, "--pid", str(qemu.pid), "--interval", "1", "--json", out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while "attached" not in (prof.stderr.readline() if select.select([prof.stderr], [], [], 1)[0] else ""):
            if prof.poll() is not None or time.monotonic() > deadline:
                raise Fail(f"vmexit-prof did not attach: {prof.stderr.read() if prof.poll() is not None else 'timeout'}")
        before = kvm_stats(qmp)
        qmp.execute("cont")
        console.send("go\n")
        console.wait_for("vp-guest: captured", BOOT_TIMEOUT)
        qmp.execute("stop")
        after = kvm_stats(qmp)
        prof.send_signal(signal.SIGINT)
        report, err = prof.communicate(timeout=60)
        qmp.execute("cont")
        console.send("show\n")
        lines = console.wait_for("vp-guest: done", BOOT_TIMEOUT)
        print(report)
        if prof.returncode:
            raise Fail(f"vmexit-prof exited {prof.returncode}: {err}")
        with open(out) as f:
            doc = json.load(f)
        if os.environ.get("VP_KEEP_DIR"):
            with open(os.path.join(os.environ["VP_KEEP_DIR"], "linux-guest.json"), "w") as f:
                json.dump(doc, f, indent=1)
            with open(os.path.join(os.environ["VP_KEEP_DIR"], "linux-guest.console"), "w") as f:
                f.write("\n".join(console.lines))
        qmp.close()
        errors = check(doc, lines, before, after)
        if errors:
            raise Fail("\nFAIL: ".join(errors))
        return errors
    except BaseException:
        print("guest console:\n" + "\n".join(console.lines))
        raise
    finally:
        if prof and prof.poll() is None:
            prof.kill()
        qemu.kill()
        qemu.wait()


def main():
    if not doc_checks.kvm_usable():
        print("skipped: /dev/kvm cannot be used on this host")
        return 1 if doc_checks.in_lab() else SKIP
    # Debian's stock kernel stops after its decompressor on a PVM host.
    if doc_checks.host_is_pvm():
        print("skipped: this host's KVM is PVM (kvm_pvm), which does not run a stock Linux kernel")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        try:
            errors = run(tmp)
        except Fail as e:
            errors = [str(e)]
    return doc_checks.verdict(errors, "every device named, nothing lost, the guest's and KVM's own counts "
                                      "match the profile")


if __name__ == "__main__":
    sys.exit(main())
