"""Issue 17, the batch journal: what --resume reads from journal/ is checked, never trusted.

Tests are named after the issue's numbered items. Records are the bundled samples' fictional
people.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_batch import kokuho_records, manifest
from test_hardening_output import one_line, results, run_batch

from docgen.errors import BatchError
from docgen.output.manifest import Journal

OPTIONS = ("--bundle-size", "3")


@pytest.fixture
def finished(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A finished run of 7 records in bundles of 3: (records, OUTDIR)."""
    data = kokuho_records(tmp_path / "k.csv", 7)
    out = tmp_path / "out"
    assert run_batch(capsys, data, out, *OPTIONS)[0] == 0
    return data, out


def test_item6_an_edited_journal_entry_is_damaged_not_a_manifest(
        finished: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's edit: a formula for a 管理番号 and the second record made a copy of the first
    (so one record disappears) still parse and still reconcile; the entry's MAC says otherwise."""
    data, out = finished
    before = results(out)
    path = out / "journal" / "bundle-00001.json"
    entry = json.loads(path.read_text(encoding="utf-8"))
    first, second = entry["entries"][:2]
    first["record_id"] = '=HYPERLINK("http://example.invalid")'
    second.update(record_id=first["record_id"], row=first["row"], pages=first["pages"])
    path.write_text(json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    code, err = run_batch(capsys, data, out, *OPTIONS, "--resume")
    assert code == 1
    line = one_line(err)
    assert "journal/bundle-00001.json is damaged (not what docgen wrote there)" in line
    assert "delete it and run again with --resume" in line
    assert results(out) == before                       # the manifest and summary were not rewritten
    path.unlink()                                       # doing what the message says: bundle 1 again
    assert run_batch(capsys, data, out, *OPTIONS, "--resume")[0] == 0
    assert results(out) == before
    assert [m["record_id"] for m in manifest(out)] == [f"G{i:05d}" for i in range(7)]


@pytest.mark.parametrize("edit", [
    lambda plan: plan.update(bundles=plan["bundles"] + [[8, 3]]),             # claims one more bundle file
    lambda plan: plan.update(input=plan["input"] + 1),
    lambda plan: plan.pop("mac"),                                             # a journal from before the MAC
])
def test_item6_an_edited_plan_is_damaged(finished: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                         edit) -> None:
    data, out = finished
    path = out / "journal" / "plan.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    edit(plan)
    path.write_text(json.dumps(plan, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    code, err = run_batch(capsys, data, out, *OPTIONS, "--resume")
    assert code == 1
    assert "journal/plan.json is damaged (not what docgen wrote there)" in one_line(err)


def test_item6_a_journal_file_rewritten_with_the_same_content_but_other_bytes_is_damaged(
        finished: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The MAC is over what docgen writes; a file that is not exactly that is not docgen's."""
    data, out = finished
    path = out / "journal" / "bundle-00002.json"
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8"))), encoding="utf-8")
    code, err = run_batch(capsys, data, out, *OPTIONS, "--resume")
    assert code == 1
    assert "journal/bundle-00002.json is damaged" in one_line(err)


def test_item6_no_journal_file_holds_its_key(finished: tuple[Path, Path]) -> None:
    """The key is derived from the input, not kept in OUTDIR: no file there holds it."""
    from docgen.output.batch import BatchOptions, _fingerprint
    from docgen.pipeline import open_job
    data, out = finished
    fingerprint, key = _fingerprint(BatchOptions("kokuho-card", data, out, bundle_size=3), open_job("kokuho-card"))
    assert Journal(out, fingerprint, key).entry(1)["bundle"] == 1
    for path in out.rglob("*"):
        if path.is_file():
            assert key not in path.read_bytes() and key.hex().encode() not in path.read_bytes(), path.name


@pytest.mark.parametrize("damaged", ["plan.json", "bundle-00001.json"])
@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,                                           # RecursionError in json
    '{"bundle": ' + "7" * 5000 + "}",                                        # past Python's int digit limit
    '{"bundle": 1, "pages": 1e999999, "file": NaN}',
    "\ufeff{}",
], ids=["deep", "5000-digits", "inf-nan", "bom"])
def test_item5_a_deep_or_huge_journal_file_is_damaged_not_a_traceback(
        finished: tuple[Path, Path], capsys: pytest.CaptureFixture[str], damaged: str, content: str) -> None:
    data, out = finished
    (out / "journal" / damaged).write_text(content, encoding="utf-8")
    code, err = run_batch(capsys, data, out, *OPTIONS, "--resume")
    assert code == 1
    assert f"journal/{damaged} is damaged (not what docgen wrote there)" in one_line(err)


def test_item5_nesting_that_parses_but_cannot_be_written_back_is_damaged(tmp_path: Path) -> None:
    """json.loads (C) takes a few levels more than json.dumps with indent (Python) can write back:
    every depth up to what parses is damaged, never a RecursionError."""
    (tmp_path / "journal").mkdir()
    journal = Journal(tmp_path, "0" * 64, b"key")
    entry = {"bundle": 1, "file": None, "sha256": None, "pages": 0, "sheets": 0, "entries": [{"control": "X"}],
             "rejects": [], "warnings": []}
    for depth in range(900, 1001):
        (tmp_path / "journal" / "bundle-00001.json").write_text(
            json.dumps(entry).replace('"X"', "[" * depth + "]" * depth), encoding="utf-8")
        with pytest.raises(BatchError, match="is damaged"):
            journal.entry(1)
