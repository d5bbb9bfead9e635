"""What one record costs inside a worker: CPU per record of rendering a bundle, and where it goes.

Generates records as bench_batch.py does, checks them, then renders the same bundle several times
in this process (no process start, no checking pass, no files) and prints the CPU time per
record (best of the runs) and the PDF bytes per record. `--split` adds the CPU of the best run's
stages (binding, drawing pages, ending pages, saving the file) timed around each call, without a
profiler's overhead. `--unique-names` makes names and addresses distinct as bench_bind.py does
(the generated ones repeat, and binding remembers fitted text). `--profile` prints a pyinstrument
tree of two more runs (pip install pyinstrument), or cProfile's top functions without it. See benchmarks/README.md.

    .venv/bin/python benchmarks/bench_bundle.py --layout kenpo-card
    .venv/bin/python benchmarks/bench_bundle.py --layout kenpo-card --split
    .venv/bin/python benchmarks/bench_bundle.py --layout kenpo-card --profile
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_batch import generate  # noqa: E402
from bench_bind import unique_names  # noqa: E402

from docgen.output.bundle import BundleTask, JobSpec, job_for, render_bundle  # noqa: E402
from docgen.output.pagedict import KindCanvas  # noqa: E402
from docgen.pipeline import Job  # noqa: E402
from docgen.records import read_records  # noqa: E402
from docgen.render.page import PageDrawer  # noqa: E402

# (class, method, name in the split): the stages --split times
STAGES = ((Job, "bind", "bind"), (PageDrawer, "draw_page", "draw pages"),
          (KindCanvas, "showPage", "end pages"), (KindCanvas, "save", "save"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layout", default="kenpo-card")
    ap.add_argument("--records", type=int, default=1000, help="records in the bundle")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sheet", action="store_true", help="impose the cards on A4 sheets")
    ap.add_argument("--split", action="store_true", help="CPU of each stage of the best run")
    ap.add_argument("--unique-names", action="store_true",
                    help="every record's names and every household's address distinct (see bench_bind.py)")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    spec = JobSpec(args.layout)
    job = job_for(spec)
    with tempfile.TemporaryDirectory() as tmp:
        data = generate(args.layout, args.records, Path(tmp) / "records.csv")
        records = tuple((src.row, values) for src, values, problems in job.validate(read_records(data, fields=job.fields))
                        if not problems)
    if args.unique_names:
        unique_names(records)
    task = BundleTask(spec, "BENCH", 1, 1, records, sheet=args.sheet)
    render_bundle(task)                 # every font and form loaded once, as in a worker
    gc.collect()
    gc.freeze()                         # as the process pool's workers have it
    stages: dict[str, float] = {}
    if args.split:
        _time_stages(stages)
    runs = []
    for _ in range(args.runs):
        stages.clear()
        start = time.process_time()
        result = render_bundle(task)
        runs.append((time.process_time() - start, dict(stages)))
    n = len(records)
    best, split = min(runs, key=lambda run: run[0])
    print(f"{args.layout}{' --sheet' if args.sheet else ''}{' --unique-names' if args.unique_names else ''}: "
          f"{best / n * 1e3:.3f} ms CPU a record "
          f"(best of {args.runs}, bundle of {n}), {len(result.pdf) / n:.0f} bytes a record")
    if args.split:
        print("  " + ", ".join(f"{name} {cpu / n * 1e3:.3f}" for name, cpu in split.items())
              + f", the rest {(best - sum(split.values())) / n * 1e3:.3f} ms a record")
    if args.profile:
        _profile(task)


def _time_stages(stages: dict[str, float]) -> None:
    """Wrap each stage's method to add its CPU time to stages[name]."""
    for cls, method, name in STAGES:
        original = getattr(cls, method)

        def timed(*args: Any, _original: Any = original, _name: str = name) -> Any:
            start = time.process_time()
            try:
                return _original(*args)
            finally:
                stages[_name] = stages.get(_name, 0.0) + time.process_time() - start

        setattr(cls, method, timed)


def _profile(task: BundleTask) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(lambda: [render_bundle(task) for _ in range(2)])
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
        return
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(2):
        render_bundle(task)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
