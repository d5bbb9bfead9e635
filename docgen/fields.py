"""The field dictionary: every record field docgen knows, its Japanese label and its format.

The built-in dictionary is data (`fields.yaml`, shipped in the package); a scheme, a layout or an
insurer profile adds fields of its own, or tightens one of these, with the same keys
(`FieldSpec`). One `FieldDictionary` then serves the record reader (which columns are known, by
name or label), validation (what kind of value a field holds) and the documentation (README's
table, `docgen fields LAYOUT`), so they cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from functools import cached_property
from typing import Any, Iterator, Mapping

from pydantic import (
    BaseModel,
    ConfigDict,
    PositiveInt,
    ValidationError,
    field_validator,
)

from docgen.errors import LayoutError
from docgen.paths import FIELDS_FILE
from docgen.usercache import kept, package_stamp
from docgen.yamlfile import problems, read_yaml, validation_lines


class Kind(str, Enum):
    """How a field's raw text is checked and parsed."""

    TEXT = "text"          # printed as given (names, addresses): never normalised
    KANA = "kana"          # text of kana (a reading): kana, ・ and spaces unless `chars` says otherwise
    CODE = "code"          # text of ASCII letters, digits and '-' unless `chars` says otherwise
    DIGITS = "digits"      # ASCII digits only, fixed or bounded length
    DATE = "date"          # calendar date, YYYY-MM-DD or YYYY/MM/DD (Gregorian), or 和暦
    CHOICE = "choice"      # one of a fixed set of values
    FLAG = "flag"          # yes/no: 1/0, true/false, はい/いいえ, 有/無


TEXT_KINDS = frozenset({Kind.TEXT, Kind.KANA, Kind.CODE})
# What an envelope window shows: the 送付先 when the record gives one, else the 住所
# (docgen.bind.mailing works them out).
WINDOW_FIELDS = frozenset({"window_postal_code", "window_address", "window_building", "window_care_of"})
# A household sheet's number, the household's sheet count and its members (docgen.bind.household).
SHEET_FIELDS = frozenset({"household_sheet", "household_sheets", "household_size"})
# Values computed by the binder in addition to the record's own fields (relationship_label: 本人 or
# 家族 in the insurer profile's relationship_words), and the names templates use for the insurer
# profile and the scheme: no field may take these names.
DERIVED_FIELDS = frozenset({"age", "relationship_label"}) | WINDOW_FIELDS | SHEET_FIELDS
RESERVED_NAMES = DERIVED_FIELDS | {"insurer", "scheme"}

# Named character classes a text field's `chars` may list (as regular-expression class contents),
# with the words a message uses for them.
CHAR_CLASSES: dict[str, tuple[str, str]] = {
    "kanji": ("\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff\U000e0100-\U000e01ef々〆", "kanji"),
    "kana": ("\u3041-\u3096\u30a1-\u30fa\u30fc", "kana"),
    "latin": ("A-Za-z", "letters"),
    "digits": ("0-9", "digits"),
    "wide-latin": ("\uff21-\uff3a\uff41-\uff5a", "full-width letters"),
    "wide-digits": ("\uff10-\uff19", "full-width digits"),
    "ascii": ("\\x21-\\x7e", "printable ASCII characters without spaces"),
    "space": (" \u3000", "spaces"),
}
_DEFAULT_CHARS = {Kind.KANA: ("kana", "・", "space"), Kind.CODE: ("latin", "digits", "-")}


