"""Fitting text into a box the way Japanese forms do: shrink, then 長体, then wrap with 禁則.

The result is decided before anything is drawn, so text that cannot fit becomes a validation
problem for its record instead of clipped or overflowing print.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START

from docgen.fonts.sequences import clusters

if TYPE_CHECKING:
    from docgen.elements.text_style import TextStyle

_SIZE_STEP = 0.25       # points
_SCALE_STEP = 0.025     # 2.5 % of horizontal scale
_NO_START = set(ALL_CANNOT_START) | {"\u3000"}
_NO_END = set(ALL_CANNOT_END)


class Measures(Protocol):
    def width(self, text: str, size: float) -> float: ...


class DoesNotFit(ValueError):
    """The text needs more room than the element's fit rules allow."""


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    size: float
    scale: float          # horizontal scale, 1.0 = normal, 0.7 = 長体70%
    leading: float        # distance between baselines, points
    font: str | None = None   # the family that sets it when not its style's (a field's whole_value_font)


def _units(paragraph: str, chain: Measures, size: float, max_width: float) -> list[str]:
    """Units a line may not be broken inside: a kanji with its variation selector, or a run of
    ASCII letters/digits (a Latin word or a number, "ALEX", "1205") unless it alone is too wide."""
    units: list[str] = []
    for seq in clusters(paragraph):
        if units and _is_word(seq) and _is_word(units[-1][-1]):
            units[-1] += seq
        else:
            units.append(seq)
    out: list[str] = []
    for unit in units:
        if len(unit) > 1 and _is_word(unit[0]) and chain.width(unit, size) > max_width:
            out.extend(unit)
        else:
            out.append(unit)
    return out


def _is_word(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def break_lines(text: str, chain: Measures, size: float, max_width: float) -> list[str]:
    """Greedy line breaking with 禁則処理: no line starts with 、。」 etc., none ends with 「（ etc.

    Explicit newlines always break. A break is moved back over characters that may not start a
    line, so the pushed-down text keeps its punctuation with the word before it; Latin words and
    numbers move whole, and a line never starts with a space. The chain must cover the text
    (callers refuse text it does not before fitting it).
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        units = _units(paragraph, chain, size, max_width)
        current: list[str] = []
        wrapped = False
        i = 0
        while i < len(units):
            unit = units[i]
            if not current:
                if not (unit.isspace() and wrapped):    # the space at a wrap point is dropped
                    current.append(unit)
                i += 1
                continue
            end = _first_too_wide(units, current, i, chain, size, max_width)
            current += units[i:end]
            if end == len(units):
                break
            i, unit = end, units[end]
            carry: list[str] = [] if unit.isspace() else [unit]
            # keep closing punctuation off the line start, opening brackets off the line end,
            # unless the carried text would then be wider than the line itself
            kept = list(current)
            while carry and len(current) > 1 and (carry[0][0] in _NO_START or current[-1][0] in _NO_END):
                carry.insert(0, current.pop())
            if chain.width("".join(carry), size) > max_width:
                current, carry = kept, [] if unit.isspace() else [unit]
            lines.append("".join(current).rstrip(" \u3000"))
            current = carry
            wrapped = True
            i += 1
        lines.append("".join(current))
    return lines


def _first_too_wide(units: list[str], current: list[str], start: int, chain: Measures, size: float,
                    max_width: float) -> int:
    """The first index from `start` on whose unit, added with those before it to the line
    `current`, makes the line wider than max_width (len(units) if none does).

    What adding units one at a time finds, by bisection: a line's width only grows as units are
    added (advances are not negative, and so are their sums in floating point), and each width is
    taken of the very string the one-at-a-time loop measures, so the answer is the same.
    """
    line = "".join(current)
    lo, hi = start, len(units)
    while lo < hi:
        mid = (lo + hi) // 2
        if chain.width(line + "".join(units[start:mid + 1]), size) > max_width:
            hi = mid
        else:
            lo = mid + 1
    return lo


def fits_width(lines: list[str] | tuple[str, ...], chain: Measures, size: float, max_width: float) -> bool:
    return all(chain.width(line, size) <= max_width + 1e-6 for line in lines)


def fit_text(text: str, chain: Measures, style: TextStyle, w_pt: float, h_pt: float) -> FittedText:
    """Find the largest size, then the widest scale, then the fewest lines that fit the box."""
    fit = style.fit
    single = "\n" not in text
    if single:
        natural = chain.width(text, 1.0)
        if not natural or (h_pt >= style.size and w_pt / natural >= style.size):
            # as designed: one line at the style's size (nothing to draw is as designed too)
            return FittedText((text,), style.size, 1.0, style.size * fit.leading)
    min_size = min(fit.min_size or style.size, style.size)
    forced_lines = text.count("\n") + 1
    if forced_lines > fit.max_lines:
        raise DoesNotFit(f"{forced_lines} lines of text, the element allows {fit.max_lines}")
    size = min(style.size, h_pt / (fit.leading * forced_lines) if forced_lines > 1 else h_pt)
    if single:
        best = min(size, w_pt / natural)
        if best >= min_size:
            # shrunk: a grid step, never below min_size
            chosen = max(_floor(best), min_size)
            return FittedText((text,), chosen, 1.0, chosen * fit.leading)
        if min_size <= size:
            scale = w_pt / (natural * min_size)
            if scale >= fit.min_scale:
                scale = max(_floor(scale, _SCALE_STEP), fit.min_scale)
                return FittedText((text,), min_size, scale, min_size * fit.leading)
    # Wrapped: the largest size at which the lines fit the box's width and height, then the
    # widest scale at the smallest size; at each, as few lines as 禁則 line breaking gives.
    floor = min(fit.wrap_min_size or min_size, min_size)
    first = max(forced_lines, 2 if single else 1)

    def capacity(s: float) -> int:
        """How many lines of size s the box holds, up to max_lines."""
        return min(fit.max_lines, int((h_pt / s - 1.0) / fit.leading + 1 + 1e-9))

    if first <= fit.max_lines:
        top = min(style.size, h_pt / (fit.leading * (first - 1) + 1.0))
        s = top if top == style.size else _floor(top)
        while s >= floor - 1e-9:
            lines = break_lines(text, chain, s, w_pt)
            if len(lines) <= capacity(s) and fits_width(lines, chain, s, w_pt):
                return FittedText(tuple(lines), s, 1.0, s * fit.leading)
            s = _floor(s) if _floor(s) < s else s - _SIZE_STEP
        if capacity(floor) >= first:
            scale = 1.0 - _SCALE_STEP
            while scale >= fit.min_scale - 1e-9:
                lines = break_lines(text, chain, floor, w_pt / scale)
                if len(lines) <= capacity(floor) and fits_width(lines, chain, floor, w_pt / scale):
                    return FittedText(tuple(lines), floor, scale, floor * fit.leading)
                scale -= _SCALE_STEP
    raise DoesNotFit(
        f"text needs more than {fit.max_lines} line(s) at {floor:g} pt and {fit.min_scale:.0%} width"
    )


def _floor(value: float, step: float = _SIZE_STEP) -> float:
    """Round down to the step so that repeated renders give identical sizes."""
    return int(value / step + 1e-9) * step
