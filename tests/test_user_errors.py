"""Mistakes a layout designer or an operator makes, each answered with one clear message (file,
element and key, or the option) and a documented exit status, never a traceback.

Each case edits one file of a small insurer folder (a layout including the built-in
organ-donation part and a part of its own, a profile with its seal) or runs a command wrong, and
states the exact message. README's "Exit status" lists the statuses.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from docgen import cli
from docgen.fonts import DEFAULT_CONFIG
from docgen.layout.search import ENV_VAR
from docgen.paths import LAYOUTS, PARTS, PROFILES, SAMPLES, SCHEMES

LAYOUT = """name: my-card
description: 例題町の資格確認書
scheme: kokuho
document: card
page_size: card
profile: profiles/town.yaml
requires: [record_id, name]
pages:
  - name: front
    elements:
      - {type: box, id: frame, x: 1.5, y: 1.5, w: 83, h: 51, radius: 1.2, stroke: 0.5}
      - {type: text, id: title, x: 3, y: 2.5, w: 50, h: 5, font: gothic-bold, size: 9, text: 国民健康保険資格確認書}
      - {type: field, id: name, x: 3, y: 15, w: 80, h: 5, size: 10, value: "{name}", fit: {min_size: 7}}
      - {type: field, id: ratio, when: {field: copay_ratio, present: true}, x: 3, y: 22, w: 30, h: 4, value: "{copay_ratio:ratio}"}
      - {type: image, id: seal, x: 70, y: 38, w: 12, h: 12, src: "{insurer.seal}"}
  - name: back
    elements:
      - {type: include, id: stamp, part: parts/stamp.yaml, x: 3, y: 18.5}
      - {type: include, id: organ-donation, part: docgen:organ-donation, x: 3, y: 24.5}
"""
PART = """elements:
  - {type: box, id: stamp-frame, x: 0, y: 0, w: 10, h: 5}
