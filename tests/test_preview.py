"""`docgen preview --boxes` and `docgen diff`: the overlay marks fitting, the diff names exactly what changed."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from docgen import cli
from docgen.layout.loader import element_names, load_layout
from docgen.paths import LAYOUTS, SAMPLES
from docgen.preview.layout_diff import element_changes
from docgen.preview.raster import GAP_PX

DPI = 100
PX_PER_MM = DPI / 25.4
CARD_W_PX = round(86 / 25.4 * DPI)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture()
def layouts(tmp_path: Path) -> Path:
    """A copy of the layouts folder, so a test edits its own files and never the repository's."""
    return Path(shutil.copytree(LAYOUTS, tmp_path / "layouts"))


def pixels(img: Image.Image, test) -> list[tuple[int, int]]:
    rgb = img.convert("RGB")
    return [(x, y) for y in range(rgb.height) for x in range(rgb.width) if test(rgb.getpixel((x, y)))]


def is_red(p: tuple[int, int, int]) -> bool:
    return p[0] > 180 and p[1] < 70 and p[2] < 70


def is_orange(p: tuple[int, int, int]) -> bool:
    return p[0] > 200 and 90 < p[1] < 170 and p[2] < 60


# ------------------------------------------------------------------ element changes
def test_element_changes_are_exactly_the_edits(layouts: Path) -> None:
    card = layouts / "kokuho-card.yaml"
    edit(card, "{type: field, id: birth, x: 21.5,", "{type: field, id: birth, x: 24.5,")                    # moved
    edit(card, "text: 国民健康保険資格確認書}", "text: 国民健康保険 資格確認書}")                                   # text
    edit(card, "{type: field, id: kigo, x: 21.5, y: 7.8, w: 19, h: 4.2, size: 7,",
         "{type: field, id: kigo, x: 21.5, y: 7.8, w: 19, h: 4.2, size: 8,")                                # style
    edit(card, "      - {type: text, id: sex-label, x: 62, y: 18.4, w: 8, h: 4.2, size: 5.5, text: 性別}\n", "")  # gone
    edit(card, "    elements:\n      - {type: box, id: frame, x: 1.5, y: 1.5, w: 83, h: 51, radius: 1.2, stroke: 0.5}\n"
               "      - {type: text, id: title,",
         "    elements:\n      - {type: box, id: frame, x: 1.5, y: 1.5, w: 83, h: 51, radius: 1.2, stroke: 0.5}\n"
         "      - {type: box, id: stamp-area, x: 60, y: 44, w: 6, h: 6}\n"
         "      - {type: text, id: title,")                                                                  # new
    edit(layouts / "parts" / "organ-donation.yaml", "id: organ-organs, x: 1, y: 12.9, w: 78,",
         "id: organ-organs, x: 1, y: 12.9, w: 70,")                                                          # part

    changes = element_changes(load_layout(LAYOUTS / "kokuho-card.yaml"), load_layout(card))

    assert {(c.page, c.element, c.kind) for c in changes} == {
        ("front", "birth", "moved"),
        ("front", "title", "text changed"),
        ("front", "kigo", "changed"),
        ("front", "sex-label", "disappeared"),
        ("front", "stamp-area", "appeared"),
        ("back", "organ-organs", "resized"),
    }
    assert len(changes) == 6
    by_name = {c.element: c for c in changes}
    # each change names the key with its old and new value
    assert by_name["birth"].detail == "x 21.5 → 24.5"
    assert by_name["title"].detail == "text 国民健康保険資格確認書 → 国民健康保険 資格確認書"
    assert by_name["kigo"].detail == "size 7 → 8"
    assert by_name["organ-organs"].detail == "w 78 → 70"


def test_moving_an_include_moves_every_element_of_the_part(layouts: Path) -> None:
    card = layouts / "kokuho-card.yaml"
    part = load_layout(card).pages[1]
    edit(card, "{type: include, id: notes, part: parts/card-notes.yaml, x: 3, y: 2.0}",
         "{type: include, id: notes, part: parts/card-notes.yaml, x: 3, y: 2.5}")
    changes = element_changes(load_layout(LAYOUTS / "kokuho-card.yaml"), load_layout(card))
    assert changes and {c.kind for c in changes} == {"moved"}
    assert {c.page for c in changes} == {"back"}
    assert len(changes) < len(part.elements)      # the rest of the back did not move


def test_anonymous_elements_are_named_by_type_and_index() -> None:
    front = load_layout("kokuho-card").pages[0]
    els = [front.elements[0].model_copy(update={"id": None}) for _ in range(2)] + [front.elements[1]] * 2
    assert element_names(els) == ["box#1", "box#2", "title", "title#2"]


# ------------------------------------------------------------------ docgen diff
def test_diff_png_and_exit_status_when_one_field_moved(layouts: Path, tmp_path: Path, capsys) -> None:
    card = layouts / "kokuho-card.yaml"
    edit(card, "{type: field, id: birth, x: 21.5,", "{type: field, id: birth, x: 24.5,")
    out = tmp_path / "diff.png"
    code, stdout, err = run(capsys, "diff", card, "--against", LAYOUTS / "kokuho-card.yaml", "-o", out,
                            "--page", "front", "--dpi", DPI)
    assert code == 1, err
    lines = stdout.splitlines()
    assert lines[0] == "front: birth moved (x 21.5 → 24.5)"
    assert len(lines) == 2 and "1 element change(s)" in lines[1]

    # one row of three panels (before, now, changed pixels); the red is in the third, on the birth row
    sheet = Image.open(out)
    red = pixels(sheet, lambda p: p == (230, 0, 0))
    assert len(red) > 30
    xs, ys = [x for x, _ in red], [y for _, y in red]
    panel3 = GAP_PX + 2 * (CARD_W_PX + GAP_PX)
    assert min(xs) >= panel3 + 21 * PX_PER_MM and max(xs) <= panel3 + 61 * PX_PER_MM
    assert max(ys) - min(ys) <= 5 * PX_PER_MM
    assert min(ys) >= GAP_PX + 18 * PX_PER_MM and max(ys) <= GAP_PX + 40 + 23 * PX_PER_MM


