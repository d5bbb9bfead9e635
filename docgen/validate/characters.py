"""Characters that must never reach print, and the ones that look odd but belong to a name."""
from __future__ import annotations

import unicodedata

from docgen.fonts.sequences import is_selector

# Zero-width and joiner characters: invisible on paper, but they change what a clinic's system
# reads back from the text layer, so they are refused rather than silently removed.
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E}
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}


# Characters seen to pass on their own (every rule but the selector's is per character): most
# texts are made of them, and a set test is far cheaper than the loop below in bulk runs.
_fine: set[str] = set()


def forbidden_characters(text: str) -> list[str]:
    """Rule names broken by the text (each once): control, bidi override, zero-width, stray selector.

    A variation selector right after a kanji is part of the name (an ideographic variation
    sequence) and is kept; one at the start or after anything else is an error.
    """
    if _fine.issuperset(text):
        return []
    broken: list[str] = []

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
        elif is_selector(cp):
            if not prev or not unicodedata.name(prev, "").startswith("CJK"):
                add("variation selector not after a kanji")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp"):
            add("control or unassigned character")
        else:
            _fine.add(ch)
        prev = ch
    return broken
