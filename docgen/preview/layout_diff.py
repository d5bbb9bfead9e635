"""What a layout edit changed: the elements (by name) and the pixels, before against after.

Each element says what differs and what kind of change that is (`Element.differences`: its
kind declares which keys place it, size it and say what it prints).

"Before" is another layout file or the same file at a git revision; for a revision every file
of the layout's repository that it reads (its parts too) is taken from git, so an edit to a
part alone is seen too.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw

from docgen.elements.base import CHANGED, MOVED, RESIZED, TEXT_CHANGED, BBox, Element
from docgen.errors import LayoutError
from docgen.layout.loader import ResolvedLayout, load_layout
from docgen.layout.reading import read_file
from docgen.layout.search import BUILTIN_PREFIX
from docgen.pipeline import Job
from docgen.preview.boxes import label_font, stack
from docgen.preview.compare import compare, diff_image
from docgen.preview.raster import side_by_side
from docgen.preview.snapshot import page_indices, snapshot
from docgen.records import SourceRecord

ADDED, REMOVED = "appeared", "disappeared"
_CHANGE_COLOUR = (200, 0, 160)


@dataclass(frozen=True)
class Change:
    page: str
    element: str
    kind: str
    detail: str = ""
    boxes: tuple[BBox, ...] = ()     # where it was and where it is, for marking the diff image

    def __str__(self) -> str:
        return f"{self.page}: {self.element} {self.kind}" + (f" ({self.detail})" if self.detail else "")


def _boxes(*elements: Element) -> tuple[BBox, ...]:
    return tuple(b for b in (el.bbox() for el in elements) if b)


def _element_changes(page: str, name: str, old: Element, new: Element) -> list[Change]:
    """What changed in one element, each key with its old and new value (x 21.5 → 24.5), grouped
    by what its kind says the key is (moved, resized, text changed, changed)."""
    boxes = _boxes(old, new)
    if type(old) is not type(new):
        return [Change(page, name, CHANGED, f"type {old.type} → {new.type}", boxes)]
    differences = new.differences(old)
    return [Change(page, name, change, ", ".join(str(d) for d in differences if d.change == change), boxes)
            for change in (MOVED, RESIZED, TEXT_CHANGED, CHANGED) if any(d.change == change for d in differences)]


def element_changes(before: ResolvedLayout, after: ResolvedLayout) -> list[Change]:
    """Every element that moved, resized, changed text or style, appeared or disappeared.

    Pages are matched by name, elements by id (anonymous ones by type and index on the page).
    """
    changes: list[Change] = []
    old_pages = {p.name: p for p in before.pages}
    new_pages = {p.name: p for p in after.pages}
    for name in old_pages.keys() - new_pages.keys():
        changes.append(Change(name, "(page)", REMOVED))
    for page in after.pages:
        if page.name not in old_pages:
            changes.append(Change(page.name, "(page)", ADDED))
            continue
        old = dict(zip(old_pages[page.name].names, old_pages[page.name].elements))
        new = dict(zip(page.names, page.elements))
        for key, el in old.items():
            if key not in new:
                changes.append(Change(page.name, key, REMOVED, boxes=_boxes(el)))
        for key, el in new.items():
            if key in old:
                changes.extend(_element_changes(page.name, key, old[key], el))
            else:
                changes.append(Change(page.name, key, ADDED, boxes=_boxes(el)))
    return changes


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise LayoutError("git is not installed: give --against a layout file instead") from None
    if done.returncode:
        raise LayoutError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


@dataclass(frozen=True)
class GitRevision:
    """Reads files as they were at a git revision, for the loader: every file in the layout's
    repository (the layout, its parts, built-in ones too when docgen is that repository) comes
    from `rev`; files outside it (the parts of an installed docgen) are read as they are now."""

    rev: str
    root: Path

    @classmethod
    def of(cls, layout: Path, rev: str) -> "GitRevision":
        try:
            root = Path(_git(layout.resolve().parent, "rev-parse", "--show-toplevel").decode().strip())
        except LayoutError:
            raise LayoutError(f"{layout} is not in a git repository: there is no {rev} to compare with") from None
        try:
            _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except LayoutError:
            raise LayoutError(f"--against {rev}: neither a layout file nor a git revision in {root}") from None
        return cls(rev, root.resolve())

    def __call__(self, path: Path) -> bytes:
        real = path.resolve()
        if not real.is_relative_to(self.root):
            return read_file(path)
        rel = real.relative_to(self.root).as_posix()
        try:
            return _git(self.root, "show", f"{self.rev}:{rel}")
        except LayoutError:
            raise LayoutError(f"{rel} does not exist at {self.rev}") from None


def load_revision(path: Path, rev: str) -> ResolvedLayout:
    """The layout at `path` as it was at git revision `rev`, with the parts of that revision."""
    return load_layout(path, read=GitRevision.of(path, rev), allow_off_page=True)


def load_against(against: str, layout: ResolvedLayout) -> ResolvedLayout:
    """`--against`: a layout file, a built-in layout (docgen:NAME), else a git revision of `layout`."""
    if Path(against).is_file():
        return load_layout(Path(against), allow_off_page=True)
    if against.startswith(BUILTIN_PREFIX):
        return load_layout(against, allow_off_page=True)
    return load_revision(layout.source, against)


def _label(image: Image.Image, text: str, dpi: int) -> Image.Image:
    font = label_font(max(11, round(2.5 * dpi / 25.4)))
    head = Image.new("RGB", (image.width, round(font.size * 1.8)), (255, 255, 255))
    ImageDraw.Draw(head).text((font.size // 2, head.height // 2), text, font=font, fill=(0, 0, 0), anchor="lm")
    return stack([head, image])


def _outline(image: Image.Image, changes: Sequence[Change], dpi: int) -> Image.Image:
    """Outline each changed element (old and new place) on the diff panel, with its name."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    scale = dpi / 25.4
    font = label_font(max(9, round(1.6 * scale)))
    for change in changes:
        for box in change.boxes:
            x0, y0, x1, y1 = (round(v * scale) for v in box)
            draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=_CHANGE_COLOUR, width=max(1, round(dpi / 150)))
        if change.boxes:
            x0, y0 = (round(v * scale) for v in change.boxes[-1][:2])
            draw.text((x0, max(0, y0 - 2)), change.element, font=font, fill=_CHANGE_COLOUR, anchor="lb")
    return out


