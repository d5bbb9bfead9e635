"""The layout model: what a layout YAML file may say, typed, so a typo fails on load.

Coordinates are millimetres from the page's top-left corner, as a form designer measures them
on paper. Pydantic gives both the validation (errors carry the path to the bad key) and the JSON
Schema that `docgen schema` prints for editors.
"""
from __future__ import annotations

import difflib
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, Sequence, Union

from PIL import Image, UnidentifiedImageError
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PositiveFloat,
    PrivateAttr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from docgen import postal
from docgen.fields import FieldSpec

# Named page sizes as (width, height) in mm; each name says its orientation.
PAGE_SIZES_MM: dict[str, tuple[float, float]] = {
    "card": (86.0, 54.0),       # ISO/IEC 7810 ID-1 rounded as insurers specify it; landscape
    "card-portrait": (54.0, 86.0),
    "a4": (210.0, 297.0),       # portrait
    "a4-landscape": (297.0, 210.0),
    "postcard": (100.0, 148.0),  # はがき, portrait
    "postcard-landscape": (148.0, 100.0),
}
PageSizeName = Literal[tuple(PAGE_SIZES_MM)]  # type: ignore[valid-type]
BBox = tuple[float, float, float, float]   # x0, y0, x1, y1 in mm from the page's top-left


@dataclass(frozen=True)
class LoadContext:
    """What the load-time checks need besides the YAML (given as pydantic's validation context):
    the file being read, against which relative paths resolve, and the configured font families."""

    file: Path
    families: tuple[str, ...] = ()
    fonts_file: Path | None = None


