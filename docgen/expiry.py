"""When a document is valid: the dates every rule about it starts from, and the rules that derive
有効期限 and 発効期日 when a record gives none.

One place for card and notice alike, for the yearly renewal and for a document issued on any other
day (a new member, a reissue, a person reaching 70, a ratio change: seed 001 sends the お知らせ
「新規資格取得時や負担割合変更時」, so every month). `timeline` works out, once per record:

- V, the day the document becomes valid. A document of a yearly renewal (its scheme's 有効期限
  rule for it is a renewal-year one) is valid from the later of 交付年月日 and the renewal start S:
  one issued before S belongs to the renewal mailing for S (`--renewal` sets S for a run, else
  the profile's renewal_start). A document valid for years from its issue is valid from 交付年月日;
- the renewal year that holds V, P to E (2026-08-01 to 2027-07-31): a card issued on 2026-10-25
  belongs to the year that began on 2026-08-01, whatever year the profile's renewal_start names;
- Q, the first day of the 70–74 ratio (高齢受給者): the first of the month after the month in which
  the person legally reaches 70 (the day before the 70th birthday, so people born on the 1st start
  in their birthday month);
- the day before the 75th birthday, the last day of cover in every scheme but 後期高齢者医療
  (which starts on the birthday).

The derivation rules are implemented once here and chosen by name in a scheme file (`expiry: {card:
{rule: years-from-issue, years: 5}}`), with their parameters as keys beside the name; the checks
that hold given and derived dates to the same rules are in docgen.validate.domain. docs/rules.md
lists every rule with its source and its test.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from functools import cached_property, lru_cache
from datetime import date, timedelta
from typing import Annotated, Any, ClassVar, Literal, Mapping, Union

from pydantic import BaseModel, ConfigDict, Field

from docgen.wareki import age_on, anniversary, legal_age_date

_DAY = timedelta(days=1)
_Date = date      # a rule's key `date:` would hide the type inside its class


def renewal_end(renewal_start: date) -> date:
    """E: the last day of the one-year period starting at S (2026-08-01 → 2027-07-31)."""
    return anniversary(renewal_start, 1) - _DAY


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def elderly_start(birth: date) -> date:
    """Q: the first day of the 70–74 一部負担金の割合 (高齢受給者), 「70歳に達する日の属する月の翌月」:
    the month after the legal 70th birthday; born on the 1st, the birthday month itself."""
    return _month_end(legal_age_date(birth, 70)) + _DAY


def school_age_end(birth: date) -> date:
    """The last day of 高校生世代: the first 31 March on or after the day the person legally
    reaches 18 (「18歳に達する日以後の最初の3月31日」)."""
    reached = legal_age_date(birth, 18)
    march = date(reached.year, 3, 31)
    return march if reached <= march else date(reached.year + 1, 3, 31)


@dataclass(frozen=True)
class Timeline:
    """The dates that decide one document's 有効期限, 発効期日 and the checks on them."""

    valid_from: date                  # V
    period_start: date                # P: the renewal year that holds V
    period_end: date                  # E
    birth: date | None = None
    renewal_start: date | None = None  # S, for a document of the yearly renewal (None: valid from its issue)

    @cached_property
    def elderly_start(self) -> date | None:
        """Q (see elderly_start)."""
        return elderly_start(self.birth) if self.birth else None

    @cached_property
    def eve_75(self) -> date | None:
        """The day before the 75th birthday: the last day before 後期高齢者医療."""
        return legal_age_date(self.birth, 75) if self.birth else None

    def elderly_on(self, day: date) -> bool:
        """Whether the 70–74 ratio applies on a day: from Q up to the day before the 75th birthday."""
        return self.birth is not None and self.elderly_start <= day <= self.eve_75   # type: ignore[operator]


def timeline(values: Mapping[str, Any], renewal_start: date, from_renewal: bool = True) -> Timeline:
    """The timeline of a record's document: V from its 交付年月日 (S when it has none), no earlier
    than S for a document of the yearly renewal (`from_renewal`)."""
    issue = values.get("issue_date") or renewal_start
    valid_from = max(issue, renewal_start) if from_renewal else issue
    start, end = _renewal_year(renewal_start, valid_from)
    return Timeline(valid_from, start, end, values.get("birth_date"), renewal_start if from_renewal else None)


@lru_cache(maxsize=1024)
def _renewal_year(renewal_start: date, day: date) -> tuple[date, date]:
    """P and E of the renewal year that holds a day (a batch has few issue dates: kept)."""
    start = anniversary(renewal_start, age_on(renewal_start, day))    # whole years from S (negative before S)
    return start, renewal_end(start)


def _earliest(*candidates: date | None) -> date | None:
    known = [d for d in candidates if d is not None]
    return min(known) if known else None


