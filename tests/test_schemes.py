"""Schemes as data (issue 10, item 1): each scheme is a YAML file naming its rules; a user's scheme
on the search path works like a built-in one; nothing in docgen's Python knows a scheme by name."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfcheck import page_text, squash
from test_validation import KENPO, has, one, printed, rec

from docgen import cli
from docgen.errors import LayoutError
from docgen.expiry import EXPIRY_RULES
from docgen.layout.loader import load_layout, load_profile
from docgen.layout.scheme import load_scheme
from docgen.layout.search import ENV_VAR
from docgen.output.pdf import write_pdf
from docgen.paths import LAYOUTS, PROFILES, SCHEMES
from docgen.paths import SAMPLES as SAMPLE_DIR
from docgen.pipeline import open_job
from docgen.validate.domain import CHECKS

DOCGEN = Path(__file__).resolve().parent.parent / "docgen"
BUILT_IN = ("kenpo", "kokuho", "kouki", "kyosai")
KYOSAI = {**KENPO, "record_id": "T0201", "kigo": "1201", "insured_name": "見本　誠"}


def copied(layout: str, **changes: str) -> str:
    """A built-in layout as a user's copy would read: its profile and parts as docgen:NAME."""
    text = (LAYOUTS / f"{layout}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"parts/([a-z-]+)\.yaml", r"docgen:\1", re.sub(r"^profile: ", "profile: docgen:", text, flags=re.M))
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def python_sources() -> list[Path]:
    return sorted(DOCGEN.rglob("*.py"))


def test_no_python_file_knows_a_scheme_by_name() -> None:
    """The schemes are data: no special case in the code (names in docstrings' examples aside)."""
    assert python_sources()
    for path in python_sources():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"kyosai|共済", text, flags=re.I), f"{path} mentions the 共済組合 scheme"
        assert not re.search(r"[\"'](kokuho|kouki|kenpo)[\"']", text), f"{path} names a scheme in a string"


