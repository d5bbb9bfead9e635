"""The domain rules behind the dates, one table per rule, with the source pages' own words.

Each case is a record (fictional) issued on some day of the year, the document it is for, and
what the PDF prints, read back from the page inside each element's box; or the field and the rule
that refuse it. The profiles' renewal starts 2026-08-01, so the renewal year ends 2027-07-31.
docs/rules.md lists every rule with its source and these tests.

Seeds (../shared/seeds/): 000 岡山県後期高齢者医療広域連合, 001 鎌ケ谷市国保, 003 高崎市国保.
"""
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from test_validation import BASE, KENPO, assert_private, rec

from docgen.output.pdf import write_pdf
from docgen.pipeline import Outcome, open_job

MM = 72 / 25.4
KOUKI = {
    "record_id": "T0201", "hihokensha_bango": "01002344", "name": "例野　トメ", "name_kana": "レイノ　トメ",
    "birth_date": "1944-10-10", "sex": "女", "acquired_date": "2019-10-10", "issue_date": "2026-07-15",
    "copay_ratio": "1", "postal_code": "0000708", "address": "例題県架空市見本町一丁目8番9号",
}
NOTICE = {"postal_code": "0000101"}
BASES = {"kokuho": BASE, "kenpo": {**KENPO, "mynumber_last4": "1234"}, "kyosai": KENPO, "kouki": KOUKI}
JOBS: dict[str, object] = {}


def job(layout: str):
    if layout not in JOBS:
        JOBS[layout] = open_job(layout)
    return JOBS[layout]


def outcome(layout: str, **changes: str | None) -> Outcome:
    base = BASES[layout.split("-")[0]]
    [result] = job(layout).outcomes([rec(base=base, **changes)])
    return result


def printed(layout: str, tmp_path: Path, **changes: str | None) -> dict[str, str]:
    """What the PDF prints in each record element's box (elements left out by `when:` print '')."""
    result = outcome(layout, **changes)
    assert result.document is not None, [str(p) for p in result.problems]
    pdf = tmp_path / f"{layout}.pdf"
    write_pdf(job(layout), [result], pdf)
    doc = pdfium.PdfDocument(pdf)
    return {el.id: boxed_text(page, el) for page, lay_page in zip(doc, job(layout).layout.pages)
            for el in lay_page.elements if el.id and hasattr(el, "w")}


def boxed_text(page: pdfium.PdfPage, el) -> str:
    """The text a page draws inside an element's box, without spaces or line breaks."""
    height = page.get_height()
    box = (el.x * MM, height - (el.y + el.h) * MM, (el.x + el.w) * MM, height - el.y * MM)
    return "".join(page.get_textpage().get_text_bounded(*box).split())


def refused(layout: str, **changes: str | None) -> list[tuple[str, str]]:
    result = outcome(layout, **changes)
    assert result.document is None
    assert_private(result.problems, {**BASES[layout.split("-")[0]], **changes})
    return [(p.field, p.rule) for p in result.problems]


