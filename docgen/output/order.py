"""Mailing order: households stay together, the insured person first, whatever the sort.

Only small keys are kept per record (a group id, a head flag, a sort key and a spool position),
never names or addresses, so ordering half a million records needs tens of megabytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

from docgen.bind.household import Group, household_of, households, is_head

Order = Literal["input", "postal", "employer"]
ORDERS: tuple[Order, ...] = ("input", "postal", "employer")
_LAST = "\uffff"    # records without the sort key go after every record with one


@dataclass(frozen=True, slots=True)
class OrderKey:
    group: Group                          # household, else the insured person's 記号・番号
    head: bool                            # the insured person (本人) or the householder
    key: str                              # postal code or employer id ("" for input order)


def order_key(values: Mapping[str, Any], order: Order) -> OrderKey:
    """The record's key; decides 'head' here so that no name is kept."""
    field = {"input": None, "postal": "postal_code", "employer": "employer_id"}[order]
    return OrderKey(household_of(values), is_head(values), (values.get(field) or _LAST) if field else "")


def mailing_order(keys: list[OrderKey]) -> list[int]:
    """Indexes of `keys` in mailing order.

    A group is a household (docgen.bind.household: same household_id, else same 記号・番号); its
    head (the first 本人 or householder, else its first record) comes first, then the others in
    input order. Groups are sorted by their head's key, ties and the input order by the head's
    position (stable).
    """
    groups = households([k.group for k in keys], [k.head for k in keys])
    groups.sort(key=lambda idx: (keys[idx[0]].key, idx[0]))
    return [i for idx in groups for i in idx]
