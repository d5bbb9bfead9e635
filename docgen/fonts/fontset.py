"""The configured families, each as a FontChain; fonts are read once per process and file."""
from __future__ import annotations

import functools
from pathlib import Path

from docgen.errors import UnknownFamilyError
from docgen.fonts.chain import FontChain
from docgen.fonts.config import FontConfig, read_config
from docgen.fonts.face import Face
from docgen.paths import FONTS

DEFAULT_CONFIG = FONTS / "fonts.yaml"     # the bundled one, found through importlib.resources

# One registered ReportLab font per file: pdfmetrics is process-wide, and parsing is costly.
_faces: dict[Path, Face] = {}


class FontSet:
    """Families from one fonts.yaml; chain(family) is the family's font plus the fallbacks."""

    def __init__(self, config: FontConfig) -> None:
        self.config = config
        self._chains: dict[str, FontChain] = {}

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(self.config.files)

    def chain(self, family: str) -> FontChain:
        """The chain for family; loads the family's font on first use, fallbacks only when needed."""
        try:
            return self._chains[family]
        except KeyError:
            pass
        if family not in self.config.files:
            raise UnknownFamilyError(
                f"unknown font family {family!r} (in {self.config.path}: {', '.join(self.families)})")
        chain = self._chains[family] = FontChain(self.config.chain(family), self._face)
        return chain

    def missing(self, text: str, family: str | None = None) -> list[str]:
        """What no font covers in text, for family or the configured default family."""
        return self.chain(family or self.config.default).missing(text)

    def _face(self, family: str) -> Face:
        return _face(self.config.files[family])


def _face(path: Path) -> Face:
    """The Face for a font file, registered with ReportLab under a name unique to that file."""
    if path not in _faces:
        taken = {face.name for face in _faces.values()}
        name = f"docgen-{path.stem}"
        n = 1
        while name in taken:
            n += 1
            name = f"docgen-{path.stem}-{n}"
        _faces[path] = Face(path, name)
    return _faces[path]


def load_fonts(config_path: Path | None = None) -> FontSet:
    """The FontSet for a fonts.yaml (default: the bundled one), cached per resolved path."""
    return _load(Path(config_path or DEFAULT_CONFIG).resolve())


@functools.cache
def _load(path: Path) -> FontSet:
    return FontSet(read_config(path))