def _stay_limit(v: Mapping[str, Any], on: bool) -> date | None:
    """The day after the end of stay (在留期間満了日), when the rule follows it. Seed 003's bound,
    2027-07-29 for E = 2027-07-31, only fits an expiry on the day after the end of stay (the 国保
    資格喪失日): ending on 07-29 gives 07-30, still before E; ending on 07-30 gives E itself."""
    end = v.get("residence_end_date") if on else None
    return end + _DAY if end else None


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    # whether the rule's documents are issued for the yearly renewal (valid from S at the earliest)
    from_renewal: ClassVar[bool] = True

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        """The date for a record's typed values; None when the rule gives none for it."""
        raise NotImplementedError


class RenewalYear(Rule):
    """E, the last day of the renewal year that holds V; with `ends_at_75` no later than the day
    before the 75th birthday; with `residence` no later than the day after the end of stay."""

    rule: Literal["renewal-year"]
    ends_at_75: bool = Field(default=False, description="cover ends the day before the 75th birthday")
    residence: bool = Field(default=False, description="cover ends the day after 在留期間満了日")

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        if t.birth is None:
            return None
        return _earliest(t.period_end, t.eve_75 if self.ends_at_75 else None, _stay_limit(v, self.residence))


class RenewalYearWithAgeLimits(Rule):
    """国保 資格確認書 (seed 003's card table), for any V: the earliest of E, the day before the 75th
    birthday, the day after the end of stay and, on a card that states no 70–74 ratio, the day
    before Q when Q falls after V: 「70歳の誕生日の月末(1日生まれは前月末)」. A card that states the
    ratio (issued from the month the person reaches 70) runs to E with the ratio's 発効期日 Q."""

    rule: Literal["renewal-year-age-limits"]

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        if t.birth is None:
            return None
        turning_70 = None
        if "copay_ratio" not in v and t.elderly_start > t.valid_from:      # type: ignore[operator]
            turning_70 = t.elderly_start - _DAY                             # type: ignore[operator]
        return _earliest(t.period_end, t.eve_75, turning_70, _stay_limit(v, True))


class RenewalYearFrom70(Rule):
    """国保 資格情報のお知らせ (seed 003's notice table), for any V: E when the notice states the
    70–74 ratio (「70歳以上の負担割合が記載される方は毎年8月に更新」), the day before the 75th
    birthday or the day after the end of stay when either comes first; none for the others (an
    under-70 notice stays valid and is not reissued each year)."""

    rule: Literal["renewal-year-from-70"]

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        if t.birth is None:
            return None
        limits = [d for d in (t.eve_75, _stay_limit(v, True)) if d is not None and d <= t.period_end]
        return _earliest(t.period_end if "copay_ratio" in v else None, *limits)


class YearsFromIssue(Rule):
    """Employees' schemes: `years` years from the issue date less a day (at most 5 by rule), no later
    than the day before the 75th birthday, when cover moves to 後期高齢者医療."""

    rule: Literal["years-from-issue"]
    from_renewal: ClassVar[bool] = False
    years: int = Field(default=5, ge=1, le=5, description="at most 5 years by rule")

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        issue = v.get("issue_date")
        if t.birth is None or issue is None:
            return None
        return min(anniversary(issue, self.years) - _DAY, t.eve_75)        # type: ignore[type-var]


class FixedDate(Rule):
    """One date for every document of the issue (e.g. 2029-11-30), no later than the day before
    the 75th birthday."""

    rule: Literal["fixed-date"]
    from_renewal: ClassVar[bool] = False
    date: _Date

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        return min(self.date, t.eve_75) if t.birth else None               # type: ignore[type-var]


class RenewalOrAcquired(Rule):
    """発効期日: the first day of the renewal year that holds V, or the later day cover began; with
    `ratio_from_70`, on a document that states the 70–74 ratio, no earlier than Q (the ratio of
    someone reaching 70 takes effect the month after)."""

    rule: Literal["renewal-or-acquired"]
    ratio_from_70: bool = Field(default=False, description="a stated ratio takes effect on Q at the earliest")

    def derive(self, v: Mapping[str, Any], t: Timeline) -> date | None:
        acquired = v.get("acquired_date")
        if acquired is None:
            return None
        from_70 = t.elderly_start if self.ratio_from_70 and "copay_ratio" in v and t.birth else None
        return max(d for d in (acquired, t.period_start, from_70) if d is not None)


EXPIRY_RULES = (RenewalYear, RenewalYearWithAgeLimits, RenewalYearFrom70, YearsFromIssue, FixedDate)
EFFECTIVE_RULES = (RenewalOrAcquired,)
ExpiryRule = Annotated[Union[EXPIRY_RULES], Field(discriminator="rule")]          # type: ignore[valid-type]
EffectiveRule = Annotated[Union[EFFECTIVE_RULES], Field(discriminator="rule")]    # type: ignore[valid-type]
