"""Layouts and insurer profiles kept between runs, loaded and checked: a counter reissue reads one
entry instead of parsing the YAML of a layout, its parts, scheme and profile and validating it
all again (a third of its time).

An entry (docgen.usercache, folder `layouts`, one per file) holds the loaded object and what it
was made from: the SHA-256 of every file the load read (the layout or profile, its parts,
scheme, profile, images, the field dictionary and fonts.yaml) and every reference it resolved
with the file each meant, so that a changed byte anywhere, a file added that now shadows a
built-in part, or another DOCGEN_PATH is a miss. It also holds docgen's own sources (names,
sizes, times), the versions of Python, pydantic and PyYAML, and the plug-in kinds installed:
models unpickled from another docgen could be wrong. A load that fails is never kept.
"""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

import pydantic
import yaml

from docgen import usercache
from docgen.elements.registry import registry
from docgen.fonts import load_fonts
from docgen.paths import FIELDS_FILE, PACKAGE
from docgen.layout.search import Reference

FORMAT = 1          # bump when what is stored changes
T = TypeVar("T")


@dataclass(frozen=True)
class Inputs:
    """What a loaded object was made from: files with the SHA-256 of their bytes ("" for a file
    that was not there), and references with the file each meant."""

    files: tuple[tuple[Path, str], ...]
    references: tuple[Reference, ...]

    @classmethod
    def of(cls, items: Iterable[Any]) -> "Inputs":
        """From what a load noted (files and references), each once."""
        refs = tuple(dict.fromkeys(i for i in items if isinstance(i, Reference)))
        named = [i for i in items if isinstance(i, Path)] + [r.path for r in refs if r.path is not None]
        return cls(tuple((path, _digest(path)) for path in dict.fromkeys(named)), refs)

    def hold(self) -> bool:
        """Whether every file has the same bytes and every reference means the same file."""
        return all(_digest(path) == digest for path, digest in self.files) and all(r.holds() for r in self.references)


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _sources() -> list[tuple[str, int, int]]:
    """docgen's modules (name, size, modification time): an edited checkout is another docgen."""
    found = []
    folders = [PACKAGE]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name not in ("data", "__pycache__"):
                    folders.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    found.append((entry.path, st.st_size, st.st_mtime_ns))
    return sorted(found)


def _plugins() -> list[tuple[str, str, int]]:
    """Each plug-in kind's package and the modification time of its model's module."""
    reg = registry()
    found = []
    for name, kind in reg.plugins.items():
        module = sys.modules.get(kind.model.__module__)
        file = getattr(module, "__file__", None)
        found.append((name, reg.packages[name], os.stat(file).st_mtime_ns if file else 0))
    return found


def _environment() -> tuple[Any, ...]:
    return (sys.version, pydantic.VERSION, yaml.__version__, _sources(), _plugins())


def kept(what: str, path: Path, variant: str, load: Callable[[], T], kind: type[T]) -> T:
    """load(), or what a load of the same file gave before when nothing it was made from changed.

    `what` and `variant` tell apart loads of one file that give different objects."""
    folder = usercache.cache_dir("layouts")
    entry = folder / f"{what}-{hashlib.sha256(f'{path}|{variant}'.encode()).hexdigest()[:32]}.pickle" \
        if folder else None
    environment = _environment() if entry else None
    if entry:
        stored = usercache.read(entry)
        if isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("environment") == environment \
                and isinstance(stored.get("inputs"), Inputs) and isinstance(stored.get("value"), kind) \
                and stored["inputs"].hold():
            for file, _ in stored["inputs"].files:     # its references were noted as they were checked
                usercache.note(file)
            return stored["value"]
    with usercache.traced() as found:
        value = load()
    if entry:
        inputs = Inputs.of([path, FIELDS_FILE, load_fonts().config.path, *found])
        usercache.write(entry, {"format": FORMAT, "environment": environment, "inputs": inputs, "value": value})
    return value