def _load_context(info: ValidationInfo) -> LoadContext | None:
    return info.context if isinstance(info.context, LoadContext) else None


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """The hint "; did you mean 'X'?" for the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def has_template(text: str) -> bool:
    """True when text has a {placeholder}, so its value is only known per record or profile."""
    return any(name is not None for _, name, _, _ in string.Formatter().parse(text))


def image_file(ref: str | Path, base: Path) -> Path:
    """An image path relative to `base` (the folder of the file naming it), checked to exist and
    to be an image Pillow can read, so a wrong path fails on load, not at draw time."""
    path = Path(ref) if Path(ref).is_absolute() else (base / ref).resolve()
    if not path.is_file():
        raise ValueError(f"image file not found: {path}")
    try:
        with Image.open(path) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"{path} is not an image Pillow can read ({exc})") from None
    return path


FILL_FORMS = 'black, white, gray:G (G = share of white, 0 to 1) or cmyk:C,M,Y,K (each 0 to 1)'


def fill_cmyk(spec: str) -> tuple[float, float, float, float]:
    """A fill colour as layouts write it (see FILL_FORMS), as CMYK: one parser for load and draw."""
    kind, _, arg = spec.partition(":")
    forms = {"black": 0, "white": 0, "gray": 1, "cmyk": 4}
    if kind not in forms:
        raise ValueError(f"unknown colour '{spec}': use {FILL_FORMS}" + did_you_mean(kind, list(forms)))
    parts = arg.split(",") if arg else []
    if len(parts) != forms[kind]:
        raise ValueError(f"'{spec}': {kind} takes {forms[kind] or 'no'} value(s) after ':'; use {FILL_FORMS}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"'{spec}': not a number after '{kind}:'; use {FILL_FORMS}") from None
    if not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"'{spec}': values must be between 0 and 1")
    if kind == "black":
        return (0.0, 0.0, 0.0, 1.0)
    if kind == "white":
        return (0.0, 0.0, 0.0, 0.0)
    if kind == "gray":
        return (0.0, 0.0, 0.0, 1.0 - values[0])
    c, m, y, k = values
    return (c, m, y, k)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- conditions
class FieldTest(Strict):
    """True when a record field is present / equals a value / is one of several values."""

    field: str
    present: bool | None = None
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> "FieldTest":
        given = [v for v in (self.present, self.equals, self.in_) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of present, equals, in")
        return self


class AllOf(Strict):
    all: list["Condition"]


class AnyOf(Strict):
    any: list["Condition"]


class NotOf(Strict):
    not_: "Condition" = Field(alias="not")


def _condition_kind(value: object) -> str | None:
    """Which kind of condition a mapping is, by its first key, so a typo is reported against that
    kind alone (not once per kind)."""
    if isinstance(value, dict):
        keys = {"field": "FieldTest", "all": "AllOf", "any": "AnyOf", "not": "NotOf"}
        return next((kind for key, kind in keys.items() if key in value), None)
    return type(value).__name__


Condition = Annotated[
    Union[Annotated[FieldTest, Tag("FieldTest")], Annotated[AllOf, Tag("AllOf")], Annotated[AnyOf, Tag("AnyOf")],
          Annotated[NotOf, Tag("NotOf")]],
    Discriminator(_condition_kind, custom_error_type="condition",
                  custom_error_message="a condition needs one of the keys field, all, any, not"),
]


# ---------------------------------------------------------------- text styling
class Fit(Strict):
    """How text that is too long for its box is made to fit, in this order.

    1. shrink the size down to `min_size`; 2. condense horizontally (長体) down to `min_scale`;
    3. wrap onto up to `max_lines` lines with Japanese line-breaking rules (禁則), at the largest
    size (down to `wrap_min_size`) at which the lines fit the box, then condensed at that size.
    Text that still does not fit is a validation error for the record: never clipped.
    """

    min_size: float | None = Field(default=None, gt=0, description="points; default: the element's size (no shrinking)")
    wrap_min_size: float | None = Field(default=None, ge=4.0, description=(
        "points, the smallest size of wrapped text; default: min_size. Lower, it lets a long value take "
        "a second line where one line would need a smaller size"))
    min_scale: float = Field(default=1.0, gt=0.3, le=1.0, description="narrowest horizontal scale, e.g. 0.6 for 長体60%")
    max_lines: int = Field(default=1, ge=1, le=12)
    leading: float = Field(default=1.15, ge=1.0, le=3.0, description="line height as a multiple of the size")


class TextStyle(Strict):
    font: str = Field(default="gothic", description="font family from fonts/fonts.yaml")
    size: float = Field(default=7.0, ge=4.0, le=72.0, description="points")
    align: Literal["left", "center", "right", "distribute"] = "left"
    valign: Literal["top", "middle", "bottom"] = "middle"
    fit: Fit = Fit()

    @field_validator("font")
    @classmethod
    def _known_family(cls, family: str, info: ValidationInfo) -> str:
        ctx = _load_context(info)
        if ctx and ctx.families and family not in ctx.families:
            raise ValueError(f"unknown font family '{family}' ({ctx.fonts_file} has {', '.join(ctx.families)})"
                             + did_you_mean(family, ctx.families))
        return family


class Placed(Strict):
    id: str | None = Field(default=None, description="name shown in errors, previews and diffs")
    when: Condition | None = Field(default=None, description="draw only when this holds for the record")

    def bbox(self) -> BBox | None:
        """The area the element occupies on its page, in mm; None for what takes no area."""
        return None


class Boxed(Placed):
    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)

    def bbox(self) -> BBox:
        return (self.x, self.y, self.x + self.w, self.y + self.h)


# ---------------------------------------------------------------- elements
class TextElement(Boxed, TextStyle):
    """Fixed wording (labels, titles, notes); `{insurer.name}`-style profile values are allowed."""

    type: Literal["text"]
    text: str


class FieldElement(Boxed, TextStyle):
    """A record value, written as a template: "{birth_date:wareki}", "{limit_class:opt}"."""

    type: Literal["field"]
    value: str


class ListElement(Boxed, TextStyle):
    """A numbered list (注意事項) taken from the insurer profile or written in the layout."""

    type: Literal["list"]
    items: str | list[str] = Field(description='a profile key such as "insurer.notes", or the items themselves')
    numbering: str = Field(default="{n}.", description='marker template, e.g. "{n}." or "（{n}）"')
    indent: float = Field(default=3.0, ge=0, description="mm from the marker to the item text")


class BoxElement(Boxed):
    type: Literal["box"]
    stroke: float = Field(default=0.3, ge=0, description="line width in points (0: no outline)")
    fill: str | None = Field(default=None, description=f"fill colour: {FILL_FORMS}; e.g. gray:0.9, cmyk:0,0,0,0.1")
    radius: float = Field(default=0, ge=0, description="corner radius in mm")
    dash: list[float] | None = Field(default=None, description="dash pattern in points")

    @field_validator("fill")
    @classmethod
    def _colour(cls, spec: str | None) -> str | None:
        if spec is not None:
            fill_cmyk(spec)
        return spec


class LineElement(Placed):
    type: Literal["line"]
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: float = Field(default=0.3, gt=0)
    dash: list[float] | None = None

    def bbox(self) -> BBox:
        return (min(self.x1, self.x2), min(self.y1, self.y2), max(self.x1, self.x2), max(self.y1, self.y2))


class ImageElement(Boxed):
    """An image fitted into the box keeping its aspect ratio (the seal: `src: "{insurer.seal}"`)."""

    type: Literal["image"]
    src: str = Field(description='image file, relative to the file that names it, or a template such as '
                                 '"{insurer.seal}" (the profile\'s seal, relative to the profile)')
    align: Literal["left", "center", "right"] = "center"
    _base: Path | None = PrivateAttr(default=None)     # folder of the file the element is written in

    @field_validator("src")
    @classmethod
    def _image_exists(cls, src: str, info: ValidationInfo) -> str:
        ctx = _load_context(info)
        if ctx and not has_template(src):
            image_file(src, ctx.file.parent)
        return src

    @model_validator(mode="after")
    def _remember_base(self, info: ValidationInfo) -> "ImageElement":
        ctx = _load_context(info)
        if ctx:
            self._base = ctx.file.parent
        return self

    def path(self, src: str) -> Path:
        """The file a filled-in `src` names: a relative one against the file the element is written in."""
        path = Path(src)
        return path if path.is_absolute() or self._base is None else (self._base / path).resolve()


class QrElement(Placed):
    type: Literal["qr"]
    x: float
    y: float
    size: float = Field(gt=0, description="mm, the whole symbol including the quiet zone")
    payload: str = Field(description="template; the insurer profile's qr_payload overrides it")
    error_correction: Literal["M", "Q", "H"] = "M"

    def bbox(self) -> BBox:
        return (self.x, self.y, self.x + self.size, self.y + self.size)


class IncludeElement(Placed):
    """A shared part (organ-donation block, notes) placed with its top-left at (x, y)."""

    type: Literal["include"]
    part: str = Field(description="the part: NAME (searched on the search path), docgen:NAME (built-in), "
                                  "or a file path relative to the file that names it")
    x: float = 0.0
    y: float = 0.0


class CustomerBarcodeElement(Placed):
    """Japan Post's customer barcode (カスタマバーコード) for the addressee block of a mailing.

    (x, y) is the top-left corner of the symbol's quiet zone; its size follows from `scale`. An
    address whose 住所表示番号 cannot be read gives no barcode and a warning, never a wrong one.
    """

    type: Literal["customer_barcode"]
    x: float
    y: float
    scale: float = Field(default=1.0, ge=0.8, le=1.15, description="a/10 for an a-point symbol: 0.8 to 1.15 (8 to 11.5 pt)")
    postal_code: str = Field(default="{postal_code}", description="template giving the 7-digit postal code")
    address: str = Field(default="{address}", description="template giving the address the 住所表示番号 is read from")

    @property
    def value(self) -> str:
        """Both templates as one string, so the loader sees the record fields the symbol depends on."""
        return f"{self.postal_code} {self.address}"

    @property
    def quiet_zone_mm(self) -> float:
        """Clear margin on every side: the manual's 2 mm, scaled up with a larger symbol, never down."""
        return postal.QUIET_ZONE_MM * max(self.scale, 1.0)

    def bbox(self) -> BBox:
        """The symbol with its quiet zone: what must stay clear (and inside an envelope window)."""
        w, h = postal.symbol_size_mm(self.scale)
        q = self.quiet_zone_mm
        return (self.x, self.y, self.x + w + 2 * q, self.y + h + 2 * q)


