"""Reading a layout, part or profile file and validating it against its model, with errors that
name the file, the element (by index and id) and the key, in a layout designer's words.

The load-time checks inside the models (fonts, colours, images relative to the file) get the
file they run for through pydantic's validation context.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from docgen.errors import LayoutError
from docgen.fonts import load_fonts
from docgen.yamlfile import LoadContext, problems, read_bytes, validation_lines

Reader = Callable[[Path], bytes]


def read_file(path: Path) -> bytes:
    """How the loader reads a file by default; `docgen diff` passes one that reads a git revision."""
    return read_bytes(path, LayoutError)


def _context(path: Path) -> LoadContext:
    fonts = load_fonts()
    return LoadContext(path, fonts.families, fonts.config.path)


# a layout designer's words for two of pydantic's messages
_MESSAGES = {"extra_forbidden": "unknown key (`docgen schema` lists the keys)", "missing": "required key missing"}


def validate_file(model: type[BaseModel], data: Any, path: Path) -> Any:
    """Validate with the load-time checks (fonts, colours, images relative to `path`) switched on."""
    try:
        return model.model_validate(data, context=_context(path))
    except ValidationError as exc:
        raise LayoutError(problems(path, validation_lines(exc, data, messages=_MESSAGES))) from None
