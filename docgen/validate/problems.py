"""A problem found in a record: where, which field, which rule. Never the value itself.

Records hold personal data protected by law (names, addresses, insurance numbers), so a message
may name the row, the record's 管理番号, the field and the rule, and nothing taken from a value.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    row: int | None          # data row (CSV) or line (JSONL) in the input file
    record_id: str | None    # 管理番号: an internal key, not personal data
    field: str               # field name, or the layout element id for fitting problems
    rule: str                # short rule name, stable for scripts: "date", "check-digit", ...
    detail: str = ""         # explanation of the rule; must not contain the value

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row is not None else "record"
        rid = f" [{self.record_id}]" if self.record_id else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{where}{rid}: field {self.field}: {self.rule}{detail}"

