"""What an element kind is: a model (what a layout file writes) and a kind (what docgen does with it).

A kind lives in one module (docgen/elements/<kind>.py, or a package of its own joining through
the entry-point group `docgen.elements`, see docs/elements.md) and holds everything about it:

- the model, a subclass of `Element`: its `type:` literal, its keys and their load-time checks,
  and what it declares about its keys (`anchor_keys`, `extent_keys`, `content_keys`). From these
  the base class answers where the element is (`bbox`), how an include shifts it (`shifted`),
  which templates and names it uses (`templates`, `names`) and what changed between two
  versions of it (`differences`); a kind overrides any of them when its keys say more.
- the kind, a subclass of `ElementKind`: `prepare` makes one record's content (or rejects the
  record with a rule), `draw` puts that content on the canvas, `fitting` says how the content
  was adjusted to fit (shrunk, condensed, wrapped).

Nothing outside a kind's module looks at its keys: the loader, binder, renderer, preview and
diff ask the model and the kind.
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Literal,
    Mapping,
    Self,
    TypeVar,
    get_args,
    get_origin,
)

from pydantic import Field, ValidationInfo, field_validator

from docgen.conditions import Condition, condition_names
from docgen.template import placeholders
from docgen.yamlfile import Strict

if TYPE_CHECKING:
    from docgen.elements.context import DrawContext, PrepareContext

BBox = tuple[float, float, float, float]   # x0, y0, x1, y1 in mm from the page's top-left

# how `docgen diff` reports a changed key, by what the kind declares the key to be
MOVED, RESIZED, TEXT_CHANGED, CHANGED = "moved", "resized", "text changed", "changed"


def shown(value: object) -> str:
    """A layout value as a change list shows it: numbers plainly, long text cut short."""
    if isinstance(value, float):
        return f"{value:g}"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


@dataclass(frozen=True)
class Difference:
    """One key of an element that differs between two versions of a layout."""

    change: str        # MOVED, RESIZED, TEXT_CHANGED or CHANGED
    key: str           # dotted for nested keys: fit.min_size
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.key} {shown(self.old)} → {shown(self.new)}"


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested keys as dotted names (fit.min_size), so a change names the key that changed;
    a condition stays whole."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict) and v and k != "when":
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


class Element(Strict):
    """One element of a page as a layout file writes it. A kind's model adds `type: Literal["name"]`
    (the discriminator), its own keys, and the declarations below."""

    if TYPE_CHECKING:
        type: str

    id: str | None = Field(default=None, description="name shown in errors, previews and diffs")
    when: Condition | None = Field(default=None, description="draw only when this holds for the record")

    # What a kind declares about its keys; the defaults below are driven by these alone.
    # (x, y) pairs of keys that place it: an include shifts them; a change is "moved"
    anchor_keys: ClassVar[tuple[tuple[str, str], ...]] = ()
    # keys that size it: a change is "resized"
    extent_keys: ClassVar[tuple[str, ...]] = ()
    # keys that say what it prints, each a template or a list of them: checked on load, filled
    # per record; a change is "text changed"
    content_keys: ClassVar[tuple[str, ...]] = ()

    @field_validator("*", mode="after")
    @classmethod
    def _templates_parse(cls, value: Any, info: ValidationInfo) -> Any:
        """A content key's template parses ("{name" does not): its names are read on load."""
        if info.field_name in cls.content_keys:
            for template in [value] if isinstance(value, str) else value or ():
                placeholders(template)      # ValueError: expected '}' before end of string
        return value

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        """The keys of a new element that the designer places at (x, y) mm: its anchors there,
        and a first value for each key its model requires (a kind with such keys adds them)."""
        return {k: v for kx, ky in cls.anchor_keys for k, v in ((kx, x), (ky, y))}

    def bbox(self) -> BBox | None:
        """The area the element occupies on its page, in mm; None for what takes no area."""
        return None

    def shifted(self, dx: float, dy: float) -> Self:
        """The element moved by (dx, dy) mm, as an include at (dx, dy) places its part's elements."""
        update = {}
        for kx, ky in self.anchor_keys:
            update[kx] = getattr(self, kx) + dx
            update[ky] = getattr(self, ky) + dy
        return self.model_copy(update=update)

    def templates(self) -> list[str]:
        """Every template the element fills per record or profile (checked on load)."""
        out: list[str] = []
        for key in self.content_keys:
            value = getattr(self, key)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list):
                out.extend(value)
        return out

    def names(self) -> list[str]:
        """The record fields, profile keys (insurer.NAME) and scheme words (scheme.NAME) it depends
        on: with none but insurer.* and scheme.* it is the same for every record, so the binder
        prepares it once and the renderer draws it once per file, as part of the page's form."""
        return [n for t in self.templates() for n in placeholders(t)] + condition_names(self.when)

    def payloads(self, insurer: Any) -> list[str]:
        """Templates of what a machine reads back and splits on the template's separators (a QR
        code), with the insurer profile's overrides applied: no value in them may hold one."""
        return []

    def files(self) -> list[Path]:
        """Files it reads when drawn, known on load (an image): outputs may never overwrite them."""
        return []

    def differences(self, old: Self) -> list[Difference]:
        """Every key whose value differs from `old` (another version of the same element), with
        what the change is by the declarations above."""
        before, after = _flat(old.model_dump(by_alias=True)), _flat(self.model_dump(by_alias=True))
        anchors = {k for pair in self.anchor_keys for k in pair}
        out = []
        for key, value in before.items():
            new = after.get(key)
            if key == "id" or value == new:
                continue
            change = (MOVED if key in anchors else RESIZED if key in self.extent_keys
                      else TEXT_CHANGED if key in self.content_keys else CHANGED)
            out.append(Difference(change, key, value, new))
        return out


