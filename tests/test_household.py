"""The 世帯主宛て mailing (kokuho-notice-household): one notice per household, addressed to the
世帯主, each member listed with their slip; read back from the PDFs, reconciled in batch runs.

Nothing lost, nothing swapped: every member's name is on their household's sheets and on no
other; every input row ends in the manifest (page and slip) or in rejects; a household that
cannot print whole (a member rejected, members that disagree) is rejected whole and says why
without personal data.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml
from test_notice import INSET, PLAY, TOL, _chars, _element_boxes, _inside, _overlaps, _squash, _window_box

from docgen.elements.cutline import CutLineElement, label_box
from docgen.layout.loader import load_layout

from docgen.cli import main
from docgen.paths import SAMPLES

DATA = SAMPLES / "kokuho-household.csv"
LAYOUT = "kokuho-notice-household"
# the sample's households, head first (H0003 and H0004 come after another household's row)
HOUSEHOLDS = {"HH01": ["H0001", "H0003", "H0004"], "HH02": ["H0002"], "HH03": ["H0005"]}


def _rows(path: Path = DATA) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _pages(pdf: Path) -> list[str]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "").replace("\n", "") for page in doc]
    finally:
        doc.close()


def _member(rid: str, **changes: str) -> dict[str, str]:
    """A sample member's row, changed."""
    row = next(r for r in _rows() if r["record_id"] == rid)
    return {**row, **changes}


def test_every_member_is_on_their_households_sheets_and_no_other(tmp_path: Path, capsys) -> None:
    out = tmp_path / "households.pdf"
    assert main(["render", LAYOUT, str(DATA), "-o", str(out)]) == 0
    assert "5 record(s), 4 page(s)" in capsys.readouterr().out
    pages = _pages(out)
    by_id = {r["record_id"]: r for r in _rows()}
    # HH01: three members, two a sheet → pages 1–2; HH02 page 3; HH03 page 4
    sheets = {"HH01": [0, 1], "HH02": [2], "HH03": [3]}
    on_sheet = {"H0001": 0, "H0003": 0, "H0004": 1, "H0002": 2, "H0005": 3}
    household_of = {rid: h for h, members in HOUSEHOLDS.items() for rid in members}
    for rid, page in on_sheet.items():
        name = by_id[rid]["name"]
        head = name == by_id[rid]["householder_name"]       # also in the window of every sheet
        expected = sheets[household_of[rid]] if head else [page]
        assert [i for i, text in enumerate(pages) if name in text] == expected, rid
        # twice on its sheet: the member's row in the table and the slip
        assert pages[page].count(name) == 2 + head, rid
    for household, idx in sheets.items():
        head = by_id[HOUSEHOLDS[household][0]]
        for n, i in enumerate(idx, 1):
            text = pages[i]
            assert f"{head['householder_name']}　様" in text          # the window: the 世帯主
            assert head["address"] in text and household in text      # its address, its 世帯番号
            assert f"世帯員 {len(HOUSEHOLDS[household])}人　{n}／{len(idx)}枚目" in text
    # HH03's 世帯主 is no member (擬制世帯主): addressed, never listed as one
    assert "試作　冬彦　様" in pages[3] and pages[3].count("試作　冬彦") == 1


def test_render_id_prints_the_household_of_that_record(tmp_path: Path, capsys) -> None:
    out = tmp_path / "one.pdf"
    assert main(["render", LAYOUT, str(DATA), "-o", str(out), "--id", "H0004"]) == 0
    assert "3 record(s), 2 page(s)" in capsys.readouterr().out
    text = "".join(_pages(out))
    assert all(_member(rid)["name"] in text for rid in HOUSEHOLDS["HH01"])
    assert _member("H0002")["name"] not in text
    assert main(["render", LAYOUT, str(DATA), "-o", str(out), "--id", "H9999"]) == 1
    assert "no record with 管理番号 H9999" in capsys.readouterr().err


