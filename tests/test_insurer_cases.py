"""Issue 16, items 5 and 6: the 任意記載事項 of 後期高齢者医療 and the cases every insurer meets
(性別 on the back, a 送付先, 再交付, how to get a 資格確認書, 被保険者/被扶養者, 方書), each read back
from the PDF with PDFium, element by element (what is drawn inside the element's box).

The records are the bundled samples `samples/kokuho-cases.csv`, `samples/kouki-cases.jsonl` and
`samples/kenpo-cases.csv` (fictional people, see samples/README.md) and variations of them.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfcheck import squash

from docgen import postal
from docgen.cli import main
from docgen.layout.loader import load_layout
from docgen.output.pdf import write_pdf
from docgen.paths import PROFILES, SAMPLES
from docgen.pipeline import Outcome, open_job
from docgen.records import SourceRecord, read_records

MM = 72 / 25.4
CARDS = ("kokuho-card", "kouki-card", "kenpo-card", "kyosai-card")
NOTICES = ("kokuho-notice", "kouki-notice", "kenpo-notice", "kyosai-notice")
SAMPLE_OF = {"kokuho": "kokuho-cases.csv", "kouki": "kouki-cases.jsonl", "kenpo": "kenpo-cases.csv",
             "kyosai": "kenpo-cases.csv"}


def _case(layout: str, **ids: str) -> dict[str, str]:
    """One record of the layout's case sample: ids by scheme (kokuho=, kouki=, kenpo= also for kyosai)."""
    scheme = layout.split("-")[0]
    return dict(_sample(layout)[ids["kenpo" if scheme == "kyosai" else scheme]])


def _sample(layout: str) -> dict[str, dict[str, str]]:
    """The raw fields of the layout's scheme's case sample, by 管理番号."""
    return {src.fields["record_id"]: {k: v for k, v in src.fields.items() if v}
            for src in read_records(SAMPLES / SAMPLE_OF[layout.split("-")[0]])}


class Rendered:
    """One layout's PDF of some records, read back element by element."""

    def __init__(self, layout: str, records: list[dict[str, str]], out: Path, profile: str | Path | None = None):
        job = open_job(layout, profile)
        self.layout = load_layout(layout)
        self.outcomes = list(job.outcomes([SourceRecord(i + 1, f"row {i + 1}", r) for i, r in enumerate(records)]))
        assert all(o.document is not None for o in self.outcomes), [str(p) for o in self.outcomes for p in o.problems]
        pdf = out / f"{layout}.pdf"
        write_pdf(job, self.outcomes, pdf)
        self.doc = pdfium.PdfDocument(pdf)

    def text(self, record: int, element: str) -> str:
        """What is drawn inside one element's box of one record; empty when `when:` hides it."""
        pages = self.layout.pages
        for index, page in enumerate(pages):
            for el, name in zip(page.elements, page.names):
                if name != element:
                    continue
                outcome = self.outcomes[record].document.pages[index].outcomes[page.names.index(name)]
                if outcome.hidden:
                    return ""
                h = self.layout.model.size_mm[1]
                tp = self.doc[record * len(pages) + index].get_textpage()
                return squash(tp.get_text_bounded(el.x * MM, (h - el.y - el.h) * MM, (el.x + el.w) * MM,
                                                  (h - el.y) * MM))
        raise AssertionError(f"{self.layout.name} has no element {element}")

    def page(self, index: int) -> str:
        return squash(self.doc[index].get_textpage().get_text_range())


# --- item 5: 任意記載事項 on the 後期 card -------------------------------------------------------

def test_kouki_card_prints_the_optional_items_seed_000_relies_on(tmp_path: Path) -> None:
    """Seed 000: the 申請書 is 「資格確認書交付兼任意記載事項併記申請書」 and 限度額適用認定証 are no
    longer issued, so 限度区分 and 長期入院該当日 must be on the 後期 資格確認書 (and 特定疾病区分)."""
    cases = _sample("kouki-card")
    r = Rendered("kouki-card", [cases["L0101"], cases["L0103"]], tmp_path)
    assert r.text(0, "limit-class") == "区分Ⅰ"
    assert r.text(0, "limit-date") == "R8.8.1"
    assert r.text(0, "long-stay") == "R8.5.10"
    assert r.text(0, "specific-disease") == "長"
    for label in ("限度額適用区分", "発効期日", "長期入院該当日", "特定疾病区分"):
        assert label in r.page(1)
    # not applied for: "＊", as kokuho-card prints it
    for element in ("limit-class", "limit-date", "long-stay", "specific-disease"):
        assert r.text(1, element) == "＊", element


