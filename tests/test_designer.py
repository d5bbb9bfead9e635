"""The designer of `docgen serve`, driven in Debian's Chromium (/usr/bin/chromium) through Playwright
with real mouse and keyboard input, checked on the saved YAML (loaded, and as text: only the
intended lines changed) and on the PDF rendered from it (glyph positions read back with PDFium).

The forged-write tests need no browser. In CI (`CI` set, as `.ci/run` runs) a missing Chromium
fails these tests instead of skipping them.
"""
from __future__ import annotations

import difflib
import http.client
import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pypdfium2 as pdfium
import pytest
import yaml
from PIL import Image
from test_serve import CHROMIUM, CHROMIUM_ARGS, copy_project, wait_until

from docgen.api import render_pdf
from docgen.errors import OutputError
from docgen.paths import LAYOUTS, SAMPLES
from docgen.preview import designer as designer_module
from docgen.preview.server import PreviewApp, make_server
from docgen.preview.snapshot import RecordFile
from docgen.preview.yaml_edit import YamlFile, delete_item, set_keys

MM = 72 / 25.4
DOCS_SHOT = Path(__file__).resolve().parent.parent / "docs" / "designer.png"
PROFILE = "kasou-city-kokuho.yaml"


# ------------------------------------------------------------------ a served copy of the layouts
class Project:
    """A git repository holding copies of the layouts, profiles and sample data, served by the designer."""

    def __init__(self, root: Path, read_only: bool = False) -> None:
        self.root = root
        copy_project(root)
        self.layout = root / "layouts" / "kokuho-card.yaml"
        self.part = root / "layouts" / "parts" / "organ-donation.yaml"
        self.original = self.layout.read_text(encoding="utf-8")
        self.app = PreviewApp(self.layout, RecordFile(root / "kokuho.csv"), profile=str(root / "profiles" / PROFILE),
                              dpi=100, read_only="started with --read-only" if read_only else None)
        self.server = make_server(self.app, 0)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def changed_lines(self, path: Path | None = None, before: str | None = None) -> tuple[list[str], list[str]]:
        """(removed, added) lines of a file against its committed text."""
        path = path or self.layout
        old = (before if before is not None else self.original).splitlines()
        new = path.read_text(encoding="utf-8").splitlines()
        diff = list(difflib.unified_diff(old, new, lineterm="", n=0))
        return ([d[1:] for d in diff if d.startswith("-") and not d.startswith("---")],
                [d[1:] for d in diff if d.startswith("+") and not d.startswith("+++")])

    def element(self, page: int, eid: str, path: Path | None = None) -> dict[str, Any]:
        data = yaml.safe_load((path or self.layout).read_text(encoding="utf-8"))
        elements = data["pages"][page]["elements"] if "pages" in data else data["elements"]
        found = [e for e in elements if e.get("id") == eid]
        assert len(found) == 1, f"{eid}: {len(found)} elements"
        return found[0]

    def pdf(self, out: Path) -> pdfium.PdfDocument:
        """K0001 rendered from the files as saved, as `docgen render` renders it."""
        report = render_pdf(self.layout, self.root / "kokuho.csv", out, profile=self.root / "profiles" / PROFILE,
                            record_id="K0001")
        assert report.rendered == 1
        return pdfium.PdfDocument(out)

    def post(self, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, str]:
        """A write request with the page's own headers unless `headers` replaces some of them."""
        sent = {"Host": f"127.0.0.1:{self.port}", "Origin": self.url, "X-Docgen-Token": self.app.designer.token,
                "Content-Type": "application/json"}
        sent.update(headers or {})
        data = raw if raw is not None else json.dumps(body).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("POST", "/api/edit", skip_host=True)
            for k, v in sent.items():
                if v is not None:
                    conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            answer = conn.getresponse()
            return answer.status, answer.read().decode()
        finally:
            conn.close()

    def version(self) -> str:
        return self.app.version()


