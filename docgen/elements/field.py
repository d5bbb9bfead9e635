"""`field` elements: a record value through a template ("{birth_date:wareki}"), fitted into the box."""
from __future__ import annotations

from typing import ClassVar, Literal

from docgen.elements.base import Boxed
from docgen.elements.text_style import TextBoxKind, TextStyle


class FieldElement(Boxed, TextStyle):
    """A record value, written as a template: "{birth_date:wareki}", "{limit_class:opt}"."""

    type: Literal["field"]
    value: str

    content_keys: ClassVar[tuple[str, ...]] = ("value",)


class FieldKind(TextBoxKind):
    model = FieldElement

    def source(self, el: FieldElement) -> str:
        return el.value


KIND = FieldKind()