"""
PROFILE = """id: town
scheme: kokuho
insurer_number: "990028"
name: 例題町
address: 例題県例題町役場通り1番地
phone: 000-000-0001
seal: town-seal.png
renewal_start: 2026-08-01
"""
FILES = {"my-card.yaml": LAYOUT, "parts/stamp.yaml": PART, "profiles/town.yaml": PROFILE}
RENDER = ("render", "forms/my-card.yaml", "data.csv", "-o", "cards.pdf")


@dataclass(frozen=True)
class Case:
    id: str
    message: str       # exact stderr; {forms}, {fonts}, {parts}, {layouts}, {profiles}, {schemes} stand for those paths
    status: int = 1
    edit: tuple[str, str, str] | None = None     # (file under forms/, old text, new text)
    argv: tuple[str, ...] = RENDER
    env: dict[str, str] = field(default_factory=dict)


L = "docgen: forms/my-card.yaml: 1 problem(s)\n  "           # the layout as named on the command line
UNKNOWN = "unknown key (`docgen schema` lists the keys)"
FILLS = "black, white, gray:G (G = share of white, 0 to 1) or cmyk:C,M,Y,K (each 0 to 1)"
# what the messages list: the built-in parts and layouts as they are (a new one is listed too)
BUILTIN_PARTS = ", ".join(sorted(p.stem for p in PARTS.glob("*.yaml")))
BUILTIN_LAYOUTS = ", ".join(sorted(p.stem for p in LAYOUTS.glob("*.yaml")))
CASES = [
    Case("typo in an element key", L + f"pages[0] (front) > elements[2] (name) > sise: {UNKNOWN}",
         edit=("my-card.yaml", "size: 10, value", "sise: 10, value")),
    Case("typo in a top-level key", f"docgen: forms/my-card.yaml: 2 problem(s)\n  pages: required key missing\n"
         f"  pgaes: {UNKNOWN}", edit=("my-card.yaml", "pages:\n  - name: front", "pgaes:\n  - name: front")),
    Case("an id given twice in one file", L + "pages[0] (front) > elements: id 'title' is taken by elements[1] "
         "and elements[2]: give each element its own id", edit=("my-card.yaml", "id: name,", "id: title,")),
    Case("an id given twice in a part", "docgen: {forms}/parts/stamp.yaml: 1 problem(s)\n  elements: id 'stamp-frame' is taken by "
         "elements[0] and elements[1]: give each element its own id",
         edit=("parts/stamp.yaml", "h: 5}\n", "h: 5}\n  - {type: box, id: stamp-frame, x: 0, y: 6, w: 10, h: 5}\n")),
    Case("typo in a fit key", L + f"pages[0] (front) > elements[2] (name) > fit > minsize: {UNKNOWN}",
         edit=("my-card.yaml", "fit: {min_size: 7}", "fit: {minsize: 7}")),
    Case("typo in a condition's key", L + f"pages[0] (front) > elements[3] (ratio) > when > presnt: {UNKNOWN}",
         edit=("my-card.yaml", "present: true}", "presnt: true}")),
    Case("typo in a part's key", "docgen: {forms}/parts/stamp.yaml: 2 problem(s)\n"
         f"  elements[0] (stamp-frame) > h: required key missing\n  elements[0] (stamp-frame) > hieght: {UNKNOWN}",
         edit=("parts/stamp.yaml", "h: 5}", "hieght: 5}")),
    Case("typo in a profile key", "docgen: {forms}/profiles/town.yaml: 2 problem(s)\n"
         f"  address: required key missing\n  adress: {UNKNOWN}", edit=("profiles/town.yaml", "address:", "adress:")),
    Case("unknown element type", L + "pages[0] (front) > elements[0] (frame): unknown element type 'rect': use text, "
         "field, list, box, line, image, qr, customer_barcode, cutline, include (`docgen kinds` lists them; a kind "
         "from another package needs that package installed)", edit=("my-card.yaml", "type: box, id: frame", "type: rect, id: frame")),
    Case("unknown font family", L + "pages[0] (front) > elements[1] (title) > font: unknown font family 'gothic-blod' "
         "({fonts} has gothic, gothic-bold, mincho, mj-mincho, gothic-fallback, gothic-bold-fallback); did you mean 'gothic-bold'?",
         edit=("my-card.yaml", "font: gothic-bold", "font: gothic-blod")),
    Case("fill colour spelled grey", L + f"pages[0] (front) > elements[0] (frame) > fill: unknown colour 'grey:0.9': "
         f"use {FILLS}; did you mean 'gray'?", edit=("my-card.yaml", "stroke: 0.5}", 'stroke: 0.5, fill: "grey:0.9"}')),
    Case("CMYK colour with three values", L + "pages[0] (front) > elements[0] (frame) > fill: 'cmyk:0,0,0.1': cmyk "
         f"takes 4 value(s) after ':'; use {FILLS}", edit=("my-card.yaml", "stroke: 0.5}", 'stroke: 0.5, fill: "cmyk:0,0,0.1"}')),
    Case("grey level above 1", L + "pages[0] (front) > elements[0] (frame) > fill: 'gray:90': values must be between "
         "0 and 1", edit=("my-card.yaml", "stroke: 0.5}", 'stroke: 0.5, fill: "gray:90"}')),
    Case("missing image file", L + "pages[0] (front) > elements[4] (seal) > src: image file not found: {forms}/logo.png",
         edit=("my-card.yaml", 'src: "{insurer.seal}"', "src: logo.png")),
    Case("missing seal", "docgen: {forms}/profiles/town.yaml: 1 problem(s)\n"
         "  seal: image file not found: {forms}/profiles/town-sael.png",
         edit=("profiles/town.yaml", "seal: town-seal.png", "seal: town-sael.png")),
    Case("seal that is not an image", "docgen: {forms}/profiles/town.yaml: 1 problem(s)\n  seal: {forms}/parts/"
         "stamp.yaml is not an image Pillow can read (cannot identify image file '{forms}/parts/stamp.yaml')",
         edit=("profiles/town.yaml", "seal: town-seal.png", "seal: ../parts/stamp.yaml")),
    Case("unknown built-in part", "docgen: forms/my-card.yaml: pages[1] (back) > elements[1] (organ-donation) > part: "
         f"no built-in part 'organ-donaton' (built-in parts: {BUILTIN_PARTS}); did you mean 'organ-donation'?",
         edit=("my-card.yaml", "docgen:organ-donation", "docgen:organ-donaton")),
    Case("missing part file", "docgen: forms/my-card.yaml: pages[1] (back) > elements[0] (stamp) > part: part file "
         "not found: {forms}/parts/stmap.yaml", edit=("my-card.yaml", "parts/stamp.yaml", "parts/stmap.yaml")),
    Case("part by a name found nowhere", "docgen: forms/my-card.yaml: pages[1] (back) > elements[0] (stamp) > part: "
         f"no part 'stomp' (searched {{forms}}/parts, {{parts}} (built-in); parts there: {BUILTIN_PARTS}, stamp); "
         "did you mean 'stamp'?", edit=("my-card.yaml", "part: parts/stamp.yaml", "part: stomp")),
    Case("include cycle", "docgen: {forms}/parts/stamp.yaml > elements[1] (again): include cycle through "
         "{forms}/parts/stamp.yaml", edit=("parts/stamp.yaml", "h: 5}", "h: 5}\n  - {type: include, id: again, "
                                           "part: stamp.yaml}")),
    Case("unknown layout name", "docgen: no layout 'my-crad' (searched {forms}, {layouts} (built-in); layouts there: "
         f"{', '.join(sorted([*BUILTIN_LAYOUTS.split(', '), 'my-card']))}); did you mean 'my-card'?", argv=("render", "my-crad", "data.csv", "-o", "cards.pdf", "--layouts", "forms")),
    Case("unknown profile name", "docgen: no profile 'towm' (searched {forms}/profiles, {profiles} (built-in); profiles "
         "there: kasou-city-kokuho, mihon-kenpo, reidai-kouki, reidai-kyosai, town); did you mean 'town'?",
         argv=RENDER + ("--profile", "towm", "--layouts", "forms")),
    Case("element partly off the page", L + "pages[0] (front) > name: partly off the page: right edge at 93 beyond "
         "the page width 86 mm", edit=("my-card.yaml", "id: name, x: 3,", "id: name, x: 13,")),
    Case("element wholly off the page", L + "pages[1] (back) > stamp-frame: wholly off the page: bottom edge at 65 "
         "beyond the page height 54 mm", edit=("my-card.yaml", "x: 3, y: 18.5}", "x: 3, y: 60}")),
    Case("unknown page size", L + "page_size: unknown page size 'postcard-landscpe': use card, card-portrait, a4, "
         "a4-landscape, postcard, postcard-landscape or [width, height] in mm; did you mean 'postcard-landscape'?",
         edit=("my-card.yaml", "page_size: card", "page_size: postcard-landscpe")),
    Case("unknown scheme in a layout", "docgen: forms/my-card.yaml: scheme: no scheme 'kokhuo' (searched "
         "{forms}/schemes, {schemes} (built-in); schemes there: kenpo, kokuho, kouki, kyosai); did you mean 'kokuho'?",
         edit=("my-card.yaml", "scheme: kokuho", "scheme: kokhuo")),
    Case("unknown scheme in a profile", "docgen: {forms}/profiles/town.yaml: scheme: no scheme 'kokuh' (searched "
         "{forms}/schemes, {schemes} (built-in); schemes there: kenpo, kokuho, kouki, kyosai); did you mean 'kokuho'?",
         edit=("profiles/town.yaml", "scheme: kokuho", "scheme: kokuh")),
    Case("insurer number of another scheme", "docgen: {forms}/profiles/town.yaml: 1 problem(s)\n  insurer_number: "
         "not a valid 国民健康保険 保険者番号 (6 digits, check digit; scheme kokuho)",
         edit=("profiles/town.yaml", 'insurer_number: "990028"', 'insurer_number: "01990019"')),
    Case("profile of another scheme", "docgen: insurer profile 'mihon-kenpo' is for kenpo ({schemes}/kenpo.yaml), "
         "layout 'my-card' for kokuho ({schemes}/kokuho.yaml)", argv=RENDER + ("--profile", "docgen:mihon-kenpo")),
    Case("fields with a profile but no layout", "docgen: fields: --profile needs a LAYOUT (the fields of a "
         "layout with that insurer profile); see docgen fields --help", status=2,
         argv=("fields", "--profile", "forms/profiles/town.yaml")),
    Case("unknown field in a template", "docgen: forms/my-card.yaml: pages[0] (front) > element name: unknown field "
         "'nmae' (see the field dictionary in README.md, or declare it under fields:); did you mean 'name'?", edit=("my-card.yaml", '"{name}"', '"{nmae}"')),
    Case("unknown formatter", "docgen: forms/my-card.yaml: pages[0] (front) > element ratio: template "
         "'{{copay_ratio:ration}}': unknown format 'ration' (known: opt, wareki, wareki_padded, wareki_short, ratio, "
         "sama, spaced, postal, text)", edit=("my-card.yaml", "{copay_ratio:ratio}", "{copay_ratio:ration}")),
    Case("broken YAML", "docgen: forms/my-card.yaml: line 8, column 6: not valid YAML: expected ',' or ']', but got ':'",
         edit=("my-card.yaml", "requires: [record_id, name]", "requires: [record_id, name")),
    Case("preview image into a folder", "docgen: output out.png: is a directory; give a file name",
         argv=("preview", "forms/my-card.yaml", "-o", "out.png")),
    Case("render into a folder name", "docgen: render: argument -o/--output: 'cards/' names a folder; give a "
         "file name, e.g. cards/cards.pdf; see docgen render --help", status=2,
         argv=("render", "forms/my-card.yaml", "-o", "cards/")),
    Case("preview image not named .png", "docgen: preview: argument -o/--output: 'card.pdf' does not end in "
         ".png (the image written is a PNG); see docgen preview --help", status=2,
         argv=("preview", "forms/my-card.yaml", "-o", "card.pdf")),
    Case("preview resolution 0", "docgen: preview: argument --dpi: 0 is not between 20 and 1200; see docgen preview "
         "--help", status=2,
         argv=("preview", "forms/my-card.yaml", "-o", "card.png", "--dpi", "0")),
    Case("no such page", "docgen: forms/my-card.yaml: no page 'inside' (pages: front, back, or all)",
         argv=("preview", "forms/my-card.yaml", "-o", "card.png", "--page", "inside")),
    Case("--layouts that is not a folder", "docgen: render: argument --layouts: 'form' is not a folder; see docgen "
         "render --help", status=2,
         argv=("render", "my-card", "data.csv", "-o", "cards.pdf", "--layouts", "form")),
    Case("DOCGEN_PATH entry that is not a folder", "docgen: DOCGEN_PATH: 'form' is not a folder",
         argv=("render", "my-card", "data.csv", "-o", "cards.pdf"), env={ENV_VAR: "form"}),
    Case("diff against a revision outside git", "docgen: forms/my-card.yaml is not in a git repository: there is no "
         "HEAD to compare with", argv=("diff", "forms/my-card.yaml", "--against", "HEAD", "-o", "d.png")),
    Case("renewal date that does not exist", "docgen: render: argument --renewal: '2026-02-30' is not a date "
         "YYYY-MM-DD; see docgen render --help", status=2, argv=RENDER + ("--renewal", "2026-02-30")),
    Case("serve on a port that does not exist", "docgen: serve: argument --port: 99999 is not between 0 and "
         "65535; see docgen serve --help", status=2, argv=("serve", "forms/my-card.yaml", "--port", "99999")),
]


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder: forms/ (layout, part, profile and seal) and data.csv; out.png is a folder."""
    for rel, text in FILES.items():
        (tmp_path / "forms" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "forms" / rel).write_text(text, encoding="utf-8")
    shutil.copy(PROFILES / "seals" / "kasou-city.png", tmp_path / "forms" / "profiles" / "town-seal.png")
    shutil.copy(SAMPLES / "kokuho.csv", tmp_path / "data.csv")
    (tmp_path / "out.png").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    return tmp_path


def run(argv: tuple[str, ...]) -> tuple[int, str]:
    try:
        return cli.main(list(argv)), ""
    except SystemExit as exc:         # argparse's usage errors
        return int(exc.code or 0), ""


def test_the_untouched_folder_renders(world: Path, capsys) -> None:
    assert run(RENDER)[0] == 0, capsys.readouterr().err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_user_error_is_one_clear_message_and_a_status(case: Case, world: Path, capsys, monkeypatch) -> None:
    if case.edit:
        rel, old, new = case.edit
        path = world / "forms" / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    code, _ = run(case.argv)
    err = capsys.readouterr().err
    expected = case.message.format(forms=world / "forms", fonts=DEFAULT_CONFIG, parts=PARTS, layouts=LAYOUTS,
                                   profiles=PROFILES, schemes=SCHEMES)
    assert code == case.status
    assert err.strip() == expected
    assert "Traceback" not in err
