"""Every registered element kind, the same way: moved by a measured amount, `docgen diff` reports
it as moved with old → new values, and `preview --boxes` outlines it where it now is. Also the
binder's outcomes (drawn, fitted, hidden, rejected) and what a kind declares about its keys.

The elements come from the built-in layouts (each built-in kind is used by one of them); a
plug-in kind is tested the same way in tests/test_element_plugins.py.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml
from marks import mark_bbox
from PIL import Image

from docgen import cli
from docgen.bind.binder import DRAWN, FITTED, HIDDEN, REJECTED
from docgen.elements.base import Element
from docgen.elements.registry import registry
from docgen.layout.loader import available_layouts, load_layout
from docgen.paths import SAMPLES
from docgen.pipeline import open_job
from docgen.preview.raster import GAP_PX
from docgen.records import SourceRecord

DPI = 100
PX_PER_MM = DPI / 25.4
PAGE_MM = 400.0              # a square page larger than A4, so a moved element stays on it
MARGIN_MM = 20.0             # the element is placed this far from its layout position, inside a large page
MOVE_MM = (4.0, 2.0)         # how far the edit moves it


def _first_of_each_kind() -> dict[str, Element]:
    found: dict[str, Element] = {}
    for name in available_layouts():
        for page in load_layout(name).pages:
            for el in page.elements:
                found.setdefault(el.type, el)
    return found


EXAMPLES = _first_of_each_kind()
BUILTIN = list(registry().builtin)


def test_every_builtin_kind_is_used_by_a_builtin_layout() -> None:
    assert set(BUILTIN) == set(EXAMPLES), "a built-in kind no built-in layout uses: give the tests an example"
    assert {"customer_barcode", "qr", "cutline", "line", "image", "list"} <= set(BUILTIN)


def element_data(el: Element, offset: tuple[float, float]) -> dict[str, Any]:
    """The element as a layout file writes it, with id `probe`, no condition, moved by `offset`
    along every pair of keys its kind declares as its position."""
    data = el.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"when", "id"})
    for kx, ky in el.anchor_keys:
        data[kx] = round(data[kx] + offset[0], 3)
        data[ky] = round(data[ky] + offset[1], 3)
    return {"type": data.pop("type"), "id": "probe", **data}


def write_layout(path: Path, element: dict[str, Any]) -> Path:
    layout = {"name": path.stem, "description": f"one {element['type']} element", "scheme": "kokuho",
              "document": "card", "page_size": [PAGE_MM, PAGE_MM], "profile": "docgen:kasou-city-kokuho",
              "pages": [{"name": "front", "elements": [element]}]}
    path.write_text(yaml.safe_dump(layout, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def outline_corner(png: Path) -> tuple[int, int]:
    """The top-left corner of the marks --boxes drew on the page (not in the legend below it);
    the layout holds one element only."""
    img = Image.open(png)
    box = mark_bbox(img, (0, 0, img.width, round(GAP_PX + PAGE_MM * PX_PER_MM)))
    assert box, "no box outline drawn"
    return box[0], box[1]


@pytest.mark.parametrize("kind", BUILTIN)
def test_moving_an_element_is_reported_and_its_box_follows(kind: str, tmp_path: Path, capsys) -> None:
    el = EXAMPLES[kind]
    assert el.anchor_keys, f"{kind} declares no position keys"
    before = element_data(el, (MARGIN_MM, MARGIN_MM))
    after = element_data(el, (MARGIN_MM + MOVE_MM[0], MARGIN_MM + MOVE_MM[1]))
    old_file, new_file = write_layout(tmp_path / "before.yaml", before), write_layout(tmp_path / "after.yaml", after)
    data = SAMPLES / "kokuho.csv"

    code, out, err = run(capsys, "diff", new_file, data, "--against", old_file, "-o", tmp_path / "d.png", "--dpi", 50)
    moved = [k for k in before if k in {key for pair in el.anchor_keys for key in pair}]
    values = ", ".join(f"{k} {before[k]:g} → {after[k]:g}" for k in moved)
    assert out.splitlines()[0] == f"front: probe moved ({values})", out + err
    assert "pixels changed, though no element did" not in out
    assert code == 1 and "1 element change(s)" in out

    corners = []
    for layout in (old_file, new_file):
        png = tmp_path / f"{layout.stem}.png"
        code, out, err = run(capsys, "preview", layout, data, "-o", png, "--boxes", "--dpi", DPI)
        assert code == 0, err
        corners.append(outline_corner(png))
    (x0, y0), (x1, y1) = corners
    assert abs((x1 - x0) - MOVE_MM[0] * PX_PER_MM) <= 1.5 and abs((y1 - y0) - MOVE_MM[1] * PX_PER_MM) <= 1.5
    # and where the kind says the element is
    box = load_layout(new_file).pages[0].elements[0].bbox()
    assert box is not None
    assert abs(x1 - (GAP_PX + box[0] * PX_PER_MM)) <= 4 and abs(y1 - (GAP_PX + box[1] * PX_PER_MM)) <= 4


@pytest.mark.parametrize("kind", BUILTIN)
def test_an_include_shifts_every_position_key(kind: str) -> None:
    el = EXAMPLES[kind]
    moved = el.shifted(3.0, -1.5)
    differences = moved.differences(el)
    assert differences and {d.change for d in differences} == {"moved"}
    assert {d.key for d in differences} == {k for pair in el.anchor_keys for k in pair}
    a, b = el.bbox(), moved.bbox()
    assert a is not None and b is not None
    assert b == pytest.approx((a[0] + 3.0, a[1] - 1.5, a[2] + 3.0, a[3] - 1.5))


def _record(**changes: str) -> SourceRecord:
    with (SAMPLES / "kokuho.csv").open(encoding="utf-8") as fh:
        first = next(csv.DictReader(fh))
    return SourceRecord(1, "row 1", {**{k: v for k, v in first.items() if v}, **changes})


def test_bind_gives_every_element_its_outcome() -> None:
    job = open_job("kokuho-card")
    values, problems = job.validate_one(_record(name="見本　太郎左衛門之助見本見本見本見本見本見本見本",
                                                address="例題県架空市見本町二丁目3番4号\ue000"))
    assert not problems
    doc = job.binder.bind(values, 1)
    front = {o.name: o for o in doc.pages[0].outcomes}
    assert len(doc.pages[0].outcomes) == len(job.layout.pages[0].elements)     # every element, in order
    assert front["title"].status == DRAWN                                        # the same on every card
    assert front["name"].status == FITTED and str(front["name"].fitting) == "shrunk 9→7.25 pt"
    assert front["address"].status == REJECTED
    assert (front["address"].problem.rule, front["address"].problem.field) == ("glyph-coverage", "address, building")
    assert HIDDEN in {o.status for o in front.values()}                          # the 70–74 ratio of a younger person
    # rejected, yet what prints is there to draw (for the preview), and the address is not
    assert doc.rejected and [p.rule for p in doc.problems] == ["glyph-coverage"]
    drawn = {id(el) for el, _ in doc.pages[0].items}
    assert id(front["name"].element) in drawn and id(front["address"].element) not in drawn
    outcome = job.bind(1, values)
    assert outcome.document is None and outcome.problems == doc.problems       # render_pdf never prints it


def test_remembered_fits_are_the_fits_and_rejections_stay_rejections() -> None:
    """Fitted text is remembered per element and text (PrepareContext.memo): a second record with
    the same values binds to the same content; a text that cannot print is refused every time."""
    job = open_job("kokuho-card")
    values, _ = job.validate_one(_record(name="見本　太郎左衛門之助見本見本見本見本見本見本見本"))
    first, again = job.binder.bind(values, 1), job.binder.bind(values, 2)
    assert [o.content for o in first.pages[0].outcomes] == [o.content for o in again.pages[0].outcomes]
    fresh = open_job("kokuho-card").binder.bind(values, 1)                     # nothing remembered yet
    assert [o.content for o in fresh.pages[0].outcomes] == [o.content for o in first.pages[0].outcomes]
    unprintable, problems = job.validate_one(_record(name="見本　\ue000"))
    assert not problems
    for row in (3, 4):
        doc = job.binder.bind(unprintable, row)
        assert [(p.row, p.field, p.rule) for p in doc.problems] == [(row, "name", "glyph-coverage")]


def test_a_kind_declares_what_moves_sizes_and_prints() -> None:
    qr, barcode = EXAMPLES["qr"], EXAMPLES["customer_barcode"]
    assert {d.change for d in qr.model_copy(update={"size": qr.size + 1}).differences(qr)} == {"resized"}
    assert {d.change for d in barcode.model_copy(update={"scale": 1.1}).differences(barcode)} == {"resized"}
    assert barcode.names() == ["window_postal_code", "window_address", "window_building"]
    assert EXAMPLES["list"].names() == ["insurer.notes"] and EXAMPLES["list"].templates() == []
