"""Mailing order: households stay together, the insured person first, whatever the sort.

Only small keys are kept per record (a group id, a head flag, a sort key and a spool position),
never names or addresses, so ordering half a million records needs tens of megabytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Mapping

Order = Literal["input", "postal", "employer"]
ORDERS: tuple[Order, ...] = ("input", "postal", "employer")
_LAST = "\uffff"    # records without the sort key go after every record with one


@dataclass(frozen=True, slots=True)
class OrderKey:
    group: str | tuple[str, str] | None   # household, else the insured person's 記号・番号
    head: bool                            # the insured person (本人) or the householder
    key: str                              # postal code or employer id ("" for input order)


def order_key(values: Mapping[str, Any], order: Order) -> OrderKey:
    """The record's key; decides 'head' here so that no name is kept."""
    household = values.get("household_id")
    if household:
        group: str | tuple[str, str] | None = household
    elif values.get("kigo") and values.get("bango"):
        group = (values["kigo"], values["bango"])
    else:
        group = None
    name = values.get("name")
    head = values.get("relationship") == "本人" or (name is not None and name == values.get("householder_name"))
    field = {"input": None, "postal": "postal_code", "employer": "employer_id"}[order]
    return OrderKey(group, head, (values.get(field) or _LAST) if field else "")


def mailing_order(keys: list[OrderKey]) -> list[int]:
    """Indexes of `keys` in mailing order.

    A group is a household (same household_id, else same 記号・番号); its head (the first 本人
    or householder, else its first record) comes first, then the others in input order. Groups
    are sorted by their head's key, ties and the input order by the head's position (stable).
    """
    members: dict[object, list[int]] = {}
    for i, k in enumerate(keys):
        members.setdefault(k.group if k.group is not None else ("#", i), []).append(i)
    groups = []
    for idx in members.values():
        head = next((i for i in idx if keys[i].head), idx[0])
        groups.append((keys[head].key, head, [head] + [i for i in idx if i != head]))
    groups.sort(key=lambda g: (g[0], g[1]))
    return [i for _, _, idx in groups for i in idx]
