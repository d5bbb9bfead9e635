"""Round-trip editing of a layout or part file: change one element and leave every other line as
it was written (comments, key order, flow or block style, quoting), then replace the file whole.

ruamel.yaml keeps comments, key order, flow style and quotes. What it would write differently
elsewhere (a `null` spelt out, an odd indentation) never reaches the file: the edit is taken as
the line diff between the document dumped before and after the change, and that diff is applied
to the file's own text. An edit that would touch a line ruamel cannot reproduce is refused.
"""
from __future__ import annotations

import io
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from docgen.errors import LayoutError

BOM = "\ufeff"


def _yaml(text: str) -> YAML:
    """A round-trip YAML with the file's own indentation and no line wrapping."""
    _, indent, seq_indent = load_yaml_guess_indent(text)
    indent, seq_indent = indent or 2, seq_indent or 0
    y = YAML()
    y.preserve_quotes = True
    y.width = 1 << 16
    y.indent(mapping=indent - seq_indent if indent > seq_indent else indent, sequence=indent, offset=seq_indent)
    return y


def number(value: float) -> int | float:
    """A coordinate as a person writes it: 23.5, 60 (not 60.0), never 23.500000000000004."""
    rounded = round(float(value), 4)
    return int(rounded) if rounded.is_integer() else rounded


def flow(value: Any) -> Any:
    """Plain data as ruamel nodes in flow style, so a `when:` or `fit:` is written on one line."""
    if isinstance(value, dict):
        node = CommentedMap((k, flow(v)) for k, v in value.items())
        node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(flow(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str) and _needs_quotes(value):
        return DoubleQuotedScalarString(value)
    return value


def _needs_quotes(text: str) -> bool:
    """Whether a string would not read back as itself unquoted ("{name}", "1.5", "yes"): such a
    string is written in double quotes, as the layouts write templates."""
    try:
        return pyyaml.safe_load(text) != text or text != text.strip()
    except pyyaml.YAMLError:
        return True


def plain(node: Any) -> Any:
    """A ruamel node as plain JSON-able data (what the designer page shows)."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return number(node)
    return str(node)


class YamlFile:
    """One file opened for editing; `text()` is the file as it would be written after the changes."""

    def __init__(self, path: Path, text: str | None = None) -> None:
        self.path = path
        raw = path.read_bytes().decode("utf-8") if text is None else text   # newlines as written (CRLF kept)
        self.bom = raw.startswith(BOM)
        raw = raw.removeprefix(BOM)
        self.crlf = "\r\n" in raw
        self.original = raw.replace("\r\n", "\n")
        try:
            self.yaml = _yaml(self.original)
            self.root = self.yaml.load(self.original)
        except YAMLError as exc:
            raise LayoutError(f"{path}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
        self.base = self._dump()

    def _dump(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.root, buf)
        return buf.getvalue()

    def node(self, path: Iterable[str | int]) -> Any:
        node = self.root
        for key in path:
            node = node[key]
        return node

    def text(self) -> str:
        """The file's text with the changes made since it was opened, every other line as it was."""
        out = splice(self.original, self.base, self._dump())
        if self.crlf:
            out = out.replace("\n", "\r\n")
        return (BOM if self.bom else "") + out


def splice(original: str, base: str, new: str) -> str:
    """Apply the line changes base → new to `original` (base is original as ruamel writes it).

    Raises LayoutError when a changed line is one that ruamel writes differently from the file.
    """
    if base == original:
        return new
    o, b, n = (t.splitlines(keepends=True) for t in (original, base, new))
    to_original: dict[int, int] = {}
    for tag, i1, i2, j1, _ in SequenceMatcher(None, b, o, autojunk=False).get_opcodes():
        if tag == "equal":
            to_original.update((i1 + k, j1 + k) for k in range(i2 - i1))
    out = list(o)
    hunks = [h for h in SequenceMatcher(None, b, n, autojunk=False).get_opcodes() if h[0] != "equal"]
    for _, i1, i2, j1, j2 in reversed(hunks):
        if i1 < i2:
            lines = [to_original.get(i) for i in range(i1, i2)]
            if None in lines or lines != list(range(lines[0], lines[0] + len(lines))):  # type: ignore[operator]
                raise LayoutError(f"cannot change line {i1 + 1} without rewriting lines around it: edit the file by hand")
            start, end = lines[0], lines[-1] + 1  # type: ignore[operator]
        elif i1 in to_original:
            start = end = to_original[i1]
        elif i1 - 1 in to_original or i1 == 0:
            start = end = to_original[i1 - 1] + 1 if i1 else 0
        else:
            raise LayoutError(f"cannot insert at line {i1 + 1} without rewriting lines around it: edit the file by hand")
        out[start:end] = n[j1:j2]
    return "".join(out)


def set_keys(mapping: CommentedMap, values: dict[str, Any], order: Sequence[str]) -> None:
    """Set (or, for None, remove) keys of an element; `a.b` is key b of the mapping at key a.

    A new key goes after the last present key that comes before it in `order`, so a new `align`
    lands beside `size` and not after a long `text`.
    """
    for dotted, value in values.items():
        head, _, rest = dotted.partition(".")
        if rest:
            inner = mapping.get(head)
            if value is None and not isinstance(inner, dict):
                continue
            if not isinstance(inner, dict):
                inner = flow({})
                _insert(mapping, head, inner, order)
            set_keys(inner, {rest: value}, [])
            if not inner:
                del mapping[head]
        elif value is None:
            mapping.pop(head, None)
        elif head in mapping:
            mapping[head] = flow(value)
        else:
            _insert(mapping, head, flow(value), order)


def _insert(mapping: CommentedMap, key: str, value: Any, order: Sequence[str]) -> None:
    rank = {k: i for i, k in enumerate(order)}
    if key not in rank:
        mapping[key] = value
        return
    before = [i for i, k in enumerate(mapping) if rank.get(k, len(order)) < rank[key]]
    mapping.insert(before[-1] + 1 if before else 0, key, value)


def new_element(values: dict[str, Any], like: Any) -> CommentedMap:
    """An element mapping in the style of its neighbour `like` (flow when it is flow)."""
    node = CommentedMap((k, flow(v)) for k, v in values.items())
    if like is None or getattr(getattr(like, "fa", None), "flow_style", lambda: False)():
        node.fa.set_flow_style()
    return node


def delete_item(seq: CommentedSeq, index: int) -> None:
    """Remove one element; the comment lines written above it stay, above the element that
    follows it (or, for the last one, where it was)."""
    entry = seq.ca.items.get(index)
    above = entry[1] if isinstance(entry, list) and len(entry) > 1 else None
    del seq[index]
    if not above:
        return
    if index < len(seq):
        after = seq.ca.items.setdefault(index, [None, None, None, None])
        after[1] = list(above) + list(after[1] or [])
    else:
        raise LayoutError("the comment above the last element would go with it: delete the element by hand")
