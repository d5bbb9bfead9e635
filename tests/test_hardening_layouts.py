"""Issue 17, second hardening round, the layout side: every number in a layout is finite (3); a
small layout cannot ask for unbounded work through YAML aliases or includes (4); deep nesting and
huge integers in a layout, a mapping or a designer request are one clear error (5); the designer
writes only what `render` accepts (10); a key given twice in any of docgen's YAML files is refused
(11). Each test failed on main before these fixes."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from test_designer import Project

from docgen import cli
from docgen.layout import includes
from docgen.paths import LAYOUTS, PROFILES, SAMPLES, SCHEMES
from docgen.yamlfile import load_yaml

KOKUHO = SAMPLES / "kokuho.csv"
TITLE = "{type: text, id: title, x: 3, y: 2.4,"


def one_error(err: str) -> str:
    """stderr of a refusal: one `docgen:` line (a layout's problems indented below it), no traceback."""
    lines = err.splitlines()
    assert lines and lines[0].startswith("docgen: ") and "Traceback" not in err, err
    assert all(line.startswith("  ") for line in lines[1:]), err
    return err


def refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The message of a command that must refuse (exit 1)."""
    assert cli.main(argv) == 1
    return one_error(capsys.readouterr().err)


def refused_within(seconds: float, argv: list[str]) -> str:
    """refusal(), by `docgen` in a process of its own, which must be done within `seconds` (on
    main these took minutes and gigabytes: the process is killed at the limit)."""
    try:
        run = subprocess.run([sys.executable, "-m", "docgen.cli", *argv], capture_output=True, text=True,
                             timeout=seconds)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"docgen {' '.join(argv)} still running after {seconds} s") from None
    assert run.returncode == 1, run.stderr
    return one_error(run.stderr)


@pytest.fixture()
def layouts(tmp_path: Path) -> Path:
    """A copy of the built-in layouts and parts, to edit."""
    shutil.copytree(LAYOUTS, tmp_path / "layouts")
    return tmp_path / "layouts"


def card(layouts: Path, old: str, new: str, name: str = "card.yaml") -> Path:
    """kokuho-card with one piece of its text replaced, saved beside it."""
    text = (layouts / "kokuho-card.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = layouts / name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


# ------------------------------------------------------------------ 3: NaN and infinities
@pytest.mark.parametrize("old, new, key", [
    (TITLE, "{type: text, id: title, x: .nan, y: 2.4,", "(title) > x"),
    (TITLE, "{type: text, id: title, x: 3, y: .NaN,", "(title) > y"),
    ("{type: line, id: rule-top, x1: 1.5,", "{type: line, id: rule-top, x1: .nan,", "(rule-top) > x1"),
    (TITLE, "{type: text, id: title, x: -.inf, y: 2.4,", "(title) > x"),
    ("page_size: card", "page_size: [86, .inf]", "page_size"),
])
def test_item3_nan_and_infinity_in_a_layout_are_refused_naming_the_key(
        layouts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str) -> None:
    """Before: `x: .nan` rendered 14 records and wrote `-nan … Td` into the PDF."""
    out = tmp_path / "out.pdf"
    err = refusal(["render", str(card(layouts, old, new)), str(KOKUHO), "-o", str(out)], capsys)
    assert f"{key}: " in err and "finite" in err, err
    assert not out.exists()


@pytest.mark.parametrize("old, new, says", [
    ("rule-top, x1: 1.5, y1: 7.8, x2: 84.5, y2: 7.8, stroke: 0.3}", "rule-top, x1: 1.5, y1: 7.8, x2: 84.5, y2: 7.8, "
     "stroke: 1.0e+300}", "elements[6] (rule-top) > stroke: 1e+300 is beyond ±100,000"),
    ("rule-top, x1: 1.5, y1: 7.8, x2: 84.5, y2: 7.8, stroke: 0.3}", "rule-top, x1: 1.5, y1: 7.8, x2: 84.5, y2: 7.8, "
     "stroke: 0.3, dash: [1.0e+30, 1]}", "elements[6] (rule-top) > dash: 1e+30 is beyond ±100,000"),
])
def test_item3_a_number_no_pdf_can_hold_is_refused(layouts: Path, capsys: pytest.CaptureFixture[str],
                                                   old: str, new: str, says: str) -> None:
    """Found by the layout property test. Before: ReportLab's traceback (`_fp_one failed … number
    too large 1e+300`)."""
    assert says in refusal(["render", str(card(layouts, old, new)), str(KOKUHO), "-o", "-"], capsys)


# ------------------------------------------------------------------ 4: unbounded work from a small file
def test_item4_an_alias_bomb_is_refused_at_once(layouts: Path) -> None:
    """A `when:` of 6 levels, each naming the one below 10 times: 8 KB of valid YAML holding a
    condition of a million tests. Before: past 60 s and 1 GB, then kept between runs."""
    when = "&c0 {field: sex, present: true}"
    for level in range(1, 7):
        when = f"&c{level} {{any: [{when}" + f", *c{level - 1}" * 9 + "]}"
    path = card(layouts, TITLE, "{type: text, id: title, when: " + when + ", x: 3, y: 2.4,")
    err = refused_within(20, ["validate", str(path), str(KOKUHO)])
    line = next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "&c6" in text)
    assert re.search(f"{re.escape(str(path))}: line {line}, column [0-9]+: more than 50,000 values once its "
                     "aliases are expanded", err), err


def test_item4_a_few_aliases_still_load(layouts: Path) -> None:
    """An anchor used a few times (a shared `fit:`) is YAML a person writes: it loads."""
    path = card(layouts, 'value: "{kigo}", fit: {min_size: 5.5, min_scale: 0.7, max_lines: 2, leading: 1.05}}',
                'value: "{kigo}", fit: &fit {min_size: 5.5, min_scale: 0.7, max_lines: 2, leading: 1.05}}')
    text = path.read_text(encoding="utf-8").replace('value: "{bango}", fit: {min_size: 5.5, min_scale: 0.7}}',
                                                    'value: "{bango}", fit: *fit}')
    assert "fit: *fit}" in text
    path.write_text(text, encoding="utf-8")
    assert cli.main(["validate", str(path), str(KOKUHO)]) == 0


def _parts(folder: Path, wide: int, deep: int, elements: int = 1) -> Path:
    """p1 … p{deep}: each part includes the next `wide` times; the last holds `elements` boxes."""
    for level in range(1, deep + 1):
        if level < deep:
            items = "".join(f"  - {{type: include, part: p{level + 1}.yaml, x: 0, y: 0}}\n" for _ in range(wide))
        else:
            items = "".join(f"  - {{type: box, x: 1, y: 1, w: 1, h: 1}}\n" for _ in range(elements))
        (folder / f"p{level}.yaml").write_text(f"elements:\n{items}", encoding="utf-8")
    return folder / "p1.yaml"


@pytest.mark.parametrize("wide, deep, elements, says", [
    (10, 7, 1, "parts included more than 5 deep (through card.yaml > p1.yaml > p2.yaml > p3.yaml > p4.yaml > p5.yaml)"),
    (1, 7, 1, "parts included more than 5 deep"),
    (10, 3, 1, "more than 100 includes to expand"),
    (30, 2, 100, "more than 2,000 elements with the includes expanded"),
])
def test_item4_include_fan_out_and_depth_are_capped(layouts: Path, wide: int, deep: int, elements: int, says: str) -> None:
    """Before: includes 10 wide and 7 deep (ten million elements) ran past 60 s."""
    _parts(layouts, wide, deep, elements)
    path = card(layouts, TITLE, "{type: include, part: p1.yaml, x: 0, y: 0}\n      - " + TITLE)
    assert says in refused_within(20, ["validate", str(path), str(KOKUHO)])


def test_item4_one_part_placed_many_times_is_read_once(layouts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real = includes.load_part
    monkeypatch.setattr(includes, "load_part", lambda path, read: reads.append(path) or real(path, read))
    _parts(layouts, 9, 2)
    path = card(layouts, TITLE, "{type: include, part: p1.yaml, x: 0, y: 0}\n      - " + TITLE)
    assert cli.main(["validate", str(path), str(KOKUHO)]) == 0
    assert [p.name for p in reads if p.name.startswith("p")] == ["p1.yaml", "p2.yaml"]     # before: p2.yaml 9 times


# ------------------------------------------------------------------ 5: deep nesting, huge integers
NESTED = "[" * 3000 + "]" * 3000
HUGE = "9" * 5000


@pytest.mark.parametrize("old, new, says", [
    ("description: ", f"notes: {NESTED}\ndescription: ", "nested deeper than 40 levels"),
    (TITLE, "{type: text, id: title, x: " + HUGE + ", y: 2.4,", "an integer of 5,000 digits (at most 100)"),
])
def test_item5_deep_nesting_and_huge_integers_in_a_layout_are_one_line(
        layouts: Path, old: str, new: str, says: str) -> None:
    """Before: RecursionError and ValueError tracebacks."""
    path = card(layouts, old, new)
    assert says in refused_within(60, ["validate", str(path), str(KOKUHO)])


@pytest.mark.parametrize("template", ["{name", "名前}", "a}{b"])
def test_item5_a_template_that_does_not_parse_is_one_line(layouts: Path, capsys: pytest.CaptureFixture[str],
                                                          template: str) -> None:
    """Found by the layout property test. Before: `ValueError: expected '}' before end of string`."""
    path = card(layouts, "text: 国民健康保険資格確認書}", f'text: "{template}"}}')
    assert "pages[0] (front) > elements[1] (title) > text: " in refusal(["validate", str(path), str(KOKUHO)], capsys)


@pytest.mark.parametrize("body, says", [
    (f"columns: {NESTED}\n", "nested deeper than 40 levels"),
    (f"columns: {{name: {HUGE}}}\n", "line 1, column 17: an integer of 5,000 digits"),
])
def test_item5_deep_nesting_and_huge_integers_in_a_mapping_are_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, says: str) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(body, encoding="utf-8")
    err = refusal(["validate", "kokuho-card", str(KOKUHO), "--mapping", str(mapping)], capsys)
    assert f"{mapping}: " in err and says in err, err


@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Project]:
    p = Project(tmp_path / "project")
    yield p
    p.close()


def _set(project: Project, element: str, values: dict[str, object]) -> dict[str, object]:
    return {"op": "set", "version": project.version(), "page": "front", "element": element, "values": values}


@pytest.mark.parametrize("raw, says", [
    (b"[" * 3000 + b"]" * 3000, "the body is nested too deeply"),
    (b"[" * 50 + b"]" * 50, "the body is nested deeper than 40 levels"),
    (HUGE.encode(), "an integer of 5,000 digits (at most 100)"),
    (b"NaN", "NaN, which is not a number"),
    (b"-Infinity", "-Infinity, which is not a number"),
    (b"1e400", "1e400, too large for a number"),
])
def test_item5_a_designer_request_nested_deeply_or_with_a_huge_number_is_a_clean_400(
        project: Project, raw: bytes, says: str) -> None:
    """Before: the server printed a traceback and dropped the connection (deep nesting), or wrote
    `x: .nan` into the layout."""
    body = json.dumps(_set(project, "title", {"x": "RAW"})).encode().replace(b'"RAW"', raw)
    code, text = project.post(None, raw=body)
    assert code == 400 and says in text, (code, text)
    assert project.layout.read_text(encoding="utf-8") == project.original
    assert project.post(_set(project, "birth", {"x": 30}))[0] == 200      # the server is still up


# ------------------------------------------------------------------ 10: the designer writes what render accepts
@pytest.mark.parametrize("values, says", [
    ({"text": "国民\u0000健康"}, "page front: element title: glyph-coverage: no configured font has U+0000"),
    ({"text": "国民\u0085健康"}, "glyph-coverage: no configured font has U+0085"),
    ({"text": "国民\u2028健康"}, "glyph-coverage: no configured font has U+2028"),
    ({"text": "国民\u202e健康"}, "glyph-coverage: no configured font has U+202E"),
    ({"x": True}, "pages[0] (front) > elements[1] (title) > x: Input should be a valid number"),
    ({"x": "3.2"}, "pages[0] (front) > elements[1] (title) > x: Input should be a valid number"),
    ({"size": "9"}, "pages[0] (front) > elements[1] (title) > size: Input should be a valid number"),
])
def test_item10_the_designer_refuses_what_render_refuses_with_its_message(
        project: Project, values: dict[str, object], says: str) -> None:
    """Before: each of these was written to the layout (200)."""
    code, text = project.post(_set(project, "title", values))
    assert code == 422 and says in text, (code, text)
    assert project.layout.read_text(encoding="utf-8") == project.original


@pytest.mark.parametrize("new", ["x: true,", 'x: "3.2",', "x: '3',"])
def test_item10_render_refuses_a_number_written_as_text_or_yes(
        layouts: Path, capsys: pytest.CaptureFixture[str], new: str) -> None:
    """Before: `x: true` printed the title at x = 1 mm and `x: "3.2"` at 3.2 mm."""
    path = card(layouts, TITLE, TITLE.replace("x: 3,", new))
    assert "pages[0] (front) > elements[1] (title) > x: Input should be a valid number" in refusal(
        ["validate", str(path), str(KOKUHO)], capsys)


def test_item10_page_size_as_a_pair_still_loads(layouts: Path) -> None:
    path = card(layouts, "page_size: card", "page_size: [86, 54.0]")
    assert cli.main(["validate", str(path), str(KOKUHO)]) == 0


# ------------------------------------------------------------------ 11: a key given twice
def test_item11_a_key_twice_in_a_layout_is_refused_naming_file_line_and_key(
        layouts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Before: the later `x` silently won."""
    path = card(layouts, TITLE, "{type: text, id: title, x: 3, y: 2.4, x: 40,")
    err = refusal(["validate", str(path), str(KOKUHO)], capsys)
    assert f"{path}: line 12, column 47: key 'x' is given twice (first on line 12): keep one" in err, err


def test_item11_a_key_twice_in_a_profile_scheme_or_mapping_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text((PROFILES / "kasou-city-kokuho.yaml").read_text(encoding="utf-8")
                       .replace("scheme: kokuho\n", f"scheme: {SCHEMES / 'kokuho.yaml'}\n")
                       .replace("seal: seals/", f"seal: {PROFILES / 'seals'}/")
                       .replace("gaiji: gaiji/", f"gaiji: {PROFILES / 'gaiji'}/") + "name: 別の市\n", encoding="utf-8")
    err = refusal(["validate", "kokuho-card", str(KOKUHO), "--profile", str(profile)], capsys)
    last = len(profile.read_text(encoding="utf-8").splitlines())
    assert f"{profile}: " in err and f"line {last}, column 1: key 'name' is given twice (first on line 9)" in err, err

    scheme = tmp_path / "scheme.yaml"
    scheme.write_text((SCHEMES / "kokuho.yaml").read_text(encoding="utf-8") + "title: 国保\n", encoding="utf-8")
    profile.write_text((PROFILES / "kasou-city-kokuho.yaml").read_text(encoding="utf-8")
                       .replace("scheme: kokuho\n", f"scheme: {scheme}\n")
                       .replace("seal: seals/", f"seal: {PROFILES / 'seals'}/")
                       .replace("gaiji: gaiji/", f"gaiji: {PROFILES / 'gaiji'}/"), encoding="utf-8")
    err = refusal(["validate", "kokuho-card", str(KOKUHO), "--profile", str(profile)], capsys)
    assert f"{scheme}: " in err and "key 'title' is given twice (first on line 4)" in err, err

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('columns:\n  "管理番号": record_id\n  "氏名": name\n  "管理番号": kigo\n', encoding="utf-8")
    err = refusal(["validate", "kokuho-card", str(KOKUHO), "--mapping", str(mapping)], capsys)
    assert f"{mapping}: line 4, column 3: key '管理番号' is given twice (first on line 2)" in err, err


def test_item11_a_merge_key_overridden_is_not_a_key_twice() -> None:
    """`<<: *base` then a key of base: YAML's own way to override, not a repeated key."""
    assert load_yaml("base: &b {x: 1, y: 2}\nel: {<<: *b, x: 3}\n")["el"] == {"x": 3, "y": 2}
