"""The `when:` language of layouts: a condition on the record (or the insurer profile) that decides
whether an element prints, so variants (ages 70–74, 特別療養費, optional items) live in one file.

    {field: F, present: true}   {field: F, equals: "3"}   {field: F, in: ["2", "3"]}
    {all: [...]}   {any: [...]}   {not: ...}

Like the template language (docgen.template), it sits below the stages that use it: the layout
model reads it, the loader checks the names it uses, the binder evaluates it.
"""
from __future__ import annotations

from typing import Annotated, Any, Callable, Mapping, Union

from pydantic import Discriminator, Field, Tag, model_validator

from docgen.template import getter
from docgen.yamlfile import Strict


class FieldTest(Strict):
    """True when a record field is present / equals a value / is one of several values."""

    field: str
    present: bool | None = None
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> "FieldTest":
        given = [v for v in (self.present, self.equals, self.in_) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of present, equals, in")
        return self


class AllOf(Strict):
    all: list["Condition"]


class AnyOf(Strict):
    any: list["Condition"]


class NotOf(Strict):
    not_: "Condition" = Field(alias="not")


def _condition_kind(value: object) -> str | None:
    """Which kind of condition a mapping is, by its first key, so a typo is reported against that
    kind alone (not once per kind)."""
    if isinstance(value, dict):
        keys = {"field": "FieldTest", "all": "AllOf", "any": "AnyOf", "not": "NotOf"}
        return next((kind for key, kind in keys.items() if key in value), None)
    return type(value).__name__


Condition = Annotated[
    Union[Annotated[FieldTest, Tag("FieldTest")], Annotated[AllOf, Tag("AllOf")], Annotated[AnyOf, Tag("AnyOf")],
          Annotated[NotOf, Tag("NotOf")]],
    Discriminator(_condition_kind, custom_error_type="condition",
                  custom_error_message="a condition needs one of the keys field, all, any, not"),
]
# AllOf, AnyOf and NotOf name Condition before it exists: pydantic finds it in this module when one
# is first validated (defer_build, docgen.yamlfile.Strict), not on import.


def both(a: Condition | None, b: Condition | None) -> Condition | None:
    """The condition that holds when both hold (None: always)."""
    if a is None or b is None:
        return a or b
    return AllOf(all=[a, b])


def condition_names(cond: Condition | None) -> list[str]:
    """The record fields and profile keys a condition looks at."""
    if cond is None:
        return []
    if isinstance(cond, FieldTest):
        return [cond.field]
    if isinstance(cond, (AllOf, AnyOf)):
        return [f for c in (cond.all if isinstance(cond, AllOf) else cond.any) for f in condition_names(c)]
    return condition_names(cond.not_)


def holds(cond: Condition | None, ctx: Mapping[str, Any]) -> bool:
    """Whether the condition holds for a record context (no condition: always)."""
    return cond is None or test_of(cond)(ctx)


Test = Callable[[Mapping[str, Any]], bool]


def test_of(cond: Condition) -> Test:
    """The condition as a function of a record context, built once per layout: the binder asks
    it of every record."""
    if isinstance(cond, FieldTest):
        return _field_test(cond)
    if isinstance(cond, (AllOf, AnyOf)):
        tests = tuple(test_of(c) for c in (cond.all if isinstance(cond, AllOf) else cond.any))
        if isinstance(cond, AllOf):
            return lambda ctx: all(t(ctx) for t in tests)
        return lambda ctx: any(t(ctx) for t in tests)
    if isinstance(cond, NotOf):
        inner = test_of(cond.not_)
        return lambda ctx: not inner(ctx)
    raise TypeError(f"unknown condition {type(cond).__name__}")


def _field_test(cond: FieldTest) -> Test:
    value_of = getter(cond.field)
    if cond.present is not None:
        wanted = cond.present
        return lambda ctx: _present(value_of(ctx)) == wanted

    def text(ctx: Mapping[str, Any]) -> str:
        value = value_of(ctx)
        return str(value) if _present(value) else ""

    if cond.equals is not None:
        equals = cond.equals
        return lambda ctx: text(ctx) == equals
    choices = tuple(cond.in_ or ())
    return lambda ctx: text(ctx) in choices


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []
