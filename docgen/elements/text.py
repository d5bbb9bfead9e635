"""`text` elements: fixed wording (labels, titles, notes), fitted into the box; profile values
such as `{insurer.name}` are allowed."""
from __future__ import annotations

from typing import Any, ClassVar, Literal

from docgen.elements.base import Boxed
from docgen.elements.text_style import TextBoxKind, TextStyle


class TextElement(Boxed, TextStyle):
    """Fixed wording (labels, titles, notes); `{insurer.name}`-style profile values are allowed."""

    type: Literal["text"]
    text: str

    content_keys: ClassVar[tuple[str, ...]] = ("text",)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "text": "テキスト"}


class TextKind(TextBoxKind):
    model = TextElement

    def source(self, el: TextElement) -> str:
        return el.text


KIND = TextKind()