def test_kokuho_card_prints_the_specific_disease_in_its_optional_row(tmp_path: Path) -> None:
    cases = _sample("kokuho-card")
    r = Rendered("kokuho-card", [cases["K0105"], cases["K0101"]], tmp_path)
    assert [r.text(0, e) for e in ("limit-class", "limit-date", "specific-disease")] == \
        ["区イ", "R8.8.1", "長"]
    assert r.text(1, "specific-disease") == "＊"


def test_a_value_for_a_field_the_layout_does_not_print_is_a_warning(tmp_path: Path, capsys) -> None:
    """kenpo-card has no 任意記載事項: a 限度額適用区分 given for it is named on stderr (rule
    not-printed), by render and by validate, and counted by batch; never its value."""
    data = tmp_path / "kenpo.csv"
    rows = list(csv.DictReader((SAMPLES / "kenpo-cases.csv").open(encoding="utf-8")))[:1]
    rows[0]["specific_disease"] = "長・上位"
    with data.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    expected = ("warning: row 1 [E0101]: field specific_disease: not-printed: kenpo-card does not print "
                "特定疾病区分: the value is not used")
    assert main(["render", "kenpo-card", str(data), "-o", str(tmp_path / "k.pdf")]) == 0
    err = capsys.readouterr().err
    assert expected in err.splitlines() and "長・上位" not in err
    assert main(["validate", "kenpo-card", str(data)]) == 0
    assert capsys.readouterr().err.splitlines() == [expected]
    assert main(["batch", "kenpo-card", str(data), "-o", str(tmp_path / "out")]) == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"] == 1
    assert "not-printed" in (tmp_path / "out" / "warnings.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("layout, sample", [("kokuho-notice", "kokuho-cases.csv"), ("kokuho-card", "kokuho-cases.csv"),
                                            ("kenpo-card", "kenpo-cases.csv"), ("kouki-notice", "kouki-cases.jsonl")])
def test_one_file_feeds_cards_and_notices_without_warnings(layout: str, sample: str, capsys) -> None:
    """A card's 任意記載事項 given to a notice, a notice's 送付先 or マイナンバー given to a card: the
    field dictionary says which documents print them (`documents:`), so these are no warning."""
    assert main(["validate", layout, str(SAMPLES / sample)]) == 0
    assert capsys.readouterr().err == ""


# --- item 6: 性別 on the back -----------------------------------------------------------------

@pytest.mark.parametrize("layout", CARDS)
def test_sex_on_back_prints_see_back_on_the_front_and_the_sex_on_the_back(layout: str, tmp_path: Path) -> None:
    record = _case(layout, kokuho="K0104", kouki="L0102", kenpo="E0102")
    r = Rendered(layout, [record], tmp_path)
    assert r.text(0, "sex-see-back") == "裏面参照"
    assert r.text(0, "sex") == ""                   # hidden: its box holds 裏面参照 alone
    assert r.text(0, "sex-back") == f"性別{record['sex']}"
    assert record["sex"] not in r.page(0).replace(squash(record["name"]), "")


@pytest.mark.parametrize("layout", NOTICES)
def test_sex_on_back_leaves_the_sex_out_of_the_notice_and_its_slip(layout: str, tmp_path: Path) -> None:
    record = _case(layout, kokuho="K0104", kouki="L0102", kenpo="E0102")
    r = Rendered(layout, [record], tmp_path)
    assert r.text(0, "sex-omitted") == "記載省略"
    assert record["sex"] not in r.page(0).replace(squash(record["name"]), "")


# --- item 6: a 送付先 apart from the 住所 ------------------------------------------------------------

@pytest.mark.parametrize("layout, rid", [("kokuho-notice", "K0101"), ("kokuho-notice", "K0102"),
                                         ("kokuho-notice", "K0103"), ("kouki-notice", "L0102"),
                                         ("kenpo-notice", "E0102")])
