"""Shared by the hostile-input tests: the committed corpus, a valid record per layout, and the
verdict every value must get (printed exactly, or rejected by name without showing it)."""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from docgen.fields import FieldDictionary, Kind
from docgen.layout.loader import available_layouts, load_layout
from docgen.paths import SAMPLES
from docgen.pipeline import Outcome, open_job
from docgen.records import read_records

DATA = Path(__file__).parent / "data"
LAYOUTS = tuple(available_layouts())
SAMPLE_DATA = {"kokuho": "kokuho.csv", "kouki": "kouki.jsonl", "kenpo": "kenpo.csv", "kyosai": "kyosai.csv",
               "elderly": "elderly.csv"}
# the sample record a scheme's layouts start from when not the first: kyosai-card prints the
# 組合員氏名 on a dependent's (家族) card only
BASE_RECORD = {"kyosai": "S0002"}
# every rule a record can be rejected by (validate/ and the element kinds); a new one is added here
RULES = {"row-shape", "date", "flag", "digits", "choice", "text", "characters", "unusual-space", "combining-mark",
         "required", "check-digit", "payload-delimiter", "date-order", "ratio-70-74", "duplicate-id",
         "ends-at-75", "expiry-in-renewal-year", "residence-end", "special-care-child", "kouki-age",
         "expiry-max-years", "glyph-coverage", "fits-box", "qr-payload"}


def corpus() -> list[str]:
    """The Big List of Naughty Strings (tests/data/blns, MIT) and docgen's own Japanese ones."""
    blns = json.loads((DATA / "blns" / "blns.json").read_text(encoding="utf-8"))
    ja = [entry["text"] for entry in json.loads((DATA / "hostile-ja.json").read_text(encoding="utf-8"))]
    return blns + ja


@lru_cache(maxsize=None)
def base_record(layout: str) -> dict[str, str]:
    """A sample record of the layout's scheme (the first, or BASE_RECORD's): valid, so any problem is the
    tested value's."""
    model = load_layout(layout).model
    scheme = model.scheme
    # a document of its own kind (the 高齢受給者証) has sample data of its own
    own = SAMPLE_DATA.get(model.document)
    records = read_records(SAMPLES / (own or SAMPLE_DATA[scheme]))
    src = next(r for r in records if own or BASE_RECORD.get(scheme) in (None, r.fields.get("record_id")))
    return {k: v for k, v in src.fields.items() if v is not None}


@lru_cache(maxsize=None)
def job_fields(layout: str) -> FieldDictionary:
    """The fields the layout's records are read and checked with (its scheme's, its own, its profile's)."""
    return open_job(layout).fields


@lru_cache(maxsize=None)
def text_fields(layout: str) -> tuple[str, ...]:
    """Every text field the layout requires or prints."""
    resolved = load_layout(layout)
    names = set(resolved.model.requires)
    for page in resolved.pages:
        for el in page.elements:
            names.update(el.names())
    fields = job_fields(layout)
    return tuple(sorted(n for n in names if n in fields and fields[n].kind is Kind.TEXT))


@lru_cache(maxsize=None)
def printed_fields(layout: str) -> frozenset[str]:
    return frozenset(f for page in load_layout(layout).pages for el in page.elements for f in el.names())


def check_rejection(outcome: Outcome, layout: str, row: int, field: str, value: str) -> None:
    """Rejected by name (row, field, rule), with a message that shows nothing of a personal value
    (a valid 管理番号, say, is shown: it is how a clerk finds the record)."""
    assert outcome.problems, "rejected without a problem"
    for p in outcome.problems:
        message = str(p)
        message.encode("utf-8")  # printable on any terminal: no lone surrogate from the value
        assert p.row == row and p.field and p.rule in RULES, message
        # every value within its field's limit fits every built-in layout (issue 8, defect 9)
        assert p.rule != "fits-box", message
        if job_fields(layout)[field].personal and len(value.strip()) >= 6:
            assert value not in message, f"message shows the value: {message!r}"


def expected_text(value: str) -> str:
    """What an accepted value prints (README, Input data): nothing for a blank value; otherwise the
    value with each base + combining marks that NFC makes one character replaced by it, the base
    unchanged by NFC itself. Written here independently of docgen.fonts.sequences, as an oracle."""
    if value.isspace():
        return ""

    def compose(match: re.Match[str]) -> str:
        composed = unicodedata.normalize("NFC", match[0])
        return composed if len(composed) == 1 and unicodedata.normalize("NFC", match[1]) == match[1] else match[0]

    return _CLUSTER.sub(compose, value)


_MARK = "".join(f"{re.escape(chr(cp))}" for cp in range(0x110000)
                if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me")
                and not (0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF))
_CLUSTER = re.compile(f"([^{_MARK}])[{_MARK}]+")