def glyphs(doc: pdfium.PdfDocument, page: int, text: str) -> tuple[float, float, float, float]:
    """The ink box (mm from the top-left) of `text`, which must occur once on the page."""
    pg = doc[page]
    h = pg.get_height()
    tp = pg.get_textpage()
    whole = tp.get_text_range()
    at = whole.find(text)
    assert at >= 0 and whole.find(text, at + 1) < 0, f"{text!r} is not on the page once"
    boxes = [tp.get_charbox(i) for i in range(at, at + len(text)) if not whole[i].isspace()]
    return (min(b[0] for b in boxes) / MM, (h - max(b[3] for b in boxes)) / MM,
            max(b[2] for b in boxes) / MM, (h - min(b[1] for b in boxes)) / MM)


def page_text(doc: pdfium.PdfDocument, page: int) -> str:
    return doc[page].get_textpage().get_text_range()


# ------------------------------------------------------------------ fixtures
@pytest.fixture()
def project(tmp_path: Path) -> Iterator[Project]:
    p = Project(tmp_path / "project")
    yield p
    p.close()


def _browser() -> Any:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    return sync_playwright


class Designer:
    """The designer page in Chromium, with what the tests need to find and wait for."""

    def __init__(self, tab: Any, project: Project) -> None:
        self.tab = tab
        self.project = project

    def open(self, page: str = "front") -> "Designer":
        self.tab.goto(self.project.url + "/")
        self.tab.wait_for_selector("body[data-state=ok]", timeout=30_000)
        self.tab.select_option("#page", page)
        wait_until(lambda: self.tab.locator(".sheet").count() == 1 and self.tab.locator(f".sheet[data-page={page}]").count() == 1, 15)
        self.settled()
        return self

    def settled(self) -> None:
        """Wait until the page shows the files as they are now (rendered, checked)."""
        wait_until(lambda: self.tab.evaluate("() => document.body.dataset.checked || ''") == self.project.version(), 20)

    def saves(self) -> int:
        return int(self.tab.evaluate("() => document.body.dataset.saved || '0'"))

    def wait_saved(self, count: int) -> None:
        wait_until(lambda: self.saves() >= count, 20)
        self.settled()

    def zoom(self, page: str = "front") -> float:
        """CSS pixels per millimetre, measured on the page as drawn."""
        box = self.tab.locator(f".sheet[data-page={page}] .paper").bounding_box()
        return box["width"] / 86.0

    def point(self, page: str, x_mm: float, y_mm: float) -> tuple[float, float]:
        """A point of the page, in the window's pixels."""
        box = self.tab.locator(f".sheet[data-page={page}] .paper").bounding_box()
        z = box["width"] / 86.0
        return box["x"] + x_mm * z, box["y"] + y_mm * z

    def drag(self, start: tuple[float, float], dx_px: float, dy_px: float, steps: int = 12, between: Any = None) -> None:
        mouse = self.tab.mouse
        mouse.move(*start)
        mouse.down()
        for i in range(1, steps + 1):
            mouse.move(start[0] + dx_px * i / steps, start[1] + dy_px * i / steps)
        if between:
            between()
        mouse.up()

    def selected(self) -> str:
        """The element the page has selected (its frame on the page), once the panel shows it too."""
        name = self.tab.get_attribute(".selection", "data-name")
        self.tab.wait_for_selector(f"#props-name:text-is('{name}')")
        return name


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module; each test gets a page of its own."""
    with _browser()() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _tab(browser: Any) -> Any:
    return browser.new_page(viewport={"width": 1500, "height": 1000})


@pytest.fixture()
def designer(project: Project, browser: Any) -> Iterator[Designer]:
    tab = _tab(browser)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield Designer(tab, project).open()
        assert not errors, errors
    finally:
        tab.close()


# ------------------------------------------------------------------ in the browser
def test_drag_moves_one_element_by_the_dragged_distance(designer: Designer, project: Project, tmp_path: Path) -> None:
    before = glyphs(project.pdf(tmp_path / "before.pdf"), 0, "昭和53年4月12日")
    z = designer.zoom()
    start = designer.point("front", 30, 20.5)             # inside birth (x 21.5–57.5, y 18.4–22.6)
    designer.drag(start, 3.0 * z, 1.0 * z)
    designer.wait_saved(1)

    assert project.element(0, "birth")["x"] == 24.5 and project.element(0, "birth")["y"] == 19.4
    removed, added = project.changed_lines()
    assert removed == ['      - {type: field, id: birth, x: 21.5, y: 18.4, w: 36, h: 4.2, size: 7, value: "{birth_date:wareki}"}']
    assert added == ['      - {type: field, id: birth, x: 24.5, y: 19.4, w: 36, h: 4.2, size: 7, value: "{birth_date:wareki}"}']
    after = glyphs(project.pdf(tmp_path / "after.pdf"), 0, "昭和53年4月12日")
    assert after[0] - before[0] == pytest.approx(3.0, abs=0.2)
    assert after[1] - before[1] == pytest.approx(1.0, abs=0.2)
    assert designer.tab.inner_text("#changes") == "front: birth moved (x 21.5 → 24.5, y 18.4 → 19.4)"
    assert "move birth" in designer.tab.get_attribute("#undo", "title")


def test_handle_resizes_and_the_right_aligned_text_follows(designer: Designer, project: Project, tmp_path: Path) -> None:
    before = glyphs(project.pdf(tmp_path / "before.pdf"), 0, "令和9年7月31日")
    designer.tab.click("#element-list li.item[data-name=expiry]")
    handle = designer.tab.locator(".handle-e").bounding_box()
    designer.drag((handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2), -2.0 * designer.zoom(), 0)
    designer.wait_saved(1)

    assert project.element(0, "expiry")["w"] == 15.5 and project.element(0, "expiry")["x"] == 66
    removed, added = project.changed_lines()
    assert len(removed) == len(added) == 1 and added[0] == removed[0].replace("w: 17.5,", "w: 15.5,")
    after = glyphs(project.pdf(tmp_path / "after.pdf"), 0, "令和9年7月31日")
    assert after[2] - before[2] == pytest.approx(-2.0, abs=0.2)       # align: right: the text ends at the new edge


def test_arrow_keys_nudge_by_a_tenth_and_shift_by_one_millimetre(designer: Designer, project: Project, tmp_path: Path) -> None:
    before = glyphs(project.pdf(tmp_path / "before.pdf"), 0, "男")
    designer.tab.mouse.click(*designer.point("front", 75, 20.5))          # sex (x 70–83, y 18.4–22.6)
    assert designer.selected() == "sex"
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown", "ArrowLeft"]:
        designer.tab.keyboard.press(key)
    designer.wait_saved(1)

    assert (project.element(0, "sex")["x"], project.element(0, "sex")["y"]) == (70.2, 19.4)
    removed, added = project.changed_lines()
    assert added == [removed[0].replace("x: 70, y: 18.4,", "x: 70.2, y: 19.4,")]
    after = glyphs(project.pdf(tmp_path / "after.pdf"), 0, "男")
    assert (after[0] - before[0], after[1] - before[1]) == (pytest.approx(0.2, abs=0.2), pytest.approx(1.0, abs=0.2))


def test_property_panel_edits_and_shows_the_loaders_refusal(designer: Designer, project: Project, tmp_path: Path) -> None:
    before = glyphs(project.pdf(tmp_path / "before.pdf"), 0, "昭和53年4月12日")
    designer.tab.click("#element-list li.item[data-name=birth]")
    designer.tab.wait_for_selector("#prop-size")
    designer.tab.fill("#prop-size", "8.5")
    designer.tab.press("#prop-size", "Enter")
    designer.wait_saved(1)
    designer.tab.select_option("#prop-align", "right")
    designer.wait_saved(2)

    removed, added = project.changed_lines()
    assert added == [removed[0].replace("size: 7,", "size: 8.5, align: right,")]     # a new key goes beside its kin
    after = glyphs(project.pdf(tmp_path / "after.pdf"), 0, "昭和53年4月12日")
    assert (after[3] - after[1]) / (before[3] - before[1]) == pytest.approx(8.5 / 7, rel=0.08)
    assert after[2] == pytest.approx(21.5 + 36, abs=0.6) and after[0] > before[0] + 10      # right-aligned in its box

    saved = project.layout.read_bytes()
    designer.tab.fill("#prop-size", "99")
    designer.tab.press("#prop-size", "Enter")
    designer.tab.wait_for_selector("#props-error:not([hidden])")
    error = designer.tab.inner_text("#props-error")
    assert "elements[25] (birth) > size" in error and "less than or equal to 72" in error
    assert project.layout.read_bytes() == saved
    assert "invalid" in designer.tab.get_attribute("#prop-size", "class")


def test_whole_value_font_is_edited_among_the_text_keys_with_the_families(designer: Designer, project: Project) -> None:
    """The name's `whole_value_font: mincho` shows beside `font`, offers the families, and an unknown
    one is the loader's refusal with its suggestion."""
    designer.tab.click("#element-list li.item[data-name=name]")
    designer.tab.wait_for_selector("#prop-whole_value_font")
    field = "#prop-whole_value_font"
    assert designer.tab.input_value(field) == "mincho" and designer.tab.get_attribute(field, "list") == "fonts"
    legend = designer.tab.evaluate(f"() => document.querySelector('{field}').closest('fieldset').querySelector('legend').textContent")
    assert legend == "Text"
    saved = project.layout.read_bytes()
    designer.tab.fill(field, "minco")
    designer.tab.press(field, "Enter")
    designer.tab.wait_for_selector("#props-error:not([hidden])")
    assert "whole_value_font: unknown font family 'minco'" in designer.tab.inner_text("#props-error")
    assert "did you mean 'mincho'" in designer.tab.inner_text("#props-error")
    assert project.layout.read_bytes() == saved
    designer.tab.fill(field, "")
    designer.tab.press(field, "Enter")
    designer.wait_saved(1)
    removed, added = project.changed_lines()
    assert added == [removed[0].replace(", whole_value_font: mincho", "")]