def test_the_window_shows_the_mailing_address_and_the_table_the_address(layout: str, rid: str, tmp_path: Path) -> None:
    """DV victims (seed 000 ④, seed 001), 施設入所 (seed 001) and students: the envelope goes to the
    送付先, in care of its 宛名; the document still states the 住所."""
    record = _sample(layout)[rid]
    r = Rendered(layout, [record], tmp_path)
    window = r.text(0, "addressee-postal-code") + "".join(
        r.text(0, e) for e in ("addressee-address", "addressee-address-3", "addressee-address-2"))
    code = record["mail_postal_code"]
    assert window == f"〒{code[:3]}-{code[3:]}{squash(record['mail_address'])}"
    shown = "".join(r.text(0, e) for e in ("addressee-building", "addressee-building-2"))
    assert shown == squash(record.get("mail_building", ""))
    assert r.text(0, "addressee-care-of") == squash(record.get("mail_care_of", ""))
    assert squash(record["address"]) not in window
    if layout != "kenpo-notice":       # the employees' notice has no 住所 row
        assert squash(record["address"]) in r.text(0, "address") + r.text(0, "address-building")
    # the customer barcode is the 送付先's
    [barcode] = [c for p in r.outcomes[0].document.pages for el, c in p.items if el.id == "addressee-barcode"]
    assert barcode == postal.bars(code, record["mail_address"] + ("　" + record["mail_building"]
                                                                  if "mail_building" in record else ""))
    assert barcode != postal.bars(record["postal_code"], record["address"])


@pytest.mark.parametrize("missing, fields", [
    ("mail_postal_code", ["mail_postal_code"]),
    ("mail_address", ["mail_postal_code", "mail_care_of"]),
])
def test_a_mailing_address_is_given_whole(missing: str, fields: list[str]) -> None:
    """A 送付先 without its postal code cannot be mailed; its 宛名 without its address would be put
    under the 住所 in the window: each rejects the record, naming the field, never the value."""
    record = dict(_sample("kokuho-notice")["K0101"])
    del record[missing]
    [outcome] = open_job("kokuho-notice").outcomes([SourceRecord(1, "row 1", record)])
    assert outcome.document is None
    assert [(p.field, p.rule) for p in outcome.problems] == [(f, "mail-address") for f in fields]
    personal = [v for k, v in record.items() if k.startswith(("mail_", "name", "address"))]
    assert not [p for p in outcome.problems for v in personal if v in str(p)]


# --- item 6: 再交付 -------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", CARDS)
def test_a_reissued_card_prints_the_profiles_mark_and_the_reissue_date(layout: str, tmp_path: Path) -> None:
    r = Rendered(layout, [_case(layout, kokuho="K0105", kouki="L0103", kenpo="E0101")], tmp_path)
    assert r.text(0, "reissue") == "再交付R8.9.10"


@pytest.mark.parametrize("mark, printed", [("再発行", "再発行R8.9.10"), ("null", "")])
def test_the_insurer_profile_says_how_a_reissue_prints(mark: str, printed: str, tmp_path: Path) -> None:
    profile = tmp_path / "kasou.yaml"
    text = (PROFILES / "kasou-city-kokuho.yaml").read_text(encoding="utf-8")
    profile.write_text(text.replace("seal: seals/", f"seal: {PROFILES}/seals/").replace("gaiji: gaiji/", f"gaiji: {PROFILES}/gaiji/") + f"reissue_mark: {mark}\n",
                       encoding="utf-8")
    r = Rendered("kokuho-card", [_sample("kokuho-card")["K0105"]], tmp_path, profile)
    assert r.text(0, "reissue") == printed
    assert ("R8.9.10" in r.page(1)) == bool(printed)


# --- item 6: how to get a 資格確認書 or a 再交付 ----------------------------------------------------

