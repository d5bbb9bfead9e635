"""Benchmark the counter reissue: `docgen render LAYOUT DATA --id ID -o x.pdf`, end to end.

Runs the real command in a fresh process R times (after one warm-up run) and prints the median
wall time and CPU time (user + system), the interpreter's own start (`python -c pass`) for
reference, and where the imports go (`python -X importtime`, one run). With `--cold` every run
starts with an empty font cache (a fresh XDG_CACHE_HOME): what the first run on a machine costs.
See benchmarks/README.md.

    .venv/bin/python benchmarks/bench_reissue.py                       # kenpo-card E0001, 7 runs
    .venv/bin/python benchmarks/bench_reissue.py --cold --runs 7
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of cmd."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def imports(cmd: list[str], env: dict[str, str], top: int) -> tuple[float, list[tuple[str, float]]]:
    """Total import time (ms) of one run and the top-level packages that took most of it."""
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True)
    per: Counter[str] = Counter()
    for m in re.finditer(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", proc.stderr):
        name = m.group(2)
        parts = name.split(".")
        per[".".join(parts[:2]) if parts[0] == "docgen" else parts[0]] += int(m.group(1))
    return sum(per.values()) / 1000, [(k, v / 1000) for k, v in per.most_common(top)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layout", default="kenpo-card")
    ap.add_argument("--data", type=Path, default=ROOT / "samples" / "kenpo.csv")
    ap.add_argument("--id", default="E0001")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--cold", action="store_true", help="an empty font cache for every run")
    ap.add_argument("--top", type=int, default=12, help="packages listed in the import breakdown")
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)       # an installed docgen has its bytecode compiled
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.pdf"
        cmd = [sys.executable, "-m", "docgen.cli", "render", args.layout, str(args.data), "--id", args.id,
               "-o", str(out)]
        env["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")    # the user's own cache is left alone
        timed(cmd, env)                            # warm-up: bytecode, page cache, font cache
        walls, cpus = [], []
        for i in range(args.runs):
            if args.cold:
                env["XDG_CACHE_HOME"] = str(Path(tmp) / f"cache-{i}")
            wall, cpu = timed(cmd, env)
            walls.append(wall)
            cpus.append(cpu)
        floor = statistics.median(timed([sys.executable, "-c", "pass"], env)[0] for _ in range(args.runs))
        total, top = imports(cmd, env, args.top)
    state = "cold (empty)" if args.cold else "warm"
    print(f"cores: {os.cpu_count()}; load {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}; "
          f"{args.layout} --id {args.id}; font cache {state}")
    print(f"median of {args.runs}: {statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU "
          f"(min {min(walls):.3f}, max {max(walls):.3f}); python -c pass {floor:.3f} s")
    print(f"imports (one run, -X importtime): {total:.0f} ms; " + ", ".join(f"{k} {v:.0f}" for k, v in top))


if __name__ == "__main__":
    main()
