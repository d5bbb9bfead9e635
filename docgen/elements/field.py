"""`field` elements: a record value through a template ("{birth_date:wareki}"), fitted into the box."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from docgen.elements.base import Boxed
from docgen.elements.text_style import TextBoxKind, TextStyle, known_family


class FieldElement(Boxed, TextStyle):
    """A record value, written as a template: "{birth_date:wareki}", "{limit_class:opt}"."""

    type: Literal["field"]
    value: str
    whole_value_font: str | None = Field(default=None, description=(
        "font family: a value of which some character would be drawn by one of this family's fonts "
        "(`mincho`: IPAmj明朝, which backs both) is set wholly in it, not one 明朝 glyph among Gothic ones"))

    @field_validator("whole_value_font")
    @classmethod
    def _known_whole(cls, family: str | None, info: ValidationInfo) -> str | None:
        return family if family is None else known_family(family, info)

    content_keys: ClassVar[tuple[str, ...]] = ("value",)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "value": "{record_id}"}


class FieldKind(TextBoxKind):
    model = FieldElement

    def source(self, el: FieldElement) -> str:
        return el.value

    def whole_font(self, el: FieldElement) -> str | None:
        return el.whole_value_font


KIND = FieldKind()
