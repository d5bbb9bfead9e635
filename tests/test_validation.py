"""Record validation through the pipeline: every rule names row, field and rule, never the value;
good records still bind; derived 有効期限 and 発効期日 print as the renewal rules say."""
from __future__ import annotations

from datetime import date

import pytest

from docgen.api import render_pdf
from docgen.fields import BY_NAME, Kind
from docgen.paths import SAMPLES
from docgen.pipeline import Outcome, open_job
from docgen.records import SourceRecord, read_records
from docgen.validate.problems import Problem
from docgen.wareki import format_wareki, parse_date

# A 国保 record like K0001 (fictional, see samples/README.md); issue date 2026-07-15, and the
# profile's renewal starts 2026-08-01, so the renewal period ends 2027-07-31.
BASE = {
    "record_id": "T0001", "kigo": "架空", "bango": "1001", "edaban": "01", "name": "見本　太郎",
    "name_kana": "ミホン　タロウ", "birth_date": "1978-04-12", "sex": "男", "acquired_date": "2015-04-01",
    "issue_date": "2026-07-15", "householder_name": "見本　太郎", "postal_code": "0000101",
    "address": "例題県架空市見本町二丁目3番4号",
}
KENPO = {
    "record_id": "T0101", "kigo": "40010203", "bango": "101", "edaban": "00", "name": "見本　誠",
    "name_kana": "ミホン　マコト", "birth_date": "1985-03-15", "sex": "男", "relationship": "本人",
    "insured_name": "見本　誠", "acquired_date": "2009-04-01", "issue_date": "2026-07-15",
    "address": "例題県架空市見本町八丁目3番15号",
}


def rec(row: int = 1, base: dict | None = None, **changes: str | None) -> SourceRecord:
    fields = {**(base or BASE), **changes}
    return SourceRecord(row=row, where=f"row {row}", fields=fields)


@pytest.fixture(scope="module")
def kokuho():
    return open_job("kokuho-card")


def prepare(job, *records: SourceRecord) -> list[Outcome]:
    return list(job.outcomes(records))


def one(job, record: SourceRecord) -> Outcome:
    [outcome] = prepare(job, record)
    return outcome


def printed(outcome: Outcome, element_id: str) -> str | None:
    """The text an element prints for the record (None when its condition left it out)."""
    assert outcome.document is not None, [str(p) for p in outcome.problems]
    for page in outcome.document.pages:
        for el, prepared in page.items:
            if el.id == element_id:
                return "\n".join(prepared.lines)
    return None


def personal_values(fields: dict[str, str | None]) -> set[str]:
    """Every personal value of a record as it could leak: raw text, its parts, dates in 和暦."""
    out: set[str] = set()
    for name, raw in fields.items():
        if not raw or not BY_NAME[name].personal:
            continue
        out.add(raw)
        out.update(part for part in raw.replace("\u3000", " ").split(" ") if part)
        if BY_NAME[name].kind is Kind.DATE:
            try:
                d = parse_date(raw)
            except ValueError:
                continue
            out.update({d.isoformat(), format_wareki(d, "long"), format_wareki(d, "short")})
    return {v for v in out if len(v) >= 2}


def assert_private(problems, fields) -> None:
    values = personal_values(fields)
    assert values
    for p in problems:
        text = str(p)
        if p.record_id:
            text = text.replace(p.record_id, "")      # the 管理番号 is shown on purpose
        leaked = [v for v in values if v in text]
        assert not leaked, f"{text!r} repeats personal data"


def has(problems, field: str, rule: str) -> bool:
    return any(p.field == field and p.rule == rule for p in problems)


# ------------------------------------------------------------------ the bad sample file
BAD_ROWS = {   # samples/README.md, kokuho-bad.csv: row → (field, rule, words of the explanation)
    2: ("acquired_date", "date", "calendar"),
    3: ("name", "text", "control"),
    4: ("name", "text", "zero-width"),
    5: ("address", "text", "bidi"),
    6: ("name", "required", ""),
    7: ("edaban", "digits", "2 digits"),
    8: ("name", "glyph-coverage", "U+E000"),
}


@pytest.fixture(scope="module")
def bad_sample(kokuho):
    records = list(read_records(SAMPLES / "kokuho-bad.csv"))
    return records, prepare(kokuho, *records)