def test_docgen_schemes_lists_the_built_in_ones(capsys) -> None:
    assert cli.main(["schemes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(BUILT_IN)
    for line, name in zip(lines, BUILT_IN):
        assert f"{SCHEMES / name}.yaml (built-in)" in line
        assert load_scheme(name).title + ": " in line
    assert "共済組合: " in lines[3]


def test_a_user_scheme_shadows_the_built_in_one_and_changes_a_rule(tmp_path: Path, capsys, monkeypatch) -> None:
    """A 健康保険組合 whose cards run 3 years: its own kenpo.yaml, found first on the search path."""
    (tmp_path / "schemes").mkdir()
    text = (SCHEMES / "kenpo.yaml").read_text(encoding="utf-8")
    assert text.count("years: 5") == 3          # card, notice, and the check expiry-max-years
    (tmp_path / "schemes" / "kenpo.yaml").write_text(text.replace("years: 5", "years: 3"), encoding="utf-8")
    assert cli.main(["schemes", "--layouts", str(tmp_path)]) == 0
    assert f"kenpo   {tmp_path}/schemes/kenpo.yaml (shadows the built-in one)" in capsys.readouterr().out
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    outcome = one(open_job("kenpo-card"), rec(base=KENPO))      # issued 2026-07-15
    assert printed(outcome, "expiry") == "令和11年7月14日"
    monkeypatch.delenv(ENV_VAR)
    assert printed(one(open_job("kenpo-card"), rec(base=KENPO)), "expiry") == "令和13年7月14日"


@pytest.mark.parametrize("edit, message", [
    (("years: 5}  # at most", "years: 6}  # at most"), "expiry > card > years-from-issue > years: Input should be "
                                                      "less than or equal to 5"),
    (("rule: years-from-issue, years: 5}  # at most", "rule: years-from-isue}  # at most"),
     "expiry > card: Input tag 'years-from-isue' found using 'rule' does not match any of the expected tags: "
     "'renewal-year', 'renewal-year-age-limits', 'renewal-year-from-70', 'years-from-issue', 'fixed-date'"),
    (("check: required-when,", "check: required-if,"), "checks[0]: Input tag 'required-if' found using 'check'"),
    (("requires: insured_name,", "requires: insured_nmae,"),
     "checks[0] (required-when): unknown field 'insured_nmae'"),
    (("requires: [kigo,", "requires: [kgo,"), "requires: unknown field 'kgo'"),
    (("insurer_number: {length: 8,", "insurer_number: {"), "insurer_number: a digits field needs length or max_len"),
    (("title: 健康保険\n", "titel: 健康保険\n"), "titel: unknown key (`docgen schema` lists the keys)"),
])
def test_a_scheme_file_mistake_is_named_on_load(edit: tuple[str, str], message: str, tmp_path: Path) -> None:
    text = (SCHEMES / "kenpo.yaml").read_text(encoding="utf-8")
    assert text.count(edit[0]) == 1
    path = tmp_path / "kenpo.yaml"
    path.write_text(text.replace(*edit), encoding="utf-8")
    with pytest.raises(LayoutError) as exc:
        load_scheme(path)
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value)


def test_an_unknown_scheme_names_the_places_searched_and_the_closest_name(tmp_path: Path) -> None:
    path = tmp_path / "my-card.yaml"
    path.write_text(copied("kenpo-card", **{"scheme: kenpo": "scheme: kenp"}), encoding="utf-8")
    with pytest.raises(LayoutError) as exc:
        load_layout(path)
    assert str(exc.value) == (f"{path}: scheme: no scheme 'kenp' (searched {SCHEMES} (built-in); schemes there: "
                              "kenpo, kokuho, kouki, kyosai); did you mean 'kenpo'?")


@pytest.mark.parametrize("number, ok", [("32990012", True), ("31990013", True), ("01990019", False),
                                        ("32990013", False), ("3299001", False)])
def test_a_kyosai_profile_number_needs_31_to_34_and_its_check_digit(number: str, ok: bool, tmp_path: Path) -> None:
    text = (PROFILES / "reidai-kyosai.yaml").read_text(encoding="utf-8")
    path = tmp_path / "profile.yaml"
    path.write_text(text.replace('insurer_number: "32990012"', f'insurer_number: "{number}"'), encoding="utf-8")
    (tmp_path / "seals").symlink_to(PROFILES / "seals")
    if ok:
        assert load_profile(path).insurer_number == number
        return
    with pytest.raises(LayoutError) as exc:
        load_profile(path)
    assert str(exc.value) == (f"{path}: 1 problem(s)\n  insurer_number: not a valid 共済組合 保険者番号 (8 digits "
                              "starting with 31 or 32 or 33 or 34, check digit; scheme kyosai)")


def test_a_profile_of_another_scheme_is_refused() -> None:
    with pytest.raises(LayoutError, match="insurer profile 'mihon-kenpo' is for kenpo .*layout 'kyosai-card' for kyosai"):
        open_job("kyosai-card", "mihon-kenpo")


def test_scheme_words_print_and_an_unknown_word_fails_on_load(tmp_path: Path) -> None:
    assert load_layout("kyosai-card").scheme.words.insured == "組合員"
    path = tmp_path / "card.yaml"
    path.write_text(copied("kyosai-card"), encoding="utf-8")
    assert load_layout(path).name == "kyosai-card"
    path.write_text(copied("kyosai-card", **{"{scheme.words.insured}氏名": "{scheme.words.insurd}氏名"}),
                    encoding="utf-8")
    with pytest.raises(LayoutError, match="element insured-label: scheme 'kyosai' has no 'words.insurd' .known: "
                                          "name, title, words.channel, words.dependent, words.insured.; did you mean "
                                          "'words.insured'"):
        load_layout(path)


def test_every_rule_and_check_is_used_or_documented() -> None:
    """Each named rule is documented in docs/schemes.md, so a scheme's author can choose it."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "schemes.md").read_text(encoding="utf-8")
    names = [m.model_fields["rule"].annotation.__args__[0] for m in EXPIRY_RULES]
    names += [m.model_fields["check"].annotation.__args__[0] for m in CHECKS]
    for name in names:
        assert f"`{name}`" in doc, name


# ------------------------------------------------------------------ the kyosai scheme's rules
@pytest.fixture(scope="module")
def kyosai():
    return open_job("kyosai-card")


def test_kyosai_dependent_card_names_the_kumiaiin(kyosai) -> None:
    dependent = one(kyosai, rec(base=KYOSAI, edaban="01", relationship="家族", name="見本　花子"))
    assert printed(dependent, "insured-label") == "組合員氏名" and printed(dependent, "insured") == "見本　誠"
    member = one(kyosai, rec(base=KYOSAI))
    assert printed(member, "insured-label") is None and printed(member, "insured") is None
    missing = one(kyosai, rec(base=KYOSAI, relationship="家族", insured_name=None))
    assert [(p.field, p.rule, p.detail) for p in missing.problems] == [
        ("insured_name", "required", "a dependent's card names the 組合員 (組合員氏名)")]


def test_kyosai_reads_the_kumiaiin_name_from_its_own_label(tmp_path: Path, capsys) -> None:
    data = tmp_path / "k.csv"
    row = {**KYOSAI, "edaban": "01", "relationship": "家族", "name": "見本　花子"}
    header = ",".join("組合員氏名" if k == "insured_name" else k for k in row)
    data.write_text(header + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    assert cli.main(["validate", "kyosai-card", str(data)]) == 0
    assert cli.main(["validate", "kenpo-card", str(data)]) == 1          # 健康保険 calls it 被保険者氏名
    assert "unknown column" in capsys.readouterr().err


@pytest.mark.parametrize("birth, ratio, rule", [
    ("1954-05-20", None, None),           # 72 without a ratio: the 高齢受給者証 stays separate
    ("1954-05-20", "2", None),
    ("1954-05-20", "1", "ratio-70-74"),   # 1割 is 後期高齢者医療's
])
def test_kyosai_ratio_is_optional_but_never_1_wari(kyosai, birth: str, ratio: str | None, rule: str | None) -> None:
    outcome = one(kyosai, rec(base=KYOSAI, birth_date=birth, copay_ratio=ratio))
    assert has(outcome.problems, "copay_ratio", "ratio-70-74") == (rule is not None)


def test_kyosai_expiry_is_five_years_from_issue_and_ends_before_75(kyosai) -> None:
    assert printed(one(kyosai, rec(base=KYOSAI)), "expiry") == "令和13年7月14日"
    assert printed(one(kyosai, rec(base=KYOSAI, birth_date="1955-06-10")), "expiry") == "令和12年6月9日"
    assert printed(one(kyosai, rec(base=KYOSAI, expiry_date="2028-03-31")), "expiry") == "令和10年3月31日"


def test_kyosai_card_without_an_address_leaves_a_line_to_write_it(kyosai, tmp_path: Path) -> None:
    outcomes = [one(kyosai, rec(base=KYOSAI, address=None)), one(kyosai, rec(base=KYOSAI))]
    assert all(o.document is not None for o in outcomes)
    pdf = tmp_path / "cards.pdf"
    write_pdf(kyosai, outcomes, pdf)
    doc = pdfium.PdfDocument(pdf)
    drawn = [[el.id for el, _ in page.items] for page in outcomes[0].document.pages]
    assert "address-write-rule" in drawn[1] and "address" not in drawn[1]
    assert "address-write-rule" not in [el.id for el, _ in outcomes[1].document.pages[1].items]
    assert squash(KENPO["address"]) not in squash(page_text(doc[1]))
    assert squash(KENPO["address"]) in squash(page_text(doc[3]))


def test_the_fixed_date_rule_of_a_users_scheme(tmp_path: Path, monkeypatch) -> None:
    """私学共済 style: every card issued in the period expires on one date, or the day before 75."""
    (tmp_path / "schemes").mkdir()
    text = (SCHEMES / "kyosai.yaml").read_text(encoding="utf-8")
    text = text.replace("card: {rule: years-from-issue, years: 5}", "card: {rule: fixed-date, date: 2029-11-30}")
    (tmp_path / "schemes" / "kyosai.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    job = open_job("kyosai-card")
    assert job.layout.scheme.spec.expiry["card"].date == date(2029, 11, 30)
    assert printed(one(job, rec(base=KYOSAI)), "expiry") == "令和11年11月30日"
    assert printed(one(job, rec(base=KYOSAI, birth_date="1954-06-10")), "expiry") == "令和11年6月9日"


def test_the_built_in_schemes_ship_with_the_package() -> None:
    assert sorted(p.stem for p in SCHEMES.glob("*.yaml")) == list(BUILT_IN)


# ------------------------------------------------------------------ a scheme file is an input of the run
@pytest.fixture()
def own_kenpo(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the kenpo scheme in a folder on the search path."""
    (tmp_path / "schemes").mkdir()
    path = tmp_path / "schemes" / "kenpo.yaml"
    shutil.copy(SCHEMES / "kenpo.yaml", path)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return path


def test_a_run_never_writes_over_its_scheme_file(own_kenpo: Path, capsys) -> None:
    before = own_kenpo.read_bytes()
    assert cli.main(["render", "kenpo-card", str(SAMPLE_DIR / "kenpo.csv"), "-o", str(own_kenpo)]) == 1
    assert f"output {own_kenpo} is the scheme file this run reads" in capsys.readouterr().err
    assert own_kenpo.read_bytes() == before


def test_a_batch_resumed_after_its_scheme_changed_is_refused(own_kenpo: Path) -> None:
    """Each run in its own process, as a resume after a kill is (a process keeps its jobs open)."""
    args = [str(Path(sys.executable).with_name("docgen")), "batch", "kenpo-card", str(SAMPLE_DIR / "kenpo.csv"),
            "-o", "out", "--bundle-size", "4"]
    assert subprocess.run(args, capture_output=True).returncode == 0
    own_kenpo.write_text(own_kenpo.read_text(encoding="utf-8").replace("years: 5", "years: 3"), encoding="utf-8")
    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 1
    assert "the input, layout, profile, scheme or options differ" in resumed.stderr