def test_palette_adds_an_element_where_it_is_dropped(designer: Designer, project: Project, tmp_path: Path) -> None:
    button = designer.tab.locator(".kind-button[data-kind=text]").bounding_box()
    target = designer.point("front", 44.0, 43.0)
    start = (button["x"] + 20, button["y"] + button["height"] / 2)
    designer.drag(start, target[0] - start[0], target[1] - start[1], steps=20)
    designer.wait_saved(1)

    new = project.element(0, "text-1")
    assert new["type"] == "text" and new["text"] == "テキスト" and (new["w"], new["h"]) == (20, 5)
    assert new["x"] == pytest.approx(44.0, abs=0.15) and new["y"] == pytest.approx(43.0, abs=0.15)
    removed, added = project.changed_lines()
    assert removed == [] and len(added) == 1 and added[0].startswith("      - {type: text, id: text-1, x: ")
    assert project.original.splitlines().index('      - {type: image, id: seal, x: 68.5, y: 41.2, w: 11, h: 11, src: "{insurer.seal}"}') + 1 == \
        project.layout.read_text(encoding="utf-8").splitlines().index(added[0])        # appended to the page it was dropped on
    box = glyphs(project.pdf(tmp_path / "after.pdf"), 0, "テキスト")
    assert new["x"] - 0.2 <= box[0] and box[2] <= new["x"] + 20 and new["y"] <= box[1] and box[3] <= new["y"] + 5
    assert designer.selected() == "text-1"


