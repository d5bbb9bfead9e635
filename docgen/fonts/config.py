"""Reading fonts.yaml: which file each family uses and which families back the others up.

Validated here, once, so that a typo in the yaml is reported with the file and key instead of
surfacing later as a confusing ReportLab or KeyError deep inside rendering.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docgen.errors import FontConfigError
from docgen.paths import written_in
from docgen.usercache import kept, note, package_stamp
from docgen.yamlfile import read_yaml

_KEYS = {"files", "fallback", "default"}
ANY = "*"       # in `fallback`: the families not named


@dataclass(frozen=True)
class FontConfig:
    """Families and their font files (resolved to absolute paths), the fallbacks, the default.

    `fallback` maps a family to the families tried after it; `*` stands for every family not named.
    """

    path: Path
    files: dict[str, Path]
    fallback: dict[str, tuple[str, ...]]
    default: str

    def chain(self, family: str) -> tuple[str, ...]:
        """The family followed by its fallbacks, itself not twice."""
        after = self.fallback.get(family, self.fallback.get(ANY, ()))
        return (family, *(f for f in after if f != family))


@dataclass(frozen=True)
class _Present:
    """A font file fonts.yaml names: a configuration kept between runs holds while it is there."""

    path: Path

    def holds(self) -> bool:
        return self.path.is_file()


def read_config(path: Path) -> FontConfig:
    """Load and validate a fonts.yaml; relative font paths are taken from the yaml's folder.
    Kept between runs while the file has the same bytes and every font it names is there."""
    return kept("loaded", f"fonts|{path}", lambda: _read_config(path), FontConfig, inputs=(path,),
                environment=(package_stamp("yaml"),))


def _read_config(path: Path) -> FontConfig:
    data = read_yaml(path, FontConfigError, "font configuration")
    if not isinstance(data, dict):
        raise _bad(path, "(top level)", "expected a mapping with 'files' and 'fallback'")
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise _bad(path, unknown[0], f"unknown key; allowed: {', '.join(sorted(_KEYS))}")
    files = _files(path, data.get("files"))
    fallback = _fallback(path, data.get("fallback", []), files)
    default = data.get("default", next(iter(files)))
    if default not in files:
        raise _bad(path, "default", f"{default!r} is not a family in 'files'")
    return FontConfig(path=path, files=files, fallback=fallback, default=default)


def _bad(path: Path, key: str, problem: str) -> FontConfigError:
    return FontConfigError(f"{path}: {key}: {problem}")


def _files(path: Path, raw: object) -> dict[str, Path]:
    if not isinstance(raw, dict) or not raw:
        raise _bad(path, "files", "expected a non-empty mapping of family name to font file")
    files: dict[str, Path] = {}
    for family, file in raw.items():
        key = f"files.{family}"
        if not isinstance(family, str) or not isinstance(file, str) or not file:
            raise _bad(path, key, "expected 'family: path/to/font.ttf'")
        resolved = written_in(file, path)
        if not resolved.is_file():
            raise _bad(path, key, f"font file not found: {resolved}")
        note(_Present(resolved))
        files[family] = resolved
    return files


def _fallback(path: Path, raw: object, files: dict[str, Path]) -> dict[str, tuple[str, ...]]:
    """One list for every family, or a list per family (`*`: the others)."""
    if isinstance(raw, list):
        return {ANY: _families(path, "fallback", raw, files)}
    if not isinstance(raw, dict):
        raise _bad(path, "fallback", f"expected a list of family names, or a list per family ('{ANY}': the others)")
    chains: dict[str, tuple[str, ...]] = {}
    for family, after in raw.items():
        if family != ANY and family not in files:
            raise _bad(path, f"fallback.{family}", f"{family!r} is not a family in 'files'")
        if not isinstance(after, list):
            raise _bad(path, f"fallback.{family}", "expected a list of family names")
        chains[family] = _families(path, f"fallback.{family}", after, files)
    return chains


def _families(path: Path, key: str, raw: list[object], files: dict[str, Path]) -> tuple[str, ...]:
    for i, family in enumerate(raw):
        if not isinstance(family, str) or family not in files:
            raise _bad(path, f"{key}[{i}]", f"{family!r} is not a family in 'files'")
    if len(set(raw)) != len(raw):
        raise _bad(path, key, "a family is listed twice")
    return tuple(str(f) for f in raw)