class CutLineElement(Boxed, TextStyle):
    """A dashed cut line around (x, y, w, h) with a scissors mark and a label above its top edge.

    The box is exactly what is cut out (the お知らせ's card-size slip); the label and the mark sit
    on the line or outside it, so nothing of the sheet's wording stays on the slip.
    """

    type: Literal["cutline"]
    text: str = Field(default="切り取り線", description="label printed above the top edge, after the scissors")
    stroke: float = Field(default=0.5, gt=0, description="line width in points")
    dash: list[float] = Field(default_factory=lambda: [3.0, 2.0], description="dash pattern in points")


Element = Annotated[
    Union[TextElement, FieldElement, ListElement, BoxElement, LineElement, ImageElement, QrElement, IncludeElement,
          CustomerBarcodeElement, CutLineElement],
    Field(discriminator="type"),
]


class Part(Strict):
    """A reusable group of elements, positioned relative to the include's (x, y)."""

    description: str = ""
    elements: list[Element]


class Page(Strict):
    name: str
    elements: list[Element]


class Window(Strict):
    """An envelope window on the page, in page millimetres once the sheet is folded and inserted.

    Drawn nowhere: it is the rectangle the addressee block must stay inside (tests check it).
    """

    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)
    envelope: str = Field(default="", description="which envelope and fold this assumes, for people reading the layout")


