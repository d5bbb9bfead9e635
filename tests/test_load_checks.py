"""Everything a layout says is checked when it loads, not when a record is drawn: fonts, colours,
images, page bounds, named page sizes; an element off the page fails `render` but `preview --boxes`
draws it red beyond the page's edge. And every subcommand takes options and positionals in any order."""
from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
import yaml
from PIL import Image

from docgen import cli
from docgen.api import render_pdf
from docgen.elements.box import BoxElement, fill_cmyk
from docgen.errors import LayoutError
from docgen.layout.loader import load_layout
from docgen.layout.model import PAGE_SIZES_MM
from docgen.paths import PROFILES, SAMPLES
from docgen.preview.raster import GAP_PX

KOKUHO = SAMPLES / "kokuho.csv"
MM = 72 / 25.4


def layout(folder: Path, elements: list[dict], page_size: object = "card") -> Path:
    path = folder / "check.yaml"
    path.write_text(yaml.safe_dump({
        "name": "check", "description": "load checks", "scheme": "kokuho", "document": "card",
        "page_size": page_size, "profile": "kasou-city-kokuho", "requires": ["record_id", "name"],
        "pages": [{"name": "front", "elements": elements}]}, allow_unicode=True), encoding="utf-8")
    return path


def text(id_: str, **kw: object) -> dict:
    return {"type": "text", "id": id_, "x": 2, "y": 2, "w": 40, "h": 5, "text": "見本", **kw}


def load_error(path: Path) -> str:
    with pytest.raises(LayoutError) as exc:
        load_layout(path)
    return str(exc.value)


# ------------------------------------------------------------------ fonts, colours, images
def test_an_unknown_font_fails_on_load_not_while_drawing(tmp_path: Path) -> None:
    message = load_error(layout(tmp_path, [text("title", font="maru")]))
    assert "elements[0] (title) > font: unknown font family 'maru'" in message
    assert "gothic, gothic-bold, mincho, mj-mincho, gothic-fallback, gothic-bold-fallback" in message


@pytest.mark.parametrize("spec, cmyk", [("black", (0, 0, 0, 1)), ("white", (0, 0, 0, 0)), ("gray:0.9", (0, 0, 0, 0.1)),
                                        ("cmyk:0.1,0.2,0.3,0.4", (0.1, 0.2, 0.3, 0.4))])
def test_fill_forms(spec: str, cmyk: tuple[float, ...]) -> None:
    assert fill_cmyk(spec) == pytest.approx(cmyk)
    assert BoxElement(type="box", x=0, y=0, w=1, h=1, fill=spec).fill == spec


@pytest.mark.parametrize("spec", ["grey:0.9", "gray", "gray:x", "gray:1.5", "cmyk:0,0,0", "red", "black:1"])
def test_a_bad_fill_fails_on_load(tmp_path: Path, spec: str) -> None:
    message = load_error(layout(tmp_path, [{"type": "box", "id": "shade", "x": 1, "y": 1, "w": 5, "h": 5, "fill": spec}]))
    assert "elements[0] (shade) > fill: " in message and spec in message


def test_an_image_file_is_checked_on_load(tmp_path: Path) -> None:
    image = {"type": "image", "id": "logo", "x": 1, "y": 1, "w": 10, "h": 10, "src": "logo.png"}
    message = load_error(layout(tmp_path, [image]))
    assert f"elements[0] (logo) > src: image file not found: {tmp_path / 'logo.png'}" in message
    (tmp_path / "logo.png").write_text("not a picture", encoding="utf-8")
    assert "is not an image Pillow can read" in load_error(layout(tmp_path, [image]))
    (tmp_path / "logo.png").write_bytes((PROFILES / "seals" / "kasou-city.png").read_bytes())
    loaded = load_layout(layout(tmp_path, [image])).pages[0].elements[0]
    assert loaded.path(loaded.src) == tmp_path / "logo.png"


# ------------------------------------------------------------------ page bounds and sizes
@pytest.mark.parametrize("element, problem", [
    (text("name", x=50), "partly off the page: right edge at 90 beyond the page width 86 mm"),
    (text("name", y=-1), "partly off the page: top edge at y -1 mm"),
    (text("name", y=60), "wholly off the page: bottom edge at 65 beyond the page height 54 mm"),
    ({"type": "line", "id": "rule", "x1": 1, "y1": 1, "x2": 90, "y2": 1}, "partly off the page: right edge at 90 beyond the page width 86 mm"),
    ({"type": "qr", "id": "qr", "x": 70, "y": 40, "size": 16, "payload": "{record_id}"},
     "partly off the page: bottom edge at 56 beyond the page height 54 mm"),
    ({"type": "customer_barcode", "id": "bars", "x": 10, "y": 2}, "partly off the page: right edge at 93.8 beyond the page width 86 mm"),
    # a cut line's label sits above its top edge: at y 1 the label would be cut off the sheet
    ({"type": "cutline", "id": "slip", "x": 2, "y": 1, "w": 80, "h": 50}, "partly off the page: top edge at y -2.43986 mm"),
])
def test_an_element_off_the_page_fails_on_load(tmp_path: Path, element: dict, problem: str) -> None:
    message = load_error(layout(tmp_path, [element]))
    assert f"pages[0] (front) > {element['id']}: {problem}" in message


