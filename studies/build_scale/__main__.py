"""Build synthetic catalogs of several sizes and print build time, peak memory and output size.

    .venv/bin/python -m studies.build_scale [N ...]      (default: 50 200 1000)

Each build runs `versus build` in a child process, so peak memory is that build's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = "targets on the 2-core reference machine: N=1000 in at most 120 s, 1 GB of output and 4 GB of memory"


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build_once(n: int, work: Path) -> tuple[float, int, int, int]:
    catalog, out = work / f"catalog-{n}", work / f"site-{n}"
    versus = [sys.executable, "-m", "generator.cli"]
    subprocess.run([*versus, "synth", str(n), "--out", str(catalog)], check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED_BUILD, str(catalog), str(out)], check=True, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    peak_kib = int(done.stdout.strip().splitlines()[-1])
    pages = sum(1 for _ in out.rglob("index.html"))
    return elapsed, peak_kib * 1024, folder_bytes(out), pages


# Runs one build in a fresh interpreter and prints that process's own peak resident memory (KiB).
_MEASURED_BUILD = """
import resource, sys
from generator.cli import main
code = main(["build", "--catalog", sys.argv[1], "--out", sys.argv[2]])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
sys.exit(code)
"""


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [50, 200, 1000]
    print(f"cpu cores: {os.cpu_count()}; {TARGETS}")
    print(f"{'models':>7} {'pages':>7} {'build s':>8} {'peak MB':>8} {'output MB':>10}")
    with tempfile.TemporaryDirectory(prefix="versus-scale-") as tmp:
        for n in sorted(sizes):
            elapsed, peak, size, pages = build_once(n, Path(tmp))
            print(f"{n:>7} {pages:>7} {elapsed:>8.1f} {peak / 1e6:>8.0f} {size / 1e6:>10.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
