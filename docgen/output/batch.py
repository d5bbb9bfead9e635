"""`docgen batch`: a whole mailing, in order, in bundles, in parallel, resumable, reconciled.

1. Plan (one streamed pass): check every record; rejected ones go to rejects.csv, accepted
   ones to an anonymous spool with only their order keys kept in memory; sort into mailing
   order and cut into bundles. The plan's fingerprint (input bytes, layout, profile, options)
   names the batch and guards --resume against a changed input.
2. Render: bundles go to the executor; each finished bundle is written atomically, then its
   journal entry. Bundles already done (entry present, SHA-256 matching) are skipped.
3. Finish: manifest, rejects and summary from the journal; input = rendered + rejected.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any, Iterator, TextIO

from docgen.bind.household import MemberKey, households
from docgen.digest import sha256_bytes, sha256_file
from docgen.errors import BatchError, DocgenError, Interrupted
from docgen.fonts.cache import font_digest
from docgen.output.bundle import (
    BundleResult,
    BundleTask,
    JobSpec,
    job_for,
    render_bundle,
    sheet_spec,
)
from docgen.output.encryption import check_password, matches, password_check
from docgen.output.executors import make_executor
from docgen.output.files import Inputs, atomic_write, content_files
from docgen.output.manifest import (
    BATCH_ID,
    Journal,
    bundle_name,
    problem_dict,
    write_manifest,
    write_problems,
    write_summary,
)
from docgen.output.order import Order, mailing_order, order_key
from docgen.output.outdir import claim_outdir
from docgen.output.progress import Progress
from docgen.output.spool import Spool
from docgen.pipeline import Job
from docgen.records import SourceRecord, read_records
from docgen.validate.problems import Problem


@dataclass(frozen=True)
class BatchOptions:
    layout: str
    data: Path
    outdir: Path
    profile: str | None = None
    mapping: Path | None = None
    encoding: str | None = None
    renewal: date | None = None
    record_id: str | None = None
    order: Order = "input"
    bundle_size: int = 1000
    separator: bool = False
    sheet: bool = False
    start_slot: int = 1
    workers: int = 1
    executor: str = "local"
    scheduler: str | None = None
    security: Any = None                    # Dask's Security (TLS); None: Dask's configuration
    password: str | None = field(default=None, repr=False)     # encrypt with AES-256 when given
    password_file: Path | None = None       # where the password was read from: an input, never written over
    resume: bool = False
    force: bool = False                     # write into an OUTDIR that holds other programs' files
    batch_id: str | None = None
    progress: TextIO | None = None


@dataclass
class Plan:
    fingerprint: str
    batch: str
    input: int
    bundles: list[tuple[int, int]]          # (first sequence, count) per bundle
    rejects: list[dict[str, Any]]           # problems found by the checks, in row order
    rejected_rows: int

    def as_json(self, opts: BatchOptions, encryption: dict[str, Any] | None) -> dict[str, Any]:
        return {"fingerprint": self.fingerprint, "batch": self.batch, "input": self.input,
                "layout": opts.layout, "bundles": [list(b) for b in self.bundles], "encryption": encryption}


def _fingerprint(opts: BatchOptions, job: Job) -> tuple[str, bytes]:
    """What decides the output: the input's bytes, the layout, the profile, the scheme, the bytes of
    the images and fonts they use, and the options; and the journal's key, a digest of the same
    followed by a suffix. The fingerprint is in plan.json, the key is nowhere, and cannot be
    computed from the fingerprint (SHA-256 length extension reaches only the material followed by
    its padding): forging a journal entry takes the input itself, not just write access to OUTDIR
    (which holds no personal data)."""
    h = hashlib.sha256()
    for path in (opts.data, opts.mapping):
        if path is not None:
            with Path(path).open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        h.update(b"\0")
    h.update(job.layout.model.model_dump_json().encode())
    for page in job.layout.pages:
        for el in page.elements:
            h.update(el.model_dump_json().encode())
    # the profile's own values, its seal and 外字 table by content: the same input names the same
    # batch wherever docgen and the profile are installed, and a changed seal image is a changed run
    h.update(job.profile.model_dump_json(exclude={"seal", "gaiji"}).encode())
    h.update(job.layout.scheme.spec.model_dump_json().encode())
    for what, path in content_files(job):
        h.update((font_digest(path) if what == "font" else sha256_file(path)).encode())
    h.update(json.dumps([opts.encoding, str(opts.renewal), opts.record_id, opts.order,
                         opts.bundle_size, opts.separator, opts.sheet, opts.start_slot, bool(opts.password),
                         opts.batch_id]).encode())
    key = h.copy()
    key.update(b"\0docgen journal key")
    return h.hexdigest(), key.digest()


def _plan(opts: BatchOptions, job: Job, spool: Spool, records: Iterator[SourceRecord],
          fp: str) -> tuple[Plan, list[tuple[int, int]]]:
    """Check and spool every record; the plan and the spool places in mailing order. A household
    layout's bundles hold whole households, `bundle_size` of them (envelopes), and a household
    with a rejected member or members that disagree is rejected whole (docgen.bind.household)."""
    keys, places, rejects, members = [], [], [], []
    read = rejected = 0
    for src, values, problems in job.validate(job.records(records, None, None, opts.record_id)):
        read += 1
        if job.household is not None:
            members.append(job.household_key(src.row, values, src.fields, bool(problems)))
        if problems:
            rejected += 1
            rejects.extend(problem_dict(p) for p in problems)
            continue
        places.append((src.row, spool.add(src.row, values)))
        keys.append(order_key(values, opts.order))
    held = _held_households(job, members)
    rejected += len(held)
    rejects.extend(problem_dict(p) for problems in held.values() for p in problems)
    order = [i for i in mailing_order(keys) if places[i][0] not in held]
    ordered = [places[i][1] for i in order]
    n = opts.bundle_size
    if job.household is None:
        bundles = [(first + 1, min(n, len(ordered) - first)) for first in range(0, len(ordered), n)]
    else:       # n households a bundle: a household's records are adjacent in mailing order
        sizes = [len(list(run)) for _, run in groupby(order, key=lambda i: keys[i].group if keys[i].group else -1 - i)]
        bundles, first = [], 1
        for j in range(0, len(sizes), n):
            bundles.append((first, sum(sizes[j:j + n])))
            first += bundles[-1][1]
    return Plan(fp, opts.batch_id or fp[:8].upper(), read, bundles, rejects, rejected), ordered


def _held_households(job: Job, members: list[MemberKey]) -> dict[int, list[Problem]]:
    """By input row, the problems of records that passed their checks but whose household does not
    print (a member rejected, members that disagree)."""
    held: dict[int, list[Problem]] = {}
    for idx in households([m.group for m in members], [m.head for m in members]):
        held.update(job.household_problems([members[i] for i in idx]))
    return held


def _validate(opts: BatchOptions, job: Job) -> None:
    if opts.bundle_size < 1:
        raise BatchError("--bundle-size must be at least 1")
    if opts.password is not None:
        check_password(opts.password)
    if opts.batch_id is not None and not BATCH_ID.fullmatch(opts.batch_id):
        raise BatchError("--batch-id: 1 to 16 upper-case letters or digits")
    if opts.sheet:
        if job.layout.model.document == "notice":
            raise BatchError(f"--sheet imposes cards; {job.layout.name} is a notice")
        try:
            spec = sheet_spec(job)
        except ValueError as exc:
            raise BatchError(f"--sheet: {exc}") from None
        if not 1 <= opts.start_slot <= spec.slots:
            raise BatchError(f"--start-slot must be 1 to {spec.slots}")
    elif opts.start_slot != 1:
        raise BatchError("--start-slot needs --sheet")


def run_batch(opts: BatchOptions, job: Job | None = None) -> dict[str, Any]:
    """Run (or resume) a batch into opts.outdir; returns the summary that summary.json holds."""
    spec = JobSpec(opts.layout, opts.profile, opts.renewal)
    job = job_for(spec, job)
    _validate(opts, job)
    outdir = opts.outdir
    inputs = Inputs.of(job, records_file=opts.data, mapping_file=opts.mapping,
                       password_file=opts.password_file)
    # the records file and mapping opened first: what is wrong with them is said as render says it
    records = read_records(opts.data, mapping=opts.mapping, encoding=opts.encoding, fields=job.fields)
    fingerprint, key = _fingerprint(opts, job)
    journal = Journal(outdir, fingerprint, key)
    previous = claim_outdir(journal, inputs, resume=opts.resume, force=opts.force, say=opts.progress)
    if previous is not None and previous["fingerprint"] != fingerprint:
        raise BatchError(f"{outdir}: the input, layout, profile, scheme or options differ from the run it holds "
                         f"(batch {previous['batch']}); resume with the same ones, or use a new directory")
    encryption = _encryption(previous, opts.password, outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with Spool(outdir) as spool:
        plan, ordered = _plan(opts, job, spool, records, fingerprint)
        todo = [b for b in range(1, len(plan.bundles) + 1) if journal.done(b) is None]
        with _resumable(outdir, journal, len(plan.bundles)):
            journal.write_plan(plan.as_json(opts, encryption))
            progress = Progress(len(ordered), len(ordered) - sum(plan.bundles[b - 1][1] for b in todo), opts.progress)
            if opts.executor == "local" and opts.workers > 1:
                _preload_fonts(job)
            executor = make_executor(opts.executor, opts.workers, opts.scheduler, private_fds=(spool.fileno(),),
                                     job=job, security=opts.security)
            try:
                for result in executor.map_unordered(render_bundle, _tasks(opts, spec, plan, ordered, spool, todo)):
                    _commit(journal, outdir, result)
                    progress.update(plan.bundles[result.bundle - 1][1])
            finally:
                executor.close()
                progress.close()
    with _resumable(outdir, journal, len(plan.bundles)):
        summary = _finish(outdir, journal, plan, opts)
    if not summary["reconciled"]:
        raise BatchError(f"counts do not reconcile: {summary['input']} read, {summary['rendered']} rendered, "
                         f"{summary['rejected']} rejected")
    return summary


def _encryption(previous: dict[str, Any] | None, password: str | None, outdir: Path) -> dict[str, Any] | None:
    """The journal's password check: the interrupted run's, which the password must match, or a
    new one. Checked before the input is read, so a wrong password costs no time."""
    if previous is None:
        return password_check(password) if password else None
    old = previous.get("encryption")
    if old and not password:
        raise BatchError(f"{outdir}: batch {previous['batch']} was started with --encrypt: resume it with the "
                         "same password, or start over in a new directory")
    if password and not old:
        raise BatchError(f"{outdir}: batch {previous['batch']} was started without --encrypt (or by a docgen that "
                         "kept no password check): resume it with the same options, or start over in a new directory")
    if old and not matches(old, password or ""):
        raise BatchError(f"{outdir}: the password differs from the one batch {previous['batch']} was started with "
                         "(its finished bundles are encrypted with that one): resume with the same password, "
                         "or start over in a new directory")
    return old


@contextmanager
def _resumable(outdir: Path, journal: Journal, bundles: int) -> Iterator[None]:
    """An error or Ctrl-C once the plan is in the journal leaves a run that --resume finishes: say
    so, and how much of it is done."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted: {outdir} keeps the {journal.finished()} finished bundle(s) of {bundles}: "
                          "run the same command with --resume to finish") from None
    except DocgenError as exc:
        raise BatchError(f"{exc}; {outdir} keeps the {journal.finished()} finished bundle(s) of {bundles}: "
                         "run the same command with --resume to finish") from exc


