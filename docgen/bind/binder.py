"""Binding: a record and a layout become the exact content of every page, ready to draw, and
what became of each element (drawn as designed, fitted, hidden by `when:`, or rejected).

Elements that depend only on the insurer profile are prepared once per layout and drawn once
per file as a reusable PDF form; the rest are prepared per record. Anything that would stop a
record from printing correctly (text that cannot fit, a character no font has) is found here,
before drawing, and rejects that record alone; its other elements are still prepared, so a
preview can draw the record as far as it prints.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, NamedTuple

from docgen.bind.mailing import window_values
from docgen.conditions import Condition, Test, holds, test_of
from docgen.elements.base import Element, ElementKind, Fitting
from docgen.elements.context import PrepareContext
from docgen.elements.registry import kind_of
from docgen.errors import ContentError, LayoutError
from docgen.fonts import FontSet
from docgen.layout.loader import ResolvedLayout
from docgen.layout.profile import Profile
from docgen.validate.problems import Problem
from docgen.wareki import age_on

Prepared = tuple[tuple[Element, Any], ...]

# what became of an element for one record
DRAWN, FITTED, HIDDEN, REJECTED = "drawn", "fitted", "hidden", "rejected"


class ElementOutcome(NamedTuple):
    """One element for one record: drawn as designed, fitted (how: `fitting`), hidden by its
    `when:`, or rejected (`problem`: the rule and why, which rejects the record). A named tuple,
    not a frozen dataclass: a record makes one per element, at half the cost."""

    name: str                          # its name on the page: the id, else type#n
    element: Element
    content: Any = None                # what is drawn, when it is drawn
    hidden: bool = False
    problem: Problem | None = None

    @property
    def drawn(self) -> bool:
        return not self.hidden and self.problem is None

    @property
    def fitting(self) -> Fitting:
        """How the content was adjusted to fit (nothing when drawn as designed or not drawn)."""
        return kind_of(self.element).fitting(self.element, self.content) if self.drawn else Fitting()

    @property
    def status(self) -> str:
        if self.problem is not None:
            return REJECTED
        if self.hidden:
            return HIDDEN
        return FITTED if self.fitting else DRAWN


@dataclass(frozen=True)
class BoundPage:
    """A page's content to draw (`items`) and the outcome of each of its elements."""

    name: str
    items: Prepared
    outcomes: tuple[ElementOutcome, ...] = ()


