"""Binding: a record and a layout become the exact content of every page, ready to draw.

Elements that depend only on the insurer profile are prepared once per layout and drawn once
per file as a reusable PDF form; the rest are prepared per record. Anything that would stop a
record from printing correctly (text that cannot fit, a character no font has) is found here,
before drawing, and rejects that record alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from pydantic import BaseModel

from docgen.bind.conditions import holds
from docgen.errors import LayoutError
from docgen.fonts import FontSet
from docgen.layout.loader import ResolvedLayout
from docgen.layout.profile import Profile
from docgen.layout.references import element_fields
from docgen.render.registry import ContentError, PrepareContext, kind_of
from docgen.validate.problems import Problem, RecordRejected
from docgen.wareki import age_on

Prepared = tuple[tuple[BaseModel, Any], ...]


@dataclass(frozen=True)
class BoundPage:
    name: str
    items: Prepared


@dataclass(frozen=True)
class BoundDocument:
    record_id: str | None
    row: int | None
    pages: tuple[BoundPage, ...]
    warnings: tuple[Problem, ...] = ()


def _is_static(el: BaseModel) -> bool:
    return all(name.startswith(("insurer.", "scheme.")) for name in element_fields(el))


class Binder:
    """Prepares records for one layout, one insurer profile and one renewal date."""

    def __init__(self, layout: ResolvedLayout, profile: Profile, fonts: FontSet,
                 renewal_start: date | None = None) -> None:
        self.layout = layout
        self.profile = profile
        self.renewal_start = renewal_start or profile.renewal_start
        self.prep = PrepareContext(fonts)
        base = {"insurer": profile, "scheme": layout.scheme}
        self.static: list[BoundPage] = []
        self.dynamic: list[tuple[str, tuple[BaseModel, ...]]] = []
        for page in layout.pages:
            fixed, varying = [], []
            for el in page.elements:
                (fixed if _is_static(el) else varying).append(el)
            items = []
            for el in fixed:
                if not holds(getattr(el, "when", None), base):
                    continue
                try:
                    items.append((el, kind_of(el).prepare(el, base, self.prep)))
                except ContentError as exc:
                    raise LayoutError(f"{layout.source}: page {page.name}: element {el.id or type(el).__name__}: "
                                      f"{exc.rule}: {exc}") from None
            self.static.append(BoundPage(page.name, tuple(items)))
            self.dynamic.append((page.name, tuple(varying)))

    def context(self, values: Mapping[str, Any]) -> dict[str, Any]:
        ctx: dict[str, Any] = dict(values)
        ctx["insurer"] = self.profile
        ctx["scheme"] = self.layout.scheme
        # 有効期限 and 発効期日 by the rules the scheme names, when the record gives none
        for name, rule in self.layout.scheme.derivations(self.layout.model.document).items():
            derived = rule.derive(ctx, self.renewal_start) if name not in ctx else None
            if derived is not None:
                ctx[name] = derived
        if "birth_date" in ctx and "issue_date" in ctx:
            ctx["age"] = age_on(ctx["birth_date"], ctx["issue_date"])
        return ctx

    def derived_problems(self, values: Mapping[str, Any], ctx: Mapping[str, Any], row: int | None) -> list[Problem]:
        """Problems with what the binder derived rather than with the record's own values."""
        if "expiry_date" not in values and ctx.get("expiry_date") and ctx.get("issue_date") \
                and ctx["expiry_date"] < max(ctx["issue_date"], self.renewal_start):
            return [Problem(row, values.get("record_id"), "expiry_date", "expiry-derived",
                            "the renewal rules give a date before the document is valid; give 有効期限 in the data")]
        return []

    def bind(self, values: Mapping[str, Any], row: int | None = None) -> BoundDocument:
        """The record's pages; raises RecordRejected listing every element that cannot print."""
        ctx = self.context(values)
        rid = values.get("record_id")
        problems = self.derived_problems(values, ctx, row)
        pages = []
        warnings: list[Problem] = []
        for name, elements in self.dynamic:
            items = []
            for el in elements:
                if not holds(getattr(el, "when", None), ctx):
                    continue
                label = el.id or type(el).__name__
                self.prep.warnings.clear()
                try:
                    items.append((el, kind_of(el).prepare(el, ctx, self.prep)))
                except ContentError as exc:
                    problems.append(Problem(row, rid, label, exc.rule, str(exc)))
                warnings.extend(Problem(row, rid, label, rule, detail) for rule, detail in self.prep.warnings)
            pages.append(BoundPage(name, tuple(items)))
        if problems:
            raise RecordRejected(problems)
        return BoundDocument(rid, row, tuple(pages), tuple(warnings))