def test_every_bad_row_names_row_field_and_rule(bad_sample):
    records, outcomes = bad_sample
    assert [o.row for o in outcomes] == list(range(1, 10))
    for outcome in outcomes:
        if outcome.row not in BAD_ROWS:
            continue
        field, rule, words = BAD_ROWS[outcome.row]
        assert outcome.document is None
        assert outcome.record_id == f"B{outcome.row:04d}"
        assert has(outcome.problems, field, rule), [str(p) for p in outcome.problems]
        p = next(p for p in outcome.problems if p.field == field and p.rule == rule)
        assert p.row == outcome.row
        text = str(p)
        assert text.startswith(f"row {outcome.row} [B{outcome.row:04d}]: field {field}: {rule}")
        assert words in text


def test_good_rows_of_the_bad_file_still_bind(bad_sample):
    _, outcomes = bad_sample
    good = [o for o in outcomes if o.document is not None]
    assert [o.record_id for o in good] == ["B0001", "B0009"]
    for o in good:
        assert o.problems == ()
        assert [p.name for p in o.document.pages] == ["front", "back"]
    assert printed(good[0], "name") == "見本　太郎"


def test_bad_file_problems_hold_no_personal_data(bad_sample):
    records, outcomes = bad_sample
    for src, outcome in zip(records, outcomes):
        assert_private(outcome.problems, src.fields)


def test_every_fault_at_once_still_hides_the_values(kokuho):
    fields = dict(BASE, kigo="架空\u200b", bango="10\u202e01", edaban="1x", name="見本\x07太郎",
                  name_kana="\U000E0100ミホン", birth_date="1978-02-30", sex="X", acquired_date="20150231",
                  householder_name="見本\u2066太郎", postal_code="000-01", address="例題県架空市\u200d見本町",
                  copay_ratio="5", limit_class_date="2026-13-01", special_care="maybe", issue_date="令和8年7月15日")
    outcome = one(kokuho, SourceRecord(row=4, where="row 4", fields=fields))
    assert outcome.document is None
    fields_named = {p.field for p in outcome.problems}
    assert {"kigo", "bango", "edaban", "name", "name_kana", "birth_date", "sex", "acquired_date",
            "householder_name", "postal_code", "address", "copay_ratio", "limit_class_date",
            "special_care"} <= fields_named
    assert all(p.row == 4 and str(p).startswith("row 4 [T0001]") for p in outcome.problems)
    assert_private(outcome.problems, fields)


def test_counts_reconcile(tmp_path):
    report = render_pdf("kokuho-card", SAMPLES / "kokuho-bad.csv", tmp_path / "bad.pdf")
    assert report.read == 9
    assert (report.rendered, report.rejected_rows) == (2, 7)
    assert report.read == report.rendered + report.rejected_rows
    assert {p.row for p in report.rejected} == set(BAD_ROWS)
    assert report.pages == 2 * report.rendered
    assert (tmp_path / "bad.pdf").is_file()


# ------------------------------------------------------------------ record rules
def test_duplicate_record_id(kokuho):
    first, second, third = prepare(kokuho, rec(1), rec(2, name="見本　次郎"), rec(3, record_id="T0002"))
    assert first.document is not None and first.problems == ()
    assert second.document is None and has(second.problems, "record_id", "duplicate-id")
    assert third.document is not None


@pytest.mark.parametrize("birth,needs_ratio", [
    # the age that counts is the one on the first day of validity: the renewal start 2026-08-01
    # (the issue date 2026-07-15 is earlier)
    ("1956-08-02", False),     # 69 on 2026-08-01 (70 the next day; the card then ends 2026-08-31)
    ("1956-08-01", True),      # 70 that very day
    ("1956-07-16", True),      # 69 on the issue date, but 70 before the card is valid
    ("1954-05-20", True),      # 72
    ("1951-08-02", True),      # 74 on 2026-08-01, one day short of 75
])
def test_kokuho_70_to_74_must_state_the_ratio(kokuho, birth, needs_ratio):
    outcome = one(kokuho, rec(birth_date=birth))
    assert has(outcome.problems, "copay_ratio", "ratio-70-74") == needs_ratio
    assert (outcome.document is None) == needs_ratio


