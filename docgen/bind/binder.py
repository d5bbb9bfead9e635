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
from typing import Any, Callable, Mapping, NamedTuple, Sequence

from docgen.bind.household import sheet_values
from docgen.bind.mailing import WINDOW_SOURCES, window_values
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
    layout_page: int = 0               # the layout's page it is (a household's sheets repeat them)


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
    names = dict.fromkeys(WINDOW_SOURCES.get(n, n) for n in el.names() if not n.startswith(("insurer.", "scheme.")))
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
# it has no content, its household member slot or 0): all but the content worked out once per layout
_Step = tuple[str, Element, Callable[[Any, Mapping[str, Any], PrepareContext], Any], int | None,
              ElementOutcome | None, ElementOutcome, ElementOutcome | None, int]


class _Scope(NamedTuple):
    """One record a page is bound with (a household sheet: the sheet's values, or one member's)."""

    ctx: Mapping[str, Any]
    holding: list[bool]                # each of the binder's tests on ctx
    row: int | None
    record_id: str | None


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
            for el, name, member in zip(page.elements, page.names, page.members):
                kind = kind_of(el)
                fixed = None
                if member is None and _is_static(el):     # a member's part prints only with a member
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
                             ElementOutcome(name, el) if _contentless(kind) else None, member or 0))
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

    def _scope(self, values: Mapping[str, Any], row: int | None) -> _Scope:
        ctx = self.context(values)
        return _Scope(ctx, [test(ctx) for test in self._tests], row, values.get("record_id"))

    def bind(self, values: Mapping[str, Any], row: int | None = None) -> BoundDocument:
        """The record's pages and every element's outcome; `problems` (which reject the record)
        list every element that cannot print, and the rest is still prepared. A household layout
        binds the record as a household of one."""
        if self.layout.model.household is not None:
            return self.bind_household([(row, values)])
        scope = self._scope(values, row)
        problems: list[Problem] = []
        warnings: list[Problem] = []
        pages = [self._bind_page(i, [scope], problems, warnings) for i in range(len(self._plans))]
        return BoundDocument(scope.record_id, row, tuple(pages), tuple(warnings), tuple(problems))

    def bind_household(self, members: Sequence[tuple[int | None, Mapping[str, Any]]]) -> BoundDocument:
        """A household's document: the layout's pages once per sheet of `per_sheet` members (in
        the order given: the head first), each sheet's own elements bound with the values the
        members share (docgen.bind.household.sheet_values), each `member:` part with its member.
        A problem names the member's row, so a rejected household says whose record failed."""
        per = self.layout.per_sheet
        sheets = max(1, -(-len(members) // per))
        head_row = members[0][0]
        problems: list[Problem] = []
        warnings: list[Problem] = []
        pages: list[BoundPage] = []
        scopes = [self._scope(values, row) for row, values in members]
        every = [values for _, values in members]
        sheet_scopes = [self._scope(sheet_values(every, sheet + 1, sheets), head_row) for sheet in range(sheets)]
        for sheet, sheet_scope in enumerate(sheet_scopes):
            on_sheet = [sheet_scope, *scopes[sheet * per:(sheet + 1) * per]]
            pages.extend(self._bind_page(i, on_sheet, problems, warnings) for i in range(len(self._plans)))
        return BoundDocument(sheet_scopes[0].record_id, head_row, tuple(pages), tuple(warnings), tuple(problems))

    def _bind_page(self, index: int, scopes: Sequence[_Scope], problems: list[Problem],
                   warnings: list[Problem]) -> BoundPage:
        """One layout page bound with `scopes` (0: the page's own record; n: the household member
        in slot n, whose elements are hidden when the sheet has no member n)."""
        page_name, plan = self._plans[index]
        items, outcomes = [], []
        noted = self.prep.warnings
        noted.clear()
        for name, el, prepare, when, fixed, hidden, shown, member in plan:
            if fixed is not None:
                outcomes.append(fixed)
                continue
            if member >= len(scopes):
                outcomes.append(hidden)
                continue
            ctx, holding, row, rid = scopes[member]
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
        return BoundPage(page_name, tuple(items), tuple(outcomes), index)
