"""`docgen batch`: the command-line shell over docgen.output.batch (bulk runs for print shops)."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable

from docgen.cli.options import whole_number
from docgen.cli.status import EXIT_REJECTED
from docgen.errors import BatchError
from docgen.output.encryption import password_from_file
from docgen.output.order import ORDERS


def _password(args: argparse.Namespace) -> str | None:
    """The password from a file or an environment variable: never from the command line,
    where other users and shell histories can read it."""
    if not args.encrypt:
        if args.password_file or args.password_env:
            raise BatchError("--password-file/--password-env given without --encrypt")
        return None
    if bool(args.password_file) == bool(args.password_env):
        raise BatchError("--encrypt needs exactly one of --password-file and --password-env")
    if args.password_file:
        return password_from_file(args.password_file)
    password = os.environ.get(args.password_env, "")
    if not password:
        raise BatchError(f"--password-env {args.password_env}: the variable is empty or not set")
    return password


def cmd_batch(args: argparse.Namespace) -> int:
    # process pools, progress bars: imported here, so that no other command starts with them
    from docgen.output.batch import BatchOptions, default_workers, print_summary, run_batch

    start = time.perf_counter()
    opts = BatchOptions(
        layout=args.layout, data=args.data, outdir=args.output, profile=args.profile, mapping=args.mapping,
        encoding=args.encoding, renewal=args.renewal, record_id=args.record_id, order=args.order,
        bundle_size=args.bundle_size, separator=args.separator, sheet=args.sheet, start_slot=args.start_slot,
        workers=args.workers or default_workers(), executor=args.executor, scheduler=args.scheduler,
        password=_password(args), password_file=args.password_file, resume=args.resume, force=args.force,
        batch_id=args.batch_id, progress=sys.stderr)
    summary = run_batch(opts)
    print_summary(summary)
    print(f"{args.output}: {summary['rendered'] / max(time.perf_counter() - start, 1e-9):.0f} records/s "
          f"in {time.perf_counter() - start:.1f} s; see manifest.csv, rejects.csv, summary.json")
    return EXIT_REJECTED if summary["rejected"] else 0


def add_batch_parser(subparsers: argparse._SubParsersAction,
                     data_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """`docgen batch`; `data_options` adds the input options every data command shares."""
    p = subparsers.add_parser("batch", help="bulk run: mailing order, bundles, sheets, manifest, resume",
                              description="Render every record of DATA into bundles of PDFs in OUTDIR, with a "
                                          "manifest, rejects.csv and summary.json; resumable after a crash.")
    p.add_argument("layout")
    p.add_argument("data", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="OUTDIR")
    data_options(p)
    p.add_argument("--order", choices=ORDERS, default="input",
                   help="mailing order of households (dependents always follow their insured person)")
    p.add_argument("--bundle-size", type=whole_number(1), default=1000, metavar="N", help="records per bundle file")
    p.add_argument("--separator", action="store_true", help="start each bundle with a separator page")
    p.add_argument("--sheet", action="store_true", help="impose cards 2 × 5 on A4 with crop marks, backs mirrored")
    p.add_argument("--start-slot", type=whole_number(1), default=1, metavar="N",
                   help="first free slot (1-10) of the first sheet, for a partly used sheet")
    p.add_argument("--workers", type=whole_number(1), metavar="N",
                   help="parallel workers (default: the number of cores)")
    p.add_argument("--executor", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler (default: start a local cluster)")
    p.add_argument("--encrypt", action="store_true", help="encrypt every bundle with AES-256")
    p.add_argument("--password-file", type=Path, metavar="F",
                   help="UTF-8 file whose first line (without its line ending) is the password")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding the password")
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in OUTDIR")
    p.add_argument("--force", action="store_true",
                   help="write into an OUTDIR that holds other files (never over them, nor over docgen's names)")
    p.add_argument("--batch-id", metavar="ID", help="batch id in control marks (default: from the input's fingerprint)")
    p.set_defaults(func=cmd_batch)
