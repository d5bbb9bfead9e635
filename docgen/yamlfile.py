"""Reading the project's YAML files (layouts, profiles, mappings, font config) with errors that
say which file and where, raised as the caller's own error type."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# LibYAML's loader (in PyYAML's wheels) builds the same data some 7 times faster than the pure-Python
# one; a layout with its parts took a third of a counter reissue's time to read.
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """yaml.safe_load, through LibYAML when it is there; on an error, the message and position
    of the pure-Python parser, which says what was expected and what was found instead."""
    try:
        return yaml.load(text, Loader=_FAST)
    except yaml.YAMLError:
        return yaml.safe_load(text)


def read_yaml(path: Path, error: type[Exception], what: str = "file") -> Any:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    return parse_yaml(text, path, error, what)


def parse_yaml(text: bytes, path: Path, error: type[Exception], what: str = "file") -> Any:
    """YAML from bytes read elsewhere (a file, or a git revision of one); `path` names it in errors."""
    try:
        return load_yaml(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        raise error(f"{path}:{at} not valid YAML: {getattr(exc, 'problem', exc)}") from None