def test_delete_removes_the_line_and_keeps_the_comment_above(designer: Designer, project: Project, tmp_path: Path) -> None:
    designer.tab.mouse.click(*designer.point("front", 10, 10))        # kigo-label, inside the frame
    assert designer.selected() == "kigo-label"
    designer.tab.keyboard.press("Delete")
    designer.wait_saved(1)

    removed, added = project.changed_lines()
    assert added == [] and removed == ["      - {type: text, id: kigo-label, x: 3, y: 7.8, w: 16, h: 4.2, size: 5.5, align: distribute, text: 記号}"]
    text = project.layout.read_text(encoding="utf-8")
    assert "      # 記号・番号・枝番\n      - {type: field, id: kigo," in text
    assert "記号" not in page_text(project.pdf(tmp_path / "after.pdf"), 0)
    designer.tab.wait_for_selector("#changes li:has-text('kigo-label disappeared')")


def test_duplicate_copies_an_element_beside_it(designer: Designer, project: Project) -> None:
    designer.tab.mouse.click(*designer.point("front", 65, 20.5))          # sex-label (x 62–70)
    assert designer.selected() == "sex-label"
    designer.tab.keyboard.press("Control+d")
    designer.wait_saved(1)
    assert designer.selected() == "sex-label-2"
    removed, added = project.changed_lines()
    assert removed == [] and added == ["      - {type: text, id: sex-label-2, x: 64, y: 20.4, w: 8, h: 4.2, size: 5.5, text: 性別}"]
    # an element of a part is copied into the layout, where it is on the page
    code, _ = project.post({"op": "duplicate", "version": project.version(), "page": "back", "element": "organ-organs"})
    assert code == 200
    copy = project.element(1, "organ-organs-2")
    assert (copy["x"], copy["y"]) == (1 + 3 + 2, 12.9 + 24.5 + 2)


