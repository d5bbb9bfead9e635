"""有効期限 and 発効期日 when a record gives none: the derivation rules a scheme file names.

Each rule is implemented once here and chosen by name in a scheme file (`expiry: {card: {rule:
years-from-issue, years: 5}}`), with its parameters as keys beside the name; `EXPIRY_RULES` and
`EFFECTIVE_RULES` (at the end) list them.

The renewal rules come from seed 003 (DOMAIN.md). The seed states the rules for the renewal starting S = 2026-08-01 (period end E = 2027-07-31);
here every threshold is an offset from S, so the same rules serve any renewal year. Status
changes follow the legal age date (the day before the birthday, see `legal_age_date`): 国保
coverage ends the day before the 75th birthday (後期高齢者 starts on it), and the 70–74
一部負担金の割合 starts the month after the month in which the person reaches 70.

The derivation assumes the document is issued for the renewal at S. For a person who is no
longer in the scheme at S (already 75, or already past the end of stay) the result is earlier
than S, and the caller must not print it as a valid document.
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated, Any, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field

from docgen.wareki import anniversary, legal_age_date

_DAY = timedelta(days=1)
_Date = date      # a rule's key `date:` would hide the type inside its class


def renewal_end(renewal_start: date) -> date:
    """E: the last day of the one-year period starting at S (2026-08-01 → 2027-07-31)."""
    return anniversary(renewal_start, 1) - _DAY


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def renewal_year_with_age_limits(birth: date, renewal_start: date, residence_end: date | None = None) -> date:
    """国保 資格確認書 (rule `renewal-year-age-limits`): the earliest date of every row of the seed's
    table that applies.

    - turns 75 on or before E: the day before the 75th birthday.
    - turns 70 (legal age date) on or after S: the last day of the month of the legal age date,
      i.e. the 70th-birthday month, or the month before for people born on the 1st; the card
      without the 70–74 ratio ends there. People legally 70 before S already have the ratio.
    - foreign national (`residence_end` = 在留期間満了日 given): the day after the end of stay.
    - everyone else: E.

    The seed bounds the rows (75 by E, 70 by July 1 of E's year, end of stay by E − 2 days);
    past each bound the row's date is E or later, so taking the earliest candidate with E among
    them gives the seed's dates without repeating the bounds (for S on the 1st of a month). The seed's end-of-stay
    wording is garbled ("在留期間満了日の翌日前の方"); its bound, 2027-07-29 for E = 2027-07-31,
    only fits an expiry on the day after the end of stay (the 国保 資格喪失日): ending on 07-29
    gives 07-30, still before E, while ending on 07-30 gives 07-31 = E, so that person needs
    no row of their own. Were the expiry the end of stay itself, the bound would be 07-30.
    """
    start, end = renewal_start, renewal_end(renewal_start)
    candidates = [end, legal_age_date(birth, 75)]
    turns_70 = legal_age_date(birth, 70)
    if turns_70 >= start:
        candidates.append(_month_end(turns_70))
    if residence_end is not None:
        candidates.append(residence_end + _DAY)
    return min(candidates)


def renewal_year_from_70(birth: date, renewal_start: date) -> date | None:
    """国保 資格情報のお知らせ (rule `renewal-year-from-70`): the day before the 75th birthday if that is on or before E; E for
    people legally 70 or over on S (their ratio is renewed yearly); otherwise none, since an
    under-70 notice stays valid and is not reissued each year."""
    end = renewal_end(renewal_start)
    eve_75 = legal_age_date(birth, 75)
    if eve_75 <= end:
        return eve_75
    if legal_age_date(birth, 70) <= renewal_start:
        return end
    return None


def years_from_issue(birth: date, issue_date: date, years: int = 5) -> date:
    """健康保険 資格確認書 (rule `years-from-issue`): `years` years from issue (at most 5 by rule),
    but no later than the day before the 75th birthday, when coverage moves to 後期高齢者医療."""
    return min(anniversary(issue_date, years) - _DAY, legal_age_date(birth, 75))


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        """The date for a record's typed values; None when the rule gives none for it."""
        raise NotImplementedError


class RenewalYear(Rule):
    """E, the last day of the renewal year that starts on the profile's renewal_start."""

    rule: Literal["renewal-year"]

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        return renewal_end(renewal_start) if v.get("birth_date") else None


class RenewalYearWithAgeLimits(Rule):
    """E, or earlier: the day before the 75th birthday, the end of the month of the legal 70th
    birthday (for those turning 70 in the year), the day after the end of stay (在留期間満了日)."""

    rule: Literal["renewal-year-age-limits"]

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        birth = v.get("birth_date")
        return renewal_year_with_age_limits(birth, renewal_start, v.get("residence_end_date")) if birth else None


class RenewalYearFrom70(Rule):
    """The day before the 75th birthday if in the renewal year; E for people legally 70 or over on
    its first day; none for the others."""

    rule: Literal["renewal-year-from-70"]

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        birth = v.get("birth_date")
        return renewal_year_from_70(birth, renewal_start) if birth else None


class YearsFromIssue(Rule):
    """`years` years from the issue date less a day, no later than the day before the 75th birthday."""

    rule: Literal["years-from-issue"]
    years: int = Field(default=5, ge=1, le=5, description="at most 5 years by rule")

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        birth, issue = v.get("birth_date"), v.get("issue_date")
        return years_from_issue(birth, issue, self.years) if birth and issue else None


class FixedDate(Rule):
    """One date for every document of the issue (e.g. 2029-11-30), no later than the day before
    the 75th birthday."""

    rule: Literal["fixed-date"]
    date: _Date

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        birth = v.get("birth_date")
        return min(self.date, legal_age_date(birth, 75)) if birth else None


class RenewalOrAcquired(Rule):
    """発効期日 of a renewal document: the renewal start, or the later date coverage began."""

    rule: Literal["renewal-or-acquired"]

    def derive(self, v: Mapping[str, Any], renewal_start: date) -> date | None:
        acquired = v.get("acquired_date")
        return max(acquired, renewal_start) if acquired else None


EXPIRY_RULES = (RenewalYear, RenewalYearWithAgeLimits, RenewalYearFrom70, YearsFromIssue, FixedDate)
EFFECTIVE_RULES = (RenewalOrAcquired,)
ExpiryRule = Annotated[Union[EXPIRY_RULES], Field(discriminator="rule")]          # type: ignore[valid-type]
EffectiveRule = Annotated[Union[EFFECTIVE_RULES], Field(discriminator="rule")]    # type: ignore[valid-type]