def _preload_fonts(job: Job) -> None:
    """Load every configured font before the pool forks, so the workers share one copy
    (copy-on-write) instead of each reading its own: a fallback such as IPAmj明朝 is 44 MB."""
    for family in job.fonts.families:
        job.fonts.chain(family)


def _tasks(opts: BatchOptions, spec: JobSpec, plan: Plan, ordered: list[tuple[int, int]], spool: Spool,
           todo: list[int]) -> Iterator[BundleTask]:
    """Tasks read from the spool only when the executor asks for them."""
    for b in todo:
        first, count = plan.bundles[b - 1]
        records = tuple(spool.read(ordered[i]) for i in range(first - 1, first - 1 + count))
        yield BundleTask(spec, plan.batch, b, first, records, opts.sheet, opts.start_slot if b == 1 else 1,
                         opts.separator, opts.password)


def _commit(journal: Journal, outdir: Path, result: BundleResult) -> None:
    """The bundle's file, then its journal entry: an entry never points to a missing file."""
    name = bundle_name(result.bundle) if result.pdf else None
    if name:
        atomic_write(outdir / name, result.pdf)
    journal.record({
        "bundle": result.bundle, "file": name, "sha256": sha256_bytes(result.pdf) if name else None,
        "pages": result.pages, "sheets": result.sheets, "entries": result.entries,
        "rejects": [problem_dict(p) for p in result.rejects],
        "warnings": [problem_dict(p) for p in result.warnings],
    })


