"""Benchmark `docgen batch`: records per second, peak memory, cores.

Generates N fictional records per layout (made-up names, some long, some with rare kanji such
as 髙, 﨑 and 𠮷 outside the BMP; addresses in the fictional 例題県), then times the real command
in a subprocess for each worker count. See benchmarks/README.md.

    .venv/bin/python benchmarks/bench_batch.py --records 100000 --workers 1 2
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

FAMILY = ["見本", "架空", "例題", "髙﨑", "𠮷野", "架空野", "見本山", "例題川", "ミホンスカヤ"]
GIVEN = ["太郎", "花子", "一郎", "さくら", "陽向", "千代", "和也", "𠮷男", "エカテリーナ　アレクサンドロヴナ"]
KANA = {"見本": "ミホン", "架空": "カクウ", "例題": "レイダイ", "髙﨑": "タカサキ", "𠮷野": "ヨシノ", "架空野": "カクウノ",
        "見本山": "ミホンヤマ", "例題川": "レイダイガワ", "ミホンスカヤ": "ミホンスカヤ", "太郎": "タロウ", "花子": "ハナコ",
        "一郎": "イチロウ", "さくら": "サクラ", "陽向": "ヒナタ", "千代": "チヨ", "和也": "カズヤ", "𠮷男": "ヨシオ",
        "エカテリーナ　アレクサンドロヴナ": "エカテリーナ　アレクサンドロヴナ"}
KOKUHO = ["record_id", "kigo", "bango", "edaban", "name", "name_kana", "birth_date", "sex", "acquired_date",
          "issue_date", "householder_name", "postal_code", "address", "copay_ratio", "household_id"]
KENPO = ["record_id", "kigo", "bango", "edaban", "name", "name_kana", "birth_date", "sex", "relationship",
         "insured_name", "acquired_date", "issue_date", "postal_code", "address", "household_id", "employer_id"]


def _person(rnd: random.Random, family: str) -> tuple[str, str]:
    given = rnd.choice(GIVEN)
    return f"{family}　{given}", f"{KANA[family]}　{KANA[given]}"


def generate(layout: str, n: int, path: Path, seed: int = 7) -> Path:
    """n records in households of 1–4 people, households in random postal and employer order."""
    rnd = random.Random(seed)
    kenpo = layout.startswith("kenpo")
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=KENPO if kenpo else KOKUHO)
        w.writeheader()
        i = h = 0
        while i < n:
            h += 1
            family = rnd.choice(FAMILY)
            head, _ = _person(rnd, family)
            common = {"household_id": f"H{h:07d}", "kigo": "40010203" if kenpo else "架空", "bango": str(h),
                      "postal_code": f"000{rnd.randrange(10000):04d}",
                      "address": f"例題県架空市見本町{rnd.randrange(1, 10)}丁目{rnd.randrange(1, 30)}番{rnd.randrange(1, 20)}号"
                                 + (" 見本レジデンス見本館1205号室" if rnd.random() < 0.2 else "")}
            for m in range(min(rnd.randint(1, 4), n - i)):
                name, kana = (head, _person(rnd, family)[1]) if m == 0 else _person(rnd, family)
                birth = date(1957, 1, 1) + timedelta(days=rnd.randrange(365 * 63))
                row = {**common, "record_id": f"R{i:07d}", "edaban": f"{m:02d}", "name": name, "name_kana": kana,
                       "birth_date": birth.isoformat(), "sex": rnd.choice("男女"), "issue_date": "2026-07-15",
                       "acquired_date": max(birth, date(2015, 4, 1)).isoformat()}
                if kenpo:
                    row |= {"relationship": "本人" if m == 0 else "家族", "insured_name": head,
                            "employer_id": f"E{rnd.randrange(200):03d}"}
                else:
                    row |= {"householder_name": head}
                w.writerow(row)
                i += 1
    return path


class TreeMemory:
    """Peak of the summed PSS of a process and its children, sampled (needs psutil)."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil
        except ImportError:
            self._thread = None
            return
        self._proc = psutil.Process(pid)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.1):
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                # PSS: pages the forked workers share with the driver count once, not per process
                self.peak = max(self.peak, sum(p.memory_full_info().pss for p in procs))
            except psutil.Error:
                pass

    def stop(self) -> int | None:
        self._stop.set()
        if self._thread:
            self._thread.join()
            return self.peak
        return None


def _cpu() -> float:
    """CPU seconds (user + system) of every finished child process and its own children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(layout: str, data: Path, out: Path, workers: int, extra: list[str]) -> tuple[float, float, int | None]:
    """Wall seconds, CPU seconds of the whole process tree, peak tree memory."""
    cmd = [sys.executable, "-m", "docgen.cli", "batch", layout, str(data), "-o", str(out),
           "--workers", str(workers), *extra]
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    tree = memory.stop()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"docgen batch failed ({proc.returncode}):\n{err}")
    return elapsed, _cpu() - cpu, tree


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--layouts", nargs="+", default=["kokuho-card", "kenpo-card", "kokuho-notice"])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--bundle-size", type=int, default=1000)
    ap.add_argument("--sheet", action="store_true", help="impose the cards on A4 sheets")
    ap.add_argument("--keep", type=Path, help="keep data and output here instead of a temporary folder")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}; load {os.getloadavg()[0]:.2f}; python {sys.version.split()[0]}; "
          f"{args.records} records per layout")
    print(f"{'layout':14} {'workers':>7} {'seconds':>8} {'records/s':>10} {'per worker':>10} {'CPU ms/rec':>10} "
          f"{'peak MB (PSS)':>15} {'peak MB (1 proc)':>16}")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        for layout in args.layouts:
            data = generate(layout, args.records, root / f"{layout}.csv")
            extra = ["--bundle-size", str(args.bundle_size)]
            if args.sheet and layout.endswith("card"):
                extra.append("--sheet")
            for workers in args.workers:
                elapsed, cpu, tree = run(layout, data, root / f"{layout}-w{workers}", workers, extra)
                single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                rate = args.records / elapsed
                tree_mb = f"{tree / 2**20:.0f}" if tree else "n/a"
                print(f"{layout:14} {workers:>7} {elapsed:>8.1f} {rate:>10.0f} {rate / workers:>10.0f} "
                      f"{cpu / args.records * 1e3:>10.3f} {tree_mb:>15} {single:>16.0f}", flush=True)


if __name__ == "__main__":
    main()
