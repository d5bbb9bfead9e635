"""What binding and checking cost a record: Job.bind as a worker runs it, and the driver's checking pass.

Generates records as bench_batch.py does and times, as CPU per record (best of the runs):
- `Job.bind` over the valid records, each run with a fresh job (nothing remembered from an
  earlier run). `--unique-names` makes every record's name, kana and 世帯主 and every household's
  address distinct, as in a real file: bench_batch.py draws names from 81 combinations, which
  binding's per-element memo would otherwise remember.
- the checking pass `docgen batch` runs before the first bundle (read, validate, spool, order),
  over `--check-records` records (20,000: its fixed part, hashing the fonts for the batch's
  fingerprint, ≈50 ms, is then 2.5 µs of a record).

See benchmarks/README.md ("Issue 11, phase 2: binding").

    .venv/bin/python benchmarks/bench_bind.py --layout kenpo-card --unique-names
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import generate  # noqa: E402

from docgen.output.batch import BatchOptions, _plan  # noqa: E402
from docgen.output.spool import Spool  # noqa: E402
from docgen.pipeline import open_job  # noqa: E402
from docgen.records import read_records  # noqa: E402

KANJI = "田中山川本木林森村井上下大小石原野口高橋佐藤鈴伊渡辺加清水松竹梅花春夏秋冬東西南北金銀青赤白黒"
KATAKANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def _nth(i: int, alphabet: str, n: int) -> str:
    """The i-th string of n characters of the alphabet (distinct for i below len(alphabet)**n)."""
    return "".join(alphabet[i // len(alphabet) ** k % len(alphabet)] for k in range(n))


def unique_names(records: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Each record's given names and each household's address made distinct, in place."""
    for i, (_, v) in enumerate(records):
        for name in ("name", "insured_name", "householder_name"):
            if name in v:
                v[name] = v[name].split("\u3000")[0] + "\u3000" + _nth(i, KANJI, 3)
        if "name_kana" in v:
            v["name_kana"] = v["name_kana"].split("\u3000")[0] + "\u3000" + _nth(i, KATAKANA, 3)
        if "address" in v:
            v["address"] += _nth(int(v["household_id"][1:]), KANJI, 2)


def best(runs: int, once: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        once()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layout", default="kenpo-card")
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--check-records", type=int, default=20000, help="records for the checking pass")
    ap.add_argument("--unique-names", action="store_true")
    args = ap.parse_args()
    job = open_job(args.layout)
    with tempfile.TemporaryDirectory() as tmp:
        data = generate(args.layout, args.records, Path(tmp) / "records.csv")
        records = [(src.row, values) for src, values, problems in job.validate(read_records(data, fields=job.fields))
                   if not problems]
        if args.unique_names:
            unique_names(records)
        jobs = [open_job(args.layout, fonts=job.fonts) for _ in range(args.runs + 1)]
        for row, values in records:            # every font and fallback loaded once, as in a worker
            jobs[-1].bind(row, values)
        gc.collect()
        gc.freeze()
        fresh = iter(jobs)
        bind = best(args.runs, lambda: [j.bind(row, values) for j in [next(fresh)] for row, values in records])
        opts = BatchOptions(args.layout, generate(args.layout, args.check_records, Path(tmp) / "check.csv"),
                            Path(tmp) / "out")

        def check() -> None:
            spool = Spool(Path(tmp))
            _plan(opts, job, spool, read_records(opts.data, fields=job.fields), "bench")
            spool.close()

        checking = best(args.runs, check)
    print(f"{args.layout}{' (unique names)' if args.unique_names else ''}: Job.bind {bind / len(records) * 1e3:.3f} ms, "
          f"checking pass {checking / args.check_records * 1e3:.3f} ms CPU a record (best of {args.runs})")


if __name__ == "__main__":
    main()
