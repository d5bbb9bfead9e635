"""Fields declared in YAML only (issue 10, item 3): a layout, an insurer profile or a scheme adds a
field (name, label, kind, limits, required, personal) and it is read from a column headed by its
label, validated by the same rules and rule names as a built-in one, printed and tested in `when:`,
listed by `docgen fields LAYOUT`, and refused by name when it does not fit its declaration."""
from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfcheck import page_text, squash
from test_user_errors import PROFILE as TOWN

from docgen import cli
from docgen.errors import LayoutError
from docgen.layout.loader import load_layout
from docgen.paths import PROFILES
from docgen.pipeline import open_job
from docgen.records import SourceRecord

LAYOUT = """name: club-card
description: a card with fields of its own
scheme: kokuho
document: card
page_size: card
profile: profiles/town.yaml
requires: [record_id, name]
fields:
  member_class: {label: 組合員種別, kind: text, max_len: 6, required: true, description: 一般 or 任意継続}
  member_kana: {label: 種別カナ, kind: kana, max_len: 10}
  reference_no: {label: 整理番号, kind: digits, length: 6, check_digit: true, personal: false}
  joined: {label: 加入年月日, kind: date}
  plan: {label: 区分, kind: choice, choices: [甲, 乙], aliases: {"1": 甲, "2": 乙}}
pages:
  - name: front
    elements:
      - {type: field, id: name, x: 3, y: 3, w: 80, h: 5, size: 10, value: "{name}"}
      - {type: field, id: class, x: 3, y: 10, w: 40, h: 5, size: 9, value: "種別 {member_class}"}
      - {type: text, id: continuing, when: {field: member_class, equals: 任意継続}, x: 45, y: 10, w: 38, h: 5, size: 8, text: 任意継続組合員}
      - {type: field, id: ref, x: 3, y: 17, w: 40, h: 5, size: 8, value: "整理番号 {reference_no:opt}"}
      - {type: field, id: joined, x: 3, y: 24, w: 60, h: 5, size: 8, value: "{joined:wareki,opt}"}
      - {type: field, id: plan, x: 3, y: 31, w: 20, h: 5, size: 8, value: "{plan:opt}"}
      - {type: field, id: kana, x: 3, y: 38, w: 60, h: 5, size: 8, value: "{member_kana}"}
      - {type: field, id: branch, x: 3, y: 45, w: 60, h: 5, size: 8, value: "支部 {branch_code:opt}"}
"""
PROFILE = TOWN + """fields:
  branch_code: {label: 支部コード, kind: code, max_len: 4, personal: false}
"""
HEADER = "管理番号,記号,番号,枝番,氏名,組合員種別,種別カナ,整理番号,加入年月日,区分,支部コード"
GOOD = "C0001,架空,1001,01,見本　太郎,任意継続,ニンイケイゾク,123455,2020-04-01,2,A-12"


