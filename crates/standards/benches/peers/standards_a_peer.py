#!/usr/bin/env python3
"""Python reference timings for the standards-A benchmarks (benches/cvss.rs, benches/versions.rs).

Times Red Hat's `cvss` on the same Red Hat vector files, and `univers` on the same generated
version shapes and the same OSV-style range, so the Rust figures can be compared in one run.

    pip install cvss univers
    python3 crates/standards/benches/peers/standards_a_peer.py [SHARED_DATA_DIR]
"""

import os
import sys
import time

from cvss import CVSS2, CVSS3, CVSS4
from univers import versions as uv
from univers.version_range import PypiVersionRange


def rate(label, count, fn, min_seconds=1.0):
    """Runs fn (which processes `count` items) until min_seconds pass; prints items/second."""
    fn()  # warm up
    runs, start = 0, time.perf_counter()
    while True:
        fn()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            break
    per_second = count * runs / elapsed
    print(f"{label:40s} {per_second:14,.0f} /s")
    return per_second


def read_vectors(root, name):
    with open(os.path.join(root, "cvss", "redhat-cvss", name)) as handle:
        return [line.split(" - ")[0] for line in handle if " - " in line]


def bench_cvss(root):
    for label, cls, name in [
        ("v2", CVSS2, "vectors_simple2"),
        ("v3.1", CVSS3, "vectors_simple31"),
        ("v4.0", CVSS4, "vectors_simple4"),
    ]:
        vectors = read_vectors(root, name)

        def run():
            for vector in vectors:
                scored = cls(vector)
                scored.scores() if cls is not CVSS4 else scored.base_score

        rate(f"cvss_parse_and_score/{label}", len(vectors), run)


def sample(ecosystem, count):
    """Same shapes as `sample` in benches/versions.rs."""
    out = []
    for i in range(count):
        major, minor, patch = i % 7, (i // 7) % 13, (i // 91) % 11
        pre = ["", "", "", "rc", "beta", "alpha"][i % 6]
        if ecosystem == "PyPI":
            v = {"": f"{major}.{minor}.{patch}", "rc": f"{major}.{minor}.{patch}rc1",
                 "beta": f"{major}.{minor}.{patch}b2"}.get(pre, f"{major}.{minor}.{patch}.post1")
        elif ecosystem == "Maven":
            v = {"": f"{major}.{minor}.{patch}", "rc": f"{major}.{minor}.{patch}-RC1",
                 "beta": f"{major}.{minor}-beta-2"}.get(pre, f"{major}.{minor}.{patch}-SNAPSHOT")
        elif ecosystem == "Debian":
            v = {"": f"{major}.{minor}.{patch}-1", "rc": f"1:{major}.{minor}~rc1-2"}.get(
                pre, f"{major}.{minor}.{patch}-1+deb12u{i % 3}")
        elif ecosystem == "Red Hat":
            v = {"": f"{major}.{minor}.{patch}-1.el9", "rc": f"{major}.{minor}.{patch}~rc1-1.el9"}.get(
                pre, f"1:{major}.{minor}.{patch}-{i % 5}.el9_2")
        elif ecosystem == "Alpine":
            v = f"{major}.{minor}.{patch}-r{i % 4}" if pre == "" else f"{major}.{minor}.{patch}_rc{i % 3}-r0"
        elif ecosystem == "RubyGems":
            v = f"{major}.{minor}.{patch}" if pre == "" else f"{major}.{minor}.{patch}.{pre}1"
        elif ecosystem == "Go":
            v = {"": f"v{major}.{minor}.{patch}", "rc": f"v{major}.{minor}.{patch}+incompatible"}.get(
                pre, f"v0.0.0-2021010{i % 9}000000-abcdef123456")
        else:
            v = f"{major}.{minor}.{patch}" if pre == "" else f"{major}.{minor}.{patch}-{pre}.{i % 4}"
        out.append(v)
    return out


UNIVERS = {
    "PyPI": uv.PypiVersion,
    "npm": uv.SemverVersion,
    "crates.io": uv.SemverVersion,
    "Go": uv.GolangVersion,
    "Maven": uv.MavenVersion,
    "RubyGems": uv.RubygemsVersion,
    "NuGet": uv.NugetVersion,
    "Packagist": uv.ComposerVersion,
    "Debian": uv.DebianVersion,
    "Red Hat": uv.RpmVersion,
    "Alpine": uv.AlpineLinuxVersion,
    "Generic": uv.GenericVersion,
}


def bench_versions():
    for ecosystem, cls in UNIVERS.items():
        parsed = []
        for text in sample(ecosystem, 1000):
            try:
                parsed.append(cls(text))
            except Exception:  # univers rejects some shapes; time what it accepts
                pass

        def run():
            less = 0
            for a, b in zip(parsed, parsed[1:]):
                less += a < b
            return less

        rate(f"version_compare_parsed/{ecosystem} (n={len(parsed)})", max(len(parsed) - 1, 1), run)

    for ecosystem, cls in UNIVERS.items():
        texts = sample(ecosystem, 1000)

        def run():
            for text in texts:
                try:
                    cls(text)
                except Exception:
                    pass

        rate(f"version_parse/{ecosystem}", len(texts), run)


def bench_range():
    # The same affected set as benches/versions.rs: [0, 1.4.2) ∪ [2.0.0, 2.3.1) ∪ [3.0.0a1, 3.1.4].
    spec = PypiVersionRange.from_string("vers:pypi/<1.4.2|>=2.0.0|<2.3.1|>=3.0.0a1|<=3.1.4")
    versions = [uv.PypiVersion(v) for v in sample("PyPI", 1000)]

    def run():
        return sum(1 for v in versions if v in spec)

    rate("osv_range_evaluation/univers_pypi", len(versions), run)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "CLEARINGHOUSE_SHARED_DATA",
        os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..", "shared", "data"))
    print(f"python {sys.version.split()[0]}")
    bench_cvss(root)
    bench_versions()
    bench_range()


if __name__ == "__main__":
    main()
