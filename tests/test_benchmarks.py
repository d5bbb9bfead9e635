"""Every tool in benchmarks/ runs, on a few records: benchmarks/README.md quotes their figures, and
bench_bind.py had stopped running when the batch's checking pass took new arguments, unnoticed.

Nothing here is timed: speed is what the tools print, read by a person (README: Tests).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


CASES = [
    (["bench_bind.py", "--records", "40", "--runs", "1", "--check-records", "60"],
     r"kenpo-card: Job\.bind [\d.]+ ms, checking pass [\d.]+ ms CPU a record"),
    (["bench_bundle.py", "--records", "40", "--runs", "1", "--split"], r"kenpo-card: [\d.]+ ms CPU a record"),
    (["bench_reissue.py", "--runs", "1"], r"median of 1: [\d.]+ s wall"),
    (["bench_batch.py", "--records", "120", "--layouts", "kokuho-notice", "--workers", "1", "--bundle-size", "50"],
     r"kokuho-notice +1 +[\d.]+ +\d+"),
    (["bench_dask.py", "--records", "120", "--workers", "1", "--overhead-records", "60", "--bundle-size", "60"],
     r"scheduler overhead per bundle: [\d.]+ ms"),
]


@pytest.mark.parametrize("argv, says", CASES, ids=[argv[0] for argv, _ in CASES])
def test_each_benchmark_runs_on_a_few_records(argv: list[str], says: str) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / argv[0]), *argv[1:]], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(says, proc.stdout), proc.stdout[-2000:]