def test_diff_without_changes_exits_0(layouts: Path, tmp_path: Path, capsys) -> None:
    code, stdout, err = run(capsys, "diff", layouts / "kokuho-card.yaml", "--against", LAYOUTS / "kokuho-card.yaml",
                            "-o", tmp_path / "same.png", "--dpi", DPI)
    assert code == 0, err
    assert stdout.splitlines()[-1].endswith("rendered with row 1 [K0001]")
    assert "no changes" in stdout
    assert not pixels(Image.open(tmp_path / "same.png"), lambda p: p == (230, 0, 0))


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=docgen-test", "-c", "user.email=test@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_revision_sees_a_changed_part(layouts: Path, tmp_path: Path, capsys) -> None:
    git(layouts, "init", "-q")
    git(layouts, "add", ".")
    git(layouts, "commit", "-q", "-m", "layouts as committed")
    edit(layouts / "parts" / "organ-donation.yaml", "id: organ-organs, x: 1, y: 12.9,", "id: organ-organs, x: 1, y: 13.4,")
    code, stdout, err = run(capsys, "diff", layouts / "kokuho-card.yaml", "--against", "HEAD",
                            "-o", tmp_path / "d.png", "--dpi", DPI)
    assert code == 1, err
    [line] = stdout.splitlines()[:-1]
    moved = re.fullmatch(r"back: organ-organs moved \(y ([\d.]+) → ([\d.]+)\)", line)
    assert moved and float(moved[2]) - float(moved[1]) == pytest.approx(0.5)

    git(layouts, "commit", "-q", "-am", "moved")
    code, stdout, _ = run(capsys, "diff", layouts / "kokuho-card.yaml", "--against", "HEAD", "-o", tmp_path / "d.png")
    assert code == 0 and "no changes" in stdout


def test_diff_against_nothing_usable_fails_clearly(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "diff", "kokuho-card", "--against", "no-such-revision-or-file", "-o", tmp_path / "x.png")
    assert code == 1
    assert "neither a layout file nor a git revision" in err or "not in a git repository" in err


# ------------------------------------------------------------------ docgen preview --boxes
@pytest.fixture()
def long_record(tmp_path: Path) -> Path:
    """The first sample record with a name that must shrink and an address that cannot print (every
    address the field allows fits its box, so the address has a character no font has)."""
    with (SAMPLES / "kokuho.csv").open(encoding="utf-8") as fh:
        header, first = list(csv.reader(fh))[:2]
    first[header.index("name")] = "見本　太郎左衛門之助見本見本見本見本見本見本見本"
    first[header.index("address")] = "例題県架空市見本町二丁目3番4号\ue000"
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, first])
    return path


def test_boxes_mark_shrunk_and_overflowing_fields(long_record: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "boxes.png"
    code, stdout, err = run(capsys, "preview", "kokuho-card", long_record, "-o", out, "--boxes", "--page", "front",
                            "--dpi", DPI)
    assert code == 3                                   # the record is rejected, the picture still written
    assert stdout.splitlines()[:2] == ["front: name fitted: shrunk 9→7.25 pt",
                                       "front: address overflow: glyph-coverage: no configured font has U+E000"]
    assert "field address, building: glyph-coverage" in err     # the element prints the 住所 and its 方書
    assert "見本" not in stdout + err                   # no personal data in messages

    img = Image.open(out)

    def px(x_mm: float, y_mm: float) -> tuple[int, int]:
        return round(GAP_PX + x_mm * PX_PER_MM), round(GAP_PX + y_mm * PX_PER_MM)

    def near(x_mm: float, y_mm: float, test) -> bool:
        x, y = px(x_mm, y_mm)
        return bool(pixels(img.crop((x - 3, y - 3, x + 4, y + 4)), test))

    assert near(21.5, 33.0, is_red)                     # the address box's left edge, overflow colour
    assert near(21.5, 16.0, is_orange)                  # the name box's left edge, fitted colour
    assert not near(21.5, 20.0, is_red) and not near(21.5, 20.0, is_orange)   # birth fits
    address = img.crop((*px(22, 33), *px(83, 37)))
    assert not pixels(address, lambda p: max(p) < 100)  # nothing of the overflowing address is printed


def test_preview_page_option(tmp_path: Path, capsys) -> None:
    widths = {}
    for page in ("front", "all"):
        out = tmp_path / f"{page}.png"
        code, _, err = run(capsys, "preview", "kokuho-card", "-o", out, "--page", page, "--dpi", DPI)
        assert code == 0, err
        widths[page] = Image.open(out).width
    assert widths["front"] == CARD_W_PX + 2 * GAP_PX
    assert widths["all"] == 2 * CARD_W_PX + 3 * GAP_PX
    code, _, err = run(capsys, "preview", "kokuho-card", "-o", tmp_path / "x.png", "--page", "inside")
    assert code == 1 and "no page 'inside'" in err and "front, back" in err


def test_preview_without_id_shows_the_first_printable_record(tmp_path: Path, capsys) -> None:
    code, stdout, err = run(capsys, "preview", "kokuho-card", SAMPLES / "kokuho-bad.csv", "-o", tmp_path / "p.png",
                            "--dpi", DPI)
    assert code == 0, err
    assert "[B0001]" in stdout