# ------------------------------------------------------------------ 国保 資格確認書, any day of the year
# seed 003 「資格確認書 (カードサイズ) … 有効期限について」:
#   令和9年7月31日までに75歳になる方	75歳の誕生日の前日
#   令和9年7月1日までに70歳になる方	70歳の誕生日の月末(1日生まれは前月末)
#   外国籍の方で在留期間満了日が令和9年7月29日以前の方	在留期間満了日の翌日前の方
#   上記以外の方	令和9年7月31日
KOKUHO_CARD = [
    # (what, the record's changes, 有効期限, 発効期日, 割合)
    ("row 1: turns 75 on 2027-03-10", dict(birth_date="1952-03-10", copay_ratio="3"),
     "令和9年3月9日", "令和8年8月1日", "3割"),
    ("row 1, reissued in November", dict(birth_date="1952-03-10", copay_ratio="3", issue_date="2026-11-02"),
     "令和9年3月9日", "令和8年8月1日", "3割"),
    ("row 2: 70 in November, no ratio yet", dict(birth_date="1956-11-20"), "令和8年11月30日", "令和8年8月1日", ""),
    ("row 2: born on the 1st", dict(birth_date="1957-03-01"), "令和9年2月28日", "令和8年8月1日", ""),
    ("row 2, issue 16 case 1: issued 2026-10-10 before the ratio starts (11-01): no ratio needed",
     dict(birth_date="1956-10-05", issue_date="2026-10-10"), "令和8年10月31日", "令和8年8月1日", ""),
    ("issue 16 case 1: 70 in October, issued 2026-10-25 with 2割: the ratio from 11-01, the card to E",
     dict(birth_date="1956-10-05", issue_date="2026-10-25", copay_ratio="2"), "令和9年7月31日", "令和8年11月1日", "2割"),
    ("issue 16 case 2: born on the 2nd of August, legally 70 on 8/1, 高齢受給者 from 9/1: without the ratio",
     dict(birth_date="1956-08-02"), "令和8年8月31日", "令和8年8月1日", ""),
    ("issue 16 case 2: the same person with the ratio stated: it takes effect 9/1, the card runs to E",
     dict(birth_date="1956-08-02", copay_ratio="2"), "令和9年7月31日", "令和8年9月1日", "2割"),
    ("row 3: foreign national, stay ends 2027-03-15", dict(residence_end_date="2027-03-15"),
     "令和9年3月16日", "令和8年8月1日", ""),
    ("row 4: everyone else", dict(), "令和9年7月31日", "令和8年8月1日", ""),
    ("a new member mid-year (001: 新規資格取得時): 発効期日 is the day cover began",
     dict(acquired_date="2026-10-15", issue_date="2026-10-20"), "令和9年7月31日", "令和8年10月15日", ""),
    ("72 years old, reissued in December: the renewal's ratio, in force since 8/1",
     dict(birth_date="1954-05-20", copay_ratio="2", issue_date="2026-12-01"), "令和9年7月31日", "令和8年8月1日", "2割"),
    ("issued after the next renewal (2027-09-01) without --renewal: the year that holds the issue date",
     dict(issue_date="2027-09-01"), "令和10年7月31日", "令和9年8月1日", ""),
    ("a ratio change given in the data (001: 負担割合変更時)",
     dict(birth_date="1954-05-20", copay_ratio="3", issue_date="2026-12-20", ratio_effective_date="2027-01-01"),
     "令和9年7月31日", "令和9年1月1日", "3割"),
]


@pytest.mark.parametrize("what, changes, expiry, effective, ratio", KOKUHO_CARD, ids=[c[0] for c in KOKUHO_CARD])
def test_kokuho_card_dates_on_any_issue_day(what, changes, expiry, effective, ratio, tmp_path: Path) -> None:
    text = printed("kokuho-card", tmp_path, **changes)
    assert (text["expiry"], text["effective"], text["ratio"]) == (expiry, effective, ratio)


# ------------------------------------------------------------------ 国保 資格情報のお知らせ: the same rule
# seed 003 「資格情報のお知らせ (A4 サイズ) … 有効期限について」:
#   令和9年7月31日までに75歳になる方	75歳の誕生日の前日
#   令和8年8月1日時点で70歳以上の方	令和9年7月31日
#   上記以外の方	有効期限なし
#   「70歳以上の負担割合が記載される方は毎年8月に更新されます。」
# 001: the お知らせ is sent 「新規資格取得時や負担割合変更時(70歳以上の被保険者のみ)」.
KOKUHO_NOTICE = [
    # (what, changes, 有効期限 on the sheet and on the slip, the ratio row)
    ("row 1: turns 75 on 2027-03-10", dict(birth_date="1952-03-10", copay_ratio="3"),
     "令和9年3月9日", "3割（発効期日令和8年8月1日）"),
    ("row 2: 72 on 8/1, ratio stated", dict(birth_date="1954-05-20", copay_ratio="2"),
     "令和9年7月31日", "2割（発効期日令和8年8月1日）"),
    ("row 3: under 70: no 有効期限", dict(), "", ""),
    ("issue 16 case 1: 70 in October, issued 2026-10-25 with 2割",
     dict(birth_date="1956-10-05", issue_date="2026-10-25", copay_ratio="2"),
     "令和9年7月31日", "2割（発効期日令和8年11月1日）"),
    ("issue 16 case 2: born 8/2 without the ratio: under-70 notice, as the card ends 8/31", dict(birth_date="1956-08-02"),
     "", ""),
    ("issue 16 case 2: born 8/2 with the ratio: from 9/1, to E, as the card",
     dict(birth_date="1956-08-02", copay_ratio="2"), "令和9年7月31日", "2割（発効期日令和8年9月1日）"),
    ("issue 16 case 4: the stay ends 2026-12-31: the notice and its slip end as the card does",
     dict(birth_date="1954-05-20", copay_ratio="2", residence_end_date="2026-12-31"),
     "令和9年1月1日", "2割（発効期日令和8年8月1日）"),
    ("an under-70 foreign national whose stay ends in the year", dict(residence_end_date="2027-03-15"),
     "令和9年3月16日", ""),
]


