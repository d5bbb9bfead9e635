"""Element kinds: everything about one kind of layout element in one module, found through a
registry that other packages join (entry-point group `docgen.elements`). docs/elements.md
says how to write one; what a kind author imports is here.
"""
from docgen.elements.base import (
    CHANGED,
    MOVED,
    RESIZED,
    TEXT_CHANGED,
    BBox,
    Boxed,
    Difference,
    Element,
    ElementKind,
    Fitting,
)
from docgen.elements.context import DrawContext, PrepareContext
from docgen.elements.registry import GROUP, kind_of, kinds
from docgen.elements.text_style import (
    Fit,
    TextStyle,
    draw_lines,
    prepare_text,
    text_fitting,
)
from docgen.errors import ContentError
from docgen.units import MM

__all__ = [
    "BBox", "Boxed", "CHANGED", "ContentError", "Difference", "DrawContext", "Element", "ElementKind", "Fit",
    "Fitting", "GROUP", "MM", "MOVED", "PrepareContext", "RESIZED", "TEXT_CHANGED", "TextStyle", "draw_lines",
    "kind_of", "kinds", "prepare_text", "text_fitting",
]