def _finish(outdir: Path, journal: Journal, plan: Plan, opts: BatchOptions) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    rejects = list(plan.rejects)
    warnings: list[dict[str, Any]] = []
    files = []
    pages = sheets = 0
    for b in range(1, len(plan.bundles) + 1):
        entry = journal.entry(b)
        for row in entry["entries"]:
            rows.append({**row, "file": entry["file"], "file_sha256": entry["sha256"]})
        rejects.extend(entry["rejects"])
        warnings.extend(entry["warnings"])
        pages += entry["pages"]
        sheets += entry["sheets"]
        if entry["file"]:
            files.append({"file": entry["file"], "sha256": entry["sha256"], "records": len(entry["entries"]),
                          "pages": entry["pages"]})
    rejects.sort(key=lambda p: p["row"])
    rejected = len({p["row"] for p in rejects})
    write_manifest(outdir, rows)
    write_problems(outdir / "rejects.csv", rejects)
    if warnings:
        write_problems(outdir / "warnings.csv", sorted(warnings, key=lambda p: p["row"]))
    summary = {
        "batch": plan.batch, "layout": opts.layout, "order": opts.order, "bundle_size": opts.bundle_size,
        "input": plan.input, "rendered": len(rows), "rejected": rejected,
        "reconciled": plan.input == len(rows) + rejected,
        "bundles": len(files), "pages": pages, "sheets": sheets, "warnings": len(warnings),
        "encrypted": bool(opts.password), "files": files,
    }
    write_summary(outdir, summary)
    return summary


def default_workers() -> int:
    return os.cpu_count() or 1


def print_summary(summary: dict[str, Any], stream: TextIO | None = None) -> None:
    """The run in one line, on `stream` (default: sys.stdout as it is when called)."""
    s = summary
    print(f"batch {s['batch']}: {s['input']} read = {s['rendered']} rendered + {s['rejected']} rejected; "
          f"{s['bundles']} bundle(s), {s['pages']} page(s)" + (f", {s['sheets']} sheet(s)" if s["sheets"] else "")
          + (f"; {s['warnings']} warning(s)" if s["warnings"] else ""), file=stream or sys.stdout)
