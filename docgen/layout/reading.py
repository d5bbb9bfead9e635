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
from docgen.yamlfile import LoadContext, did_you_mean, parse_yaml

Reader = Callable[[Path], bytes]


def read_file(path: Path) -> bytes:
    """How the loader reads a file by default; `docgen diff` passes one that reads a git revision."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LayoutError(f"{path}: file not found") from None


def read_yaml(path: Path, read: Reader = read_file) -> Any:
    return parse_yaml(read(path), path, LayoutError)


def _context(path: Path) -> LoadContext:
    fonts = load_fonts()
    return LoadContext(path, fonts.families, fonts.config.path)


def _describe_loc(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into 'pages[0] (front) > elements[3] (name) > key'."""
    parts: list[str] = []
    node = data
    after_index = False
    for key in loc:
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            node = node[key]
            label = node.get("id") or node.get("name") if isinstance(node, dict) else None
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]" + (f" ({label})" if label else "")]
            after_index = True
            continue
        # the discriminator tag pydantic inserts for tagged unions, right after the list index;
        # checked first, since a text element also has a key named "text"
        tag = after_index and isinstance(node, dict) and node.get("type") == key
        after_index = False
        if tag:
            continue
        if isinstance(node, dict) and key in node:
            node = node[key]
            parts.append(str(key))
        elif isinstance(key, str) and (key[:1].isupper() or "[" in key):
            continue        # the member of a union pydantic tried ('FieldTest', 'literal[...]'): not a key
        else:
            parts.append(str(key))
            node = None
    return " > ".join(parts) or "(top level)"


_MESSAGES = {"extra_forbidden": "unknown key (`docgen schema` lists the keys)", "missing": "required key missing"}


def _message(err: Any) -> str:
    """pydantic's message in a layout designer's words, and the load-time checks' own messages
    without the "Value error, " pydantic puts before them."""
    ctx = err.get("ctx", {})
    if err["type"] == "union_tag_invalid" and ctx.get("discriminator") == "'type'":
        known = [t.strip("'") for t in ctx["expected_tags"].split(", ")]
        return (f"unknown element type '{ctx['tag']}': use {', '.join(known)}" + did_you_mean(str(ctx["tag"]), known)
                + " (`docgen kinds` lists them; a kind from another package needs that package installed)")
    error = ctx.get("error") if err["type"] == "value_error" else None
    return str(error) if error is not None else _MESSAGES.get(err["type"], err["msg"])


def validate_file(model: type[BaseModel], data: Any, path: Path) -> Any:
    """Validate with the load-time checks (fonts, colours, images relative to `path`) switched on."""
    try:
        return model.model_validate(data, context=_context(path))
    except ValidationError as exc:
        lines = [f"{path}: {len(exc.errors())} problem(s)"]
        for err in exc.errors():
            lines.append(f"  {_describe_loc(data, tuple(err['loc']))}: {_message(err)}")
        raise LayoutError("\n".join(lines)) from None
