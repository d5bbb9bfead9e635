"""Machine-read payloads: a field value must never contain the characters its payload is split on.

A clinic's reader splits the QR code's text on the template's separators ("," in the default
`{insurer.insurer_number},{kigo},{bango},{edaban}`). A 記号 `40010203,999` would make the reader
see a different 番号 and 枝番: another person's numbers. The separators are taken from the
template actually in use (an insurer profile's `qr_payload` overrides the layout's), so a profile
with another separator is covered too. Which templates those are, the job asks the layout's
elements (`Element.payloads`) and gives them here as plain data.

The customer barcode needs no such rule: its data is the postal code (seven digits) and the
numbers that Japan Post's rules read out of the address, not the address text itself.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from docgen.template import Template
from docgen.validate.problems import Problem


def delimiter_problems(payloads: Sequence[Template], values: Mapping[str, Any], row: int | None,
                       record_id: str | None) -> list[Problem]:
    """One problem per record field whose text in a payload holds one of that payload's separators."""
    problems: dict[str, Problem] = {}
    for template in payloads:
        if not template.delimiters:
            continue
        separators = frozenset(template.delimiters)
        for field, text in template.slot_texts(values):
            if field not in problems and not separators.isdisjoint(text):
                shown = " ".join(f"'{ch}'" if ch.isprintable() else f"U+{ord(ch):04X}" for ch in template.delimiters)
                problems[field] = Problem(row, record_id, field, "payload-delimiter",
                                          f"goes into the QR code, whose fields are separated by {shown}; "
                                          "the value must not contain them")
    return list(problems.values())
