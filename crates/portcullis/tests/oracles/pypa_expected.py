#!/usr/bin/env python3
"""Independent oracle for the PyPA acceptance test.

    pypa_expected.py ROOTFS PYPA_DIR

Prints JSON: [[package, version, advisory_id], ...] for every PyPA advisory
whose affected ranges or versions contain a Python distribution installed in
ROOTFS by pip (distributions whose metadata a dpkg package owns are left to
Debian's data, as the scanner does). Written without any portcullis code:
distributions come from importlib.metadata, ownership from dpkg's *.list
files, versions are compared with `packaging`, and OSV's range algorithm is
implemented from the OSV schema's pseudo-code.
"""
import glob
import json
import os
import sys
from importlib import metadata

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version


def installed(rootfs):
    dirs = [d for pattern in ("usr/lib/python3*/*-packages", "usr/local/lib/python3*/*-packages",
                              "usr/lib/python3/dist-packages")
            for d in glob.glob(os.path.join(rootfs, pattern))]
    owned = set()
    for lst in glob.glob(os.path.join(rootfs, "var/lib/dpkg/info/*.list")):
        with open(lst, encoding="utf-8", errors="replace") as f:
            owned.update(line.rstrip("\n") for line in f)
    seen = {}
    for dist in metadata.distributions(path=sorted(set(dirs))):
        meta_path = "/" + os.path.relpath(str(dist._path), rootfs)
        if meta_path in owned:
            continue
        name = canonicalize_name(dist.metadata["Name"])
        seen[(name, dist.version)] = meta_path
    return sorted(seen)


def affected(version, events):
    def key(e):
        (kind, v), = e.items()
        if kind == "introduced" and v == "0":
            return (0, Version("0"), 0)
        rank = {"introduced": 0, "last_affected": 1, "fixed": 2, "limit": 3}[kind]
        return (1, Version(v), rank)

    is_affected = False
    for event in sorted(events, key=key):
        (kind, v), = event.items()
        if kind == "introduced" and (v == "0" or version >= Version(v)):
            is_affected = True
        elif kind == "fixed" and version >= Version(v):
            is_affected = False
        elif kind == "last_affected" and version > Version(v):
            is_affected = False
    limits = [Version(e["limit"]) for e in events if "limit" in e and e["limit"] != "*"]
    if is_affected and limits and not any(version < lim for lim in limits):
        return False
    return is_affected


def main():
    rootfs, pypa = sys.argv[1], sys.argv[2]
    packages = installed(rootfs)
    names = {n for n, _ in packages}
    out = []
    for path in sorted(glob.glob(os.path.join(pypa, "**", "*.yaml"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            record = yaml.safe_load(f)
        if not isinstance(record, dict) or record.get("withdrawn"):
            continue
        for entry in record.get("affected") or []:
            pkg = entry.get("package") or {}
            if pkg.get("ecosystem") != "PyPI":
                continue
            name = canonicalize_name(pkg.get("name", ""))
            if name not in names:
                continue
            for pname, pversion in packages:
                if pname != name:
                    continue
                version = Version(pversion)
                hit = pversion in (entry.get("versions") or [])
                for r in entry.get("ranges") or []:
                    if r.get("type") == "ECOSYSTEM":
                        try:
                            hit = hit or affected(version, r.get("events") or [])
                        except InvalidVersion:
                            pass
                if hit:
                    out.append([pname, pversion, record["id"]])
    json.dump(sorted(set(map(tuple, out))), sys.stdout)


if __name__ == "__main__":
    main()
