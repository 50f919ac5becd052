"""Just enough of QEMU's QMP for the tests: connect, run a command, close.

A QMP socket serves one client at a time, so a test that queries QEMU while
vmexit-prof holds the command line's socket gives QEMU a second one.
"""
import json
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, deadline):
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"QEMU's QMP socket {path} never appeared")
                time.sleep(0.05)
        self.f = self.sock.makefile("rw")
        self.reply()  # greeting
        self.execute("qmp_capabilities")

    def reply(self):
        while True:
            line = self.f.readline()
            if not line:
                raise QmpError("QEMU closed its QMP socket")
            m = json.loads(line)
            if "event" not in m:
                return m

    def execute(self, cmd, **arguments):
        msg = {"execute": cmd}
        if arguments:
            msg["arguments"] = arguments
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        m = self.reply()
        if "return" not in m:
            raise QmpError(f"{cmd}: {m}")
        return m["return"]

    def close(self):
        self.f.close()
        self.sock.close()
