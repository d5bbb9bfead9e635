"""What a layout edit changed: the elements (by name) and the pixels, before against after.

"Before" is another layout file or the same file at a git revision; for a revision the whole
layouts folder (the layout and every part it may include) is taken from git, so an edit to a
part alone is seen too.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from PIL import Image, ImageDraw
from pydantic import BaseModel

from docgen.layout.loader import LayoutError, ResolvedLayout, layouts_root, load_layout
from docgen.pipeline import Job
from docgen.preview.boxes import BBox, bbox_mm, element_names, label_font, stack
from docgen.preview.compare import compare, diff_image
from docgen.preview.raster import side_by_side
from docgen.preview.snapshot import page_indices, snapshot
from docgen.records import SourceRecord

ADDED, REMOVED, MOVED, RESIZED, TEXT, CHANGED = "appeared", "disappeared", "moved", "resized", "text changed", "changed"
_GEOMETRY = {"x", "y", "w", "h", "x1", "y1", "x2", "y2"}
_TEXT = {"text", "value", "items", "payload", "src"}
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


def _mm(v: float) -> str:
    return f"{v:g}"


def _element_changes(page: str, name: str, old: BaseModel, new: BaseModel) -> list[Change]:
    if type(old) is not type(new):
        return [Change(page, name, CHANGED, f"type {getattr(old, 'type', '?')} → {getattr(new, 'type', '?')}",
                       tuple(b for b in (bbox_mm(old), bbox_mm(new)) if b))]
    a, b = old.model_dump(), new.model_dump()
    keys = [k for k in a if a[k] != b[k] and k != "id"]
    if not keys:
        return []
    ba, bb = bbox_mm(old), bbox_mm(new)
    boxes = tuple(x for x in (ba, bb) if x)
    sized = "size" if getattr(old, "type", "") == "qr" else None     # a QR code's size is its extent
    out = []
    if ba and bb and ba[:2] != bb[:2]:
        out.append(Change(page, name, MOVED, f"{_mm(ba[0])}, {_mm(ba[1])} → {_mm(bb[0])}, {_mm(bb[1])} mm", boxes))
    if ba and bb and (ba[2] - ba[0], ba[3] - ba[1]) != (bb[2] - bb[0], bb[3] - bb[1]):
        out.append(Change(page, name, RESIZED, f"{_mm(ba[2] - ba[0])} × {_mm(ba[3] - ba[1])} → "
                                               f"{_mm(bb[2] - bb[0])} × {_mm(bb[3] - bb[1])} mm", boxes))
    if any(k in _TEXT for k in keys):
        out.append(Change(page, name, TEXT, ", ".join(k for k in keys if k in _TEXT), boxes))
    other = [k for k in keys if k not in _GEOMETRY and k not in _TEXT and k != sized]
    if other:
        out.append(Change(page, name, CHANGED, ", ".join(other), boxes))
    return out


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
        old = dict(zip(element_names(old_pages[page.name].elements), old_pages[page.name].elements))
        new = dict(zip(element_names(page.elements), page.elements))
        for key, el in old.items():
            if key not in new:
                changes.append(Change(page.name, key, REMOVED, boxes=tuple(b for b in [bbox_mm(el)] if b)))
        for key, el in new.items():
            if key in old:
                changes.extend(_element_changes(page.name, key, old[key], el))
            else:
                changes.append(Change(page.name, key, ADDED, boxes=tuple(b for b in [bbox_mm(el)] if b)))
    return changes


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise LayoutError("git is not installed: give --against a layout file instead") from None
    if done.returncode:
        raise LayoutError(f"git {' '.join(args)}: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def load_revision(path: Path, rev: str, into: Path) -> ResolvedLayout:
    """The layout at `path` as it was at git revision `rev`, with the parts of that revision."""
    path = path.resolve()
    base = layouts_root(path)
    try:
        root = Path(_git(base, "rev-parse", "--show-toplevel").decode().strip())
    except LayoutError:
        raise LayoutError(f"{path} is not in a git repository: there is no {rev} to compare with") from None
    rel_base = base.relative_to(root).as_posix()
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except LayoutError:
        raise LayoutError(f"--against {rev}: neither a layout file nor a git revision in {root}") from None
    listed = _git(root, "ls-tree", "-r", "-z", "--name-only", rev, "--", rel_base).decode()
    for name in filter(None, listed.split("\0")):
        if name.endswith((".yaml", ".yml")):
            target = into / Path(name).relative_to(rel_base)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_git(root, "show", f"{rev}:{name}"))
    old = into / path.relative_to(base)
    if not old.is_file():
        raise LayoutError(f"{path.relative_to(root)} does not exist at {rev}")
    return load_layout(old, layouts_dir=into)


def load_against(against: str, layout: ResolvedLayout, workdir: Path) -> ResolvedLayout:
    """`--against`: a layout file if one exists at that path, else a git revision of `layout`."""
    if Path(against).is_file():
        return load_layout(Path(against))
    return load_revision(layout.source, against, workdir)


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
