"""Households: which records belong together, who heads them, and when a household's document
(a 世帯主宛て mailing) cannot be printed whole.

A household is the records with one `household_id` (世帯番号), else one 記号・番号 (国保 numbers a
household, its members by 枝番); a record with neither is a household of its own. Its head (the
member named as 世帯主, or 本人) comes first, then the others in input order. Only small keys are
kept per record (the group, a head flag, a digest per compared field), never names or addresses,
so a bulk run groups half a million records in little memory.

A household mailing goes to the 世帯主 at the household's address, dated once, so its members must
agree on what the sheet prints for all (the layout's `household: agree:`). A member rejected for any reason takes the whole
household's document with it: the others are reported with rule `household-member-rejected`
instead of printing an incomplete mailing that nobody would notice was incomplete.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from docgen.validate.problems import Problem

Group = str | tuple[str, str] | None
MEMBER_REJECTED = "household-member-rejected"
MISMATCH = "household-mismatch"


def household_of(values: Mapping[str, Any]) -> Group:
    """The record's household: household_id, else its 記号・番号, else None (a household of its own)."""
    household = values.get("household_id")
    if household:
        return str(household)
    if values.get("kigo") and values.get("bango"):
        return (str(values["kigo"]), str(values["bango"]))
    return None


def is_head(values: Mapping[str, Any]) -> bool:
    """The insured person (本人) or the person whose name is the 世帯主氏名; decided here so no name is kept."""
    name = values.get("name")
    return values.get("relationship") == "本人" or (name is not None and name == values.get("householder_name"))


def households(groups: Sequence[Group], heads: Sequence[bool]) -> list[list[int]]:
    """Indexes grouped by household, households in the order of their first record; in each the
    head (the first one, else the first record) first, then the others in input order."""
    members: dict[object, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group if group is not None else ("#", i), []).append(i)
    out = []
    for idx in members.values():
        head = next((i for i in idx if heads[i]), idx[0])
        out.append([head] + [i for i in idx if i != head])
    return out


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class MemberKey:
    """What a household's check needs of one record: no personal data, only digests."""

    row: int
    record_id: str | None
    group: Group
    head: bool
    agree: tuple[str, ...]          # a digest of each compared field's value
    rejected: bool


def member_key(row: int, values: Mapping[str, Any], raw: Mapping[str, Any], agree: Sequence[str],
               rejected: bool) -> MemberKey:
    """The key of a checked record; `raw` (the record as read) names the household of a record whose
    values were rejected, so a rejected member is still known to its household."""
    group = household_of(values) or household_of(raw)
    return MemberKey(row, values.get("record_id") or raw.get("record_id"), group, is_head(values),
                     tuple(_digest(values.get(name)) for name in agree), rejected)


def household_problems(members: Sequence[MemberKey], agree: Sequence[str],
                       labels: Mapping[str, str]) -> dict[int, list[Problem]]:
    """Problems (by input row) that keep a household's document from printing, for its members
    that have none of their own; empty when it prints. Messages name rows, fields and rules only."""
    bad = [m.row for m in members if m.rejected]
    if bad:
        return held_back([(m.row, m.record_id) for m in members], bad)
    differ = [name for i, name in enumerate(agree) if len({m.agree[i] for m in members}) > 1]
    if not differ:
        return {}
    rows = ", ".join(str(m.row) for m in members)
    return {m.row: [Problem(m.row, m.record_id, name, MISMATCH,
                            f"the members of one household (rows {rows}) differ in {labels.get(name, name)}, "
                            "which its notice prints once for all: correct the data")
                    for name in differ]
            for m in members}


def held_back(members: Sequence[tuple[int | None, str | None]], bad: Sequence[int | None]) -> dict[int, list[Problem]]:
    """By row, the problem of each member (row, 管理番号) not in `bad` whose household's notice is
    not printed because the members in rows `bad` were rejected."""
    rows = ", ".join(map(str, sorted(r for r in set(bad) if r is not None)))
    return {row: [Problem(row, rid, "household_id", MEMBER_REJECTED,
                          f"the household's member(s) in row(s) {rows} were rejected: its notice is not printed, "
                          "so that nobody receives an incomplete one")]
            for row, rid in members if row not in bad and row is not None}


def sheet_values(members: Sequence[Mapping[str, Any]], sheet: int, sheets: int) -> dict[str, Any]:
    """What a household sheet's own elements print: the values every member shares, the 世帯主 as
    the addressee's name, the household's number as its 管理番号, and the sheet's place."""
    first = members[0]
    shared = {k: v for k, v in first.items() if all(m.get(k) == v for m in members[1:])}
    shared.pop("name_kana", None)
    if first.get("householder_name"):
        shared["name"] = first["householder_name"]
    shared["record_id"] = first.get("household_id") or first.get("record_id")
    shared.update(household_sheet=sheet, household_sheets=sheets, household_size=len(members))
    return shared
