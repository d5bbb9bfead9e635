"""An element kind from another package, as docs/elements.md shows it: the `stamp` kind in a
folder outside docgen, registered through the entry-point group `docgen.elements` by a
`*.dist-info/entry_points.txt` that importlib.metadata finds on PYTHONPATH (what pip writes when
it installs a package). Listed, loaded, drawn, boxed and diffed like a built-in kind, in
separate processes as a user runs docgen; a wrong plug-in is one clear line, never a traceback.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docs_blocks import ROOT, Block, blocks
from marks import mark_bbox
from PIL import Image
from pypdf import PdfReader

from docgen.paths import SAMPLES
from docgen.preview.raster import GAP_PX

DOC = ROOT / "docs" / "elements.md"
DOCGEN = str(Path(sys.executable).parent / "docgen")
DPI = 100
PX_PER_MM = DPI / 25.4


def doc_files() -> list[tuple[str, str]]:
    """(path, text) of every file docs/elements.md shows, in order (a path may come twice)."""
    return [(b.marker[1], b.text) for b in blocks(DOC) if isinstance(b, Block) and b.marker and b.marker[0] == "file"]


def doc_text_after(command: str) -> list[str]:
    """The lines of the ```text block the document shows after the sh block running `command`."""
    items = [b for b in blocks(DOC) if isinstance(b, Block)]
    at = next(i for i, b in enumerate(items) if b.lang == "sh" and command in b.text)
    return next(b for b in items[at + 1:] if b.lang == "text").text.splitlines()


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    """A folder as the document leaves it before the diff: the plug-in and the first layout."""
    written: set[str] = set()
    for path, text in doc_files():
        if path not in written:
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text, encoding="utf-8")
            written.add(path)
    (tmp_path / "samples").symlink_to(SAMPLES)
    return tmp_path


def docgen(world: Path, *args: str, plugin: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCGEN_PATH", "PYTHONPATH")}
    if plugin:
        env["PYTHONPATH"] = str(world / "stamp-kind")
    done = subprocess.run([DOCGEN, *args], cwd=world, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_the_example_files_are_the_ones_this_test_uses() -> None:
    paths = [p for p, _ in doc_files()]
    assert paths.count("stamp-forms/reissue-card.yaml") == 2
    assert {"stamp-kind/docgen_stamp.py", "stamp-kind/docgen_stamp-0.1.dist-info/entry_points.txt"} <= set(paths)


def test_a_plugin_kind_is_listed_and_in_the_schema(world: Path) -> None:
    listed = docgen(world, "kinds").stdout.splitlines()
    assert [line.split()[:3] for line in listed if line.startswith("stamp")] == [["stamp", "docgen-stamp", "0.1"]]
    assert listed[0].split()[:2] == ["text", "built-in"]
    assert listed[-1].split()[:3] == ["include", "layout", "format"]      # no kind, but written like one
    schema = json.loads(docgen(world, "schema").stdout)
    stamp = schema["$defs"]["StampElement"]["properties"]
    assert stamp["type"]["const"] == "stamp" and stamp["size"]["description"] == "diameter of the ring in mm"


def test_a_plugin_kind_is_drawn(world: Path) -> None:
    done = docgen(world, "render", "stamp-forms/reissue-card.yaml", "samples/kokuho.csv", "--id", "K0005",
                  "-o", "reissue.pdf")
    assert done.returncode == 0, done.stderr
    page = PdfReader(world / "reissue.pdf").pages[0]
    assert "再交付" in page.extract_text()                      # its text, through the fonts
    # the stamp is the same on every card, so it is in the page's static form: a vermilion ring (its
    # stroke colour, and curves)
    forms = page["/Resources"]["/XObject"]
    static = b"".join(forms[name].get_object().get_data() for name in forms)
    assert b"0 .9 .85 0 K" in static and b" c\n" in static


def test_a_plugin_kind_is_boxed_and_diffed(world: Path) -> None:
    png = world / "boxes.png"
    done = docgen(world, "preview", "stamp-forms/reissue-card.yaml", "samples/kokuho.csv", "--id", "K0005",
                  "-o", str(png), "--boxes", "--dpi", str(DPI))
    assert done.returncode == 0, done.stderr
    # its outline sits where the model's bbox says: the left edge at x 68, 14 mm square from y 36
    left, top = round(GAP_PX + 68 * PX_PER_MM), round(GAP_PX + 36 * PX_PER_MM)
    box = mark_bbox(Image.open(png), (left - 4, top - 4, left + round(14 * PX_PER_MM) + 4, top + round(14 * PX_PER_MM) + 4))
    assert box is not None
    assert abs(box[0] - left) <= 2 and abs(box[1] - top) <= 2
    assert abs(box[2] - (left + 14 * PX_PER_MM)) <= 3 and abs(box[3] - (top + 14 * PX_PER_MM)) <= 3

    subprocess.run("git init -q stamp-forms && git -C stamp-forms add . && git -C stamp-forms -c user.name=t "
                   "-c user.email=t@example.invalid commit -q -m card", shell=True, cwd=world, check=True)
    moved = [text for path, text in doc_files() if path == "stamp-forms/reissue-card.yaml"][1]
    (world / "stamp-forms" / "reissue-card.yaml").write_text(moved, encoding="utf-8")
    command = "diff stamp-forms/reissue-card.yaml samples/kokuho.csv --id K0005 --against HEAD -o stamp-diff.png"
    done = docgen(world, *command.split())
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == doc_text_after(command)
    assert done.stdout.splitlines()[:2] == ["front: reissued moved (x 68 → 66)", "front: reissued resized (size 14 → 15)"]


def test_without_the_plugin_the_type_is_unknown(world: Path) -> None:
    done = docgen(world, "render", "stamp-forms/reissue-card.yaml", "samples/kokuho.csv", "-o", "none.pdf", plugin=False)
    assert done.returncode == 1
    assert done.stderr.splitlines() == doc_text_after("-o none.pdf")
    assert not (world / "none.pdf").exists()


CLASH = '''
from typing import Literal
from docgen.elements import Element, ElementKind

class Clash(Element):
    type: Literal["NAME"]

class ClashKind(ElementKind[Clash, None]):
    model = Clash
    def draw(self, dc, el, content): pass

KIND = ClashKind()
'''


@pytest.mark.parametrize(("entry", "module", "message"), [
    ("stamp = docgen_stmap:KIND", None,
     "docgen: plug-in 'stamp = docgen_stmap:KIND' of docgen-stamp 0.1 (entry-point group docgen.elements) does not "
     "load: ModuleNotFoundError: No module named 'docgen_stmap'"),
    ("text = docgen_stamp:KIND", None,
     "docgen: plug-in 'text = docgen_stamp:KIND' of docgen-stamp 0.1 (entry-point group docgen.elements): the entry "
     "point is named 'text' but its model's type is 'stamp'; give both the same name"),
    ("text = clash:KIND", "text",
     "docgen: plug-in 'text = clash:KIND' of docgen-stamp 0.1 (entry-point group docgen.elements): 'text' is already "
     "a built-in kind; give the kind another name"),
    ("include = clash:KIND", "include",
     "docgen: plug-in 'include = clash:KIND' of docgen-stamp 0.1 (entry-point group docgen.elements): 'include' is "
     "already the layout format's own element; give the kind another name"),
    ("stamp = docgen_stamp:StampElement", None,
     "docgen: plug-in 'stamp = docgen_stamp:StampElement' of docgen-stamp 0.1 (entry-point group docgen.elements) "
     "names StampElement, which is not an ElementKind instance (docs/elements.md)"),
], ids=["does-not-load", "name-differs", "built-in-name", "include", "not-a-kind"])
def test_a_wrong_plugin_is_one_line_naming_it(world: Path, entry: str, module: str | None, message: str) -> None:
    (world / "stamp-kind" / "docgen_stamp-0.1.dist-info" / "entry_points.txt").write_text(
        f"[docgen.elements]\n{entry}\n", encoding="utf-8")
    if module:
        (world / "stamp-kind" / "clash.py").write_text(CLASH.replace("NAME", module), encoding="utf-8")
    for args in (["kinds"], ["render", "stamp-forms/reissue-card.yaml", "samples/kokuho.csv", "-o", "x.pdf"]):
        done = docgen(world, *args)
        assert (done.returncode, done.stderr.strip()) == (1, message)