def _batch(tmp_path: Path, data: Path, *extra: str) -> tuple[dict, list[dict], list[dict], Path]:
    outdir = tmp_path / "out"
    main(["batch", LAYOUT, str(data), "-o", str(outdir), "--workers", "1", *extra])
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    manifest = [json.loads(line) for line in (outdir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    with (outdir / "rejects.csv").open(encoding="utf-8", newline="") as fh:
        rejects = list(csv.DictReader(fh))
    return summary, manifest, rejects, outdir


def test_batch_manifest_places_every_member_on_its_page_and_slip(tmp_path: Path) -> None:
    summary, manifest, rejects, outdir = _batch(tmp_path, DATA, "--bundle-size", "2")
    assert (summary["input"], summary["rendered"], summary["rejected"], summary["reconciled"]) == (5, 5, 0, True)
    # two households (envelopes) a bundle: HH01 and HH02, then HH03
    assert [f["records"] for f in summary["files"]] == [4, 1] and summary["pages"] == 4
    assert sorted(m["row"] for m in manifest) == [1, 2, 3, 4, 5] and rejects == []
    by_id = {r["record_id"]: r for r in _rows()}
    texts = {f["file"]: _pages(outdir / f["file"]) for f in summary["files"]}
    for m in manifest:
        page = texts[m["file"]][m["pages"][0] - 1]
        assert by_id[m["record_id"]]["name"] in page
        assert m["control"][0] in page          # the sheet's control code, printed beside its mark
    place = {m["record_id"]: (m["pages"], m["slip"], [c.rsplit("-", 1)[1] for c in m["control"]]) for m in manifest}
    assert place["H0001"] == ([1], 1, ["1/2"]) and place["H0003"] == ([1], 2, ["1/2"])
    assert place["H0004"] == ([2], 1, ["2/2"]) and place["H0002"] == ([3], 1, ["1/1"])
    # the members of one household share their document's sequence in the control code
    assert len({m["control"][0].split("-")[2] for m in manifest if m["record_id"] in HOUSEHOLDS["HH01"]}) == 1


def test_a_household_larger_than_a_sheet_continues_on_numbered_sheets(tmp_path: Path) -> None:
    head = _member("H0001")
    rows = [head] + [{**head, "record_id": f"H01{i}", "edaban": f"1{i}", "name": f"例題　{n}",
                      "name_kana": "レイダイ", "birth_date": f"201{i}-01-0{i}"}
                     for i, n in enumerate(["四郎", "五郎", "六子", "七海"], 1)]
    data = _write(tmp_path / "big.csv", rows)
    summary, manifest, rejects, outdir = _batch(tmp_path, data)
    assert (summary["rendered"], summary["pages"], rejects) == (5, 3, [])
    assert [m["control"][0].rsplit("-", 1)[1] for m in manifest] == ["1/3", "1/3", "2/3", "2/3", "3/3"]
    pages = _pages(outdir / "bundle-00001.pdf")
    for i, page in enumerate(pages, 1):
        assert f"世帯員 5人　{i}／3枚目" in page and "例題　一郎　様" in page
    for m, row in zip(manifest[1:], rows[1:]):      # the 世帯主 (rows[0]) is in every sheet's window
        assert [i + 1 for i, p in enumerate(pages) if row["name"] in p] == m["pages"]


def _no_personal_data(problems: list[dict], rows: list[dict[str, str]]) -> None:
    for p in problems:
        for r in rows:
            for field in ("name", "householder_name", "address", "postal_code", "birth_date"):
                assert r[field] not in p["detail"]


def test_a_rejected_member_rejects_the_households_mailing(tmp_path: Path, capsys) -> None:
    """Nobody receives an incomplete household notice: the bad member's problem, and the others
    reported as held back by it."""
    rows = _rows()
    rows[2] = {**rows[2], "birth_date": "1983-02-30"}       # H0003 (row 3) of HH01
    data = _write(tmp_path / "bad.csv", rows)
    out = tmp_path / "n.pdf"
    assert main(["render", LAYOUT, str(data), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "row 3 [H0003]: field birth_date" in err
    for row, rid in ((1, "H0001"), (4, "H0004")):
        assert f"row {row} [{rid}]: field household_id: household-member-rejected: the household's member(s) " \
               "in row(s) 3 were rejected" in err
    text = "".join(_pages(out))
    assert all(_member(rid)["name"] not in text for rid in HOUSEHOLDS["HH01"]) and "HH01" not in text
    summary, manifest, rejects, _ = _batch(tmp_path, data)
    assert (summary["input"], summary["rendered"], summary["rejected"], summary["reconciled"]) == (5, 2, 3, True)
    assert {m["row"] for m in manifest} == {2, 5}
    assert [(r["row"], r["rule"]) for r in rejects if r["field"] == "household_id"] == \
        [("1", "household-member-rejected"), ("4", "household-member-rejected")]
    _no_personal_data(rejects, rows)


def test_members_that_disagree_on_the_address_reject_the_household(tmp_path: Path, capsys) -> None:
    rows = _rows()
    rows[3] = {**rows[3], "address": "例題県架空市見本町九丁目1番1号"}     # H0004 lives elsewhere
    data = _write(tmp_path / "split.csv", rows)
    summary, manifest, rejects, _ = _batch(tmp_path, data)
    assert (summary["rendered"], summary["rejected"], summary["reconciled"]) == (2, 3, True)
    assert sorted((int(r["row"]), r["field"], r["rule"]) for r in rejects) == \
        [(1, "address", "household-mismatch"), (3, "address", "household-mismatch"), (4, "address", "household-mismatch")]
    assert "(rows 1, 3, 4) differ in 住所, which its notice prints once for all" in rejects[0]["detail"]
    _no_personal_data(rejects, rows)


def test_members_issued_on_different_days_reject_the_household(tmp_path: Path) -> None:
    """The sheet is dated once: a date it cannot print for all is not left off in silence."""
    rows = _rows()
    rows[2] = {**rows[2], "issue_date": "2026-07-20"}
    summary, _, rejects, _ = _batch(tmp_path, _write(tmp_path / "dates.csv", rows))
    assert (summary["rendered"], summary["rejected"]) == (2, 3)
    assert {(r["field"], r["rule"]) for r in rejects} == {("issue_date", "household-mismatch")}
    assert "differ in 交付年月日, which its notice prints once for all" in rejects[0]["detail"]


def test_a_member_the_binder_rejects_takes_the_household_with_it(tmp_path: Path, capsys) -> None:
    """A rejection found only while drawing (a name no font has) holds back the whole household too."""
    rows = _rows()
    rows[0] = {**rows[0], "name": "例題　\U000f0000", "householder_name": "例題　一郎"}
    data = _write(tmp_path / "glyph.csv", rows)
    out = tmp_path / "g.pdf"
    assert main(["render", LAYOUT, str(data), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "row 1 [H0001]" in err
    assert "row 3 [H0003]: field household_id: household-member-rejected" in err
    assert "row 4 [H0004]: field household_id: household-member-rejected" in err
    assert _member("H0003")["name"] not in "".join(_pages(out))


def _household_profile(tmp_path: Path) -> Path:
    src = SAMPLES.parent / "profiles" / "kasou-city-kokuho.yaml"
    profile = yaml.safe_load(src.read_text(encoding="utf-8"))
    profile.update(id="kasou-household", notice_mailing="household", scheme="docgen:kokuho",
                   seal=str((src.parent / profile["seal"]).resolve()))
    if profile.get("gaiji"):                            # the insurer's 外字 table, beside the profile
        profile["gaiji"] = str((src.parent / profile["gaiji"]).resolve())
    path = tmp_path / "kasou-household.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    return path


def test_profile_notice_mailing_household_mails_kokuho_notice_by_household(tmp_path: Path, capsys) -> None:
    profile = _household_profile(tmp_path)
    out = tmp_path / "n.pdf"
    assert main(["render", "kokuho-notice", str(DATA), "-o", str(out), "--profile", str(profile)]) == 0
    assert "5 record(s), 4 page(s)" in capsys.readouterr().out
    assert "世帯員 3人　1／2枚目" in _pages(out)[0]
    summary, manifest, _, _ = _batch(tmp_path, DATA, "--profile", str(profile))
    assert summary["pages"] == 4 and [m["slip"] for m in manifest] == [1, 2, 1, 1, 1]
    # without the option: a notice per person; cards are never mailed by household
    assert main(["render", "kokuho-notice", str(DATA), "-o", str(out)]) == 0
    assert "5 record(s), 5 page(s)" in capsys.readouterr().out
    assert main(["render", "kokuho-card", str(DATA), "-o", str(out), "--profile", str(profile)]) == 0
    assert "5 record(s), 10 page(s)" in capsys.readouterr().out


@pytest.mark.parametrize(("edit", "message"), [
    (lambda lay: lay.pop("household"), "an include names a member: slot, which only a household layout (household:) has"),
    (lambda lay: lay["pages"][0]["elements"][-1].update(member=5),
     "household: the includes' member: slots must be 1 to N without a gap (found [1, 2, 5])"),
    (lambda lay: lay["household"].update(agree=["householder_name", "postal_code", "address"]),
     "pages[0] (sheet) > sender-issue-date: prints issue_date for the whole household: add it to household: agree:"),
])
def test_member_slots_are_checked_on_load(tmp_path: Path, capsys, edit, message) -> None:
    src = SAMPLES.parent / "layouts" / f"{LAYOUT}.yaml"
    layout = yaml.safe_load(src.read_text(encoding="utf-8"))
    layout["scheme"] = "docgen:kokuho"
    layout["profile"] = "docgen:kasou-city-kokuho"
    for el in layout["pages"][0]["elements"]:
        if el.get("type") == "include":
            el["part"] = "docgen:" + Path(el["part"]).stem
    edit(layout)
    path = tmp_path / "my-household.yaml"
    path.write_text(yaml.safe_dump(layout, allow_unicode=True), encoding="utf-8")
    assert main(["validate", str(path), str(DATA)]) == 1
    assert message in capsys.readouterr().err


SLIPS = [(12.0, 198.0, 86.0, 54.0), (112.0, 198.0, 86.0, 54.0)]     # member 1 left, member 2 right


def test_two_card_sized_slips_on_the_lower_fold_hold_their_members_elements() -> None:
    page = load_layout(LAYOUT).pages[0]
    cuts = [(el, m) for el, m in zip(page.elements, page.members) if isinstance(el, CutLineElement)]
    assert [((c.x, c.y, c.w, c.h), m) for c, m in cuts] == [(SLIPS[0], 1), (SLIPS[1], 2)]
    for (x, y, w, h), member in zip(SLIPS, (1, 2)):
        slip = (x, y, x + w, y + h)
        for el, m in zip(page.elements, page.members):
            if isinstance(el, CutLineElement) and m == member:
                continue                    # the slip's own edge (its label is checked below)
            for box in _element_boxes(el):
                if (el.id or "").startswith("slip-") and m == member:
                    assert _inside(box, slip), f"{el.id} of member {m} leaves its slip"
                else:
                    assert not _overlaps(box, slip), f"{el.id} would be cut off with member {member}'s slip"
    for c, _ in cuts:
        _, label_y, _, label_h = label_box(c)
        assert label_y + label_h <= c.y, "the 切り取り線 label stays on the sheet, above the slip"


def test_the_window_shows_the_householder_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "households.pdf"
    assert main(["render", LAYOUT, str(DATA), "-o", str(out)]) == 0
    window = load_layout(LAYOUT).model.window
    inner, seen = _window_box(window, -INSET), _window_box(window, PLAY)
    by_id = {r["record_id"]: r for r in _rows()}
    heads = [by_id[HOUSEHOLDS["HH01"][0]]] * 2 + [by_id[HOUSEHOLDS[h][0]] for h in ("HH02", "HH03")]
    doc = pdfium.PdfDocument(str(out))
    for page, head in zip(doc, heads):
        shown = [c for c in _chars(page) if _overlaps(c.box, seen)]
        assert all(_inside(c.box, inner, TOL) for c in shown)
        postal = head["postal_code"]
        expected = f"〒{postal[:3]}-{postal[3:]}{head['address']}{head['householder_name']}様{head['household_id']}"
        assert sorted(_squash("".join(c.text for c in shown))) == sorted(_squash(expected))


def test_the_designer_names_a_rejected_member_by_its_place_in_the_file(tmp_path: Path) -> None:
    """`docgen serve`'s list of records the layout rejects: a household layout's outcomes come
    household by household, and each is still named by its own record's index."""
    from docgen.preview.server import PreviewApp
    from docgen.preview.snapshot import RecordFile

    rows = _rows()
    rows[4] = {**rows[4], "birth_date": "1990-02-30"}       # H0005, index 4, its household's only member
    rows[3] = {**rows[3], "address": "例題県架空市見本町九丁目1番1号"}     # H0004 (index 3): HH01 disagrees
    app = PreviewApp(LAYOUT, RecordFile(_write(tmp_path / "d.csv", rows)))
    rejected = {r["index"]: r["problems"] for r in app.check({})["rejected"]}
    assert sorted(rejected) == [0, 2, 3, 4]
    assert "[H0005]: field birth_date" in rejected[4][0] and "[H0003]: field address" in rejected[2][0]


def test_the_household_sheet_never_says_the_slip_is_lower_right(tmp_path: Path) -> None:
    """Its slips sit lower left and lower right: the guide and the profile's explanation, shared with
    the personal notice (one slip, lower right), say 切り取り部分 and 下の切り取り部分 without 右下."""
    out = tmp_path / "households.pdf"
    assert main(["render", LAYOUT, str(DATA), "-o", str(out)]) == 0
    pages = _pages(out)
    assert pages and all("右下" not in text for text in pages)
    assert all("■切り取り部分について" in text.replace(" ", "") and "下の切り取り部分" in text for text in pages)
