"""Issue 17, output writing and records reading: nothing written through a device, a FIFO or in
place of a symlink, modes kept and partial files private and cleaned up, an earlier PDF never
removed, no record printed from a damaged region of a CSV, no JSON boolean or number taken for
text, messages that never echo a header cell or a JSON key.

Tests are named after the issue's numbered items. Records are the bundled samples' fictional
people. No test writes to a system device: devices are made in tmp_path (as root) or only
checked, never written.
"""
from __future__ import annotations

import csv
import json
import os
import stat
from pathlib import Path

import pytest
from test_batch import KOKUHO, _rows, _write, kokuho_records
from test_hardening_output import one_line, run

from docgen.errors import OutputError
from docgen.output.files import Inputs, atomic_file, check_target

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and modes are POSIX")


def render_one(capsys: pytest.CaptureFixture[str], out: Path, record_id: str = "K0001") -> tuple[int, str, str]:
    return run(capsys, "render", "kokuho-card", KOKUHO, "-o", out, "--id", record_id)


# ---------------------------------------------------------------- item 1: devices, FIFOs, symlinks
@posix_only
def test_item1_a_fifo_is_refused_and_left_a_fifo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("fifo.pdf", "fifo.png"):
        fifo = tmp_path / name
        os.mkfifo(fifo)
        command = ["render", "kokuho-card", KOKUHO] if name.endswith(".pdf") else ["preview", "kokuho-card"]
        code, out, err = run(capsys, *command, "-o", fifo, "--id", "K0001")
        assert code == 1 and out == ""
        assert one_line(err) == (f"docgen: output {fifo}: is a FIFO (named pipe), not a regular file; docgen writes "
                                 "only regular files and never replaces anything else: give a file name")
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.pdf", "fifo.png"]


@posix_only
def test_item1_a_symlink_is_followed_its_file_replaced_and_the_link_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mailing" / "card.pdf"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.pdf"
    link.symlink_to(target)
    assert render_one(capsys, link)[0] == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes().startswith(b"%PDF-")
    # a link to a FIFO is refused like the FIFO, naming both
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    to_fifo = tmp_path / "to-fifo.pdf"
    to_fifo.symlink_to(fifo)
    code, _, err = render_one(capsys, to_fifo)
    assert code == 1 and f"output {to_fifo} (a symbolic link to {fifo}): is a FIFO (named pipe)" in one_line(err)
    assert to_fifo.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    # a dangling link: its file is created where it points, the link kept
    dangling = tmp_path / "new.pdf"
    dangling.symlink_to(tmp_path / "mailing" / "new-card.pdf")
    assert render_one(capsys, dangling)[0] == 0
    assert dangling.is_symlink() and (tmp_path / "mailing" / "new-card.pdf").read_bytes().startswith(b"%PDF-")


