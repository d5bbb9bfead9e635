"""Splitting text into what a font must cover as a unit, and composing base + combining marks.

A variation selector changes which glyph the base character needs (葛 vs 葛󠄀), so coverage has
to be decided for the pair, never for the base alone. A combining mark (か + U+3099 from an NFD
export, e + U+0301) belongs to the character before it; ReportLab places every glyph after the
previous one and positions no marks, so such a cluster can only print correctly as the one
precomposed character Unicode has for it (が, é). `compose_marks` makes exactly that change,
cluster by cluster; nothing else is normalised (no NFC/NFKC of whole strings): a compatibility
ideograph such as 神 U+FA19 is a different character on file than 神 U+795E.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator

_MARKS = ("Mn", "Mc", "Me")


def is_selector(cp: int) -> bool:
    """Standardized (U+FE00..FE0F) or ideographic (U+E0100..E01EF) variation selector."""
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def is_mark(ch: str) -> bool:
    """A combining mark (drawn onto the character before it), other than a variation selector."""
    return unicodedata.category(ch) in _MARKS and not is_selector(ord(ch))


# Characters seen that are neither a selector nor a mark, so each is a cluster of its own: most
# texts are made of them only, and a set test is far cheaper than the loop below in bulk runs.
_plain: set[str] = set()


def clusters(text: str) -> Iterator[str]:
    """Yield each character with the variation selector and combining marks that follow it.

    A selector or mark with no character before it (at the start, or after a selector that
    already has its base) stays a cluster of its own.
    """
    if _plain.issuperset(text):
        yield from text
        return
    _plain.update(ch for ch in text if not is_selector(ord(ch)) and not is_mark(ch))
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if not is_selector(ord(text[i])) and not is_mark(text[i]):
            if j < n and is_selector(ord(text[j])):
                j += 1
            while j < n and is_mark(text[j]):
                j += 1
        yield text[i:j]
        i = j


def compose_marks(text: str) -> str:
    """Each base + combining marks that Unicode composes into one character, replaced by it.

    Only such clusters change, and only when the base itself is its own canonical form (so 神
    U+FA19 + a mark is left alone); marks that do not compose stay, for validation to refuse.
    """
    if _plain.issuperset(text):
        return text
    out: list[str] = []
    for seq in clusters(text):
        if len(seq) > 1 and is_mark(seq[-1]):
            composed = unicodedata.normalize("NFC", seq)
            if len(composed) == 1 and unicodedata.normalize("NFC", seq[0]) == seq[0]:
                seq = composed
        out.append(seq)
    return "".join(out)


def code_points(seq: str) -> str:
    """'U+845B U+E0100': how a sequence appears in messages, which must not carry the text itself."""
    return " ".join(f"U+{ord(c):04X}" for c in seq)