class Boxed(Element):
    """An element filling a box: top-left corner (x, y), width w and height h, in mm."""

    x: float
    y: float
    w: float = Field(gt=0)
    h: float = Field(gt=0)

    anchor_keys: ClassVar[tuple[tuple[str, str], ...]] = (("x", "y"),)
    extent_keys: ClassVar[tuple[str, ...]] = ("w", "h")

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "w": 20.0, "h": 5.0}

    def bbox(self) -> BBox:
        return (self.x, self.y, self.x + self.w, self.y + self.h)


def type_name(model: type[Element]) -> str | None:
    """The `type:` a model is written with (its Literal), or None when it declares none."""
    field = model.model_fields.get("type")
    if field is None or get_origin(field.annotation) is not Literal:
        return None
    args = get_args(field.annotation)
    return args[0] if len(args) == 1 and isinstance(args[0], str) else None


@dataclass(frozen=True)
class Fitting:
    """How prepared content was adjusted to fit its box; empty (false) when drawn as designed."""

    size: tuple[float, float] | None = None    # (designed, used) points: shrunk
    scale: float | None = None                 # horizontal scale below 1: condensed (長体)
    lines: int | None = None                   # wrapped onto this many lines

    def __bool__(self) -> bool:
        return self.size is not None or self.scale is not None or self.lines is not None

    def __str__(self) -> str:
        notes = []
        if self.size:
            notes.append(f"shrunk {self.size[0]:g}→{self.size[1]:g} pt")
        if self.scale is not None:
            notes.append(f"condensed to {self.scale:.1%}")
        if self.lines is not None:
            notes.append(f"wrapped onto {self.lines} lines")
        return ", ".join(notes)


M = TypeVar("M", bound=Element)
C = TypeVar("C")


class ElementKind(ABC, Generic[M, C]):
    """What docgen does with one kind of element; one instance per kind is registered.

    `C` is the kind's prepared content: whatever `prepare` computes for one record (fitted lines,
    an encoded symbol, a file) and `draw` needs, decided before anything is drawn.
    """

    model: type[M]

    @property
    def name(self) -> str:
        """The `type:` layouts write for this kind."""
        return type_name(self.model) or ""

    def prepare(self, el: M, values: Mapping[str, Any], ctx: PrepareContext) -> C:
        """One record's content for `el` (values: the record's fields, derived values, and the
        insurer profile as `insurer`). Raise docgen.errors.ContentError(rule, detail) when the
        record cannot print correctly: it is rejected with that rule, before anything is drawn;
        the detail must not contain the value. The default suits kinds that print the same for
        every record (frames, rules): no content."""
        return None  # type: ignore[return-value]

    @abstractmethod
    def draw(self, dc: DrawContext, el: M, content: C) -> None:
        """Draw prepared content; nothing here may fail for a record (prepare decided that)."""

    def fitting(self, el: M, content: C) -> Fitting:
        """How `content` was adjusted to fit `el` (previews colour and describe it)."""
        return Fitting()
