"""A family's font followed by its fallbacks: which font draws each part of a text, and how wide."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from reportlab.lib.rl_accel import instanceStringWidthTTF
from reportlab.pdfbase import pdfmetrics

from docgen.fonts.face import Face
from docgen.fonts.sequences import clusters, code_points, is_mark


class MissingGlyphError(ValueError):
    """No font in the chain covers some characters; drawing them would print blank boxes.

    The message lists code points only: the text itself is personal data.
    """

    def __init__(self, families: Sequence[str], missing: Sequence[str]) -> None:
        self.missing = list(missing)
        super().__init__(f"no font in chain {' > '.join(families)} covers "
                         + ", ".join(code_points(seq) for seq in self.missing))


class FontChain:
    """Fonts tried in order for each character or variation sequence; first that covers it wins.

    Fallback fonts are loaded only when a text needs them (IPAmj明朝 is 46 MB). A combining mark
    is covered by no font: ReportLab would draw it after its base with an advance of its own.
    """

    def __init__(self, families: Sequence[str], load: Callable[[str], Face]) -> None:
        self.families = tuple(families)
        self.family = self.families[0]
        self._load = load
        self._primary = load(self.families[0])
        self._font = self._primary.font
        self._loaded: list[Face] = [self._primary]
        self._choice: dict[str, Face | None] = {}
        # what the primary font draws on its own, for the fast path of texts it wholly covers
        self._plain = self._primary.plain
        self.name = self._primary.name
        # ascent of the family's own font as a fraction of the font size, to place baselines
        self.ascent = self._primary.ascent

    def runs(self, text: str) -> list[tuple[str, str]]:
        """Maximal (ReportLab font name, string to draw) runs; raises MissingGlyphError.

        Variation sequences come back as one private-use character each, which the font's
        ToUnicode maps back to the original pair, so the PDF's text still equals the input.
        """
        if self._plain.issuperset(text):
            return [(self.name, text)] if text else []
        runs: list[tuple[str, list[str]]] = []
        missing: dict[str, None] = {}
        for seq in clusters(text):
            face = self._face_for(seq)
            if face is None:
                missing[seq] = None
            elif runs and runs[-1][0] == face.name:
                runs[-1][1].append(face.drawn(seq))
            else:
                runs.append((face.name, [face.drawn(seq)]))
        if missing:
            raise MissingGlyphError(self.families, list(missing))
        return [(name, "".join(parts)) for name, parts in runs]

    def drawn_by(self, text: str) -> dict[str, str | None]:
        """Each character or variation sequence of text, with the family whose font draws it
        (None: no font in the chain covers it)."""
        if self._plain.issuperset(text):
            return dict.fromkeys(text, self.family)
        found = {seq: self._face_for(seq) for seq in clusters(text)}      # loads the fallbacks reached
        family_of = {id(face): family for family, face in zip(self.families, self._loaded)}
        return {seq: family_of[id(face)] if face else None for seq, face in found.items()}

    def width(self, text: str, size: float) -> float:
        """Width in points of text drawn at size: the sum over runs(), as the renderer draws it."""
        if self._plain.issuperset(text):
            # what the font's stringWidth calls, without the Python call in between
            return instanceStringWidthTTF(self._font, text, size)
        return sum(pdfmetrics.stringWidth(s, name, size) for name, s in self.runs(text))

    def missing(self, text: str) -> list[str]:
        """Characters or sequences no font in the chain covers, each once, in order of appearance."""
        if self._plain.issuperset(text):
            return []
        return list(dict.fromkeys(seq for seq in clusters(text) if self._face_for(seq) is None))

    def _face_for(self, seq: str) -> Face | None:
        try:
            return self._choice[seq]
        except KeyError:
            pass
        face = None if any(map(is_mark, seq)) else next((f for f in self._faces() if f.covers(seq)), None)
        self._choice[seq] = face
        return face

    def _faces(self) -> Iterator[Face]:
        """The chain's faces in order, loading each fallback the first time it is reached."""
        for i, family in enumerate(self.families):
            if i == len(self._loaded):
                self._loaded.append(self._load(family))
            yield self._loaded[i]
