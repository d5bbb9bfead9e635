"""Layouts and insurer profiles kept between runs, loaded and checked (docgen.usercache.kept,
folder `loaded`): a counter reissue reads one entry instead of parsing the YAML of a layout, its
parts, scheme and profile and validating it all again.

What an entry depends on: the SHA-256 of every file the load read (the layout or profile, its
parts, scheme, profile and images, the field dictionary, fonts.yaml), every reference it
resolved with the file each meant (a file added that now shadows a built-in part, another
DOCGEN_PATH: a miss), docgen's own modules, pydantic, PyYAML and the plug-in kinds installed
(models unpickled into another version could be wrong).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, TypeVar

from docgen import usercache
from docgen.elements.registry import registry
from docgen.fonts import load_fonts
from docgen.paths import FIELDS_FILE

T = TypeVar("T")


def _plugins() -> list[tuple[str, str, list[tuple[str, int, int]]]]:
    """Each plug-in kind's distribution and the modules of the package its model comes from (all of
    them: validators and types may live beside the model), an editable install's included."""
    reg = registry()
    found = []
    for name, kind in reg.plugins.items():
        top = sys.modules.get(kind.model.__module__.partition(".")[0])
        file = Path(top.__file__) if top is not None and getattr(top, "__file__", None) else None
        if file is None:
            modules = []
        elif file.name == "__init__.py":
            modules = usercache.sources(file.parent)
        else:
            st = os.stat(file)
            modules = [(str(file), st.st_size, st.st_mtime_ns)]
        found.append((name, reg.packages[name], modules))
    return found


def kept(what: str, path: Path, variant: str, load: Callable[[], T], kind: type[T]) -> T:
    """load() of the file at path, or what it gave before when nothing it was made from changed;
    `what` and `variant` tell apart loads of one file that give different objects."""
    return usercache.kept("loaded", f"{what}|{path}|{variant}", load, kind,
                          inputs=(path, FIELDS_FILE, load_fonts().config.path),
                          environment=(usercache.package_stamp("pydantic"), usercache.package_stamp("yaml"),
                                       _plugins()))