def test_item1_the_system_null_device_is_refused_without_writing() -> None:
    # only checked: check_target stats, it writes nothing, so /dev/null is never at risk here
    with pytest.raises(OutputError, match="is a character device, not a regular file"):
        check_target(Path(os.devnull), Inputs(()))
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_item1_a_character_device_is_refused_and_left_a_device(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "null.pdf"
    try:        # our own node of the null device, in tmp_path: a wrong docgen replaces this, not /dev/null
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    code, out, err = render_one(capsys, device)
    assert code == 1 and out == ""
    assert one_line(err).startswith(f"docgen: output {device}: is a character device, not a regular file")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null.pdf"]


# ---------------------------------------------------------------- item 7: modes and leftovers
@posix_only
def test_item7_rendering_over_a_0600_pdf_keeps_0600(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "card.pdf"
    out.write_bytes(b"old")
    out.chmod(0o600)
    assert render_one(capsys, out)[0] == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@posix_only
def test_item7_a_new_file_honours_the_umask_and_its_partial_is_private(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        out = tmp_path / "new.pdf"
        with atomic_file(out) as tmp:
            assert stat.S_IMODE(tmp.stat().st_mode) == 0o600       # personal data while it is written
            tmp.write_bytes(b"%PDF-")
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(old)


@posix_only
def test_item7_any_run_removes_a_killed_runs_partial_files_and_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 6)
    out = tmp_path / "out"
    code, _, _ = run(capsys, "batch", "kokuho-card", data, "-o", out, "--workers", "1", "--bundle-size", "3")
    assert code == 0
    # what a SIGKILL while bundle 2 and its journal entry were written leaves behind
    partials = [out / ".bundle-00002.pdf.partial", out / "journal" / ".bundle-00002.json.partial"]
    for p in partials:
        p.write_bytes((out / "bundle-00002.pdf").read_bytes())
    # a run that is then refused (no --resume) still removes them
    code, _, err = run(capsys, "batch", "kokuho-card", data, "-o", out, "--workers", "1", "--bundle-size", "3")
    assert code == 1 and "add --resume" in one_line(err)
    assert f"{out}: removed 2 partial file(s) a killed run left (.bundle-00002.pdf.partial, " \
           "journal/.bundle-00002.json.partial)" in err
    assert not [p for p in partials if p.exists()]
    # a new run into a folder holding only a partial bundle: removed, and the run goes ahead
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / ".bundle-00001.pdf.partial").write_bytes(b"%PDF-")
    code, _, err = run(capsys, "batch", "kokuho-card", data, "-o", fresh, "--workers", "1")
    assert code == 0 and "removed 1 partial file(s)" in err
    assert not list(fresh.glob(".*.partial"))


# ---------------------------------------------------------------- item 9: an earlier PDF is left alone
def test_item9_a_mistyped_id_leaves_the_earlier_pdf_and_says_it_is_from_an_earlier_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    earlier = tmp_path / "card.pdf"
    assert render_one(capsys, earlier)[0] == 0
    before = earlier.read_bytes()
    code, out, err = render_one(capsys, earlier, "K00O1")
    assert code == 1 and out == ""
    assert one_line(err) == (f"docgen: {KOKUHO}: no record with 管理番号 K00O1; {earlier} is from an earlier run, "
                             "not this one, and was left as it was")
    assert earlier.read_bytes() == before
    # every record rejected: the same, and another program's file is left too
    header, rows = _rows(KOKUHO)
    bad = _write(tmp_path / "all-bad.csv", header, [{**r, "birth_date": "1990-13-45"} for r in rows])
    theirs = tmp_path / "report.pdf"
    theirs.write_bytes(b"%PDF-1.4\n% another program's file\n")
    code, _, err = run(capsys, "render", "kokuho-card", bad, "-o", theirs)
    assert code == 1
    assert err.splitlines()[-1] == (f"docgen: {bad}: nothing rendered: every record was rejected; {theirs} is from "
                                    "an earlier run, not this one, and was left as it was")
    assert theirs.read_bytes() == b"%PDF-1.4\n% another program's file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all-bad.csv", "card.pdf", "report.pdf"]


# ---------------------------------------------------------------- item 2: a damaged region is rejected whole
SECRET = "秘密"


