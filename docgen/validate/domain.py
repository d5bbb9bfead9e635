"""Domain checks a scheme file names under `checks:`, each implemented once here and chosen by name
with its parameters as keys beside it (`{check: ratio-70-74, ratios: ["2", "3"]}`).

A check sees a record's typed values and reports through `problem(field, rule, detail)`; like
every record rule it names the field and the rule, never a value.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Callable, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field

from docgen.fields import FieldDictionary
from docgen.wareki import age_on

Report = Callable[..., None]


@dataclass(frozen=True)
class Facts:
    """What a check may need besides the values: the day the document starts to be valid (the
    later of the issue date and the renewal start), the scheme's title and the fields."""

    valid_from: date | None
    title: str
    fields: FieldDictionary


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    def fields_named(self) -> tuple[str, ...]:
        """The record fields the check refers to (checked against the dictionary on load)."""
        return ()

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        raise NotImplementedError


class Ratio7074(_Check):
    """一部負担金の割合 of people aged 70–74 on the first day of validity: stated by all of them
    (`required`), and only ever one of `ratios`."""

    check: Literal["ratio-70-74"]
    ratios: tuple[str, ...] = ("2", "3")
    required: bool = True

    def fields_named(self) -> tuple[str, ...]:
        return ("copay_ratio", "birth_date")

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        birth, ratio = v.get("birth_date"), v.get("copay_ratio")
        if birth is None or facts.valid_from is None:
            return
        field = facts.fields["copay_ratio"]
        in_range = 70 <= age_on(birth, facts.valid_from) <= 74
        if in_range and self.required and ratio is None:
            problem("copay_ratio", self.check, f"{facts.title} ages 70–74 must state {field.label} "
                                               f"({' or '.join(self.ratios)})")
        if ratio is not None and ratio not in self.ratios:
            never = [c for c in field.choices if c not in self.ratios]
            problem("copay_ratio", self.check, f"{facts.title} states {' or '.join(r + '割' for r in self.ratios)}, "
                                               f"never {' or '.join(r + '割' for r in never)}")


class RequiredWhen(_Check):
    """`requires` must be given when `field` equals `equals` (a dependent's card names the insured
    person); `reason` says why, in the scheme's words."""

    check: Literal["required-when"]
    field: str
    equals: str
    requires: str
    reason: str

    def fields_named(self) -> tuple[str, ...]:
        return (self.field, self.requires)

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        if v.get(self.field) == self.equals and self.requires not in v:
            problem(self.requires, "required", self.reason)


CHECKS = (Ratio7074, RequiredWhen)
Check = Annotated[Union[CHECKS], Field(discriminator="check")]     # type: ignore[valid-type]