class FieldSpec(BaseModel):
    """A field as YAML declares it (a new field) or tightens it (a known field: only the keys given
    change)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    label: str | None = None
    kind: Kind | None = None
    description: str | None = None
    length: PositiveInt | None = None
    min_len: PositiveInt | None = None
    max_len: PositiveInt | None = None
    chars: tuple[str, ...] | None = None
    choices: tuple[str, ...] | None = None
    aliases: dict[str, str] | None = None
    ignore: str | None = None
    check_digit: bool | None = None
    prefixes: tuple[str, ...] | None = None
    personal: bool | None = None
    required: bool | None = None
    documents: tuple[str, ...] | None = None

    @field_validator("chars")
    @classmethod
    def _known_classes(cls, chars: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for entry in chars or ():
            if entry not in CHAR_CLASSES and len(entry) != 1:
                raise ValueError(f"'{entry}' is neither a character class ({', '.join(CHAR_CLASSES)}) "
                                 "nor one character")
        return chars


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind
    description: str = ""
    max_len: int | None = None       # characters (text) or digit count upper bound
    min_len: int | None = None
    choices: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()    # choice: other spellings read as a choice
    chars: tuple[str, ...] = ()      # text: character classes and characters it may hold
    ignore: str = ""                 # digits: characters dropped before checking (the postal code's '-')
    check_digit: bool = False        # digits: the last one is DOMAIN.md's check digit
    prefixes: tuple[str, ...] = ()   # digits: the value begins with one of these
    personal: bool = True            # personal data: never echoed in messages or logs
    required: bool = False           # every record must have it where this field is declared
    labels: tuple[str, ...] = ()     # earlier labels, still read as column headers
    # the documents (a layout's `document:`) that print it, None for every one: a layout of one of
    # these that does not print a value given for it warns (rule not-printed); a layout of another
    # takes it silently (one file feeds cards and notices)
    documents: tuple[str, ...] | None = None

    def printed_on(self, document: str) -> bool:
        """Whether documents of this kind print the field (so leaving it out deserves a warning)."""
        return self.documents is None or document in self.documents
    origin: str = "dictionary"       # where it was declared (and tightened), for `docgen fields LAYOUT`

    @property
    def declared_in(self) -> str:
        """The last declaration that set its keys: dictionary, "scheme NAME", layout or "profile NAME"."""
        return self.origin.rsplit(", ", 1)[-1]

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_KINDS

    @cached_property
    def charset(self) -> str | None:
        """The allowed characters as regular-expression class contents, or None for any."""
        chars = self.chars or _DEFAULT_CHARS.get(self.kind, ())
        if not chars:
            return None
        return "".join(CHAR_CLASSES[c][0] if c in CHAR_CLASSES else re.escape(c) for c in chars)

    @cached_property
    def separators(self) -> str:
        """The single characters (not classes) `chars` allows, such as 記号's '-': a value of
        these alone says nothing (a placeholder for a missing 記号), so it is refused."""
        return "".join(c for c in self.chars or _DEFAULT_CHARS.get(self.kind, ()) if c not in CHAR_CLASSES)

    @cached_property
    def charset_doc(self) -> str:
        """The allowed characters in words, for messages."""
        words = [CHAR_CLASSES[c][1] if c in CHAR_CLASSES else f"'{c}'"
                 for c in self.chars or _DEFAULT_CHARS.get(self.kind, ())]
        return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else "".join(words)

    @cached_property
    def _spellings(self) -> dict[str, str]:
        return {**{c: c for c in self.choices}, **dict(self.aliases)}

    def choice(self, raw: str) -> str | None:
        """The choice a raw value means (itself or through an alias), or None."""
        return self._spellings.get(raw)

    def format_doc(self) -> str:
        """The format in a few words, as the field tables show it."""
        if self.kind is Kind.DIGITS:
            n = f"{self.min_len}" if self.min_len == self.max_len else f"{self.min_len or 1}–{self.max_len}"
            prefixes = f" starting with {' or '.join(self.prefixes)}" if self.prefixes else ""
            return f"{n} digits{prefixes}" + (", check digit" if self.check_digit else "")
        if self.kind is Kind.CHOICE:
            return " / ".join(self.choices)
        if self.kind is Kind.FLAG:
            return "1 / 0"
        if self.kind is Kind.DATE:
            return "date"
        kind = "text" if self.kind is Kind.TEXT else self.kind.value
        return f"{kind} ≤ {self.max_len}" if self.max_len else kind

    def tightened(self, spec: FieldSpec, origin: str) -> "Field":
        """This field with the keys `spec` gives replaced; a new label keeps the old one readable."""
        changes = _changes(spec)
        if "label" in changes and changes["label"] != self.label:
            changes["labels"] = (*self.labels, self.label)
        return _checked(replace(self, **changes, origin=f"{self.origin}, {origin}"))


def _changes(spec: FieldSpec) -> dict[str, Any]:
    changes: dict[str, Any] = spec.model_dump(exclude_none=True, exclude={"length"})
    if spec.length is not None:
        changes["min_len"] = changes["max_len"] = spec.length
    if spec.aliases is not None:
        changes["aliases"] = tuple(spec.aliases.items())
    return changes


def _new_field(name: str, spec: FieldSpec, origin: str) -> Field:
    if spec.label is None or spec.kind is None:
        raise ValueError("a new field needs label and kind (text, kana, code, digits, date, choice or flag)")
    changes = _changes(spec)
    return _checked(Field(name=name, label=changes.pop("label"), kind=changes.pop("kind"), origin=origin, **changes))


def _checked(f: Field) -> Field:
    """A field whose keys fit its kind, so a mistake fails where the field is declared."""
    only = {"chars": TEXT_KINDS, "choices": {Kind.CHOICE}, "aliases": {Kind.CHOICE}, "ignore": {Kind.DIGITS},
            "check_digit": {Kind.DIGITS}, "prefixes": {Kind.DIGITS},
            "max_len": TEXT_KINDS | {Kind.DIGITS}, "min_len": {Kind.DIGITS}}
    for key, kinds in only.items():
        if getattr(f, key) and f.kind not in kinds:
            raise ValueError(f"{key} does not apply to a {f.kind.value} field")
    if f.is_text and not f.max_len:
        raise ValueError(f"a {f.kind.value} field needs max_len")
    if f.kind is Kind.DIGITS and not f.max_len:
        raise ValueError("a digits field needs length or max_len")
    if f.min_len and f.max_len and f.min_len > f.max_len:
        raise ValueError(f"min_len {f.min_len} is more than max_len {f.max_len}")
    if f.kind is Kind.CHOICE and not f.choices:
        raise ValueError("a choice field needs choices")
    if any(value not in f.choices for _, value in f.aliases):
        raise ValueError("aliases: every alias must stand for one of the choices")
    if any(not (p.isascii() and p.isdigit()) for p in f.prefixes):
        raise ValueError("prefixes: each prefix is ASCII digits")
    return f


class FieldDictionary:
    """The fields a run knows, in order, found by name and by label (any of its labels)."""

    def __init__(self, fields: tuple[Field, ...]) -> None:
        self.fields = fields
        self.by_name: dict[str, Field] = {f.name: f for f in fields}
        self.by_label: dict[str, Field] = {label: f for f in fields for label in (*f.labels, f.label)}

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def get(self, name: str) -> Field | None:
        return self.by_name.get(name)

    def for_header(self, header: str) -> Field | None:
        """The field a column header names, by field name or Japanese label."""
        return self.by_name.get(header) or self.by_label.get(header)

    def extended(self, specs: Mapping[str, FieldSpec], origin: str) -> "FieldDictionary":
        """These fields with `specs` applied: a known name is tightened, a new one added.

        Raises ValueError naming the field ("fields > NAME: ...") for a declaration that does not
        hold together or whose label another field already has."""
        fields = dict(self.by_name)
        for name, spec in specs.items():
            try:
                if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                    raise ValueError("a field name is lower-case ASCII letters, digits and '_', "
                                     "starting with a letter")
                if name in RESERVED_NAMES:
                    raise ValueError(f"'{name}' is a name templates use for something else")
                fields[name] = fields[name].tightened(spec, origin) if name in fields else _new_field(name, spec, origin)
                label = fields[name].label
                clash = next((f for f in fields.values() if f.name != name and label in (f.label, *f.labels)), None)
                if clash is not None:
                    raise ValueError(f"label {label} is already the label of field {clash.name}")
            except ValueError as exc:
                raise ValueError(f"fields > {name}: {exc}") from None
        return FieldDictionary(tuple(fields.values()))


def specs_from(data: Any, where: str) -> dict[str, FieldSpec]:
    """`fields:` of a YAML file as specs; errors name the file and the field."""
    if not isinstance(data, dict):
        raise LayoutError(f"{where}: fields: a mapping of field names to their keys")
    specs = {}
    for name, keys in data.items():
        try:
            specs[str(name)] = FieldSpec.model_validate(keys or {})
        except ValidationError as exc:
            raise LayoutError(problems(where, validation_lines(exc, keys, under=("fields", str(name))))) from None
    return specs


def _builtin() -> FieldDictionary:
    data = read_yaml(FIELDS_FILE, LayoutError, "field dictionary")
    try:
        return FieldDictionary(()).extended(specs_from(data.get("fields"), str(FIELDS_FILE)), "dictionary")
    except ValueError as exc:
        raise LayoutError(f"{FIELDS_FILE}: {exc}") from None


# kept between runs while fields.yaml has the same bytes: no YAML to parse, no model to build
BUILTIN = kept("loaded", f"fields|{FIELDS_FILE}", _builtin, FieldDictionary, inputs=(FIELDS_FILE,),
               environment=(package_stamp("pydantic"), package_stamp("yaml")))
FIELDS: tuple[Field, ...] = BUILTIN.fields
BY_NAME: dict[str, Field] = BUILTIN.by_name