@pytest.mark.parametrize("layout, seed_words", [
    ("kouki-notice", "資格確認書交付申請"),        # seed 000: 「資格確認書交付申請」, 「再交付について」
    ("kokuho-notice", "申請により資格確認書を交付します"),  # seeds 001 and 003: 申請 by those who cannot use マイナ保険証
    ("kokuho-notice-household", "申請により資格確認書を交付します"),   # the 世帯主宛て notice says the same
    ("kenpo-notice", "申請によらず資格確認書を発行"),    # seed 002: 申請によらず資格確認書を発行します
    ("kyosai-notice", "所属所の共済事務担当課を通じて"),
])
def test_each_notice_tells_how_to_get_a_card_or_a_reissue_and_whom_to_call(layout: str, seed_words: str,
                                                                           tmp_path: Path) -> None:
    record = next(iter(_sample(layout).values()))
    r = Rendered(layout, [record], tmp_path)
    guidance = r.text(0, "issue-guidance")
    assert seed_words in guidance and "再交付" in guidance
    assert open_job(layout).profile.phone in guidance      # whom to call


# --- item 6: 被保険者/被扶養者 (seed 002) ------------------------------------------------------------

@pytest.mark.parametrize("layout, element", [("kenpo-card", "relationship"), ("kenpo-notice", "relationship")])
def test_kenpo_prints_insured_and_dependent_as_seed_002_does(layout: str, element: str, tmp_path: Path) -> None:
    """Seed 002 (協会けんぽ) lists both 本人／家族区分 and 被保険者／被扶養者 among the card's items."""
    cases = _sample(layout)
    r = Rendered(layout, [cases["E0101"], cases["E0102"]], tmp_path)
    assert r.text(0, element) == "本人（被保険者）"
    assert r.text(1, element) == "家族（被扶養者）"


def test_without_relationship_words_the_profile_prints_honnin_kazoku(tmp_path: Path) -> None:
    r = Rendered("kyosai-card", [_case("kyosai-card", kenpo="E0102")], tmp_path)
    assert r.text(0, "relationship") == "家族"


# --- item 6: 方書 -----------------------------------------------------------------------------------

def _band(doc: pdfium.PdfDocument, text: str) -> tuple[float, float]:
    """The band (bottom, top, in points) every character of `text` shares on the first page; a
    text drawn on more than one line has none (bottom > top)."""
    tp = doc[0].get_textpage()
    drawn = [(tp.get_text_range(i, 1), tp.get_charbox(i)) for i in range(tp.count_chars())]
    start = next(i for i in range(len(drawn)) if "".join(c for c, _ in drawn[i:i + len(text)]) == text)
    boxes = [box for _, box in drawn[start:start + len(text)]]
    return max(b[1] for b in boxes), min(b[3] for b in boxes)


@pytest.mark.parametrize("rid", ["K0104", "K0105"])
def test_the_building_has_a_window_line_of_its_own_never_split(rid: str, tmp_path: Path) -> None:
    record = _sample("kokuho-notice")[rid]
    r = Rendered("kokuho-notice", [record], tmp_path)
    assert r.text(0, "addressee-building") == squash(record["building"])
    bottom, top = _band(r.doc, record["building"])
    assert bottom < top, "the building name is split over lines"
    assert top < _band(r.doc, record["address"])[0], "the building shares a line with the street"
    # the card and the notice's table print it after the address
    card = Rendered("kokuho-card", [record], tmp_path)
    assert card.text(0, "address") == squash(record["address"] + record["building"])
    assert r.text(0, "address-building") == squash(record["address"] + record["building"])


def test_a_building_too_long_for_one_line_is_shrunk_not_wrapped(tmp_path: Path) -> None:
    building = "グランドメゾン架空見本町ステーションフロントタワー南棟１２０３号室"   # 33: 10 pt holds 23
    r = Rendered("kokuho-notice", [{**_sample("kokuho-notice")["K0104"], "building": building}], tmp_path)
    bottom, top = _band(r.doc, building)
    assert bottom < top
    [fitted] = [o for p in r.outcomes[0].document.pages for o in p.outcomes if o.name == "addressee-building"]
    assert fitted.fitting


def test_docgen_fields_of_a_layout_says_which_fields_it_takes_without_a_warning(capsys) -> None:
    assert main(["fields", "kouki-card"]) == 0
    rows = {line.split("|")[1].strip(" `"): line.split("|")[4].strip() for line in capsys.readouterr().out.splitlines()
            if line.startswith("| `")}
    assert rows["mail_postal_code"] == "taken without a warning (a notice field)"
    assert rows["household_id"] == "taken without a warning (ordering, rules)"
    assert rows["specific_disease"] == "printed" and rows["householder_name"] == "-"
