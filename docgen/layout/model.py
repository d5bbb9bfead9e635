"""The layout model: what a layout YAML file may say, typed, so a typo fails on load.

Coordinates are millimetres from the page's top-left corner, as a form designer measures them
on paper. Pydantic gives both the validation (errors carry the path to the bad key) and the JSON
Schema that `docgen schema` prints for editors.

The elements a page may hold are the registered element kinds (docgen.elements) and `include`,
the format's own way to place a shared part. The union of their models is built on first use
(`complete_models`), when plug-in kinds are loaded, so a broken plug-in is an error the command
line reports, not a failed import.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

from pydantic import Field, PositiveFloat, field_validator

from docgen.elements.base import Element
from docgen.elements.registry import kinds
from docgen.fields import FieldSpec
from docgen.layout.scheme import Document
from docgen.layout.search import listing
from docgen.yamlfile import Strict, did_you_mean

if TYPE_CHECKING:
    AnyElement = Element     # at run time: the union of every kind's model and IncludeElement

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


class IncludeElement(Element):
    """A shared part (organ-donation block, notes) placed with its top-left at (x, y).

    Not an element kind: the loader replaces it by the part's elements, shifted by (x, y), before
    any later stage sees the page."""

    type: Literal["include"]
    part: str = Field(description="the part: NAME (searched on the search path), docgen:NAME (built-in), "
                                  "or a file path relative to the file that names it")
    x: float = 0.0
    y: float = 0.0
    member: int | None = Field(default=None, ge=1, description=(
        "a household layout's member slot (1 = the sheet's first member): the part's elements print that "
        "member's record, and nothing when the sheet has fewer members"))

    anchor_keys: ClassVar[tuple[tuple[str, str], ...]] = (("x", "y"),)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        parts = listing("part")
        return {**super().starter(x, y), "part": parts[0].name if parts else ""}


def _unique_ids(elements: list[Element]) -> list[Element]:
    """One file's elements each have their own id: the designer, diff and error messages name an
    element by it (a part included twice is told apart by the include, not here)."""
    first: dict[str, int] = {}
    for i, el in enumerate(elements):
        if el.id is not None and first.setdefault(el.id, i) != i:
            raise ValueError(f"id '{el.id}' is taken by elements[{first[el.id]}] and elements[{i}]: "
                             "give each element its own id")
    return elements


class Part(Strict):
    """A reusable group of elements, positioned relative to the include's (x, y)."""

    description: str = ""
    elements: list[AnyElement]

    _ids = field_validator("elements")(_unique_ids)


class Page(Strict):
    name: str
    elements: list[AnyElement]

    _ids = field_validator("elements")(_unique_ids)


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


class Household(Strict):
    """A household mailing (世帯主宛て): one document per household, addressed to the 世帯主, with
    a sheet per `member:` slots of members (more members continue on further sheets)."""

    agree: list[str] = Field(default_factory=lambda: ["householder_name", "postal_code", "address", "issue_date"],
                             description=(
        "fields every member of a household must share (the addressee, the address, the date): a household whose "
        "members differ in one is rejected as a whole; the sheet's own elements print only these"))


class Layout(Strict):
    name: str
    description: str
    scheme: str = Field(description="the scheme (国保, 健康保険, ...): NAME (searched on the search path, "
                                    "`docgen schemes` lists them), docgen:NAME (built-in), or a file path "
                                    "relative to this layout")
    document: Document = Field(description=(
        "card: 資格確認書; notice: 資格情報のお知らせ; elderly: 高齢受給者証 (the scheme derives 有効期限 per document)"))
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
    household: Household | None = Field(default=None, description=(
        "one document per household (same household_id), addressed to the 世帯主, each member printed by the "
        "includes that name a `member:` slot"))
    household_layout: str | None = Field(default=None, description=(
        "the layout used instead when the insurer profile says notice_mailing: household: NAME, docgen:NAME or a "
        "file path relative to this layout"))
    pages: list[Page]

    @field_validator("page_size", mode="before")
    @classmethod
    def _named_size(cls, size: object) -> object:
        """One message for a misspelt name, instead of one per member of the union; [width, height]
        as YAML writes it (a list) read as the pair."""
        if isinstance(size, list):
            return tuple(size)
        if isinstance(size, str) and size not in PAGE_SIZES_MM:
            raise ValueError(f"unknown page size '{size}': use {', '.join(PAGE_SIZES_MM)} or [width, height] in mm"
                             + did_you_mean(size, list(PAGE_SIZES_MM)))
        return size

    @property
    def size_mm(self) -> tuple[float, float]:
        if isinstance(self.page_size, str):
            return PAGE_SIZES_MM[self.page_size]
        return self.page_size


def element_models() -> dict[str, type[Element]]:
    """The model of every element a page may hold, by its `type:`: each registered kind and `include`."""
    return {**{name: kind.model for name, kind in kinds().items()}, "include": IncludeElement}


@cache
def complete_models() -> None:
    """Give Part, Page and Layout their element union: every registered kind and `include`.

    Only named here: pydantic builds each model's validator and serializer on its first use
    (`defer_build`), and a layout kept between runs (docgen.layout.stored) is used without either."""
    members = tuple(element_models().values())
    globals()["AnyElement"] = Annotated[Union[members], Field(discriminator="type")]  # type: ignore[valid-type]


def layout_schema() -> dict[str, Any]:
    """The JSON Schema of layout files, with every registered kind (`docgen schema`)."""
    complete_models()
    return Layout.model_json_schema()
