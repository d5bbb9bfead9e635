"""Rules on what a record gives for one layout, beyond each value's own format: a value the layout
does not print is a warning (never silently dropped), and a 送付先 is given whole.

A warning names the row, the field and the rule, never the value, like every problem.
"""
from __future__ import annotations

from typing import Any, Collection, Mapping

from docgen.fields import FieldDictionary
from docgen.validate.problems import Problem

# the 送付先's fields, each with the 住所's field it stands in for in an envelope window (None: the
# 住所 has none)
MAIL_FIELDS: dict[str, str | None] = {"mail_postal_code": "postal_code", "mail_address": "address",
                                      "mail_building": "building", "mail_care_of": None}
# the record fields each value the binder derives is made from: a layout printing the value uses them
DERIVED_FROM: dict[str, frozenset[str]] = {
    **{"window_" + mail.removeprefix("mail_"): frozenset({mail, *(home for home in MAIL_FIELDS.values() if home)})
       | frozenset(MAIL_FIELDS) for mail in MAIL_FIELDS},
    "relationship_label": frozenset({"relationship"}),
    "age": frozenset({"birth_date", "issue_date"}),
}


def mailing_problems(values: Mapping[str, Any], row: int | None, record_id: str | None) -> list[Problem]:
    """A 送付先 is given whole: its address with its postal code, and nothing of it without its
    address (else a window would put the 送付先's building under the 住所's street)."""
    if "mail_address" in values:
        if "mail_postal_code" in values:
            return []
        return [Problem(row, record_id, "mail_postal_code", "mail-address", "a 送付先住所 needs its 送付先郵便番号")]
    return [Problem(row, record_id, name, "mail-address", "given without 送付先住所 (the window would mix the "
                                                         "送付先 with the 住所)")
            for name in MAIL_FIELDS if name in values]


def sources(names: Collection[str]) -> set[str]:
    """The record fields that `names` (fields a layout prints, and values the binder derives) use."""
    return {*names, *(source for name in names for source in DERIVED_FROM.get(name, ()))}


def not_printed(values: Mapping[str, Any], taken: Collection[str], fields: FieldDictionary, layout: str,
                row: int | None, record_id: str | None) -> list[Problem]:
    """Warnings (rule `not-printed`) for the values given that `layout` neither prints nor uses
    (`taken`: what it prints, requires, derives or checks, and the fields of other documents)."""
    return [Problem(row, record_id, name, "not-printed", f"{layout} does not print {fields[name].label}: "
                                                         "the value is not used")
            for name in values if name not in taken and name in fields]
