"""Domain checks a scheme file names under `checks:`, each implemented once here and chosen by name
with its parameters as keys beside it (`{check: ratio-70-74, ratios: ["2", "3"]}`).

A check sees a record's typed values, with 有効期限 and 発効期日 already derived where the record
gave none, so a given date and a derived one are held to the same rule; it reports through
`problem(field, rule, detail)` and, like every record rule, names the field and the rule, never a
value (a date of birth, or a date worked out from one, is personal data). docs/rules.md lists
every check with its source and its test.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any, Callable, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field

from docgen.expiry import Timeline, school_age_end
from docgen.fields import FieldDictionary
from docgen.wareki import age_on, anniversary, format_wareki

Report = Callable[..., None]


@dataclass(frozen=True)
class Facts:
    """What a check may need besides the values: the document's timeline (None when the rules
    were set up without a renewal start), the scheme's title, the fields, and which values the
    scheme's rules derived rather than the record gave."""

    timeline: Timeline | None
    title: str
    fields: FieldDictionary
    derived: frozenset[str] = frozenset()

    def given(self, name: str) -> str:
        """How a message names a date: given in the data, or derived (the data should give it)."""
        return "derived" if name in self.derived else "given"


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    def fields_named(self) -> tuple[str, ...]:
        """The record fields the check refers to (checked against the dictionary on load)."""
        return ()

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        raise NotImplementedError


class Ratio7074(_Check):
    """一部負担金の割合 of people aged 70–74 (高齢受給者, from Q, the first of the month after reaching
    70, to the day before the 75th birthday): stated by everyone who is one on the day the document
    becomes valid (`required`), only ever one of `ratios`, only for someone who is one before the
    document expires, and never in force before Q."""

    check: Literal["ratio-70-74"]
    ratios: tuple[str, ...] = ("2", "3")
    required: bool = True

    def fields_named(self) -> tuple[str, ...]:
        return ("copay_ratio", "birth_date", "ratio_effective_date")

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t, ratio = facts.timeline, v.get("copay_ratio")
        if t is None or t.birth is None:
            return
        field = facts.fields["copay_ratio"]
        if ratio is None:
            if self.required and t.elderly_on(t.valid_from):
                problem("copay_ratio", self.check, f"{facts.title} 高齢受給者 (70–74, from the month after reaching "
                                                   f"70) must state {field.label} ({' or '.join(self.ratios)})")
            return
        if ratio not in self.ratios:
            never = [c for c in field.choices if c not in self.ratios]
            problem("copay_ratio", self.check, f"{facts.title} states {' or '.join(r + '割' for r in self.ratios)} "
                                               f"for ages 70–74, never {' or '.join(r + '割' for r in never)}")
        # the ratio is set for one renewal year at a time (from each August 1), so it is known only
        # for someone who is 高齢受給者 before the document, or that year, ends
        last = min(v.get("expiry_date") or t.period_end, t.period_end)
        if t.elderly_start > last:                                        # type: ignore[operator]
            problem("copay_ratio", self.check, f"{field.label} is stated only for 高齢受給者 (70–74, from the month "
                                               "after reaching 70), and this person is not one before the "
                                               "document or its renewal year ends")
        effective = v.get("ratio_effective_date")
        if effective is not None and effective < t.elderly_start:         # type: ignore[operator]
            problem("ratio_effective_date", self.check,
                    f"{facts.given('ratio_effective_date')} 発効期日 of the 70–74 ratio is before the first of the "
                    "month after the person reaches 70")


class EndsAt75(_Check):
    """Cover in every scheme but 後期高齢者医療 ends the day before the 75th birthday (後期高齢者医療 from the
    birthday, 高齢者の医療の確保に関する法律 50条): no document for someone 75 on the day it becomes
    valid, and no 有効期限 after the day before the 75th birthday."""

    check: Literal["ends-at-75"]

    def fields_named(self) -> tuple[str, ...]:
        return ("birth_date", "expiry_date")

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t = facts.timeline
        if t is None or t.eve_75 is None:
            return
        if t.valid_from > t.eve_75:
            problem("birth_date", self.check, f"{facts.title} cover ends the day before the 75th birthday; this "
                                              "person is 75 or over on the day the document becomes valid "
                                              "(後期高齢者医療)")
        elif v.get("expiry_date") and v["expiry_date"] > t.eve_75:
            problem("expiry_date", self.check, f"{facts.given('expiry_date')} 有効期限 is after the day before the "
                                               f"75th birthday, when {facts.title} cover ends")


