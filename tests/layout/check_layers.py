#!/usr/bin/env python3
"""The data path's layers, as the folders draw them: every quoted #include of
a C file must name a header of its own folder or of a folder below it.

    bpf/  <-  collector/model/  <-  collector/sources/  <-  collector/runner/
    collector/model/  <-  reports/doc/ (the writer)
    reports/doc/doc_{reader,access,rules}.h, atomic_file.h, units.h, report_tables.h  <-  reports/text/, reports/html/, reports/gate/, reports/metrics/
    (that kit itself includes nothing but the kit: a renderer that uses it stays off the model)
    everything  <-  collector/cli/

usage: check_layers.py SOURCE_DIR      (exit 1 and one line per arrow that points up)
       check_layers.py --self-test     (the check itself catches an upward arrow)
"""
import os
import re
import sys
import tempfile

RENDERER = {"reports/doc/doc_reader.h", "reports/doc/doc_rules.h", "reports/doc/doc_access.h",
            "reports/doc/atomic_file.h",
            "reports/doc/units.h", "reports/doc/report_tables.h"}
ALLOWED = {
    "bpf": ["bpf"],
    "collector/model": ["collector/model", "bpf"],
    "collector/sources": ["collector/sources", "collector/model", "bpf"],
    "collector/runner": ["collector/runner", "collector/sources", "collector/model", "bpf"],
    "collector/cli": ["collector/cli", "collector/runner", "collector/sources", "collector/model",
                      "bpf", "reports/doc", "reports/text", "reports/html", "reports/gate",
                      "reports/metrics"],
    "reports/doc": ["reports/doc", "collector/model", "bpf"],
    "reports/text": ["reports/text", RENDERER],
    "reports/html": ["reports/html", RENDERER],
    "reports/gate": ["reports/gate", RENDERER],
    "reports/metrics": ["reports/metrics", RENDERER],
}
# Generated at build time: the kernel's types for bpf/, and the skeleton of
# each kernel program for its loader.
GENERATED = {"vmexit.skel.h": "collector/sources", "qemu_usdt.skel.h": "collector/sources",
             "vmlinux.h": "bpf"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def headers(top):
    where = {}
    for folder in ALLOWED:
        d = os.path.join(top, folder)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            if name.endswith(".h"):
                where.setdefault(name, []).append(f"{folder}/{name}")
    return where


def violations(top):
    where, bad = headers(top), []
    for folder, allowed in ALLOWED.items():
        d = os.path.join(top, folder)
        if not os.path.isdir(d):
            bad.append(f"{folder}: missing")
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith((".c", ".h")):
                continue
            with open(os.path.join(d, name)) as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                base = os.path.basename(inc)
                if base in GENERATED:
                    if GENERATED[base] != folder:
                        bad.append(f"{folder}/{name} includes {inc}, the loader's skeleton")
                    continue
                homes = where.get(base, [])
                if not homes:
                    bad.append(f"{folder}/{name} includes {inc}, which no layer has")
                    continue
                ok = any(h in a if isinstance(a, set) else h.startswith(a + "/")
                         for h in homes for a in allowed)
                if not ok:
                    bad.append(f"{folder}/{name} includes {homes[0]}: an arrow that points up")
                elif f"{folder}/{name[:-2]}.h" in RENDERER and not any(h in RENDERER for h in homes):
                    bad.append(f"{folder}/{name} includes {homes[0]}: the renderers' kit may "
                               "include only the kit")
    return bad


def self_test():
    with tempfile.TemporaryDirectory() as top:
        for folder in ALLOWED:
            os.makedirs(os.path.join(top, folder))
        files = {"collector/model/result.h": "", "reports/doc/doc_reader.h": "",
                 "reports/doc/doc_writer.h": '#include "result.h"\n',
                 "reports/text/text.c": '#include "doc_reader.h"\n'}
        for path, text in files.items():
            with open(os.path.join(top, path), "w") as f:
                f.write(text)
        if violations(top):
            return f"a tree without upward arrows was refused: {violations(top)}"
        for path, text in {"reports/text/text.c": '#include "result.h"\n',
                           "collector/model/result.h": '#include "doc_writer.h"\n',
                           "reports/doc/units.c": '#include "result.h"\n'}.items():
            with open(os.path.join(top, path), "a") as f:
                f.write(text)
        found = violations(top)
        if len(found) != 3:
            return ("want the 3 upward arrows (renderer -> model, model -> doc, kit -> model), "
                    f"got {found}")
    return None


def main():
    if sys.argv[1:] == ["--self-test"]:
        why = self_test()
        print(why or "ok: an include of a layer above is caught")
        return 1 if why else 0
    bad = violations(sys.argv[1])
    for b in bad:
        print(b)
    if not bad:
        print("ok: every include names its own layer or one below")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
