"""Benchmark `docgen batch --executor dask` through a local `dask scheduler` and 1, 2 … `dask worker`
processes (one thread each) on 127.0.0.1: cards per second, the scheduler's overhead per bundle,
and the bundle size that keeps that overhead under 2 % of a bundle's time. See benchmarks/README.md.

    .venv/bin/python benchmarks/bench_dask.py --records 100000 --workers 1 2

Overhead per bundle: the same records run once with --bundle-size 1 and once with --bundle-size
1000 on one worker; the difference in wall time over the difference in bundles is what one more
bundle costs from end to end (the task through the scheduler, its records to the worker and its
PDF back, the file with its own font subsets, the journal entry). The same pair run with
`--executor local --workers 1` gives docgen's own part of that (the file, the journal); the rest
is the scheduler's. --workers with no count measures only the overhead, against --card-ms.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from bench_batch import generate

DASK = Path(sys.executable).with_name("dask")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and `workers` single-threaded worker processes, ended when the stack closes."""

    def __init__(self, stack: ExitStack, workers: int, root: Path) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self.procs = [self._start(stack, root, "scheduler", ["scheduler", "--host", "127.0.0.1", "--port", port,
                                                             "--no-dashboard"])]
        self.workers = [self._start(stack, root, f"w{i}", ["worker", self.address, "--nthreads", "1", "--no-nanny",
                                                           "--no-dashboard", "--host", "127.0.0.1"])
                        for i in range(workers)]
        from distributed import Client

        with Client(self.address, timeout=120) as client:
            client.wait_for_workers(workers, timeout=120)

    @staticmethod
    def _start(stack: ExitStack, root: Path, name: str, argv: list[str]) -> subprocess.Popen:
        cwd = root / name
        cwd.mkdir(parents=True, exist_ok=True)
        log = stack.enter_context((cwd / "log").open("wb"))
        proc = subprocess.Popen([str(DASK), *argv], cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(lambda: (proc.kill(), proc.wait()))
        return proc


class PeakRss:
    """The largest RSS any of `pids` reached while it runs, sampled every 0.2 s (needs psutil)."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.peak = 0
        self._procs = [psutil.Process(p) for p in pids]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max([self.peak, *(p.memory_info().rss for p in self._procs)])

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def batch(data: Path, out: Path, scheduler: str | None, bundle_size: int, layout: str) -> float:
    """Wall seconds of the real command, start-up and checking pass included (no scheduler: one
    local process)."""
    where = ["--executor", "dask", "--scheduler", scheduler] if scheduler else ["--workers", "1"]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "docgen.cli", "batch", layout, str(data), "-o", str(out), *where,
                    "--bundle-size", str(bundle_size)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--card-ms", type=float, help="one worker's time a card, when --workers measures none")
    ap.add_argument("--layout", default="kenpo-card")
    ap.add_argument("--bundle-size", type=int, default=1000)
    ap.add_argument("--overhead-records", type=int, default=2000, help="records of the overhead measurement")
    args = ap.parse_args()
    print(f"{os.cpu_count()} core(s), load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="docgen-bench-dask-") as tmp:
        root = Path(tmp)
        data = generate(args.layout, args.records, root / "data.csv") if args.workers else None
        small = generate(args.layout, args.overhead_records, root / "small.csv")
        per_card = {}
        for n in args.workers:
            with ExitStack() as stack:
                cluster = Cluster(stack, n, root / f"cluster-{n}")
                rss = PeakRss([w.pid for w in cluster.workers])
                wall = batch(data, root / f"out-{n}", cluster.address, args.bundle_size, args.layout)
                peak = rss.stop()
            per_card[n] = wall / args.records
            print(f"{n} worker(s): {args.records:,} cards in {wall:.1f} s = {args.records / wall:,.0f} cards/s "
                  f"({args.records / wall / n:,.0f} per worker), bundles of {args.bundle_size}; "
                  f"peak worker RSS {peak / 2**20:,.0f} MiB")
        bundles = args.overhead_records - -(-args.overhead_records // 1000)
        cost = {}
        for label, scheduler in (("local", None), ("dask", "")):
            with ExitStack() as stack:
                if scheduler is not None:
                    scheduler = Cluster(stack, 1, root / "cluster-overhead").address
                fine = batch(small, root / f"fine-{label}", scheduler, 1, args.layout)
                coarse = batch(small, root / f"coarse-{label}", scheduler, 1000, args.layout)
            cost[label] = (fine - coarse) / bundles
            print(f"{label}: a bundle costs {cost[label] * 1000:.1f} ms ({args.overhead_records:,} cards: {fine:.1f} s "
                  f"in bundles of 1, {coarse:.1f} s in bundles of 1000)")
        overhead = cost["dask"] - cost["local"]
        card = per_card[min(per_card)] * min(per_card) if per_card else args.card_ms / 1000
        print(f"scheduler overhead per bundle: {overhead * 1000:.1f} ms; one worker's time a card {card * 1000:.2f} ms")
        print(f"bundle size for a scheduler overhead under 2 %: at least {overhead / (0.02 * card):,.0f} cards; "
              f"for all per-bundle costs under 2 %: {cost['dask'] / (0.02 * card):,.0f}")


if __name__ == "__main__":
    main()