def test_undo_and_redo_restore_the_file_byte_for_byte(designer: Designer, project: Project) -> None:
    original = project.layout.read_bytes()
    z = designer.zoom()
    designer.drag(designer.point("front", 30, 20.5), 3.0 * z, 0)
    designer.wait_saved(1)
    moved = project.layout.read_bytes()
    assert moved != original
    designer.tab.keyboard.press("Control+z")
    designer.wait_saved(2)
    assert project.layout.read_bytes() == original
    designer.tab.keyboard.press("Control+Shift+z")
    designer.wait_saved(3)
    assert project.layout.read_bytes() == moved
    designer.tab.click("#undo")
    designer.wait_saved(4)
    assert project.layout.read_bytes() == original
    assert designer.tab.is_disabled("#undo") and not designer.tab.is_disabled("#redo")


def test_repeated_clicks_cycle_through_overlapping_elements(designer: Designer, project: Project) -> None:
    spot = designer.point("front", 20, 4.5)        # title (3–43 × 2.4–7.4) inside frame (1.5–84.5 × 1.5–52.5)
    seen = []
    for _ in range(3):
        designer.tab.mouse.click(*spot)
        seen.append(designer.selected())
    assert seen == ["title", "frame", "title"]
    assert designer.tab.locator("#element-list li.item.selected").inner_text().startswith("title")
    designer.tab.click("#element-list li.item[data-name=rule-label]")
    assert designer.selected() == "rule-label"
    assert project.layout.read_text(encoding="utf-8") == project.original        # selecting writes nothing


def test_edges_snap_together_and_show_a_guide(designer: Designer, project: Project) -> None:
    z = designer.zoom()
    guides: list[int] = []
    # birth's right edge (57.5) dragged 4.3 mm lands 0.2 mm short of sex-label's left edge (62): it snaps to it
    designer.drag(designer.point("front", 30, 20.5), 4.3 * z, 0,
                  between=lambda: guides.append(designer.tab.locator(".guide-v").count()))
    designer.wait_saved(1)
    assert guides[0] >= 1
    assert project.element(0, "birth")["x"] == 26.0
    assert designer.tab.locator(".guide").count() == 0            # guides only while dragging


def test_a_part_element_is_written_to_its_part_and_the_include_moves_as_one(project: Project, browser: Any) -> None:
    tab = _tab(browser)
    try:
        d = Designer(tab, project).open("back")
        part_before = project.part.read_text(encoding="utf-8")
        d.tab.mouse.click(*d.point("back", 40, 38.5))          # organ-organs: part y 12.9 + include y 24.5
        assert d.selected() == "organ-organs"
        assert "every layout that includes it" in d.tab.inner_text("#props-head")
        d.tab.keyboard.press("ArrowDown")
        d.tab.keyboard.press("ArrowDown")
        d.wait_saved(1)
        assert project.element(0, "organ-organs", project.part)["y"] == 13.1
        removed, added = project.changed_lines(project.part, part_before)
        assert added == [removed[0].replace("y: 12.9,", "y: 13.1,")]
        assert project.layout.read_text(encoding="utf-8") == project.original

        d.tab.click("#element-list li.item.group[data-name=organ-donation]")
        d.tab.keyboard.press("Shift+ArrowUp")
        d.wait_saved(2)
        removed, added = project.changed_lines()
        assert added == [removed[0].replace("x: 3, y: 24.5}", "x: 3, y: 23.5}")]
    finally:
        tab.close()


def test_rejected_records_are_listed_by_row_field_and_rule(designer: Designer, project: Project) -> None:
    designer.tab.click("#element-list li.item[data-name=name]")
    designer.tab.fill("#prop-w", "4")
    designer.tab.press("#prop-w", "Enter")
    designer.wait_saved(1)
    lines = designer.tab.locator("#rejects li.new").all_inner_texts()
    assert lines and all(line.startswith("row ") and ": field name: " in line for line in lines)
    assert "row 1 [K0001]: field name: " in lines[0]
    names = [row.split(",")[4] for row in (SAMPLES / "kokuho.csv").read_text(encoding="utf-8").splitlines()[1:]]
    shown = designer.tab.inner_text("#bottom")
    assert not [n for n in names if n and n in shown]                # row, field and rule; never the name
    assert "newly rejected" in designer.tab.inner_text("#rejects-summary")


