"""`field` elements: a record value through a template ("{birth_date:wareki}"), fitted into the box."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from docgen.elements.base import Boxed
from docgen.elements.text_style import TextBoxKind, TextStyle


class FieldElement(Boxed, TextStyle):
    """A record value, written as a template: "{birth_date:wareki}", "{limit_class:opt}"."""

    type: Literal["field"]
    value: str

    content_keys: ClassVar[tuple[str, ...]] = ("value",)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "value": "{record_id}"}


class FieldKind(TextBoxKind):
    model = FieldElement

    def source(self, el: FieldElement) -> str:
        return el.value


KIND = FieldKind()
