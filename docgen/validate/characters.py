"""Characters that must never reach print, and the ones that look odd but belong to a name.

Each check gives (rule, detail) pairs; details name code points and rules, never the text.
"""
from __future__ import annotations

import unicodedata

from docgen.fonts.sequences import code_points, is_mark, is_selector

# Zero-width and joiner characters: invisible on paper, but they change what a clinic's system
# reads back from the text layer, so they are refused rather than silently removed.
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E}
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}
# Alphabetic presentation forms (ﬁ, ﬂ, ...): typesetting ligatures, not characters of a name or an
# address; PDF readers extract them as their letters ("fi"), so the text layer would differ.
_PRESENTATION = range(0xFB00, 0xFB50)
# The two spaces Japanese records use. Any other space (no-break U+00A0, en/em/thin spaces,
# U+202F ...) prints like one of them but reads back as a different character from the text
# layer (ReportLab even subsets U+00A0 as U+0020), so it is refused, not silently replaced.
_SPACES = {" ", "\u3000"}


# Characters seen to pass on their own (every rule but the selector's and the mark's is per
# character): most texts are made of them, and a set test is far cheaper than the loop below in
# bulk runs.
_fine: set[str] = set()


def seen_fine(text: str) -> bool:
    """Whether every character of text passed on its own before: then it breaks no rule, and it
    holds no mark for compose_marks to compose (a mark never passes on its own)."""
    return _fine.issuperset(text)


def character_problems(text: str) -> list[tuple[str, str]]:
    """(rule, detail) for each rule the text breaks, each rule once.

    Rule "text": control, bidi override, zero-width, presentation-form ligature or stray variation
    selector (a selector right
    after a kanji is part of the name, an ideographic variation sequence, and is kept).
    Rule "unusual-space": a space other than U+0020 and U+3000. Rule "combining-mark": a mark
    left over after `compose_marks`, which no font in docgen can draw onto its base.
    """
    if _fine.issuperset(text):
        return []
    broken: list[str] = []
    spaces: dict[str, None] = {}
    marks: dict[str, None] = {}

    def add(rule: str) -> None:
        if rule not in broken:
            broken.append(rule)

    prev = ""
    for ch in text:
        cp = ord(ch)
        if cp in _BIDI:
            add("bidi control character")
        elif cp in _INVISIBLE:
            add("zero-width character")
        elif cp in _PRESENTATION:
            add("presentation-form ligature")
        elif is_selector(cp):
            if not prev or not unicodedata.name(prev, "").startswith("CJK"):
                add("variation selector not after a kanji")
        elif is_mark(ch):
            marks[ch] = None
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"):
            add("control or unassigned character")
        elif unicodedata.category(ch) == "Zs" and ch not in _SPACES:
            spaces[ch] = None
        else:
            _fine.add(ch)
        prev = ch
    problems = [("text", "contains " + ", ".join(broken))] if broken else []
    if spaces:
        problems.append(("unusual-space", f"{code_points(''.join(spaces))}: use a space (U+0020) or an "
                                          "ideographic space (U+3000)"))
    if marks:
        problems.append(("combining-mark", f"{code_points(''.join(marks))} with no precomposed character for "
                                           "the character before it (or with none before it); marks cannot "
                                           "be positioned, so write the composed character"))
    return problems
