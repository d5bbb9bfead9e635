"""Where the bundled data lives: `docgen/data/` inside the installed package, found through
importlib.resources, so a wheel, an sdist and an editable checkout all read the same files.

In the git repository `docgen/data/{layouts,profiles,schemes,fonts,samples}` are symlinks to the
top-level folders of the same names, and `docgen/data/fields.yaml` to the top-level field
dictionary (the places to edit them); a built wheel holds the files themselves. User folders come before these ones: see `docgen.layout.search`.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _on_disk(folder: object, what: str) -> Path:
    """A folder or file of the package as a real path: ReportLab, Pillow and PDFium open files by path."""
    if not isinstance(folder, Path):
        raise ImportError(f"docgen's {what} are not files on disk ({folder}): install docgen with pip, "
                          "not as a zip archive")
    return folder.resolve()


# the installed package itself (what lies under it is not for editing: a new version replaces it)
PACKAGE = _on_disk(files("docgen"), "modules")


def _bundled(name: str) -> Path:
    return _on_disk(files("docgen") / "data" / name, f"bundled {name}")     # in a checkout: the top-level folder


LAYOUTS = _bundled("layouts")
PARTS = LAYOUTS / "parts"
PROFILES = _bundled("profiles")
SCHEMES = _bundled("schemes")
FIELDS_FILE = _bundled("fields.yaml")
FONTS = _bundled("fonts")
SAMPLES = _bundled("samples")


def written_in(ref: str | Path, file: Path) -> Path:
    """A path as written in `file` (a layout, part, profile, fonts.yaml): relative ones from that
    file's folder, "../" and links resolved; an absolute one as it is, links resolved."""
    return (file.parent / ref).resolve()