@pytest.mark.parametrize("what, changes, expiry, ratio", KOKUHO_NOTICE, ids=[c[0] for c in KOKUHO_NOTICE])
def test_kokuho_notice_dates_follow_the_card_rule(what, changes, expiry, ratio, tmp_path: Path) -> None:
    text = printed("kokuho-notice", tmp_path, **NOTICE, **changes)
    assert (text["expiry"], text["slip-expiry"], text["ratio"]) == (expiry, expiry, ratio)
    card = printed("kokuho-card", tmp_path, **changes)
    if ratio:               # one rule: a stated ratio takes effect on the same day on both documents
        assert card["effective"] in ratio and card["expiry"] == expiry


def test_issue_16_case_4_stay_and_card_agree(tmp_path: Path) -> None:
    changes = dict(birth_date="1954-05-20", copay_ratio="2", residence_end_date="2026-12-31")
    assert printed("kokuho-card", tmp_path, **changes)["expiry"] == "令和9年1月1日"


# ------------------------------------------------------------------ checks: given and derived dates alike
REFUSED = [
    # (what, layout, changes, [(field, rule)])
    ("issue 16 case 3: 健保 有効期限 beyond 5 years (2032-07-31 for an issue on 2026-07-15)", "kenpo-card",
     dict(expiry_date="2032-07-31"), [("expiry_date", "expiry-max-years")]),
    ("共済 有効期限 beyond 5 years", "kyosai-card", dict(expiry_date="2031-07-15"), [("expiry_date", "expiry-max-years")]),
    ("issue 16 case 3: 健保 for a 76-year-old (後期 from 75)", "kenpo-card", dict(birth_date="1950-05-05"),
     [("birth_date", "ends-at-75")]),
    ("健保 for a 76-year-old with 有効期限 given", "kenpo-card", dict(birth_date="1950-05-05", expiry_date="2027-07-31"),
     [("birth_date", "ends-at-75")]),
    ("issue 16 case 3: 国保 for an 80-year-old with 有効期限 and ratio given", "kokuho-card",
     dict(birth_date="1946-05-05", copay_ratio="2", expiry_date="2027-07-31"), [("birth_date", "ends-at-75")]),
    ("issue 16 case 3: 共済 for a 76-year-old", "kyosai-card", dict(birth_date="1950-05-05"),
     [("birth_date", "ends-at-75")]),
    ("the old sample K0013: a 101-year-old in 国保 with 有効期限 given", "kokuho-card",
     dict(birth_date="1925-01-05", expiry_date="2027-07-31"), [("birth_date", "ends-at-75")]),
    ("国保 有効期限 given past the day before the 75th birthday", "kokuho-card",
     dict(birth_date="1952-03-10", copay_ratio="3", expiry_date="2027-03-31"), [("expiry_date", "ends-at-75")]),
    ("issue 16 case 3: 発効期日 after 有効期限", "kokuho-card",
     dict(expiry_date="2027-03-31", ratio_effective_date="2027-05-01"), [("ratio_effective_date", "date-order")]),
    ("有効期限 given before the renewal start, for a renewal document", "kokuho-card",
     dict(expiry_date="2026-07-31"), [("expiry_date", "date-order")]),
    ("国保 有効期限 given past the end of the renewal year", "kokuho-card", dict(expiry_date="2027-08-31"),
     [("expiry_date", "expiry-in-renewal-year")]),
    ("issue 16 case 3: 後期 for a 60-year-old without 障害認定", "kouki-card", dict(birth_date="1966-05-05",
                                                                                 acquired_date="2026-05-05"),
     [("disability_certified", "kouki-age")]),
    ("後期 by 障害認定 below 65", "kouki-card",
     dict(birth_date="1966-05-05", acquired_date="2026-05-05", disability_certified="1"),
     [("birth_date", "kouki-age")]),
    ("後期 資格取得 before the 75th birthday without 障害認定", "kouki-card",
     dict(birth_date="1951-09-15", acquired_date="2026-09-01"), [("disability_certified", "kouki-age")]),
    ("issue 16 case 3 (003): 特別療養費 on a child of 高校生世代 (born 2008-04-02: until 2027-03-31)", "kokuho-card",
     dict(birth_date="2008-04-02", special_care="1"), [("special_care", "special-care-child")]),
    ("issue 16 case 3: 健保 1割 for a 72-year-old", "kenpo-card", dict(birth_date="1954-05-20", copay_ratio="1"),
     [("copay_ratio", "ratio-70-74")]),
    ("issue 16 case 3: 3割 on the notice of a 46-year-old", "kenpo-notice", dict(birth_date="1980-05-20",
                                                                              copay_ratio="3"),
     [("copay_ratio", "ratio-70-74")]),
    ("国保 3割 for a 46-year-old", "kokuho-card", dict(birth_date="1980-05-20", copay_ratio="3"),
     [("copay_ratio", "ratio-70-74")]),
    ("72 years old without the ratio (the 高齢受給者証 is merged into the 国保 card)", "kokuho-card",
     dict(birth_date="1954-05-20"), [("copay_ratio", "ratio-70-74")]),
    ("the 70–74 ratio given to take effect before the month after reaching 70", "kokuho-card",
     dict(birth_date="1956-10-05", issue_date="2026-10-25", copay_ratio="2", ratio_effective_date="2026-10-01"),
     [("ratio_effective_date", "ratio-70-74")]),
    ("issue 16 case 4: the stay ended before 8/1: the card", "kokuho-card", dict(residence_end_date="2026-07-20"),
     [("residence_end_date", "residence-end")]),
    ("issue 16 case 4: the stay ended before 8/1: the notice too", "kokuho-notice",
     dict(residence_end_date="2026-07-20"), [("residence_end_date", "residence-end")]),
    ("有効期限 given past the day after the end of stay", "kokuho-card",
     dict(residence_end_date="2027-03-15", expiry_date="2027-07-31"), [("expiry_date", "residence-end")]),
    ("後期 follows the stay as 国保 does", "kouki-card", dict(residence_end_date="2026-07-20"),
     [("residence_end_date", "residence-end")]),
]


