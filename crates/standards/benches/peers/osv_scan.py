#!/usr/bin/env python3
"""Peer for `clearinghouse scan`: the same offline job done with Google's Python `osv` helpers.

Loads every OSV record (JSON and YAML) with `osv.parse_vulnerability`, indexes affected packages by
(ecosystem, name), reads the purls of every CycloneDX / SPDX 2.x SBOM given, and evaluates each
ECOSYSTEM / SEMVER range and version list with the helpers' own `ecosystems.get(e).sort_key`.
Prints the number of (component, advisory) matches.

Setup (a venv, because `osv` pins packaging 21.3):
  python3 -m venv /tmp/osvpeer && /tmp/osvpeer/bin/pip install osv
Usage:
  /tmp/osvpeer/bin/python osv_scan.py --advisories DIR... --sboms FILE...
"""
import argparse
import json
import os
import sys
import time
from collections import defaultdict
from urllib.parse import unquote

import osv

PURL_TO_ECOSYSTEM = {"pypi": "PyPI", "npm": "npm", "cargo": "crates.io", "golang": "Go", "maven": "Maven",
                     "gem": "RubyGems", "nuget": "NuGet", "composer": "Packagist", "hex": "Hex", "pub": "Pub"}


def purl_key(purl):
    if not purl or not purl.startswith("pkg:"):
        return None
    body = purl[4:].split("#")[0].split("?")[0]
    if "@" not in body:
        return None
    path, version = body.rsplit("@", 1)
    parts = path.split("/")
    ecosystem = PURL_TO_ECOSYSTEM.get(parts[0].lower())
    if ecosystem is None:
        return None
    names = [unquote(p) for p in parts[1:]]
    name = ":".join(names) if ecosystem == "Maven" else "/".join(names)
    if ecosystem == "PyPI":
        name = name.lower().replace("_", "-").replace(".", "-")
    elif ecosystem in ("npm", "crates.io"):
        name = name.lower()
    return ecosystem, name, unquote(version)


def load(paths):
    index = defaultdict(list)
    count = 0
    for root in paths:
        for directory, _, files in os.walk(root):
            for file in files:
                if not file.endswith((".json", ".yaml", ".yml")):
                    continue
                try:
                    vulnerability = osv.parse_vulnerability(os.path.join(directory, file))
                except Exception:
                    continue
                count += 1
                for affected in vulnerability.affected:
                    name = affected.package.name
                    ecosystem = affected.package.ecosystem.split(":")[0]
                    if ecosystem == "PyPI":
                        name = name.lower().replace("_", "-").replace(".", "-")
                    elif ecosystem in ("npm", "crates.io"):
                        name = name.lower()
                    index[(ecosystem, name)].append((vulnerability.id, affected))
    return index, count


def affected_by(ecosystem, ecosystem_helper, version, affected):
    if version in affected.versions:
        return True
    if ecosystem_helper is None:
        return False
    try:
        key = ecosystem_helper.sort_key(version)
    except Exception:
        return False
    for range_ in affected.ranges:
        if range_.type not in (range_.SEMVER, range_.ECOSYSTEM):
            continue
        state = False
        # Events as written (OSV databases write them in order).
        for event in range_.events:
            try:
                if event.introduced and (event.introduced == "0" or key >= ecosystem_helper.sort_key(event.introduced)):
                    state = True
                if event.fixed and key >= ecosystem_helper.sort_key(event.fixed):
                    state = False
                if event.last_affected and key > ecosystem_helper.sort_key(event.last_affected):
                    state = False
            except Exception:
                continue
        if state:
            return True
    return False


def purls(path):
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if "bomFormat" in document:
        def walk(components):
            for component in components or []:
                yield component.get("purl")
                yield from walk(component.get("components"))
        main = (document.get("metadata") or {}).get("component")
        yield from walk([main] if main else [])
        yield from walk(document.get("components"))
    elif str(document.get("spdxVersion", "")).startswith("SPDX-2"):
        for package in document.get("packages", []):
            for ref in package.get("externalRefs", []):
                if ref.get("referenceType") == "purl":
                    yield ref.get("referenceLocator")
                    break


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--advisories", nargs="+", required=True)
    parser.add_argument("--sboms", nargs="+", required=True)
    args = parser.parse_args()
    started = time.process_time()
    index, count = load(args.advisories)
    loaded = time.process_time()
    matches = 0
    for sbom in args.sboms:
        try:
            found = list(purls(sbom))
        except Exception:
            continue
        for purl in found:
            key = purl_key(purl)
            if key is None:
                continue
            ecosystem, name, version = key
            try:
                helper = osv.ecosystems.get(ecosystem)
            except Exception:
                helper = None
            for _, affected in index.get((ecosystem, name), []):
                if affected_by(ecosystem, helper, version, affected):
                    matches += 1
    done = time.process_time()
    print(f"{count} advisories, {matches} matches; CPU seconds: load {loaded - started:.2f}, match {done - loaded:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