def diff_sheet(rows: Sequence[tuple[str, Image.Image | None, Image.Image | None]], changes: Sequence[Change],
               dpi: int, before_label: str) -> Image.Image:
    """Per page a row: before, after, and the before page faded with changed pixels in red."""
    out = []
    for name, old, new in rows:
        blank = Image.new("RGB", (old or new).size, (255, 255, 255))
        old, new = old or blank, new or blank
        marked = _outline(diff_image(old, new), [c for c in changes if c.page == name], dpi)
        panels = [_label(old, f"{name}: {before_label}", dpi), _label(new, f"{name}: now", dpi),
                  _label(marked, f"{name}: changed pixels", dpi)]
        out.append(side_by_side(panels))
    return stack(out)


@dataclass(frozen=True)
class LayoutDiff:
    changes: list[Change]
    pixel_pages: list[str]        # pages whose rendering differs
    sheet: Image.Image

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.pixel_pages)

    def lines(self) -> list[str]:
        """What `docgen diff` prints; a page whose pixels changed with no element change is named too."""
        named = {c.page for c in self.changes}
        return [str(c) for c in self.changes] + [
            f"{p}: pixels changed, though no element did (profile, fonts or page size?)"
            for p in self.pixel_pages if p not in named]


def _page_names(before: ResolvedLayout, after: ResolvedLayout, page: str) -> list[str]:
    old = [p.name for p in before.pages]
    new = [p.name for p in after.pages]
    if page == "all":
        return new + [n for n in old if n not in new]
    if page not in old:
        page_indices(after, page)     # raises, naming the pages there are
    return [page]


def diff_layouts(before: Job, after: Job, src: SourceRecord, page: str, dpi: int, before_label: str) -> LayoutDiff:
    """Render one record with both layouts and compare the element lists and the pixels."""
    names = _page_names(before.layout, after.layout, page)
    shots = [snapshot(job, src, dpi) for job in (before, after)]
    rows, pixel_pages = [], []
    for name in names:
        a, b = ({p.name: img for p, img in zip(s.layout.pages, s.pages)}.get(name) for s in shots)
        if a is None or b is None or not compare(a, b).same:
            pixel_pages.append(name)
        rows.append((name, a, b))
    changes = [c for c in element_changes(before.layout, after.layout) if c.page in names]
    return LayoutDiff(changes, pixel_pages, diff_sheet(rows, changes, dpi, before_label))