class ControlMark(Strict):
    """Where bulk runs print the control mark on every page: a DataMatrix (batch, bundle,
    sequence, page count) with its code in small text to its right, for inserting machines and
    clerks. Keep it out of the envelope window and of the slip."""

    x: float
    y: float
    size: float = Field(default=7.0, ge=5.0, le=20.0, description="mm, the symbol's side (quiet zone included)")


class Layout(Strict):
    name: str
    description: str
    scheme: str = Field(description="the scheme (国保, 健康保険, ...): NAME (searched on the search path, "
                                    "`docgen schemes` lists them), docgen:NAME (built-in), or a file path "
                                    "relative to this layout")
    document: Literal["card", "notice"]
    page_size: PageSizeName | tuple[PositiveFloat, PositiveFloat] = Field(
        default="card", description="card 86×54 mm (landscape), card-portrait 54×86, a4 210×297 (portrait), "
        "a4-landscape 297×210, postcard 100×148 (portrait), postcard-landscape 148×100, or [width, height] in mm")
    profile: str = Field(description="default insurer profile: NAME (searched on the search path), docgen:NAME "
                                     "(built-in), or a file path relative to this layout")
    requires: list[str] = Field(default_factory=list, description="record fields every record must have")
    fields: dict[str, FieldSpec] = Field(default_factory=dict, description=(
        "fields of this layout's own (label, kind, max_len, required, ...), or known fields it tightens"))
    limits: dict[str, int] = Field(default_factory=dict, description=(
        "characters per text field where this layout's box holds fewer than the field dictionary allows"))
    window: Window | None = Field(default=None, description="envelope window the addressee block must fit (mailings)")
    control_mark: ControlMark | None = Field(default=None, description="control mark position for `docgen batch` (default: A4 bottom-left margin)")
    pages: list[Page]

    @field_validator("page_size", mode="before")
    @classmethod
    def _named_size(cls, size: object) -> object:
        """One message for a misspelt name, instead of one per member of the union."""
        if isinstance(size, str) and size not in PAGE_SIZES_MM:
            raise ValueError(f"unknown page size '{size}': use {', '.join(PAGE_SIZES_MM)} or [width, height] in mm"
                             + did_you_mean(size, list(PAGE_SIZES_MM)))
        return size

    @property
    def size_mm(self) -> tuple[float, float]:
        if isinstance(self.page_size, str):
            return PAGE_SIZES_MM[self.page_size]
        return self.page_size


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
