"""Reading the project's YAML files (layouts, profiles, mappings, font config) with errors that
say which file and where, raised as the caller's own error type."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: Path, error: type[Exception], what: str = "file") -> Any:
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {what} not found") from None
    return parse_yaml(text, path, error, what)


def parse_yaml(text: bytes, path: Path, error: type[Exception], what: str = "file") -> Any:
    """YAML from bytes read elsewhere (a file, or a git revision of one); `path` names it in errors."""
    try:
        return yaml.safe_load(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        raise error(f"{path}:{at} not valid YAML: {getattr(exc, 'problem', exc)}") from None
