"""Whose files an OUTDIR holds, decided before a batch writes anything.

docgen knows its own files by name and by its journal: journal/plan.json says a run lives here
and how many bundles it has, so bundle-00001.pdf … bundle-NNNNN.pdf, the reports and the journal
entries are that run's. Everything else is foreign. A batch
- never writes over an input of the run (by file identity, whatever the name);
- never overwrites or removes a foreign file with a name docgen writes (a bundle, a report, the
  journal): stale bundles of an earlier run whose journal is gone, or another program's
  manifest.csv, stop the run, even with --force, so no old bundle is left beside a new summary;
- refuses any other foreign file unless --force (then it is left alone beside the run's files);
- refuses a directory holding a run unless --resume (which then must match it);
- removes what a killed run left (the partial files of docgen's names, spool files), on every
  run, also one it then refuses, and says so: they hold personal data.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any, Iterator, TextIO

from docgen.errors import BatchError, OutputError
from docgen.output.files import Inputs
from docgen.output.manifest import JOURNAL, Journal
from docgen.output.spool import SPOOL_PREFIX

REPORTS = frozenset({"manifest.csv", "manifest.jsonl", "rejects.csv", "warnings.csv", "summary.json"})
_BUNDLE = re.compile(r"bundle-(\d{5,})\.(pdf|json)")
_PARTIAL = re.compile(r"\.(.+)\.partial")
_LISTED = 5
_MOVE_INPUT = "move it out of OUTDIR, or give another OUTDIR"
_SPOOL = -1                              # `_entries` verdict for a leftover spool file


def _unpartial(name: str) -> str:
    m = _PARTIAL.fullmatch(name)
    return m.group(1) if m else name


def _docgen_name(name: str, in_journal: bool) -> int | None:
    """Whether docgen writes a file of this name (in OUTDIR or in journal/): for a bundle or its
    journal entry the bundle's number, for another of docgen's names 0, else None."""
    name = _unpartial(name)
    m = _BUNDLE.fullmatch(name)
    if m and (m.group(2) == "json") == in_journal:
        return int(m.group(1))
    fixed = {"plan.json"} if in_journal else REPORTS | {JOURNAL}
    return 0 if name in fixed else None


def _listing(names: list[str]) -> str:
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return ", ".join(sorted(names)[:_LISTED]) + more


def _entries(outdir: Path) -> Iterator[tuple[Path, str, int | None]]:
    """Every entry of OUTDIR and of its journal/: path, name as shown, and `_docgen_name`'s
    verdict (or _SPOOL)."""
    for folder, prefix in ((outdir, ""), (outdir / JOURNAL, f"{JOURNAL}/")):
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            if not prefix and entry.name == JOURNAL and entry.is_dir(follow_symlinks=False):
                continue
            spool = not prefix and entry.name.startswith(SPOOL_PREFIX)
            yield Path(entry.path), prefix + entry.name, _SPOOL if spool else _docgen_name(entry.name, bool(prefix))


def _leftover(name: str, number: int | None) -> bool:
    """Whether an entry is what a killed run leaves: a spool file or the partial file of a name
    docgen writes (a `.bundle-00003.pdf.partial` may be a complete PDF of a thousand people)."""
    return number == _SPOOL or (number is not None and _PARTIAL.fullmatch(name) is not None)


def claim_outdir(journal: Journal, inputs: Inputs, *, resume: bool, force: bool,
                 say: TextIO | None = None) -> dict[str, Any] | None:
    """Check OUTDIR (the journal's) before a run writes into it; the plan of the run it holds, if any.

    What a killed run left there (partial files, spool files: personal data) is removed first,
    by every run, also one then refused, and said on `say` (default: stderr)."""
    outdir = journal.outdir
    if outdir.exists() and not outdir.is_dir():
        raise OutputError(f"OUTDIR {outdir}: is a file; batch writes into a directory: give a new or empty one")
    entries = list(_entries(outdir)) if outdir.exists() else []
    for path, _, number in entries:
        if number is not None:                  # a name docgen writes or removes
            inputs.refuse(path, remedy=_MOVE_INPUT)
    leftovers = [(path, shown) for path, shown, number in entries if _leftover(path.name, number)]
    for path, _ in leftovers:
        path.unlink(missing_ok=True)
    if leftovers:
        print(f"{outdir}: removed {len(leftovers)} partial file(s) a killed run left "
              f"({_listing([shown for _, shown in leftovers])})", file=say or sys.stderr)
        entries = [e for e in entries if not _leftover(e[0].name, e[2])]
    previous = journal.plan()
    bundles = len(previous["bundles"]) if previous else 0
    foreign = [shown for _, shown, number in entries if number is None]
    clashes = [shown for _, shown, number in entries if number is not None and number >= 0
               and (previous is None or number > bundles)]
    if clashes:
        raise OutputError(f"{outdir} holds {_listing(clashes)}, which no docgen journal there accounts for "
                          "(an earlier run whose journal was removed, or another program's files); docgen "
                          "neither overwrites nor removes them: move them away or use a new directory")
    if previous is not None and not resume:
        raise BatchError(f"{outdir} already holds batch {previous['batch']}: add --resume to finish it, "
                         "or give a new output directory")
    if foreign and not force:
        raise OutputError(f"{outdir} holds files docgen did not write ({_listing(foreign)}): give a new or "
                          "empty directory, or add --force to write beside them (they are left as they are)")
    return previous
