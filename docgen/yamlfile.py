"""Reading the project's YAML files (layouts, profiles, mappings, font config) with errors that
say which file and where, raised as the caller's own error type; the base of the typed models
those files are validated against, and the hints their messages give."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, ValidationError, ValidationInfo, field_validator

MAX_DEPTH = 40            # levels of nesting; docgen's own files use 9
MAX_NODES = 50_000        # values once every alias is expanded; its largest layout has some 1,200
MAX_DIGITS = 100          # of an integer (Python refuses to read one of more than 4,300)
MAX_NUMBER = 100_000      # the size of any number in a layout (mm, points; a card is 86 mm wide)


class Refused(ValueError):
    """YAML that parses but that docgen does not read: a key given twice in one mapping, or data
    deeper, larger (aliases expanded) or with longer numbers than any file docgen reads needs,
    refused before a stage walks it (so a small file cannot take minutes and gigabytes to load,
    or end in a RecursionError). `line` and `column` (1-based) say where, when known."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem)
        self.line, self.column = line, column


def check_size(root: Any, children: Callable[[Any], Sequence[Any]]) -> None:
    """Raise Refused when `root` nests deeper than MAX_DEPTH or holds more than MAX_NODES values,
    a value reached twice (a YAML alias) counted each time.

    Walked as every stage after it would walk it, aliases expanded, without recursion, but only
    until a limit is passed: an alias bomb (or an alias inside the value it names) costs at most
    MAX_NODES steps. `children(node)` is asked at each place a node appears."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    count = 0
    while stack:
        node, level = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise Refused(f"more than {MAX_NODES:,} values once its aliases are expanded", *_where(node))
        if level > MAX_DEPTH:
            raise Refused(f"nested deeper than {MAX_DEPTH} levels", *_where(node))
        stack.extend((child, level + 1) for child in children(node))


def _where(node: Any) -> tuple[int | None, int | None]:
    """A YAML node's line and column (1-based); (None, None) for plain data."""
    mark = getattr(node, "start_mark", None)
    return (mark.line + 1, mark.column + 1) if mark else (None, None)


def plain_children(node: Any) -> Sequence[Any]:
    """The values inside parsed JSON or YAML data (keys too), for check_size."""
    if isinstance(node, dict):
        return [*node.keys(), *node.values()]
    return node if isinstance(node, list) else ()


def _node_children(node: Any) -> Sequence[Any]:
    """A YAML node's children, for check_size; a key given twice in one mapping (YAML does not
    allow it, and the later would silently win) and an integer too long to read are refused."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:int" and len(node.value) > MAX_DIGITS:
            raise Refused(f"an integer of {len(node.value):,} digits (at most {MAX_DIGITS})", *_where(node))
        return ()
    if isinstance(node, yaml.SequenceNode):
        return node.value
    first: dict[tuple[str, str], Any] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            earlier = first.setdefault((key.tag, key.value), key)
            if earlier is not key:
                raise Refused(f"key '{_printable(key.value)[:60]}' is given twice (first on line "
                               f"{earlier.start_mark.line + 1}): keep one", *_where(key))
    return [n for pair in node.value for n in pair]


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def load_yaml(text: str) -> Any:
    """yaml.safe_load, through LibYAML when it is there, of a document check_size accepts (no key
    twice, no alias bomb, no nesting past MAX_DEPTH); a parse error gives the message and position
    of the pure-Python parser, which says what was expected and what was found instead.

    LibYAML's loader (in PyYAML's wheels) builds the same data some 7 times faster. PyYAML is
    imported here, not with this module: a counter reissue finds everything it would read kept
    between runs (docgen.usercache) and never needs it."""
    import yaml

    try:
        return _load(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return _load(text, yaml.SafeLoader)


def _load(text: str, loader_class: Any) -> Any:
    loader = loader_class(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise Refused(f"nested deeper than {MAX_DEPTH} levels") from None
        if node is None:
            return None
        check_size(node, _node_children)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_bytes(path: Path, error: type[Exception], what: str = "file") -> bytes:
    """A file's bytes; a missing one is `error` naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None