@pytest.mark.parametrize("what, layout, changes, problems", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_rule_refuses_the_record_naming_field_and_rule(what, layout, changes, problems) -> None:
    extra = NOTICE if layout.endswith("notice") else {}
    assert refused(layout, **extra, **changes) == problems


ACCEPTED = [
    ("後期 at 68 with 障害認定 (000 ②: 65歳から74歳の方で広域連合から障害の認定を受けた方)", "kouki-card",
     dict(birth_date="1958-05-05", acquired_date="2024-06-01", disability_certified="1")),
    ("後期 from the 75th birthday, the card issued before it", "kouki-card",
     dict(birth_date="1951-09-15", acquired_date="2026-09-15")),
    ("特別療養費 for someone born 2008-04-01: 高校生世代 ended 2026-03-31", "kokuho-card",
     dict(birth_date="2008-04-01", special_care="1")),
    ("健保 有効期限 given at exactly 5 years less a day", "kenpo-card", dict(expiry_date="2031-07-14")),
    ("健保 72-year-old with 2割 (its 高齢受給者証 stays separate: the ratio is optional)", "kenpo-card",
     dict(birth_date="1954-05-20", copay_ratio="2")),
    ("共済 72-year-old without a ratio", "kyosai-card", dict(birth_date="1954-05-20")),
    ("国保 有効期限 given the day after the end of stay", "kokuho-card",
     dict(residence_end_date="2027-03-15", expiry_date="2027-03-16")),
]


@pytest.mark.parametrize("what, layout, changes", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_the_rules_let_the_right_records_through(what, layout, changes) -> None:
    result = outcome(layout, **changes)
    assert result.document is not None, [str(p) for p in result.problems]


def test_a_user_scheme_relaxes_a_check_by_leaving_it_out(tmp_path: Path, monkeypatch) -> None:
    """The checks are the scheme's data: a 国保 scheme without `special-care-child` prints the mark."""
    from docgen.layout.search import ENV_VAR
    from docgen.paths import SCHEMES
    (tmp_path / "schemes").mkdir()
    text = (SCHEMES / "kokuho.yaml").read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "special-care-child" in x)
    (tmp_path / "schemes" / "kokuho.yaml").write_text(text.replace(line + "\n", ""), encoding="utf-8")
    child = rec(birth_date="2008-04-02", special_care="1")
    assert [p.rule for p in next(iter(open_job("kokuho-card").outcomes([child]))).problems] == ["special-care-child"]
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert next(iter(open_job("kokuho-card").outcomes([child]))).problems == ()


# ------------------------------------------------------------------ the 高齢受給者証 of 健康保険 and 共済組合
# DOMAIN.md: 健保 and 共済 still issue a separate 高齢受給者証 (the 国保 card merges it); the ratio is
# set again every August 1, and cover ends the day before the 75th birthday.
def _elderly(layout: str, tmp_path: Path) -> dict[str, dict[str, str]]:
    from docgen import cli
    from docgen.paths import SAMPLES
    pdf = tmp_path / f"{layout}.pdf"
    assert cli.main(["render", layout, str(SAMPLES / "elderly.csv"), "-o", str(pdf)]) == 0
    doc = pdfium.PdfDocument(pdf)
    front = job(layout).layout.pages[0].elements
    out = {}
    for rid, page in zip(("A0001", "A0002", "A0003"), (doc[i] for i in range(0, len(doc), 2))):
        out[rid] = {el.id: boxed_text(page, el)
                    for el in front if el.id in ("title", "effective", "expiry", "ratio", "insured-label")}
    return out


@pytest.mark.parametrize("layout, title, insured", [("kenpo-elderly-card", "健康保険高齢受給者証", "被保険者氏名"),
                                                    ("kyosai-elderly-card", "共済組合高齢受給者証", "組合員氏名")])
def test_issue_16_case_7_elderly_card_dates(layout: str, title: str, insured: str, tmp_path: Path) -> None:
    cards = _elderly(layout, tmp_path)
    assert {rid: (c["effective"], c["expiry"], c["ratio"]) for rid, c in cards.items()} == {
        "A0001": ("令和8年8月1日", "令和9年7月31日", "2割"),      # 72 at the renewal
        "A0002": ("令和8年11月1日", "令和9年7月31日", "3割"),     # 70 in October, issued 2026-10-20
        "A0003": ("令和8年8月1日", "令和9年2月13日", "2割"),      # 75 on 2027-02-14
    }
    assert all((c["title"], c["insured-label"]) == (title, insured) for c in cards.values())


@pytest.mark.parametrize("changes, problems", [
    (dict(birth_date="1966-05-05", copay_ratio="3"), [("copay_ratio", "ratio-70-74")]),    # not a 高齢受給者
    (dict(birth_date="1954-05-20", copay_ratio="1"), [("copay_ratio", "ratio-70-74")]),    # 1割 is 後期's
    (dict(birth_date="1954-05-20"), [("copay_ratio", "required")]),                      # the card states it
    (dict(birth_date="1950-05-20", copay_ratio="2"), [("birth_date", "ends-at-75")]),
])
def test_an_elderly_card_only_for_a_70_to_74_with_the_ratio(changes, problems) -> None:
    assert refused("kenpo-elderly-card", **changes) == problems


def test_kenpo_card_tells_the_holder_to_show_the_elderly_card(tmp_path: Path) -> None:
    text = printed("kenpo-card", tmp_path)
    assert "70歳から74歳の方は、高齢受給者証もあわせて提示してください。" in text["notes"]


# ------------------------------------------------------------------ which renewal year a document is for
@pytest.mark.parametrize("layout, issue, refused_rule", [
    ("kokuho-card", "2026-07-15", None),               # the renewal mailing, two weeks ahead
    ("kokuho-card", "2026-05-01", None),               # three months ahead at most
    ("kokuho-card", "2026-03-01", "renewal-window"),   # a counter issue in March with the profile set to August
    ("kouki-card", "2026-03-01", "renewal-window"),
    ("kenpo-card", "2026-03-01", None),                # valid from its issue for 5 years: no renewal
    ("kenpo-elderly-card", "2026-03-01", "renewal-window"),
])
def test_a_renewal_document_is_issued_shortly_before_its_renewal(layout, issue, refused_rule) -> None:
    changes = {"birth_date": "1954-05-20", "copay_ratio": "2"} if "elderly" in layout else {}
    result = outcome(layout, issue_date=issue, **changes)
    assert [p.rule for p in result.problems] == ([refused_rule] if refused_rule else [])


def test_renewal_names_the_year_of_an_earlier_issue(tmp_path: Path) -> None:
    """The March counter issue of the 2025 renewal year, printed with --renewal 2025-08-01."""
    from datetime import date
    march = next(iter(open_job("kokuho-card", renewal_start=date(2025, 8, 1)).outcomes(
        [rec(issue_date="2026-03-01", acquired_date="2026-02-20")])))
    assert march.problems == ()
    text = {el.id: "\n".join(c.lines) for page in march.document.pages for el, c in page.items
            if el.id in ("expiry", "effective")}
    assert text == {"expiry": "令和8年7月31日", "effective": "令和8年2月20日"}


def test_an_issue_based_card_is_valid_from_its_issue(tmp_path: Path) -> None:
    """健保 issued in March to someone who turns 75 in May: valid until then, not refused as if
    it started in August."""
    text = printed("kenpo-card", tmp_path, birth_date="1951-05-10", issue_date="2026-03-01")
    assert text["expiry"] == "令和8年5月9日"
