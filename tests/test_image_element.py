"""An `image` element whose `src` is a template filled from the record: a file that is missing
is that record's problem, told by rule and element, never by the filled-in path (the record's
values may be personal data)."""
from __future__ import annotations

from pathlib import Path

import pytest

from docgen.elements.context import PrepareContext
from docgen.elements.image import KIND, ImageElement
from docgen.errors import ContentError


def test_a_missing_image_names_the_rule_and_the_element_not_the_value(tmp_path: Path) -> None:
    el = ImageElement.model_validate({"type": "image", "id": "photo", "x": 0, "y": 0, "w": 10, "h": 10,
                                      "src": str(tmp_path / "{name}.png")})
    with pytest.raises(ContentError) as caught:
        KIND.prepare(el, {"name": "架空花子"}, PrepareContext(fonts=None))  # type: ignore[arg-type]
    assert caught.value.rule == "image"
    message = str(caught.value)
    assert "架空花子" not in message
    assert "{name}" in message                       # the element's template, from the layout