class Kouki75(_Check):
    """後期高齢者医療 covers people from their 75th birthday, and people from `disabled_age` (65)
    whom the 広域連合 certified as disabled (障害認定, seed 000 ②): checked on 資格取得年月日."""

    check: Literal["kouki-age"]
    age: int = 75
    disabled_age: int = 65
    certified: str = Field(default="disability_certified", description="the flag field of 障害認定")

    def fields_named(self) -> tuple[str, ...]:
        return ("birth_date", "acquired_date", self.certified)

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t = facts.timeline
        birth = v.get("birth_date")
        if birth is None or t is None:
            return
        day = v.get("acquired_date") or t.valid_from
        age = age_on(birth, day)
        if age >= self.age:
            return
        if not v.get(self.certified):
            problem(self.certified, self.check, f"{facts.title} before the {self.age}th birthday needs 障害認定 "
                                                f"(ages {self.disabled_age}–{self.age - 1}) on 資格取得年月日")
        elif age < self.disabled_age:
            problem("birth_date", self.check, f"{facts.title} by 障害認定 starts at {self.disabled_age}; this person "
                                              f"is younger on 資格取得年月日")


class ExpiryMaxYears(_Check):
    """Employees' schemes: 有効期限 at most `years` years from 交付年月日 (the 資格確認書 rule: at most
    5 years)."""

    check: Literal["expiry-max-years"]
    years: int = Field(default=5, ge=1, le=5)

    def fields_named(self) -> tuple[str, ...]:
        return ("expiry_date", "issue_date")

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        issue, expiry = v.get("issue_date"), v.get("expiry_date")
        if issue and expiry and expiry > anniversary(issue, self.years) - timedelta(days=1):
            problem("expiry_date", self.check, f"{facts.given('expiry_date')} 有効期限 is more than {self.years} "
                                               "years after 交付年月日")


class ExpiryInRenewalYear(_Check):
    """国保, 後期高齢者医療 renew every year: 有効期限 no later than the last day of the renewal year
    that holds the day the document becomes valid (7月31日 for an August renewal)."""

    check: Literal["expiry-in-renewal-year"]

    def fields_named(self) -> tuple[str, ...]:
        return ("expiry_date",)

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t, expiry = facts.timeline, v.get("expiry_date")
        if t is not None and expiry and expiry > t.period_end:
            problem("expiry_date", self.check, f"{facts.given('expiry_date')} 有効期限 is after the end of the renewal "
                                               f"year ({format_wareki(t.period_end)}); {facts.title} documents "
                                               "are renewed every year")


class SpecialCareChild(_Check):
    """特別療養費 is never marked on the documents of a child up to 高校生世代 (seed 003: 「ただし、
    高校生世代以下の子には通常の資格情報のお知らせまたは資格確認書が交付されます」)."""

    check: Literal["special-care-child"]

    def fields_named(self) -> tuple[str, ...]:
        return ("special_care", "birth_date")

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t = facts.timeline
        if v.get("special_care") and t is not None and t.birth and t.valid_from <= school_age_end(t.birth):
            problem("special_care", self.check, "children up to 高校生世代 (until the 31 March after reaching 18) get "
                                                "normal documents, never 特別療養費")


class ResidenceEnd(_Check):
    """Foreign nationals (在留期間満了日 given): cover in a residence-based scheme ends with the stay
    (seed 003), so no document once the stay has ended, and no 有効期限 after the day after it."""

    check: Literal["residence-end"]

    def fields_named(self) -> tuple[str, ...]:
        return ("residence_end_date", "expiry_date")

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t, end = facts.timeline, v.get("residence_end_date")
        if t is None or end is None:
            return
        if end < t.valid_from:
            problem("residence_end_date", self.check, "the period of stay ends before the day the document becomes "
                                                      "valid")
        elif v.get("expiry_date") and v["expiry_date"] > end + timedelta(days=1):
            problem("expiry_date", self.check, f"{facts.given('expiry_date')} 有効期限 is after the day after "
                                               "在留期間満了日")


class RenewalWindow(_Check):
    """A document of the yearly renewal issued more than `months` before the renewal start is not
    part of it: its dates would be the next year's (a counter issue in March with the profile
    already set to August). Refused, so the run names the renewal year it means (`--renewal`)."""

    check: Literal["renewal-window"]
    months: int = Field(default=3, ge=1, le=11)

    def fields_named(self) -> tuple[str, ...]:
        return ("issue_date",)

    def run(self, v: Mapping[str, Any], facts: Facts, problem: Report) -> None:
        t, issue = facts.timeline, v.get("issue_date")
        if t is None or t.renewal_start is None or issue is None:
            return
        start = t.renewal_start
        month = start.year * 12 + start.month - 1 - self.months
        earliest = date(month // 12, month % 12 + 1, min(start.day, 28))
        if issue < earliest:
            problem("issue_date", self.check, f"交付年月日 is more than {self.months} months before the renewal start "
                                              f"{format_wareki(start)}, so the document would carry that renewal "
                                              "year's dates; give --renewal with the start of the renewal year it "
                                              "belongs to")


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


CHECKS = (Ratio7074, EndsAt75, Kouki75, ExpiryMaxYears, ExpiryInRenewalYear, SpecialCareChild, ResidenceEnd,
          RenewalWindow, RequiredWhen)
Check = Annotated[Union[CHECKS], Field(discriminator="check")]     # type: ignore[valid-type]
