"""Reading the project's YAML files (layouts, profiles, mappings, font config) with errors that
say which file and where, raised as the caller's own error type; the base of the typed models
those files are validated against, and the hints their messages give."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, ConfigDict, ValidationInfo


def load_yaml(text: str) -> Any:
    """yaml.safe_load, through LibYAML when it is there; on an error, the message and position
    of the pure-Python parser, which says what was expected and what was found instead.

    LibYAML's loader (in PyYAML's wheels) builds the same data some 7 times faster. PyYAML is
    imported here, not with this module: a counter reissue finds everything it would read kept
    between runs (docgen.usercache) and never needs it."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
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
    import yaml

    try:
        return load_yaml(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise error(f"{path}: {what} is not UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        raise error(f"{path}:{at} not valid YAML: {getattr(exc, 'problem', exc)}") from None


class Strict(BaseModel):
    """A model of YAML data: an unknown key is an error (so a typo fails on load), values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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


def did_you_mean(word: str, known: Sequence[str]) -> str:
    """The hint "; did you mean 'X'?" for the closest known name, or "" when none is close."""
    close = difflib.get_close_matches(word, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
