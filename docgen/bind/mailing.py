"""What an envelope window shows: the 送付先 when a record gives one, else the 住所.

A DV victim's, a care-home resident's or a student's mail goes to another address than the one
the card and the notice's table print (seed 000 ④, seed 001). The window's postal code, address,
building line, 宛名 line and customer barcode come from here, as the binder's `window_*` values,
so a layout never mixes the 住所's building with the 送付先's street.
"""
from __future__ import annotations

from typing import Any, Mapping

from docgen.validate.given import MAIL_FIELDS


# the record field a problem names for each window value: the 住所's (the 送付先's stands in for it)
WINDOW_SOURCES = {"window_" + mail.removeprefix("mail_"): home or mail for mail, home in MAIL_FIELDS.items()}


def window_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """window_postal_code, window_address, window_building, window_care_of: the 送付先's when it
    has an address, else the 住所's (an absent value stays absent)."""
    mailed = "mail_address" in values
    out = {}
    for mail, home in MAIL_FIELDS.items():
        value = values.get(mail) if mailed else (values.get(home) if home else None)
        if value is not None:
            out["window_" + mail.removeprefix("mail_")] = value
    return out