def test_read_only_shows_but_never_writes(tmp_path: Path, browser: Any) -> None:
    project = Project(tmp_path / "project", read_only=True)
    tab = _tab(browser)
    try:
        d = Designer(tab, project).open()
        assert d.tab.inner_text("#mode").lower() == "read-only" and not d.tab.is_visible("#palette")
        z = d.zoom()
        d.drag(d.point("front", 30, 20.5), 3 * z, z)
        d.tab.click("#element-list li.item[data-name=birth]")
        assert d.tab.is_disabled("#prop-x") and d.tab.locator(".handle").count() == 0
        d.tab.keyboard.press("Shift+ArrowRight")
        d.tab.keyboard.press("Delete")
        time.sleep(0.6)
        assert project.layout.read_text(encoding="utf-8") == project.original
        assert project.post({"op": "undo", "version": ""})[0] == 409
    finally:
        tab.close()
        project.close()


def test_screenshot_of_the_designer_for_the_docs(designer: Designer, project: Project, tmp_path: Path) -> None:
    """docs/preview.md shows this picture; DOCGEN_UPDATE_SCREENSHOTS=1 writes it there (look at it first)."""
    z = designer.zoom()
    designer.drag(designer.point("front", 30, 20.5), 3.0 * z, 0)
    designer.wait_saved(1)
    designer.tab.mouse.move(*designer.point("front", 60, 30))
    shot = tmp_path / "designer.png"
    designer.tab.screenshot(path=str(shot))
    if os.environ.get("DOCGEN_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(shot, DOCS_SHOT)
    with Image.open(shot) as now, Image.open(DOCS_SHOT) as documented:
        assert now.size == documented.size


# ------------------------------------------------------------------ forged writes, over plain HTTP
def _set(project: Project, **over: Any) -> dict[str, Any]:
    body = {"op": "set", "version": project.version(), "page": "front", "element": "birth", "values": {"x": 30}}
    body.update(over)
    return body


@pytest.mark.parametrize("headers, status", [
    ({"X-Docgen-Token": None}, 403),
    ({"X-Docgen-Token": "guessed"}, 403),
    ({"Origin": None}, 403),
    ({"Origin": "http://attacker.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Host": "attacker.example", "Origin": "http://attacker.example"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Content-Type": "text/plain"}, 403),          # what a plain HTML form can send
])
def test_forged_writes_are_refused(project: Project, headers: dict[str, str], status: int) -> None:
    code, _ = project.post(_set(project), headers)
    assert code == status
    assert project.layout.read_text(encoding="utf-8") == project.original
    assert project.post(_set(project))[0] == 200           # the page's own request goes through


def test_no_path_from_a_request_reaches_the_filesystem(project: Project, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("elements: []\n", encoding="utf-8")
    for body in [_set(project, file=str(outside)), _set(project, path=["..", "..", "outside.yaml"]),
                 _set(project, element="../../outside.yaml"), _set(project, page="../outside"),
                 {"op": "write", "file": str(outside), "text": "x"}]:
        code, text = project.post(body)
        assert code in (400, 409), body
        assert str(outside) not in text or "Extra inputs" in text
    assert outside.read_text(encoding="utf-8") == "elements: []\n"
    assert project.layout.read_text(encoding="utf-8") == project.original
    assert project.post(_set(project), raw=b"{not json")[0] == 400
    assert project.post(_set(project), raw=b"x" * (70 * 1024))[0] == 413


def test_an_element_of_a_part_outside_the_folder_is_locked(tmp_path: Path) -> None:
    """A layout of one's own that includes the built-in organ-donation part: its elements show, locked."""
    project = Project(tmp_path / "project")
    try:
        mine = tmp_path / "mine"
        mine.mkdir()
        own = mine / "my-card.yaml"
        own.write_text(project.original.replace("part: parts/organ-donation.yaml", "part: docgen:organ-donation")
                       .replace("part: parts/card-notes.yaml", "part: docgen:card-notes")
                       .replace("part: parts/card-back-items.yaml", "part: docgen:card-back-items")
                       .replace("profile: kasou-city-kokuho", f"profile: {project.root / 'profiles' / PROFILE}"),
                       encoding="utf-8")
        app = PreviewApp(own, RecordFile(project.root / "kokuho.csv"), dpi=100)
        server = make_server(app, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            project.app, project.port, project.url = app, server.server_address[1], f"http://127.0.0.1:{server.server_address[1]}"
            shown = {e["name"]: e for e in app.render({"page": "back"})["pages"][0]["elements"]}
            assert "outside the layout's folder" in shown["organ-organs"]["locked"] and shown["frame"]["locked"] is None
            assert "outside the layout's folder" in shown["remarks"]["locked"]
            before = (LAYOUTS / "parts" / "organ-donation.yaml").read_bytes()
            code, text = project.post({"op": "set", "version": app.version(), "page": "back", "element": "organ-organs",
                                       "values": {"y": 1}})
            assert code == 409 and "locked" in text
            assert (LAYOUTS / "parts" / "organ-donation.yaml").read_bytes() == before
            code, _ = project.post({"op": "set", "version": app.version(), "page": "back", "element": "frame",
                                    "values": {"y": 2}})
            assert code == 200 and "id: frame, x: 1.5, y: 2, w: 83," in own.read_text(encoding="utf-8")
        finally:
            server.shutdown()
            server.server_close()
    finally:
        project.close()


def test_a_stale_page_is_told_to_reload(project: Project) -> None:
    body = _set(project)
    project.layout.write_text(project.original.replace("id: sex, x: 70,", "id: sex, x: 71,"), encoding="utf-8")
    code, text = project.post(body)
    assert code == 409 and "reloads" in text
    assert "id: birth, x: 21.5," in project.layout.read_text(encoding="utf-8")


def test_undo_refuses_after_an_outside_edit(project: Project) -> None:
    assert project.post(_set(project))[0] == 200
    project.layout.write_text(project.layout.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    code, text = project.post({"op": "undo"})
    assert code == 409 and "changed outside the designer" in text
    assert project.layout.read_text(encoding="utf-8").endswith("# edited by hand\n")


# ------------------------------------------------------------------ round-trip writing
def test_lines_ruamel_would_rewrite_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "profile.yaml"
    text = "\ufeff# a profile\r\nname: 架空市\r\nname_line2: null\r\nphone: 000-000-0000\r\nnotes:   [a,  b]\r\n"
    path.write_text(text, encoding="utf-8", newline="")
    doc = YamlFile(path)
    doc.root["phone"] = "111-111-1111"
    out = doc.text()
    assert out == text.replace("000-000-0000", "111-111-1111")       # BOM, CRLF, null and spacing kept


def test_a_comment_above_a_deleted_last_element_is_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "part.yaml"
    path.write_text("elements:\n  - {type: box, x: 0, y: 0, w: 1, h: 1}\n  # the last one\n  - {type: box, x: 1, y: 1, w: 1, h: 1}\n",
                    encoding="utf-8")
    doc = YamlFile(path)
    with pytest.raises(Exception, match="comment above the last element"):
        delete_item(doc.node(["elements"]), 1)
    doc = YamlFile(path)
    set_keys(doc.node(["elements", 0]), {"when": {"field": "sex", "present": True}, "fit.min_size": 5}, ["type", "when", "x"])
    assert doc.text().splitlines()[1] == "  - {type: box, when: {field: sex, present: true}, x: 0, y: 0, w: 1, h: 1, fit: {min_size: 5}}"


def test_a_save_that_fails_says_why_and_leaves_the_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk or a read-only folder while saving: the page gets the writer's own message
    (which file, why), not an "internal error", and the layout file is as it was."""
    def full(path: Path, data: bytes) -> None:
        raise OutputError(f"{path}: could not be written (no space left on the device); no partial file is left behind")
    monkeypatch.setattr(designer_module, "atomic_write", full)
    code, text = project.post(_set(project))
    assert "could not be written (no space left on the device)" in text and "internal error" not in text, (code, text)
    assert project.layout.read_text(encoding="utf-8") == project.original
