"""`docgen batch`: reconciliation, mailing order, duplex imposition, resume after a kill,
determinism across workers and executors, encryption and progress output.

Records are generated here from the bundled samples (fictional people), a few hundred at most.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from docgen import cli
from docgen.api import check
from docgen.elements import MM
from docgen.paths import PROFILES, SAMPLES

KOKUHO = SAMPLES / "kokuho.csv"
KOKUHO_BAD = SAMPLES / "kokuho-bad.csv"
KENPO = SAMPLES / "kenpo.csv"
SHEET_W, SHEET_H = 210.0, 297.0
CARD_H = 54.0


# ---------------------------------------------------------------- data and helpers
def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]], raw_lines: list[str] = ()) -> Path:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(out.getvalue() + "".join(line + "\n" for line in raw_lines), encoding="utf-8")
    return path


def kokuho_records(path: Path, n: int) -> Path:
    """n valid 国保 records: the sample people again and again, each copy its own household."""
    header, base = _rows(KOKUHO)
    rows = []
    for i in range(n):
        r = dict(base[i % len(base)])
        r["record_id"] = f"G{i:05d}"
        if r["household_id"]:
            r["household_id"] = f"{r['household_id']}-{i // len(base)}"
        rows.append(r)
    return _write(path, header, rows)


def kenpo_households(path: Path, households: int, address: bool = False) -> Path:
    """健康保険 households of 1–3 people across 3 employers, rows of different households
    interleaved and some dependents listed before their insured person."""
    header, base = _rows(KENPO)
    insured, dependent = base[0], base[1]
    per_household = []
    for h in range(households):
        common = {"household_id": f"HH{h:03d}", "bango": str(100 + h), "employer_id": f"E{(h * 7) % 3}",
                  "postal_code": f"0000{(h * 37) % 97:03d}"}
        members = [{**insured, **common, "edaban": "00"}]
        for d in range(h % 3):
            members.append({**dependent, **common, "edaban": f"{d + 1:02d}"})
        if h % 2 and len(members) > 1:
            members.reverse()                      # a dependent before the insured person
        per_household.append(members)
    rows = []
    while any(per_household):
        for members in per_household:
            if members:
                rows.append(members.pop(0))
    for i, r in enumerate(rows):
        r["record_id"] = f"P{i:04d}"
        if address:
            r["address"] = f"例題県架空市見本町{i + 100}番{i + 1000}号"
    return _write(path, header, rows)


def batch(capsys: pytest.CaptureFixture[str], layout: str, data: Path, out: Path, *options: str) -> tuple[int, str]:
    code = cli.main(["batch", layout, str(data), "-o", str(out), "--workers", "1", *options])
    _, err = capsys.readouterr()
    return code, err


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def rejects(out: Path) -> list[dict[str, str]]:
    with (out / "rejects.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def bundle_bytes(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("bundle-*.pdf"))}


def form_boxes(pdf: Path, page: int) -> list[tuple[float, float]]:
    """Top-left corners (mm from the sheet's top-left) where the PDF places a card's static
    form: where each card really sits on the page, read from the placement matrices."""
    doc = pdfium.PdfDocument(pdf)
    try:
        objs = doc[page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_FORM], max_depth=0)
        return sorted((round(m.e / MM, 2), round(SHEET_H - m.f / MM - CARD_H, 2))
                      for m in (o.get_matrix() for o in objs))
    finally:
        doc.close()


def text_in(pdf: Path, page: int, box: list[float]) -> str:
    x, y, w, h = box
    doc = pdfium.PdfDocument(pdf)
    try:
        tp = doc[page].get_textpage()
        return tp.get_text_bounded(x * MM, (SHEET_H - y - h) * MM, (x + w) * MM, (SHEET_H - y) * MM)
    finally:
        doc.close()


def flipped(box: list[float]) -> list[float]:
    """Where a front box lies on the back side once the sheet turns over its long edge."""
    x, y, w, h = box
    return [round(SHEET_W - x - w, 2), y, w, h]


# ---------------------------------------------------------------- reconciliation
def test_every_record_ends_in_exactly_one_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header, good = _rows(KOKUHO)
    bad_header, _ = _rows(KOKUHO_BAD)
    assert bad_header == header
    rows = []
    for i in range(40):
        r = dict(good[i % len(good)], record_id=f"G{i:04d}")
        r["household_id"] = f"{r['household_id']}-{i}" if r["household_id"] else ""
        rows.append(r)
    bad_lines = KOKUHO_BAD.read_text(encoding="utf-8").splitlines()[1:]
    duplicate = next(line for line in KOKUHO.read_text(encoding="utf-8").splitlines()[1:] if line)
    duplicate = "G0003" + duplicate[duplicate.index(","):]          # 管理番号 already used
    # the short row last, beside a rejected one: a full row next to it is rejected with it (row-shape)
    data = _write(tmp_path / "mixed.csv", header, rows, [duplicate] + bad_lines + ["G9999,架空,1001"])
    expected_bad = {o.row for o in check("kokuho-card", data) if o.problems}
    assert len(expected_bad) >= 9                                   # 7 faults + duplicate + short row

    out = tmp_path / "out"
    code, _ = batch(capsys, "kokuho-card", data, out, "--bundle-size", "7", "--order", "postal")
    assert code == 3                                                # some records rejected
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    read = len(rows) + len(bad_lines) + 2
    assert summary["input"] == read
    assert summary["rendered"] + summary["rejected"] == read
    assert summary["reconciled"] is True
    rendered_rows = [r["row"] for r in manifest(out)]
    rejected_rows = {int(r["row"]) for r in rejects(out)}
    assert len(rendered_rows) == len(set(rendered_rows)) == summary["rendered"]
    assert rejected_rows == expected_bad and len(rejected_rows) == summary["rejected"]
    assert set(rendered_rows) | rejected_rows == set(range(1, read + 1))
    assert not set(rendered_rows) & rejected_rows
    assert {r["rule"] for r in rejects(out)} >= {"duplicate-id", "row-shape"}
    # every bundle file is where the manifest says, with the hash it states
    for f in summary["files"]:
        assert f["sha256"] == hashlib.sha256((out / f["file"]).read_bytes()).hexdigest()
    # no personal data in anything written beside the PDFs
    personal = {r[k] for r in rows for k in ("name", "name_kana", "address", "householder_name") if r[k]}
    for path in [*out.glob("*.csv"), *out.glob("*.json*"), *(out / "journal").iterdir()]:
        text = path.read_text(encoding="utf-8")
        leaked = [p for p in personal if p in text]
        assert not leaked, f"{path.name} holds personal data"


# ---------------------------------------------------------------- mailing order
@pytest.mark.parametrize("order,key", [("postal", "postal_code"), ("employer", "employer_id")])
def test_order_keeps_dependents_after_their_insured_person(order: str, key: str, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = kenpo_households(tmp_path / "kenpo.csv", 12)
    _, rows = _rows(data)
    by_id = {r["record_id"]: (row, r) for row, r in enumerate(rows, 1)}
    out = tmp_path / "out"
    assert batch(capsys, "kenpo-card", data, out, "--order", order, "--bundle-size", "5")[0] == 0
    sequence = [by_id[m["record_id"]] for m in sorted(manifest(out), key=lambda m: m["sequence"])]
    assert len(sequence) == len(rows)
    blocks: list[list[tuple[int, dict]]] = []
    for row, r in sequence:
        if blocks and blocks[-1][0][1]["household_id"] == r["household_id"]:
            blocks[-1].append((row, r))
        else:
            blocks.append([(row, r)])
    assert len(blocks) == len({r["household_id"] for r in rows}), "a household is split"
    for block in blocks:
        assert block[0][1]["relationship"] == "本人", "the insured person comes first"
        rest = [row for row, _ in block[1:]]
        assert rest == sorted(rest), "dependents keep their input order"
    heads = [(block[0][1][key], block[0][0]) for block in blocks]
    assert heads == sorted(heads), f"households are not in {order} order"
    assert [h[1] for h in heads] != sorted(h[1] for h in heads), "the test data must need reordering"


# ---------------------------------------------------------------- sheets and duplex
def test_backs_sit_behind_their_fronts_on_long_edge_duplex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kenpo_households(tmp_path / "kenpo.csv", 7, address=True)      # 13 cards: 2 sheets
    _, rows = _rows(data)
    by_id = {r["record_id"]: r for r in rows}
    out = tmp_path / "out"
    assert batch(capsys, "kenpo-card", data, out, "--sheet")[0] == 0
    entries = manifest(out)
    assert len(entries) == 13
    pdf = out / "bundle-00001.pdf"
    assert len(pdfium.PdfDocument(pdf)) == 4                               # front, back, front, back
    for sheet in (1, 2):
        on_sheet = [e for e in entries if e["sheet"] == sheet]
        front_page, back_page = on_sheet[0]["pages"][0] - 1, on_sheet[0]["pages"][1] - 1
        for e in on_sheet:
            # the manifest's geometry: the back box is the front box flipped over the long edge
            assert e["back_slot_mm"] == flipped(e["slot_mm"])
            # the PDF's text: this record's own back (its address) is in that box
            assert by_id[e["record_id"]]["address"] in text_in(pdf, back_page, e["back_slot_mm"]).replace("\r\n", "")
        # the PDF's placement matrices: every back form sits where a front flips to
        fronts = form_boxes(pdf, front_page)
        backs = form_boxes(pdf, back_page)
        assert fronts == sorted((e["slot_mm"][0], e["slot_mm"][1]) for e in on_sheet)
        assert backs == sorted((flipped(e["slot_mm"])[0], e["slot_mm"][1]) for e in on_sheet)
    # the partly filled second sheet (3 cards) is where a mirror mistake would show
    assert form_boxes(pdf, 2) != form_boxes(pdf, 3)


def test_start_slot_continues_a_partly_used_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kenpo_households(tmp_path / "kenpo.csv", 3)                    # 1 + 2 + 3 = 6 cards
    out = tmp_path / "out"
    assert batch(capsys, "kenpo-card", data, out, "--sheet", "--start-slot", "7")[0] == 0
    entries = sorted(manifest(out), key=lambda e: e["sequence"])
    assert [(e["sheet"], e["slot"]) for e in entries] == [(1, 7), (1, 8), (1, 9), (1, 10), (2, 1), (2, 2)]
    pdf = out / "bundle-00001.pdf"
    left, right = (SHEET_W - 2 * 86) / 2, SHEET_W / 2
    row = lambda r: round((SHEET_H - 5 * CARD_H) / 2 + r * CARD_H, 2)  # noqa: E731
    assert form_boxes(pdf, 0) == sorted([(left, row(3)), (right, row(3)), (left, row(4)), (right, row(4))])
    assert form_boxes(pdf, 2) == [(left, row(0)), (right, row(0))]
    assert [e["back_slot"] for e in entries[:4]] == [8, 7, 10, 9]
    code, err = batch(capsys, "kenpo-card", data, tmp_path / "bad", "--start-slot", "3")
    assert code == 1 and "--start-slot needs --sheet" in err


# ---------------------------------------------------------------- resume after a real kill
def test_resume_after_a_kill_loses_and_doubles_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 400)
    out = tmp_path / "killed"
    options = ["--bundle-size", "10", "--sheet", "--order", "postal", "--workers", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "docgen.cli", "batch", "kokuho-card", str(data), "-o", str(out),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (out / "journal" / "bundle-00001.json").exists():     # bundle 1 complete
            assert proc.poll() is None, "the run ended before the first bundle appeared"
            assert time.monotonic() < deadline, "no bundle within 60 s"
            time.sleep(0.002)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not (out / "summary.json").exists(), "the run finished before it was killed"
    finished = sorted(out.glob("bundle-*.pdf"))
    assert 1 <= len(finished) < 40
    damaged = out / "bundle-00001.pdf"                                    # complete, then damaged:
    damaged.write_bytes(damaged.read_bytes()[:-100])                      # its hash must send it back

    code, err = batch(capsys, "kokuho-card", data, out, *options)
    assert code == 1 and "--resume" in err                                # never silently mixes two runs
    assert batch(capsys, "kokuho-card", data, out, *options, "--resume")[0] == 0
    reference = tmp_path / "reference"
    assert batch(capsys, "kokuho-card", data, reference, *options)[0] == 0

    entries = manifest(out)
    assert sorted(e["row"] for e in entries) == list(range(1, 401))
    assert bundle_bytes(out) == bundle_bytes(reference)
    assert (out / "manifest.csv").read_bytes() == (reference / "manifest.csv").read_bytes()
    assert not list(out.glob(".*.partial")) and not list((out / "journal").glob(".*.partial"))
    assert not list(out.glob(".docgen-spool*"))


# ---------------------------------------------------------------- determinism, progress, encryption
def test_two_workers_give_the_same_bytes_and_plain_progress_off_a_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 120)
    options = ["--bundle-size", "15", "--sheet", "--separator", "--order", "postal"]
    one, two = tmp_path / "one", tmp_path / "two"
    assert batch(capsys, "kokuho-card", data, one, *options)[0] == 0
    proc = subprocess.run([sys.executable, "-m", "docgen.cli", "batch", "kokuho-card", str(data), "-o", str(two),
                           *options, "--workers", "2"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert bundle_bytes(one) == bundle_bytes(two) and len(bundle_bytes(one)) == 8
    assert (one / "manifest.csv").read_bytes() == (two / "manifest.csv").read_bytes()
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr          # no redrawn bar in a log
    assert "docgen batch: 120/120 records (100%)" in proc.stderr
    assert "120 read = 120 rendered + 0 rejected" in proc.stdout


def test_encrypted_bundles_open_with_the_password_only(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data = kokuho_records(tmp_path / "k.csv", 6)
    monkeypatch.setenv("DOCGEN_TEST_PASSWORD", "正しい-password-42")
    out = tmp_path / "out"
    assert batch(capsys, "kokuho-card", data, out, "--encrypt", "--password-env", "DOCGEN_TEST_PASSWORD")[0] == 0
    pdf = out / "bundle-00001.pdf"
    reader = pypdf.PdfReader(pdf)
    assert reader.is_encrypted
    assert reader.decrypt("wrong") == pypdf.PasswordType.NOT_DECRYPTED
    reader = pypdf.PdfReader(pdf, password="正しい-password-42")
    assert len(reader.pages) == 12 and "/AESV3" in str(reader.trailer["/Encrypt"].get_object())
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(pdf)
    assert len(pdfium.PdfDocument(pdf, password="正しい-password-42")) == 12
    for path in out.rglob("*.json*"):
        assert "password" not in path.read_text(encoding="utf-8")
    code, err = batch(capsys, "kokuho-card", data, tmp_path / "x", "--encrypt")
    assert code == 1 and "--password-file" in err
    with pytest.raises(SystemExit):
        cli.main(["batch", "kokuho-card", str(data), "-o", str(tmp_path / "y"), "--password", "secret"])


# ---------------------------------------------------------------- Dask
def test_dask_executor_gives_the_local_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    data = kokuho_records(tmp_path / "k.csv", 60)
    options = ["--bundle-size", "10", "--order", "postal"]
    local = tmp_path / "local"
    assert batch(capsys, "kokuho-card", data, local, *options)[0] == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        on_dask = tmp_path / "dask"
        assert batch(capsys, "kokuho-card", data, on_dask, *options, "--executor", "dask",
                     "--scheduler", cluster.scheduler_address)[0] == 0
    assert bundle_bytes(on_dask) == bundle_bytes(local) and len(bundle_bytes(local)) == 6
    assert (on_dask / "manifest.csv").read_bytes() == (local / "manifest.csv").read_bytes()


def test_the_batch_id_follows_the_seals_bytes_not_where_it_is_installed(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The default batch id (printed in every control mark) is a fingerprint of what decides the
    output: a copy of the same profile, seal and 外字 table in another folder names the same batch,
    and a changed seal image or table is another batch (so --resume cannot mix bundles with two seals)."""
    def batch_id(profile: Path, out: str) -> str:
        code, _ = batch(capsys, "kokuho-card", KOKUHO, tmp_path / out, "--profile", str(profile))
        assert code == 0
        return json.loads((tmp_path / out / "summary.json").read_text(encoding="utf-8"))["batch"]

    copies = []
    for where in ("a", "b"):
        folder = tmp_path / where / "profiles"
        (folder / "seals").mkdir(parents=True)
        (folder / "gaiji").mkdir()
        shutil.copy(PROFILES / "kasou-city-kokuho.yaml", folder)
        shutil.copy(PROFILES / "seals" / "kasou-city.png", folder / "seals")
        shutil.copy(PROFILES / "gaiji" / "kasou-city.yaml", folder / "gaiji")
        copies.append(folder / "kasou-city-kokuho.yaml")
    first, second = batch_id(copies[0], "out-a"), batch_id(copies[1], "out-b")
    assert first == second
    seal = copies[1].parent / "seals" / "kasou-city.png"
    seal.write_bytes(seal.read_bytes() + b"\0")          # still the same picture, other bytes
    assert batch_id(copies[1], "out-c") != first
    # so is a changed 外字 table, which changes what the records print
    table = copies[0].parent / "gaiji" / "kasou-city.yaml"
    table.write_text(table.read_text(encoding="utf-8") + "  U+E0FF: {char: 髙}\n", encoding="utf-8")
    assert batch_id(copies[0], "out-d") != first


def test_ctrl_c_keeps_the_finished_bundles_and_says_how_to_finish(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 400)
    out = tmp_path / "stopped"
    options = ["--bundle-size", "10", "--workers", "1"]
    proc = subprocess.Popen([sys.executable, "-m", "docgen.cli", "batch", "kokuho-card", str(data), "-o", str(out),
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "journal" / "bundle-00001.json").exists():
        assert proc.poll() is None and time.monotonic() < deadline, "no bundle before the run ended"
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    last = err.strip().splitlines()[-1]
    done = len(list((out / "journal").glob("bundle-*.json")))
    assert last == (f"docgen: interrupted: {out} keeps the {done} finished bundle(s) of 40: "
                    "run the same command with --resume to finish")
    assert "Traceback" not in err
    assert batch(capsys, "kokuho-card", data, out, *options, "--resume")[0] == 0
    assert sorted(e["row"] for e in manifest(out)) == list(range(1, 401))
