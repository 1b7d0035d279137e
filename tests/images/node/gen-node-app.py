#!/usr/bin/env python3
"""Write the /app of the "node" fixture image without the npm registry.

usage: gen-node-app.py PACKAGES.tsv APPDIR

Writes APPDIR/package.json (lodash 4.17.15, minimist 1.2.0, express 4.16.0),
one package.json per package under APPDIR/node_modules (name, version,
description, license, dependencies) and APPDIR/package-lock.json
(lockfileVersion 3). The lock file has no "resolved"/"integrity" fields:
nothing here was downloaded. Before writing, every dependency range is
resolved the way Node does (nearest node_modules upwards) and checked, so the
tree is consistent.
"""
import json
import os
import re
import sys

APP_NAME = "portcullis-fixture-app"
APP_DEPS = {"express": "4.16.0", "lodash": "4.17.15", "minimist": "1.2.0"}


def load(path):
    pkgs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rel, name, version, lic, deps, desc = line.split("\t")
            dependencies = {}
            for item in filter(None, deps.split(";")):
                dname, drange = item.split("=", 1)
                dependencies[dname] = drange
            pkgs["node_modules/" + rel] = {
                "name": name, "version": version, "license": lic,
                "description": desc, "dependencies": dependencies,
            }
    return pkgs


def vtuple(v):
    return tuple(int(x) for x in v.split("."))


def satisfies(version, rng):
    """The subset of npm semver ranges used by these packages."""
    v = vtuple(version)
    rng = rng.strip()
    m = re.fullmatch(r">=\s*([\d.]+)\s*<\s*([\d.]+)", rng)
    if m:
        lo, hi = m.group(1), m.group(2)
        hi_t = vtuple(hi) + (0,) * (3 - len(vtuple(hi)))
        return vtuple(lo) <= v < hi_t
    if rng.startswith("~"):
        base = vtuple(rng[1:])
        return v >= base and v[:2] == base[:2]
    if rng.startswith("^"):
        base = vtuple(rng[1:])
        return v >= base and (v[0] == base[0] if base[0] else v[:2] == base[:2])
    return v == vtuple(rng)


def resolve(pkgs, frm, name):
    """Node's lookup: FROM/node_modules/NAME, then each parent's node_modules."""
    base = frm
    while True:
        cand = (base + "/" if base else "") + "node_modules/" + name
        if cand in pkgs:
            return cand
        if not base:
            return None
        idx = base.rfind("/node_modules/")
        base = base[:idx] if idx >= 0 else ""


def main(tsv, app):
    pkgs = load(tsv)
    problems = []
    for path, p in [("", {"dependencies": APP_DEPS})] + sorted(pkgs.items()):
        for dname, drange in p["dependencies"].items():
            target = resolve(pkgs, path, dname)
            if target is None or not satisfies(pkgs[target]["version"], drange):
                problems.append("%s: %s@%s -> %s" % (path or "<root>", dname, drange,
                                                       target and pkgs[target]["version"]))
    if problems:
        sys.exit("gen-node-app: inconsistent tree:\n  " + "\n  ".join(problems))

    def dump(obj, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(obj, f, indent=2, ensure_ascii=False)
            f.write("\n")

    dump({"name": APP_NAME, "version": "1.0.0", "private": True,
          "description": "portcullis test fixture: an express app with old dependencies",
          "main": "index.js", "license": "UNLICENSED",
          "dependencies": APP_DEPS}, os.path.join(app, "package.json"))
    with open(os.path.join(app, "index.js"), "w") as f:
        f.write("const express = require('express');\n"
                "const app = express();\n"
                "app.get('/', (req, res) => res.send('hello'));\n"
                "app.listen(3000);\n")

    lock = {"name": APP_NAME, "version": "1.0.0", "lockfileVersion": 3, "requires": True,
            "packages": {"": {"name": APP_NAME, "version": "1.0.0", "license": "UNLICENSED",
                              "dependencies": APP_DEPS}}}
    for path, p in sorted(pkgs.items()):
        manifest = {"name": p["name"], "version": p["version"],
                    "description": p["description"], "license": p["license"]}
        if p["dependencies"]:
            manifest["dependencies"] = p["dependencies"]
        dump(manifest, os.path.join(app, path, "package.json"))
        entry = {"version": p["version"], "license": p["license"]}
        if p["dependencies"]:
            entry["dependencies"] = p["dependencies"]
        lock["packages"][path] = entry
    dump(lock, os.path.join(app, "package-lock.json"))
    print("gen-node-app: %d packages in %s/node_modules" % (len(pkgs), app), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
