"""Schemes: what one kind of insurer (国保, 後期高齢者医療, 健康保険, ...) requires, as data.

A scheme file (`schemes/NAME.yaml`, built-in or in a folder of the search path) states the
保険者番号 rule, the fields it adds or tightens (記号・番号・枝番, a check digit), the fields every
record needs, which derivation rule gives 有効期限 and 発効期日, the words its documents use and its
domain checks. Layouts and insurer profiles name their scheme (`scheme: kokuho`) by the reference
rule of docgen.layout.search. The rules themselves are implemented once, in docgen.expiry
and docgen.validate.domain, and chosen here by name.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from docgen.errors import LayoutError
from docgen.expiry import EffectiveRule, ExpiryRule, Rule
from docgen.fields import BUILTIN, FieldDictionary, FieldSpec, Kind
from docgen.fields import Field as RecordField
from docgen.layout.reading import validate_file
from docgen.layout.search import resolve
from docgen.validate.domain import Check
from docgen.yamlfile import problems, read_yaml

Document = Literal["card", "notice", "elderly"]    # what a layout prints: 資格確認書, お知らせ, 高齢受給者証


class Words(BaseModel):
    """The scheme's words, any name: `{scheme.words.insured}` in a layout prints 被保険者 or 組合員."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)
    __pydantic_extra__: dict[str, str]


class SchemeFile(BaseModel):
    """What a scheme file may say (`docgen schemes` lists them; README "Schemes")."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    title: str = Field(description="the scheme's name as documents print it: 国民健康保険, 健康保険, ...")
    description: str = Field(default="", description="one line for `docgen schemes`")
    insurer_number: FieldSpec = Field(description="the 保険者番号 rule: length, prefixes (法別番号), check_digit")
    fields: dict[str, FieldSpec] = Field(default_factory=dict, description=(
        "fields this scheme adds, or known fields it tightens (chars, lengths, check_digit, prefixes, label)"))
    requires: list[str] = Field(default_factory=list, description="fields every record of this scheme must have")
    expiry: dict[Document, ExpiryRule] = Field(default_factory=dict, description=(
        "per document (card, notice, elderly: the 高齢受給者証): the rule that derives 有効期限 when a record "
        "gives none"))
    effective_date: EffectiveRule | None = Field(default=None, description=(
        "the rule that derives 発効期日 when a record gives none"))
    words: Words = Field(default_factory=Words, description="words layouts print as {scheme.words.NAME}")
    checks: list[Check] = Field(default_factory=list, description="domain checks, each a named rule with its keys")


@dataclass(frozen=True)
class Scheme:
    """A loaded scheme: its file's content, its name (the file's), and the fields it makes."""

    name: str
    source: Path
    spec: SchemeFile
    fields: FieldDictionary          # the dictionary with the scheme's fields applied
    insurer_number: RecordField      # the 保険者番号 rule as a digits field

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def words(self) -> Words:
        return self.spec.words

    def derivations(self, document: str) -> dict[str, Rule]:
        """The fields the binder derives for a document when a record gives none, each with its rule."""
        rules = {"expiry_date": self.spec.expiry.get(document), "ratio_effective_date": self.spec.effective_date}
        return {name: rule for name, rule in rules.items() if rule is not None}


def _insurer_number(spec: FieldSpec) -> RecordField:
    base = RecordField("insurer_number", "保険者番号", Kind.DIGITS, personal=False, origin="scheme")
    if spec.kind not in (None, Kind.DIGITS):
        raise ValueError("insurer_number: the 保険者番号 is digits")
    try:
        return base.tightened(spec, "scheme")
    except ValueError as exc:
        raise ValueError(f"insurer_number: {exc}") from None


@lru_cache(maxsize=32)
def _load(path: Path, mtime_ns: int) -> Scheme:
    """Keyed on the modification time too, so `docgen serve` sees a saved scheme."""
    spec: SchemeFile = validate_file(SchemeFile, read_yaml(path, LayoutError), path)
    try:
        fields = BUILTIN.extended(spec.fields, f"scheme {path.stem}")
        number = _insurer_number(spec.insurer_number)
        named = [("requires", n) for n in spec.requires]
        named += [(f"checks[{i}] ({c.check})", n) for i, c in enumerate(spec.checks) for n in c.fields_named()]
        for where, name in named:
            if name not in fields:
                raise ValueError(f"{where}: unknown field '{name}'")
    except ValueError as exc:
        raise LayoutError(problems(path, [str(exc)])) from None
    return Scheme(path.stem, path, spec, fields, number)


def scheme_file(ref: str, naming_file: Path | None = None) -> Path:
    """The file a `scheme:` reference means (NAME, docgen:NAME or a path, as for profiles)."""
    return resolve("scheme", ref, naming_file)


def load_scheme(ref: str | Path, naming_file: Path | None = None) -> Scheme:
    """Load a scheme by name (searched on the search path: kokuho, kenpo, ...), docgen:NAME or path;
    `naming_file` is the layout or profile that names it."""
    path = ref if isinstance(ref, Path) else scheme_file(ref, naming_file)
    return _load(path.resolve(), path.stat().st_mtime_ns)
