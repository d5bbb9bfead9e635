"""The entry points of a group as importlib.metadata finds them, kept between runs.

Importing importlib.metadata takes ≈10 ms (e-mail parsing, zip files, CSV) and reading every
installed distribution's metadata 2 ms more, on every start of docgen, to find plug-ins that are
rarely there. What it found is kept (docgen.usercache) with a stamp of every folder on sys.path:
the distributions it lists and the size, times and inode of each one's entry_points.txt.
Installing, removing, upgrading or editing a distribution changes the stamp, and the entry
points are read again. Each sys.path (a virtual environment, PYTHONPATH, the `docgen` script or
`python -c`) has an entry of its own.
"""
from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from importlib import import_module
from importlib.machinery import PathFinder
from typing import Any

from docgen import usercache

# importlib.metadata's EntryPoint.pattern: "module", "module:attr.attr", extras allowed
_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])?)?$")


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str


@dataclass(frozen=True)
class EntryPoint:
    """What the registry asks of an entry point: its name and value, its distribution, load()."""

    name: str
    value: str
    dist: Distribution | None

    def load(self) -> Any:
        """The object the value names, as importlib.metadata's EntryPoint.load finds it."""
        match = _VALUE.match(self.value)
        if match is None:
            raise ValueError(f"not an entry point value: {self.value!r}")
        module = import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return functools.reduce(getattr, attrs, module)


def entry_points(group: str) -> tuple[EntryPoint, ...]:
    """The group's entry points, from importlib.metadata or as it found them before."""
    stamp = _stamp()
    if stamp is None:           # nothing to tell a change by: ask every time
        return _found(group)
    return usercache.kept("loaded", f"entry-points|{group}|{sys.path}", lambda: _found(group), tuple,
                          environment=stamp)


def _found(group: str) -> tuple[EntryPoint, ...]:
    from importlib.metadata import entry_points as metadata_entry_points

    return tuple(EntryPoint(ep.name, ep.value, Distribution(ep.dist.name, ep.dist.version) if ep.dist else None)
                 for ep in metadata_entry_points(group=group))


def _stamp() -> tuple[Any, ...] | None:
    """Every folder on sys.path with its distributions and their entry_points.txt (size, times,
    inode); None when a finder that does not search sys.path may also report distributions, or
    an entry_points.txt changed just now."""
    if any(hasattr(f, "find_distributions") and f is not PathFinder
           and type(f).__name__ != "MetadataPathFinder" for f in sys.meta_path):
        return None         # (importlib_metadata's MetadataPathFinder searches sys.path too)
    folders = []
    for entry in sys.path:
        folder = entry or "."
        try:
            names = sorted(os.listdir(folder))
        except OSError:         # a zip archive on sys.path, or nothing there
            try:
                st = os.stat(folder)
                folders.append((entry, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
            except OSError:
                folders.append((entry, None))
            continue
        found = []
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    st = os.stat(os.path.join(folder, name, "entry_points.txt"))
                except OSError:
                    found.append((name,))
                    continue
                if not usercache.settled(st):
                    return None         # just written: its times may not tell the next change
                found.append((name, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
        folders.append((entry, tuple(found)))
    return tuple(folders)
