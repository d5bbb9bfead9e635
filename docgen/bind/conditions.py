"""Evaluating a layout's `when:` conditions against a record context."""
from __future__ import annotations

from typing import Any, Mapping

from docgen.layout.model import AllOf, AnyOf, Condition, FieldTest, NotOf


def lookup(ctx: Mapping[str, Any], dotted: str) -> Any:
    head, *rest = dotted.split(".")
    value = ctx.get(head)
    for attr in rest:
        value = getattr(value, attr, None)
    return value


def holds(cond: Condition | None, ctx: Mapping[str, Any]) -> bool:
    if cond is None:
        return True
    if isinstance(cond, FieldTest):
        value = lookup(ctx, cond.field)
        present = value is not None and value != "" and value != []
        if cond.present is not None:
            return present == cond.present
        text = str(value) if present else ""
        if cond.equals is not None:
            return text == cond.equals
        return text in (cond.in_ or [])
    if isinstance(cond, AllOf):
        return all(holds(c, ctx) for c in cond.all)
    if isinstance(cond, AnyOf):
        return any(holds(c, ctx) for c in cond.any)
    if isinstance(cond, NotOf):
        return not holds(cond.not_, ctx)
    raise TypeError(f"unknown condition {type(cond).__name__}")