def test_kokuho_ratio_is_printed_for_70_to_74(kokuho):
    outcome = one(kokuho, rec(birth_date="1954-05-20", copay_ratio="2", ratio_effective_date="2026-08-01"))
    assert printed(outcome, "ratio") == "2割"
    assert printed(outcome, "ratio-label") == "一部負担金の割合"
    # under 70 the ratio line is left out by its when-condition
    assert printed(one(kokuho, rec()), "ratio") is None
    assert printed(one(kokuho, rec()), "ratio-label") is None


def test_kokuho_never_prints_1_wari(kokuho):
    outcome = one(kokuho, rec(birth_date="1954-05-20", copay_ratio="1"))
    assert has(outcome.problems, "copay_ratio", "ratio-70-74")


def test_special_care_mark_follows_the_flag(kokuho):
    assert printed(one(kokuho, rec(special_care="1")), "special-care-mark") == "特別療養費"
    assert printed(one(kokuho, rec(special_care="0")), "special-care-mark") is None
    assert printed(one(kokuho, rec()), "special-care-mark") is None


@pytest.fixture(scope="module")
def kouki():
    return open_job("kouki-card")


def test_kouki_number_check_digit(kouki):
    src = next(iter(read_records(SAMPLES / "kouki.jsonl")))
    assert src.fields["hihokensha_bango"] == "01002344"          # valid: README works it out
    good = one(kouki, src)
    assert good.document is not None, [str(p) for p in good.problems]
    # 1234567: 7×2=14→5, 6, 5×2=10→1, 4, 3×2=6, 2, 1×2=2 → 26 → check digit 4
    assert one(kouki, SourceRecord(1, "line 1", dict(src.fields, hihokensha_bango="12345674"))).document is not None
    for wrong in ("01002345", "12345670", "12345679"):
        bad = one(kouki, SourceRecord(1, "line 1", dict(src.fields, hihokensha_bango=wrong)))
        assert bad.document is None
        assert has(bad.problems, "hihokensha_bango", "check-digit")
        assert_private(bad.problems, dict(src.fields, hihokensha_bango=wrong))
    short = one(kouki, SourceRecord(1, "line 1", dict(src.fields, hihokensha_bango="0100234")))
    assert has(short.problems, "hihokensha_bango", "digits")


# ------------------------------------------------------------------ characters
@pytest.mark.parametrize("name", [
    "葛\U000E0100西　明美",        # ideographic variation sequence (VS17 after a kanji)
    "髙﨑　健一",                   # compatibility ideograph 﨑 U+FA11 and 髙 U+9AD9
    "𠮷田　神一",                   # 𠮷 outside the BMP (IPAmj fallback), 神 U+FA19
    "辻\U000E0100　一",             # another IVS, as BIZ UD's variation table has it
])
def test_allowed_names_bind_unchanged(kokuho, name):
    outcome = one(kokuho, rec(name=name))
    assert outcome.problems == ()
    assert printed(outcome, "name") == name          # exactly the characters on file


@pytest.mark.parametrize("field,value,words", [
    ("name", "見本\u200b太郎", "zero-width"),
    ("name", "見本\ufeff太郎", "zero-width"),
    ("address", "例題県\u202e架空市", "bidi"),
    ("householder_name", "見本\u2066太郎", "bidi"),
    ("name", "見本\x07太郎", "control"),
    ("name", "見本\t太郎", "control"),
    ("name", "\U000E0100見本　太郎", "variation selector"),
    ("name", "\ufe00見本　太郎", "variation selector"),
    ("name_kana", "ミホン\U000E0100　タロウ", "variation selector"),   # after katakana, not a kanji
])
def test_refused_characters(kokuho, field, value, words):
    outcome = one(kokuho, rec(**{field: value}))
    assert outcome.document is None
    problem = next(p for p in outcome.problems if p.field == field)
    assert problem.rule == "text" and words in problem.detail
    assert_private(outcome.problems, dict(BASE, **{field: value}))


def test_character_no_font_has(kokuho):
    outcome = one(kokuho, rec(row=8, name="見本\ue000太郎"))
    assert outcome.document is None
    [p] = outcome.problems
    assert (p.row, p.field, p.rule) == (8, "name", "glyph-coverage")     # field = the element id
    assert "U+E000" in p.detail
    assert "\ue000" not in str(p)


