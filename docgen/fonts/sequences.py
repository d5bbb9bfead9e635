"""Splitting text into what a font must cover as a unit: a character, or base + variation selector.

A variation selector changes which glyph the base character needs (葛 vs 葛󠄀), so coverage has
to be decided for the pair, never for the base alone. Text is never normalised (no NFC/NFKC):
a compatibility ideograph such as 神 U+FA19 is a different character on file than 神 U+795E.
"""
from __future__ import annotations

from collections.abc import Iterator


def is_selector(cp: int) -> bool:
    """Standardized (U+FE00..FE0F) or ideographic (U+E0100..E01EF) variation selector."""
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def clusters(text: str) -> Iterator[str]:
    """Yield single characters and base+selector pairs; a selector with no base stays alone."""
    i, n = 0, len(text)
    while i < n:
        if i + 1 < n and is_selector(ord(text[i + 1])) and not is_selector(ord(text[i])):
            yield text[i:i + 2]
            i += 2
        else:
            yield text[i]
            i += 1


def code_points(seq: str) -> str:
    """'U+845B U+E0100': how a sequence appears in messages, which must not carry the text itself."""
    return " ".join(f"U+{ord(c):04X}" for c in seq)