def test_an_element_in_an_include_is_checked_where_it_lands(tmp_path: Path) -> None:
    (tmp_path / "block.yaml").write_text(yaml.safe_dump({"elements": [text("inner", x=0, y=0)]}), encoding="utf-8")
    assert load_layout(layout(tmp_path, [{"type": "include", "part": "block.yaml", "x": 40, "y": 40}]))
    message = load_error(layout(tmp_path, [{"type": "include", "part": "block.yaml", "x": 50, "y": 40}]))
    assert "pages[0] (front) > inner: partly off the page: right edge at 90" in message


@pytest.mark.parametrize("name", sorted(PAGE_SIZES_MM))
def test_named_page_sizes_say_their_orientation_and_render_exactly(tmp_path: Path, name: str) -> None:
    w, h = PAGE_SIZES_MM[name]
    assert ("landscape" in name) == (w > h) or name == "card"     # card is the landscape 86 × 54 by definition
    out = render_pdf(layout(tmp_path, [text("title")], page_size=name), KOKUHO, tmp_path / "x.pdf", record_id="K0001")
    assert out.rendered == 1
    box = pypdf.PdfReader(tmp_path / "x.pdf").pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((w * MM, h * MM), abs=0.01)


def test_postcard_is_portrait_and_its_landscape_form_is_named() -> None:
    assert PAGE_SIZES_MM["postcard"] == (100, 148) and PAGE_SIZES_MM["postcard-landscape"] == (148, 100)


def test_preview_draws_an_off_page_element_red_beyond_the_page(tmp_path: Path, capsys) -> None:
    path = layout(tmp_path, [text("title"), text("name", x=70, y=20, w=30, h=6)])
    code = cli.main(["render", str(path), str(KOKUHO), "-o", str(tmp_path / "x.pdf")])
    assert code == 1 and not (tmp_path / "x.pdf").exists()
    capsys.readouterr()

    dpi = 100
    code = cli.main(["preview", str(path), str(KOKUHO), "-o", str(tmp_path / "p.png"), "--boxes", "--dpi", str(dpi)])
    out, err = capsys.readouterr()
    assert code == 1                                     # a layout error, though the image is written
    assert "front: name overflow: partly off the page: right edge at 100 beyond the page width 86 mm" in out
    assert "docgen: " in err and "partly off the page" in err
    img = Image.open(tmp_path / "p.png").convert("RGB")
    page_w = round(86 / 25.4 * dpi)
    right_edge = round(100 / 25.4 * dpi)                  # the box's right edge, 14 mm beyond the page
    assert img.width > GAP_PX + page_w + GAP_PX           # the image grew to show it
    row = round(GAP_PX + 23 / 25.4 * dpi)                 # the middle of the box's height
    reds = [x for x in range(img.width) if (lambda p: p[0] > 180 and p[1] < 80 and p[2] < 80)(img.getpixel((x, row)))]
    assert reds and max(reds) >= GAP_PX + right_edge - 3 and max(reds) > GAP_PX + page_w


# ------------------------------------------------------------------ options and positionals in any order
@pytest.mark.parametrize("argv, expected", [
    (["render", "-o", "x.pdf", "--id", "K1", "kokuho-card", "d.csv"], {"layout": "kokuho-card", "record_id": "K1"}),
    (["validate", "--profile", "p", "kokuho-card", "d.csv"], {"layout": "kokuho-card", "profile": "p"}),
    (["preview", "-o", "x.png", "kokuho-card", "--page", "front", "d.csv"], {"layout": "kokuho-card", "page": "front"}),
    (["diff", "kokuho-card", "--against", "HEAD", "d.csv", "-o", "d.png", "--page", "front"],
     {"layout": "kokuho-card", "against": "HEAD", "page": "front"}),
    (["serve", "--port", "0", "kokuho-card", "d.csv"], {"layout": "kokuho-card", "port": 0}),
    (["batch", "-o", "out", "--workers", "2", "kenpo-card", "d.csv"], {"layout": "kenpo-card", "workers": 2}),
    (["fonts", "check", "--family", "mincho", "d.csv"], {"family": "mincho"}),
    (["fonts", "check", "--family", "mincho", "kyosai-card", "d.csv"], {"layout": "kyosai-card", "family": "mincho"}),
    (["layouts", "--layouts", "."], {"layouts": [Path(".")]}),
])
def test_options_and_positionals_in_any_order(argv: list[str], expected: dict) -> None:
    args = cli.build_parser().parse_args(argv)
    assert {k: getattr(args, k) for k in expected} == expected
    if "data" in vars(args):
        assert args.data == Path("d.csv")


def test_a_positional_too_many_is_still_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["render", "kokuho-card", "a.csv", "b.csv", "-o", "x.pdf"])
    assert exc.value.code == 2 and "unrecognized arguments: b.csv" in capsys.readouterr().err