def read_yaml(path: Path, error: type[Exception], what: str = "file",
              read: Callable[[Path], bytes] | None = None) -> Any:
    """A YAML file's data, read by `read` (default: from disk; `docgen diff` reads a git revision);
    a file that is missing, not UTF-8 or not YAML is one `error` line naming it."""
    return parse_yaml(read(path) if read else read_bytes(path, error, what), path, error, what)


def parse_yaml(text: bytes, path: Path, error: type[Exception], what: str = "file") -> Any:
    """YAML from bytes read elsewhere (a file, or a git revision of one); `path` names it in errors."""
    import yaml

    try:
        return load_yaml(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8") from None
    except Refused as exc:
        at = f" line {exc.line}, column {exc.column}:" if exc.line else ""
        raise error(f"{path}:{at} {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        raise error(f"{path}:{at} not valid YAML: {getattr(exc, 'problem', exc)}") from None


class Strict(BaseModel):
    """A model of YAML data: an unknown key is an error (so a typo fails on load), a value is never
    converted (`x: true` or `x: "3.2"` is not a number, `text: 12` is not text), every number is
    finite (`.nan` and `.inf` would reach the PDF), and values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, strict=True, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, value: Any) -> Any:
        """Every number (alone, or in a list such as a dash pattern) within ±MAX_NUMBER: a PDF
        writer cannot write 1e21, and no millimetre, point or count of a page comes near."""
        for number in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(number, float) and not -MAX_NUMBER <= number <= MAX_NUMBER:
                raise ValueError(f"{number:g} is beyond ±{MAX_NUMBER:,}")
        return value


@dataclass(frozen=True)
class LoadContext:
    """What the load-time checks need besides the YAML (given as pydantic's validation context):
    the file being read, against which relative paths resolve, and the configured font families."""

    file: Path
    families: tuple[str, ...] = ()
    fonts_file: Path | None = None


def load_context(info: ValidationInfo) -> LoadContext | None:
    """The file being loaded, when a model is validated from one (None: built in code)."""
    return info.context if isinstance(info.context, LoadContext) else None


def problems(where: object, lines: Sequence[str]) -> str:
    """A file's problems as every file check reports them: `where: N problem(s)`, then one
    indented line each."""
    return "\n".join([f"{where}: {len(lines)} problem(s)", *(f"  {line}" for line in lines)])


def _describe_loc(data: Any, loc: tuple[Any, ...]) -> list[str]:
    """A pydantic error location as the file's keys: ['pages[0] (front)', 'elements[3] (name)', 'key']."""
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
    return parts


def _message(err: Any, messages: Mapping[str, str]) -> str:
    """pydantic's message (or `messages`' for its type), and the load-time checks' own messages
    without the "Value error, " pydantic puts before them."""
    ctx = err.get("ctx", {})
    if err["type"] == "union_tag_invalid" and ctx.get("discriminator") == "'type'":
        known = [t.strip("'") for t in ctx["expected_tags"].split(", ")]
        return (f"unknown element type '{ctx['tag']}': use {', '.join(known)}" + did_you_mean(str(ctx["tag"]), known)
                + " (`docgen kinds` lists them; a kind from another package needs that package installed)")
    error = ctx.get("error") if err["type"] == "value_error" else None
    return str(error) if error is not None else messages.get(err["type"], err["msg"])


def validation_lines(exc: ValidationError, data: Any, under: Sequence[str] = (),
                     messages: Mapping[str, str] | None = None) -> list[str]:
    """Each error of validating `data` as 'where > key: what', `where` in the file's own keys
    (list items by index and id), below the keys `under`."""
    return [f"{' > '.join([*under, *_describe_loc(data, tuple(err['loc']))]) or '(top level)'}: "
            f"{_message(err, messages or {})}" for err in exc.errors()]


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """The hint "; did you mean 'X'?" for the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