@pytest.fixture()
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with the layout and its profile (and seal), and the working folder around it."""
    folder = tmp_path / "forms"
    (folder / "profiles").mkdir(parents=True)
    (folder / "club-card.yaml").write_text(LAYOUT, encoding="utf-8")
    (folder / "profiles" / "town.yaml").write_text(PROFILE, encoding="utf-8")
    shutil.copy(PROFILES / "seals" / "kasou-city.png", folder / "profiles" / "town-seal.png")
    monkeypatch.chdir(tmp_path)
    return folder


def records(*rows: str) -> list[SourceRecord]:
    names = ["record_id", "kigo", "bango", "edaban", "name", "member_class", "member_kana", "reference_no",
             "joined", "plan", "branch_code"]
    return [SourceRecord(i + 1, f"row {i + 1}", dict(zip(names, row.split(",")))) for i, row in enumerate(rows)]


def test_a_declared_field_is_read_by_its_label_validated_printed_and_tested(forms: Path, capsys) -> None:
    data = forms.parent / "club.csv"
    data.write_text("\n".join([HEADER, GOOD, GOOD.replace("C0001", "C0002").replace("任意継続", "一般")]) + "\n",
                    encoding="utf-8")
    assert cli.main(["render", "forms/club-card.yaml", str(data), "-o", "club.pdf"]) == 0, capsys.readouterr().err
    doc = pdfium.PdfDocument(forms.parent / "club.pdf")
    first, second = squash(page_text(doc[0])), squash(page_text(doc[1]))
    for text in ("種別任意継続", "任意継続組合員", "整理番号123455", "令和2年4月1日", "乙", "ニンイケイゾク", "支部A-12"):
        assert text in first, text
    assert "種別一般" in second and "任意継続組合員" not in second      # the when: condition on the declared field


@pytest.mark.parametrize("field, value, rule, words", [
    ("member_class", "一般一般一般一", "text", "longer than 6 characters"),
    ("member_class", "", "required", "this layout needs it"),
    ("member_kana", "任意ケイゾク", "characters", "種別カナ holds kana, '・' and spaces only"),
    ("reference_no", "123456", "check-digit", "整理番号 check digit does not match"),
    ("reference_no", "12345", "digits", "must be 6 digits"),
    ("joined", "2020-02-30", "date", ""),
    ("plan", "丙", "choice", "must be one of 甲, 乙"),
    ("branch_code", "A_12", "characters", "支部コード holds letters, digits and '-' only"),
    ("branch_code", "A-123", "text", "longer than 4 characters"),
])
def test_a_declared_field_is_rejected_by_its_rule_without_its_value(forms: Path, field: str, value: str, rule: str,
                                                                     words: str) -> None:
    job = open_job(forms / "club-card.yaml")
    [src] = records(GOOD)
    [outcome] = job.outcomes([SourceRecord(1, "row 1", {**src.fields, field: value})])
    assert outcome.document is None
    [problem] = outcome.problems
    assert (problem.row, problem.field, problem.rule) == (1, field, rule)
    assert words in problem.detail
    if job.fields[field].personal and value:
        assert value not in str(problem)


def test_docgen_fields_lists_the_declared_fields_with_where_they_come_from(forms: Path, capsys) -> None:
    assert cli.main(["fields", "forms/club-card.yaml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("club-card: scheme kokuho (国民健康保険), insurer profile town\n")
    assert "| `member_class` | 組合員種別 | text ≤ 6 | required, printed | layout | 一般 or 任意継続 |" in out
    assert "| `reference_no` | 整理番号 | 6 digits, check digit | printed | layout |  |" in out
    assert "| `branch_code` | 支部コード | code ≤ 4 | printed | profile town |  |" in out
    assert "| `kigo` | 記号 | text ≤ 20 | required | dictionary |" in out         # the scheme requires it


def test_a_mapping_file_may_name_a_declared_field(forms: Path, capsys) -> None:
    data = forms.parent / "export.csv"
    data.write_text("ID,記号,番号,枝番,氏名,種別\nC0001,架空,1001,01,見本　太郎,一般\n", encoding="utf-8")
    mapping = forms.parent / "map.yaml"
    mapping.write_text("columns: {ID: record_id, 種別: member_class}\n", encoding="utf-8")
    assert cli.main(["validate", "forms/club-card.yaml", str(data), "--mapping", str(mapping)]) == 0
    assert capsys.readouterr().out.endswith("1 record(s) read, 1 valid, 0 rejected\n")
    # without the layout's fields a column of that name is unknown, and a mapping to it is refused
    assert cli.main(["validate", "kokuho-card", str(data), "--mapping", str(mapping)]) == 1
    assert "maps to 'member_class', which is not a field name" in capsys.readouterr().err


def test_a_layout_using_a_profile_field_needs_a_profile_that_declares_it(forms: Path) -> None:
    assert "branch_code" in open_job(forms / "club-card.yaml").fields
    with pytest.raises(LayoutError, match="layout 'club-card' uses field.s. branch_code, which neither it, its "
                                          "scheme nor insurer profile 'kasou-city-kokuho' declares"):
        open_job(forms / "club-card.yaml", "docgen:kasou-city-kokuho")


@pytest.mark.parametrize("old, new, message", [
    ("member_class: {label: 組合員種別,", "member_class: {label: 氏名,",
     "fields > member_class: label 氏名 is already the label of field name"),
    ("kind: kana, max_len: 10}", "kind: kana}", "fields > member_kana: a kana field needs max_len"),
    ("kind: kana,", "kind: katakana,", "fields > member_kana > kind: Input should be 'text', 'kana', 'code'"),
    ("  joined: {", "  scheme: {", "fields > scheme: 'scheme' is a name templates use for something else"),
    ("plan: {label: 区分, kind: choice, choices: [甲, 乙],", "plan: {label: 区分, kind: choice,",
     "fields > plan: a choice field needs choices"),
    ("member_kana: {label: 種別カナ, kind: kana,", "member_kana: {label: 種別カナ, kind: kana, chars: [kanna],",
     "fields > member_kana > chars: 'kanna' is neither a character class"),
    ("  joined: {label: 加入年月日, kind: date}", "  joined: {label: 加入年月日, kind: date, max_len: 3}",
     "fields > joined: max_len does not apply to a date field"),
])
def test_a_declaration_that_does_not_hold_together_fails_on_load(forms: Path, old: str, new: str,
                                                                 message: str) -> None:
    path = forms / "club-card.yaml"
    path.write_text(LAYOUT.replace(old, new), encoding="utf-8")
    assert LAYOUT.count(old) == 1
    with pytest.raises(LayoutError) as exc:
        load_layout(path)
    assert str(exc.value).startswith(str(path)) and message in str(exc.value)


def test_a_scheme_tightens_a_field_and_adds_one(forms: Path) -> None:
    """A scheme of the user's own (on the search path) that allows digits only in the 記号 and adds
    a field every record of the scheme must have."""
    kokuho = (PROFILES.parent / "schemes" / "kokuho.yaml").read_text(encoding="utf-8")
    (forms / "schemes").mkdir()
    (forms / "schemes" / "digit-kokuho.yaml").write_text(
        kokuho + "fields:\n  kigo: {chars: [digits]}\n  district: {label: 地区, kind: code, max_len: 3, required: true}\n",
        encoding="utf-8")
    for name in ("club-card.yaml", "profiles/town.yaml"):
        path = forms / name
        path.write_text(path.read_text(encoding="utf-8").replace("scheme: kokuho", "scheme: digit-kokuho"),
                        encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DOCGEN_PATH", str(forms))
        job = open_job(forms / "club-card.yaml")
        [src] = records(GOOD)
        [outcome] = job.outcomes([SourceRecord(1, "row 1", {**src.fields, "district": "N1"})])
        assert [(p.field, p.rule) for p in outcome.problems] == [("kigo", "characters")]
        assert "記号 holds digits only" in outcome.problems[0].detail
        [outcome] = job.outcomes([SourceRecord(1, "row 1", {**src.fields, "kigo": "1201"})])
        assert [(p.field, p.rule, p.detail) for p in outcome.problems] == [
            ("district", "required", "the scheme digit-kokuho needs it (missing, empty or only spaces)")]
        assert job.fields["kigo"].origin == "dictionary, scheme digit-kokuho"