def first_column_split(path: Path) -> Path:
    """The sample records with the address as the first column and an unquoted line break in
    K0002's: its first part alone on a line, the rest on a header-width line."""
    header, rows = _rows(KOKUHO)
    header = ["address"] + [c for c in header if c != "address"]
    lines = [",".join(header)]
    for r in rows[:5]:
        cells = [r[c] for c in header]
        if r["record_id"] == "K0002":
            cells[0] = f"{SECRET}県架空市\n{SECRET}町二丁目3番4号"
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_item2_a_line_break_in_the_first_column_prints_neither_record_it_touches(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = first_column_split(tmp_path / "split.csv")
    out = tmp_path / "batch"
    code, stdout, err = run(capsys, "batch", "kokuho-card", data, "-o", out, "--workers", "1")
    assert code == 3 and SECRET not in stdout + err
    # neither K0001 nor K0002 (line 4, header-width, is its rest or the next record: no telling)
    message = ("lines 2–4 hold 2 records split by 1 unquoted line break(s); no cell of them is used, as any may "
               "have shifted; quote cells that contain line breaks")
    with (out / "rejects.csv").open(encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    assert [(r["row"], r["record_id"], r["field"], r["rule"], r["detail"]) for r in rejects] == [
        (str(n), "", "(row)", "row-shape", f"row {n}: {message}") for n in (1, 2)]
    with (out / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        printed = [r["record_id"] for r in csv.DictReader(fh)]
    assert printed == ["K0003", "K0004", "K0005"]          # not K0002 with half its address
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["input"], summary["rendered"], summary["rejected"], summary["reconciled"]) == (5, 3, 2, True)


def test_item2_a_full_row_beside_a_short_one_is_rejected_on_either_side(tmp_path: Path) -> None:
    from docgen.records import read_records

    # R2's last cell cut after an unquoted comma and a line break: R2's first line is full width
    path = tmp_path / "cut.csv"
    path.write_text("管理番号,氏名,住所\nR1,山田太郎,東京都\nR2,髙橋花子,大阪府\n北区,1番\nR4,﨑山次郎,京都府\n", encoding="utf-8")
    records = list(read_records(path))
    assert [(r.row, r.fields) for r in records] == [(1, {"record_id": "R1", "name": "山田太郎", "address": "東京都"}),
                                                    (2, {}), (3, {}), (4, {})]
    assert records[1].problems[0].startswith("row 2: next to a row with fewer cells than the header (lines 3–5)")


def test_item2_no_record_read_from_a_file_with_unquoted_line_breaks_is_ever_cut_or_shifted(tmp_path: Path) -> None:
    """Property: records of 4 cells, some cut by unquoted line breaks (one or more, in any cell,
    with blank lines between): every record handed on with values is one of the originals,
    exactly; each original is handed on whole or rejected, never in part."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from docgen.records import read_records

    cells = st.text(alphabet="abcdefgh", min_size=2, max_size=6)
    records = st.lists(st.tuples(cells, cells, cells, cells), min_size=1, max_size=12)
    # most cuts in the first or the last cell: those leave a full row beside a one-cell line
    cuts = st.lists(st.tuples(st.integers(0, 11), st.sampled_from([0, 3, 0, 3, 1, 2]), st.integers(1, 3),
                              st.booleans()), max_size=6)

    @settings(max_examples=60, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(records, cuts)
    def check(rows: list[tuple[str, ...]], breaks: list[tuple[int, int, int, bool]]) -> None:
        rows = [(f"R{i:03d}", *r[1:]) for i, r in enumerate(rows)]       # 管理番号 first, unique
        lines = [list(r) for r in rows]
        for record, cell, at, blank in breaks:
            if record < len(lines):
                text = lines[record][cell]
                lines[record][cell] = text[:at] + ("\n\n" if blank else "\n") + text[at:]
        path = tmp_path / "cut.csv"
        path.write_text("record_id,name,address,remarks\n" + "".join(",".join(r) + "\n" for r in lines),
                        encoding="utf-8")
        originals = {r[0]: dict(zip(("record_id", "name", "address", "remarks"), r)) for r in rows}
        for got in read_records(path):
            if got.fields:
                assert not got.problems and got.fields == originals.get(got.fields["record_id"])
            else:
                assert got.problems

    check()


# ---------------------------------------------------------------- item 8: no JSON boolean taken for text
def kouki_line(**changes: object) -> str:
    from docgen.paths import SAMPLES

    record = json.loads((SAMPLES / "kouki.jsonl").read_text(encoding="utf-8").splitlines()[0])
    return json.dumps({**record, **changes}, ensure_ascii=False)


def test_item8_a_json_boolean_or_number_where_text_or_a_choice_is_expected_is_a_rejected_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [("sex", True, "性別 expects a choice", "boolean"), ("copay_ratio", True, "一部負担金の割合 expects a choice", "boolean"),
             ("name", True, "氏名 expects text", "boolean"), ("name", 1, "氏名 expects text", "number"),
             ("birth_date", 19241010, "生年月日 expects a date", "number")]
    lines = [kouki_line(record_id=f"L{i}", **{key: value}) for i, (key, value, _, _) in enumerate(cases, start=1)]
    lines.append(kouki_line(record_id="L9", copay_ratio=1, sex=2))        # a choice's code as an integer is fine
    data = tmp_path / "typed.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "cards.pdf"
    code, stdout, err = run(capsys, "render", "kouki-card", data, "-o", out)
    assert code == 3
    assert [line for line in err.splitlines() if line.startswith("rejected:")] == [
        f"rejected: row {i} [L{i}]: field {key}: json-type: a JSON {kind} where {expects}; write the value as a string"
        for i, (key, _, expects, kind) in enumerate(cases, start=1)]
    assert stdout.startswith(f"{out}: 1 record(s)")


# ---------------------------------------------------------------- item 11: headers, field column, 記号 '-'
def test_item11_messages_name_a_header_or_key_by_number_and_digest_never_its_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import hashlib

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    header, rows = _rows(KOKUHO)
    data = _write(tmp_path / "shifted.csv", header + [f"{SECRET}太郎"], [{**r, f"{SECRET}太郎": ""} for r in rows])
    code, _, err = run(capsys, "validate", "kokuho-card", data)
    assert code == 1 and SECRET not in err
    assert one_line(err) == (f"docgen: {data}: column {len(header) + 1} (header #{digest(SECRET + '太郎')}, 4 character(s)): "
                             "unknown column; map it in the mapping file (none given) or list it under ignore")
    cases = [({"record_id": "L1", f"{SECRET}花子": "x"}, f"key 2 (header #{digest(SECRET + '花子')}, 4 character(s)): "
                                                          "unknown column"),
             ({"name": "見本", "氏名": "見本"}, "keys 1 and 2 both give field 'name'"),
             ({"record_id": "L1", "氏名": 1.5}, "field name (key 2): a number with a fraction or exponent")]
    for obj, expected in cases:
        data = tmp_path / "keys.jsonl"
        data.write_text(json.dumps(obj, ensure_ascii=False) + "\n", encoding="utf-8")
        code, _, err = run(capsys, "validate", "kouki-card", data)
        assert code == 1 and SECRET not in err and "氏名" not in err
        assert one_line(err).startswith(f"docgen: {data}: line 1: {expected}")


def test_item11_the_rejects_field_column_holds_field_names_not_element_ids(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = _rows(KOKUHO)
    rows = [{**r, "name": "見本\ue000"} if r["record_id"] == "K0002" else r for r in rows]
    data = _write(tmp_path / "k.csv", header, rows)
    out = tmp_path / "out"
    code, _, _ = run(capsys, "batch", "kokuho-notice", data, "-o", out, "--workers", "1")
    assert code == 3
    with (out / "rejects.csv").open(encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    assert rejects and {(r["record_id"], r["field"], r["rule"]) for r in rejects} == {("K0002", "name", "glyph-coverage")}
    elements = sorted(r["detail"].split(":")[0] for r in rejects)
    assert "element slip-name" in elements and all(e.startswith("element ") for e in elements)


@pytest.mark.parametrize(("field", "value"), [("kigo", "-"), ("kigo", "---"), ("bango", "-"), ("bango", "--")])
def test_item11_kigo_or_bango_of_only_hyphens_is_rejected(field: str, value: str) -> None:
    from docgen.pipeline import open_job
    from docgen.records import SourceRecord

    _, rows = _rows(KOKUHO)
    job = open_job("kokuho-card")
    _, problems = job.validate_one(SourceRecord(1, "row 1", {**rows[0], field: value}))
    label = {"kigo": "記号", "bango": "番号"}[field]
    assert [(p.field, p.rule, p.detail) for p in problems] == [(field, "characters", f"{label} may not be '-' alone")]
    ok, problems = job.validate_one(SourceRecord(1, "row 1", {**rows[0], field: "12-3"}))
    assert problems == [] and ok[field] == "12-3"
