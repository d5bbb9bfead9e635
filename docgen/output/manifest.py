"""Where every record ended: the journal a run resumes from, and the final manifest.

Every file appears only when complete (written under a temporary name, then renamed). After a
bundle's PDF is in place its journal entry is written; on --resume a bundle counts as done only
if its entry exists and the file's SHA-256 still matches it. No file written here holds
personal data: records are named by 管理番号 and input row only.

The journal is not trusted: --resume writes the manifest from it, so an edited row, 管理番号 or
page list would end in the manifest as if docgen had printed it. Each journal file therefore
carries an HMAC-SHA256 (`mac`) under the run's key, which is derived from the run's input and
never written (see `batch._fingerprint`), and must be byte for byte what docgen writes; a file
that is not is "damaged".
"""
from __future__ import annotations

import csv
import hmac
import io
import json
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

from docgen.digest import sha256_file
from docgen.errors import BatchError
from docgen.output.files import atomic_write
from docgen.validate.problems import Problem

JOURNAL = "journal"
MANIFEST_COLUMNS = ("sequence", "record_id", "row", "bundle", "file", "pages", "control", "sheet", "slot",
                    "slot_mm", "back_slot", "back_slot_mm", "slip", "file_sha256")
PROBLEM_COLUMNS = ("row", "record_id", "field", "rule", "detail")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ID = re.compile(r"[A-Z0-9]{1,16}")
_MAC = "mac"


def bundle_name(bundle: int) -> str:
    return f"bundle-{bundle:05d}.pdf"


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def problem_dict(p: Problem) -> dict[str, Any]:
    return asdict(p)


def _mac(data: dict[str, Any], key: bytes) -> str:
    """The HMAC of a journal file's content (without its `mac`) as `_json` writes it."""
    return hmac.new(key, _json({k: v for k, v in data.items() if k != _MAC}), "sha256").hexdigest()


def _signed(data: dict[str, Any], key: bytes) -> bytes:
    return _json({**data, _MAC: _mac(data, key)})


def _authentic(raw: bytes, data: dict[str, Any], key: bytes) -> bool:
    """Whether a journal file is exactly what docgen writes for its content with this key (its
    `mac` included): an edit that still parses (another row, 管理番号 or page) is as damaged as a
    cut one."""
    try:
        return hmac.compare_digest(raw, _signed(data, key))
    except RecursionError:                    # nesting json.loads took but json.dumps (with indent) does not
        return False


def _load(path: Path) -> tuple[bytes, Any]:
    """A JSON file's bytes and content (None when it does not parse)."""
    raw = path.read_bytes()
    try:
        return raw, json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):      # not UTF-8 or JSON, a number past Python's digit limit, deep nesting
        return raw, None


def _damaged(path: Path, remedy: str) -> BatchError:
    return BatchError(f"{path} is damaged (not what docgen wrote there); {remedy}")


def _dicts(items: Any, key: str | None = None) -> bool:
    """A list of objects (each with an integer `key`, when given)."""
    return isinstance(items, list) and all(isinstance(i, dict) and (key is None or isinstance(i.get(key), int))
                                           for i in items)


def _is_plan(p: Any) -> bool:
    """plan.json as `Plan.as_json` writes it: everything a resume or a refusal reads from it."""
    return (isinstance(p, dict) and isinstance(p.get("fingerprint"), str)
            and isinstance(p.get("batch"), str) and BATCH_ID.fullmatch(p["batch"]) is not None
            and isinstance(p.get("bundles"), list) and isinstance(p.get("encryption"), (dict, type(None))))


def _is_entry(e: Any, bundle: int) -> bool:
    """A bundle's entry as `record` writes it: everything the manifest and the reports read."""
    return (isinstance(e, dict) and e.get("file") in (None, bundle_name(bundle))
            and isinstance(e.get("sha256"), str if e.get("file") else (str, type(None)))
            and isinstance(e.get("pages"), int) and isinstance(e.get("sheets"), int)
            and _dicts(e.get("entries")) and _dicts(e.get("rejects"), "row") and _dicts(e.get("warnings"), "row"))


class Journal:
    """journal/plan.json (what the run is) and journal/bundle-NNNNN.json (what is done), each
    signed with the run's key. A plan of another run (another input or options: another key) is
    only checked for its shape, for the caller to refuse as another run's."""

    def __init__(self, outdir: Path, fingerprint: str, key: bytes) -> None:
        self.dir = outdir / JOURNAL
        self.outdir = outdir
        self.fingerprint = fingerprint
        self.key = key

    def plan(self) -> dict[str, Any] | None:
        path = self.dir / "plan.json"
        if not path.is_file():
            return None
        raw, plan = _load(path)
        if not _is_plan(plan) or (plan["fingerprint"] == self.fingerprint and not _authentic(raw, plan, self.key)):
            raise _damaged(path, f"docgen cannot tell which run {self.outdir} holds: move the directory aside and "
                                 "run again into a new one")
        return plan

    def write_plan(self, plan: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.dir / "plan.json", _signed(plan, self.key))

    def _entry_path(self, bundle: int) -> Path:
        return self.dir / f"bundle-{bundle:05d}.json"

    def done(self, bundle: int) -> dict[str, Any] | None:
        """The bundle's entry if its file is complete and unchanged; else None (render again)."""
        path = self._entry_path(bundle)
        if not path.is_file():
            return None
        entry = self.entry(bundle)
        if entry["file"] is None:
            return entry
        pdf = self.outdir / entry["file"]
        return entry if pdf.is_file() and sha256_file(pdf) == entry["sha256"] else None

    def finished(self) -> int:
        """How many bundles have an entry (for messages; `done` is what resume trusts)."""
        return sum(1 for _ in self.dir.glob("bundle-*.json")) if self.dir.is_dir() else 0

    def record(self, entry: dict[str, Any]) -> None:
        atomic_write(self._entry_path(entry["bundle"]), _signed(entry, self.key))

    def entry(self, bundle: int) -> dict[str, Any]:
        path = self._entry_path(bundle)
        raw, entry = _load(path)
        if not _is_entry(entry, bundle) or not _authentic(raw, entry, self.key):
            raise _damaged(path, f"delete it and run again with --resume: bundle {bundle} is then rendered again")
        return entry


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: one that starts like a formula (= + - @, tab, CR)
    gets a leading single quote, as OWASP's CSV-injection guidance recommends. manifest.jsonl
    keeps the exact values."""
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(columns: Iterable[str], rows: Iterable[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    # RFC 4180 line ends: the csv module quotes a cell holding any character of the line ending,
    # so with CRLF a stray CR or LF inside a cell cannot start a new row
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode("utf-8")


def write_manifest(outdir: Path, rows: list[dict[str, Any]]) -> None:
    """manifest.jsonl (one object a record) and manifest.csv (the same, lists space-separated)."""
    atomic_write(outdir / "manifest.jsonl",
                 "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode("utf-8"))
    atomic_write(outdir / "manifest.csv", _csv(MANIFEST_COLUMNS, rows))


def write_problems(path: Path, problems: Iterable[dict[str, Any]]) -> None:
    atomic_write(path, _csv(PROBLEM_COLUMNS, problems))


def write_summary(outdir: Path, summary: dict[str, Any]) -> None:
    atomic_write(outdir / "summary.json", _json(summary))