@dataclass(frozen=True)
class BoundDocument:
    """One record's pages. With `problems` the record is rejected: its pages hold what prints."""

    record_id: str | None
    row: int | None
    pages: tuple[BoundPage, ...]
    warnings: tuple[Problem, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def rejected(self) -> bool:
        return bool(self.problems)


def fields_of(el: Element) -> str:
    """The record fields an element prints, as a problem names them: a rejects.csv's field column
    holds fields, never a layout's element ids ("(layout)" for one that prints none)."""
    names = dict.fromkeys(n for n in el.names() if not n.startswith(("insurer.", "scheme.")))
    return ", ".join(names) or "(layout)"


def in_element(problem: Problem, name: str) -> Problem:
    """The problem as a record's list holds it: its detail says which element could not print."""
    return replace(problem, detail=f"element {name}: {problem.detail}")


def _is_static(el: Element) -> bool:
    return all(name.startswith(("insurer.", "scheme.")) for name in el.names())


def _contentless(kind: ElementKind[Any, Any]) -> bool:
    """Whether the kind prepares nothing (frames, rules): its content is None for every record."""
    return type(kind).prepare is ElementKind.prepare


# (name, element, its kind's prepare, which of the binder's tests is its `when:`, its outcome when
# it is the same for every record, its outcome when `when:` hides it, its outcome when shown if
# it has no content): all but the content worked out once per layout
_Step = tuple[str, Element, Callable[[Any, Mapping[str, Any], PrepareContext], Any], int | None,
              ElementOutcome | None, ElementOutcome, ElementOutcome | None]


class Binder:
    """Binds records for one layout and one insurer profile."""

    def __init__(self, layout: ResolvedLayout, profile: Profile, fonts: FontSet) -> None:
        self.layout = layout
        self.profile = profile
        self.prep = PrepareContext(fonts)
        base = {"insurer": profile, "scheme": layout.scheme}
        self.static: list[BoundPage] = []
        self._plans: list[tuple[str, tuple[_Step, ...]]] = []
        # the layout's distinct `when:` conditions (by their JSON), each asked once per record: a
        # notice's frame, rules, label and value often share one
        self._tests: list[Test] = []
        self._test_of: dict[str, int] = {}
        for page in layout.pages:
            items, outcomes, plan = [], [], []
            for el, name in zip(page.elements, page.names):
                kind = kind_of(el)
                fixed = None
                if _is_static(el):
                    if not holds(el.when, base):
                        fixed = ElementOutcome(name, el, hidden=True)
                    else:
                        try:
                            content = kind.prepare(el, base, self.prep)
                        except ContentError as exc:
                            raise LayoutError(f"{layout.source}: page {page.name}: element {name}: "
                                              f"{exc.rule}: {exc}") from None
                        items.append((el, content))
                        fixed = ElementOutcome(name, el, content)
                    outcomes.append(fixed)
                when = None if el.when is None or fixed is not None else self._test_index(el.when)
                plan.append((name, el, kind.prepare, when, fixed,
                             ElementOutcome(name, el, hidden=True),
                             ElementOutcome(name, el) if _contentless(kind) else None))
            self.static.append(BoundPage(page.name, tuple(items), tuple(outcomes)))
            self._plans.append((page.name, tuple(plan)))

    def _test_index(self, cond: Condition) -> int:
        """Where the test of cond is among the binder's tests (added when it is new)."""
        key = cond.model_dump_json()
        if key not in self._test_of:
            self._test_of[key] = len(self._tests)
            self._tests.append(test_of(cond))
        return self._test_of[key]

    def context(self, values: Mapping[str, Any]) -> dict[str, Any]:
        ctx: dict[str, Any] = dict(values)
        ctx["insurer"] = self.profile
        ctx["scheme"] = self.layout.scheme
        if "birth_date" in ctx and "issue_date" in ctx:
            ctx["age"] = age_on(ctx["birth_date"], ctx["issue_date"])
        ctx.update(window_values(values))
        if "relationship" in values:
            words = self.profile.relationship_words or {}
            ctx["relationship_label"] = words.get(values["relationship"], values["relationship"])
        return ctx

    def bind(self, values: Mapping[str, Any], row: int | None = None) -> BoundDocument:
        """The record's pages and every element's outcome; `problems` (which reject the record)
        list every element that cannot print, and the rest is still prepared."""
        ctx = self.context(values)
        rid = values.get("record_id")
        problems: list[Problem] = []
        pages = []
        warnings: list[Problem] = []
        noted = self.prep.warnings
        noted.clear()
        holding = [test(ctx) for test in self._tests]
        for page_name, plan in self._plans:
            items, outcomes = [], []
            for name, el, prepare, when, fixed, hidden, shown in plan:
                if fixed is not None:
                    outcomes.append(fixed)
                    continue
                if when is not None and not holding[when]:
                    outcomes.append(hidden)
                    continue
                if shown is not None:
                    items.append((el, None))
                    outcomes.append(shown)
                    continue
                try:
                    content = prepare(el, ctx, self.prep)
                except ContentError as exc:
                    problem = Problem(row, rid, fields_of(el), exc.rule, str(exc))
                    problems.append(in_element(problem, name))
                    outcomes.append(ElementOutcome(name, el, problem=problem))
                else:
                    items.append((el, content))
                    outcomes.append(ElementOutcome(name, el, content))
                if noted:
                    warnings.extend(in_element(Problem(row, rid, fields_of(el), rule, detail), name)
                                    for rule, detail in noted)
                    noted.clear()
            pages.append(BoundPage(page_name, tuple(items), tuple(outcomes)))
        return BoundDocument(rid, row, tuple(pages), tuple(warnings), tuple(problems))
