"""Layouts as data: every built-in one loads; a broken one fails on load with a message naming
the file, the element (its id) and the key; includes, conditions and templates behave."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from docgen import cli
from docgen.conditions import Condition, holds
from docgen.elements.box import BoxElement
from docgen.elements.line import LineElement
from docgen.errors import LayoutError
from docgen.layout.loader import available_layouts, load_layout
from docgen.layout.model import IncludeElement
from docgen.paths import LAYOUTS
from docgen.pipeline import open_job
from docgen.template import ABSENT_MARK, Template, TemplateError

CARD_LAYOUTS = ("kenpo-card", "kokuho-card", "kouki-card", "kyosai-card")


# ------------------------------------------------------------------ built-in layouts
def test_the_card_layouts_are_built_in():
    assert set(CARD_LAYOUTS) <= set(available_layouts())


@pytest.mark.parametrize("name", available_layouts())
def test_every_builtin_layout_loads_flat(name):
    layout = load_layout(name)
    raw = yaml.safe_load((LAYOUTS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert layout.name == raw["name"] == name
    assert [p.name for p in layout.pages] == [p["name"] for p in raw["pages"]]
    for page in layout.pages:
        assert page.elements
        assert not any(isinstance(el, IncludeElement) for el in page.elements)


@pytest.mark.parametrize("name", CARD_LAYOUTS)
def test_card_layouts_open_with_their_profile(name):
    job = open_job(name)          # also prepares every profile-only element (the static form)
    assert job.layout.model.size_mm == (86.0, 54.0)
    assert [p.name for p in job.layout.pages] == ["front", "back"]
    assert job.profile.scheme == job.layout.model.scheme


def test_unknown_layout_names_the_builtin_ones():
    with pytest.raises(LayoutError) as exc:
        load_layout("kokuho-crad")
    assert "kokuho-crad" in str(exc.value)
    assert "kokuho-card" in str(exc.value)


# ------------------------------------------------------------------ synthetic layouts
def element(id_: str, **kw) -> dict:
    base = {"type": "text", "id": id_, "x": 1, "y": 1, "w": 20, "h": 4, "text": "見本"}
    base.update(kw)
    return base


def write_layout(folder: Path, front: list[dict], back: list[dict] | None = None,
                 parts: dict[str, dict] | None = None, name: str = "test-card") -> Path:
    for rel, part in (parts or {}).items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(yaml.safe_dump(part, allow_unicode=True), encoding="utf-8")
    doc = {
        "name": name, "description": "test", "scheme": "kokuho", "document": "card",
        "profile": "kasou-city-kokuho", "requires": ["record_id", "name"],
        "pages": [{"name": "front", "elements": front}, {"name": "back", "elements": back or [element("b")]}],
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def load_error(path: Path, folder: Path) -> str:
    with pytest.raises(LayoutError) as exc:
        load_layout(path)
    return str(exc.value)


def test_a_valid_synthetic_layout_loads(tmp_path):
    path = write_layout(tmp_path, [element("title"), {"type": "field", "id": "name", "x": 1, "y": 6, "w": 40, "h": 4,
                                                       "value": "{name}"}])
    layout = load_layout(path)
    assert [el.id for el in layout.pages[0].elements] == ["title", "name"]


def test_typo_in_a_key(tmp_path):
    bad = element("title")
    bad["sise"] = 9
    path = write_layout(tmp_path, [element("first"), bad])
    msg = load_error(path, tmp_path)
    assert str(path) in msg
    assert "pages[0] (front)" in msg
    # the element by index and id, then the key itself, not a path through the element's text
    assert "elements[1] (title) > sise" in msg


def test_typo_in_a_field_element_key(tmp_path):
    path = write_layout(tmp_path, [{"type": "field", "id": "birth", "x": 1, "y": 1, "w": 20, "h": 4,
                                    "value": "{birth_date}", "sise": 7}])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "elements[0] (birth) > sise" in msg


def test_wrong_type(tmp_path):
    path = write_layout(tmp_path, [element("title", x="abc")])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "(title)" in msg and "> x:" in msg
    assert "number" in msg


def test_unknown_element_type(tmp_path):
    path = write_layout(tmp_path, [element("seal-ring", type="circle")])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "(seal-ring)" in msg
    assert "'circle'" in msg and "type" in msg


def test_unknown_field_in_a_template(tmp_path):
    path = write_layout(tmp_path, [{"type": "field", "id": "name", "x": 1, "y": 1, "w": 20, "h": 4, "value": "{nmae}"}])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "name" in msg and "'nmae'" in msg


def test_unknown_field_in_a_condition(tmp_path):
    path = write_layout(tmp_path, [element("ratio", when={"field": "copay_ration", "present": True})])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "ratio" in msg and "'copay_ration'" in msg


def test_unknown_insurer_key(tmp_path):
    path = write_layout(tmp_path, [element("insurer-fax", text="FAX {insurer.fax}")])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "insurer-fax" in msg and "'fax'" in msg
    assert "insurer_number" in msg      # the known keys are listed


def test_unknown_formatter_fails_on_load(tmp_path):
    path = write_layout(tmp_path, [{"type": "field", "id": "birth", "x": 1, "y": 1, "w": 20, "h": 4,
                                    "value": "{birth_date:warek}"}])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "birth" in msg and "'warek'" in msg


def test_condition_with_two_tests_is_refused(tmp_path):
    path = write_layout(tmp_path, [element("mark", when={"field": "special_care", "present": True, "equals": "1"})])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "(mark)" in msg and "when" in msg


def test_missing_part_file(tmp_path):
    path = write_layout(tmp_path, [element("a")], back=[{"type": "include", "id": "notes", "part": "parts/nope.yaml"}])
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "pages[1] (back)" in msg
    assert "(notes) > part" in msg and "parts/nope.yaml" in msg


def test_bad_key_inside_a_part_names_the_part_file(tmp_path):
    parts = {"parts/p.yaml": {"elements": [element("inner", sise=5)]}}
    path = write_layout(tmp_path, [element("a")], back=[{"type": "include", "id": "p", "part": "parts/p.yaml"}], parts=parts)
    msg = load_error(path, tmp_path)
    assert str(tmp_path / "parts" / "p.yaml") in msg and "(inner)" in msg and "sise" in msg


def test_include_cycle(tmp_path):
    parts = {
        "parts/a.yaml": {"elements": [element("in-a"), {"type": "include", "id": "to-b", "part": "b.yaml"}]},
        "parts/b.yaml": {"elements": [{"type": "include", "id": "to-a", "part": "a.yaml"}]},
    }
    path = write_layout(tmp_path, [element("a")], back=[{"type": "include", "id": "start", "part": "parts/a.yaml"}],
                        parts=parts)
    msg = load_error(path, tmp_path)
    assert "cycle" in msg
    assert "to-a" in msg and "parts/a.yaml" in msg
    assert str(tmp_path / "parts" / "b.yaml") in msg       # the file holding the closing include


def test_a_part_including_itself(tmp_path):
    parts = {"parts/self.yaml": {"elements": [{"type": "include", "id": "me", "part": "self.yaml"}]}}
    path = write_layout(tmp_path, [{"type": "include", "id": "start", "part": "parts/self.yaml"}], parts=parts)
    assert "cycle" in load_error(path, tmp_path)


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: broken\npages: [\n  {name: front\n", encoding="utf-8")
    msg = load_error(path, tmp_path)
    assert str(path) in msg and "line" in msg


# ------------------------------------------------------------------ includes
def test_include_shifts_coordinates_and_adds_its_condition(tmp_path):
    parts = {
        "parts/block.yaml": {"elements": [
            {"type": "box", "id": "frame", "x": 1, "y": 2, "w": 10, "h": 5},
            {"type": "line", "id": "rule", "x1": 1, "y1": 2, "x2": 3.5, "y2": 4},
            element("label", x=0.5, y=0.25, when={"field": "limit_class", "present": True}),
            {"type": "include", "id": "inner", "part": "inner.yaml", "x": 1, "y": 1},
        ]},
        "parts/inner.yaml": {"elements": [{"type": "box", "id": "inner-box", "x": 2, "y": 3, "w": 4, "h": 4}]},
    }
    path = write_layout(tmp_path, [element("a")], parts=parts, back=[
        {"type": "include", "id": "block", "part": "parts/block.yaml", "x": 10, "y": 20,
         "when": {"field": "special_care", "present": True}}])
    back = {el.id: el for el in load_layout(path).pages[1].elements}
    assert set(back) == {"frame", "rule", "label", "inner-box"}
    frame, rule, label, inner = back["frame"], back["rule"], back["label"], back["inner-box"]
    assert isinstance(frame, BoxElement) and (frame.x, frame.y, frame.w, frame.h) == (11, 22, 10, 5)
    assert isinstance(rule, LineElement) and (rule.x1, rule.y1, rule.x2, rule.y2) == (11, 22, 13.5, 24)
    assert (label.x, label.y) == (10.5, 20.25)
    assert (inner.x, inner.y) == (10 + 1 + 2, 20 + 1 + 3)          # nested offsets add up
    # every element of the part inherits the include's when; its own when still applies
    assert holds(frame.when, {"special_care": True}) and not holds(frame.when, {})
    assert holds(inner.when, {"special_care": True}) and not holds(inner.when, {})
    assert holds(label.when, {"special_care": True, "limit_class": "区ア"})
    assert not holds(label.when, {"special_care": True})
    assert not holds(label.when, {"limit_class": "区ア"})


def test_builtin_organ_donation_block_is_shifted():
    raw = yaml.safe_load((LAYOUTS / "kokuho-card.yaml").read_text(encoding="utf-8"))
    inc = next(e for e in raw["pages"][1]["elements"] if e.get("id") == "organ-donation")
    part = yaml.safe_load((LAYOUTS / inc["part"]).read_text(encoding="utf-8"))
    raw_rule = next(e for e in part["elements"] if e.get("id") == "organ-special-rule")
    back = {el.id: el for el in load_layout("kokuho-card").pages[1].elements}
    rule = back["organ-special-rule"]
    assert rule.x1 == pytest.approx(raw_rule["x1"] + inc["x"])
    assert rule.y1 == pytest.approx(raw_rule["y1"] + inc["y"])
    assert rule.x2 == pytest.approx(raw_rule["x2"] + inc["x"])
    assert rule.y2 == pytest.approx(raw_rule["y2"] + inc["y"])


# ------------------------------------------------------------------ conditions
COND = TypeAdapter(Condition)


def cond(data: dict):
    return COND.validate_python(data)


def test_condition_present():
    c = cond({"field": "copay_ratio", "present": True})
    assert holds(c, {"copay_ratio": "2"})
    assert not holds(c, {}) and not holds(c, {"copay_ratio": ""}) and not holds(c, {"copay_ratio": None})
    assert holds(cond({"field": "copay_ratio", "present": False}), {})


def test_condition_equals_and_in():
    assert holds(cond({"field": "copay_ratio", "equals": "3"}), {"copay_ratio": "3"})
    assert not holds(cond({"field": "copay_ratio", "equals": "3"}), {"copay_ratio": "2"})
    assert not holds(cond({"field": "copay_ratio", "equals": "3"}), {})
    c = cond({"field": "relationship", "in": ["本人", "家族"]})
    assert holds(c, {"relationship": "家族"}) and not holds(c, {"relationship": "他"}) and not holds(c, {})


def test_condition_all_any_not():
    ratio = {"field": "copay_ratio", "present": True}
    care = {"field": "special_care", "present": True}
    both, either, neither = cond({"all": [ratio, care]}), cond({"any": [ratio, care]}), cond({"not": {"any": [ratio, care]}})
    for ctx, expect in [({}, (False, False, True)), ({"copay_ratio": "2"}, (False, True, False)),
                        ({"special_care": True}, (False, True, False)),
                        ({"copay_ratio": "2", "special_care": True}, (True, True, False))]:
        assert (holds(both, ctx), holds(either, ctx), holds(neither, ctx)) == expect, ctx


def test_condition_reads_profile_values():
    class Insurer:
        name_line2 = "見本支部"
    assert holds(cond({"field": "insurer.name_line2", "present": True}), {"insurer": Insurer()})
    assert not holds(cond({"field": "insurer.qr_payload", "present": True}), {"insurer": Insurer()})


def test_condition_needs_exactly_one_test():
    with pytest.raises(ValidationError):
        cond({"field": "copay_ratio"})


def test_conditions_select_elements_of_a_builtin_layout():
    front = {el.id: el for el in load_layout("kokuho-card").pages[0].elements}
    assert holds(front["ratio"].when, {"copay_ratio": "2"}) and not holds(front["ratio"].when, {})
    assert holds(front["special-care-mark"].when, {"special_care": True})
    assert not holds(front["special-care-mark"].when, {})
    assert front["name"].when is None


# ------------------------------------------------------------------ templates
def test_opt_marks_an_absent_optional_item():
    t = Template("{limit_class:opt}")
    assert t.render({}) == ABSENT_MARK == "＊"
    assert t.render({"limit_class": ""}) == "＊"
    assert t.render({"limit_class": "区ア"}) == "区ア"
    assert Template("{limit_class}").render({}) == ""
    assert Template("{limit_class_date:wareki,opt}").render({}) == "＊"
    assert Template("{limit_class_date:wareki,opt}").render({"limit_class_date": date(2026, 8, 1)}) == "令和8年8月1日"


def test_dates_print_in_wareki_by_default():
    assert Template("{birth_date}").render({"birth_date": date(2019, 5, 1)}) == "令和元年5月1日"
    assert Template("{birth_date}").render({"birth_date": date(1989, 1, 7)}) == "昭和64年1月7日"
    assert Template("{birth_date:wareki}").render({"birth_date": date(1989, 1, 8)}) == "平成元年1月8日"
    assert Template("{d:wareki_short}").render({"d": date(2019, 5, 1)}) == "R1.5.1"
    assert Template("{d:wareki_padded}").render({"d": date(2026, 8, 1)}) == "令和 8年 8月 1日"


def test_other_formatters_and_literals():
    ctx = {"copay_ratio": "2", "name": "見本　太郎", "postal_code": "0000101"}
    assert Template("負担{copay_ratio:ratio}").render(ctx) == "負担2割"
    assert Template("{name:sama}").render(ctx) == "見本　太郎　様"
    assert Template("{postal_code:postal}").render(ctx) == "〒000-0101"


def test_unknown_formatter_is_rejected():
    with pytest.raises(TemplateError) as exc:
        Template("{birth_date:warek}")
    assert "warek" in str(exc.value)
    with pytest.raises(TemplateError):
        Template("{name!r}")


# ------------------------------------------------------------------ schema
def test_schema_command_prints_a_json_schema(capsys):
    assert cli.main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "$defs" in schema
    assert schema["properties"]["pages"]
    types = {d.get("properties", {}).get("type", {}).get("const") for d in schema["$defs"].values()}
    assert {"field", "text", "include", "box", "qr"} <= types
    assert schema["additionalProperties"] is False