def test_name_longer_than_the_field_allows(kokuho):
    outcome = one(kokuho, rec(name="見" * 41))
    assert has(outcome.problems, "name", "text")
    assert "40" in next(p.detail for p in outcome.problems if p.field == "name")


# ------------------------------------------------------------------ derived dates
@pytest.mark.parametrize("birth,ratio,expiry", [
    ("1978-04-12", None, date(2027, 7, 31)),     # everyone else: end of the renewal period
    ("1952-03-10", "3", date(2027, 3, 9)),       # turns 75 on 2027-03-10: the day before
    ("1956-11-20", None, date(2026, 11, 30)),    # turns 70 in November: end of that month
    ("1957-03-01", None, date(2027, 2, 28)),     # born on the 1st: end of the month before
])
def test_derived_expiry(kokuho, birth, ratio, expiry):
    outcome = one(kokuho, rec(birth_date=birth, copay_ratio=ratio))
    assert printed(outcome, "expiry") == format_wareki(expiry)


def test_derived_expiry_wareki_text(kokuho):
    assert printed(one(kokuho, rec(birth_date="1952-03-10", copay_ratio="3")), "expiry") == "令和9年3月9日"


def test_explicit_expiry_overrides(kokuho):
    outcome = one(kokuho, rec(birth_date="1952-03-10", copay_ratio="3", expiry_date="2027-02-28"))
    assert printed(outcome, "expiry") == "令和9年2月28日"
    # but never past the day before the 75th birthday (2027-03-09), given or derived
    refused = one(kokuho, rec(birth_date="1952-03-10", copay_ratio="3", expiry_date="2027-03-31"))
    assert [(p.field, p.rule) for p in refused.problems] == [("expiry_date", "ends-at-75")]


def test_a_101_year_old_is_refused_whatever_the_data_gives(kokuho):
    # born 1925: 75 long before the card; the old sample K0013 printed with a given 有効期限
    for given in (None, "2027-07-31"):
        outcome = one(kokuho, rec(birth_date="1925-01-05", expiry_date=given))
        assert [(p.field, p.rule) for p in outcome.problems] == [("birth_date", "ends-at-75")]


def test_renewal_start_moves_the_derived_expiry():
    job = open_job("kokuho-card", renewal_start=date(2027, 8, 1))
    outcome = one(job, rec(issue_date="2027-07-15"))
    assert printed(outcome, "expiry") == "令和10年7月31日"
    assert printed(outcome, "effective") == "令和9年8月1日"


@pytest.mark.parametrize("acquired,given,shown", [
    ("2015-04-01", None, "令和8年8月1日"),          # covered before the renewal: its start
    ("2026-08-01", None, "令和8年8月1日"),
    ("2026-09-01", None, "令和8年9月1日"),          # coverage begins later: that date
    ("2015-04-01", "2026-10-01", "令和8年10月1日"),  # given in the data: printed as given
])
def test_effective_date(kokuho, acquired, given, shown):
    outcome = one(kokuho, rec(acquired_date=acquired, ratio_effective_date=given))
    assert printed(outcome, "effective") == shown


def test_the_good_sample_file_binds_completely(kokuho):
    outcomes = prepare(kokuho, *read_records(SAMPLES / "kokuho.csv"))
    assert len(outcomes) == 14
    assert [str(p) for o in outcomes for p in o.problems] == []
    by_id = {o.record_id: o for o in outcomes}
    # samples/README.md: expected 有効期限
    assert printed(by_id["K0005"], "expiry") == format_wareki(date(2026, 11, 30))
    assert printed(by_id["K0006"], "expiry") == format_wareki(date(2027, 2, 28))
    assert printed(by_id["K0011"], "expiry") == format_wareki(date(2027, 3, 9))
    assert printed(by_id["K0014"], "expiry") == format_wareki(date(2027, 3, 31))
    assert printed(by_id["K0007"], "limit-class") == "区ア"
    assert printed(by_id["K0001"], "limit-class") == "＊"


def test_problem_text_format():
    p = Problem(12, "K0001", "birth_date", "date", "not a real calendar date")
    assert str(p) == "row 12 [K0001]: field birth_date: date: not a real calendar date"
    assert str(Problem(None, None, "name", "required")) == "record: field name: required"
