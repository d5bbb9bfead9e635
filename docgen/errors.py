"""Every error docgen raises on purpose, in one module under one base class (as pypdf does).

A `DocgenError` is something a user can cause and fix: a layout with a typo, an unreadable
records file, an output path that would destroy an input. The command line prints its message
on one line and exits with its `exit_code`; a traceback is shown only with `--debug`. Anything
else that escapes is a bug in docgen.

Messages name files, rows, fields, keys and rules, never a value taken from a record: records
hold personal data protected by law.
"""
from __future__ import annotations


class DocgenError(Exception):
    """Base of docgen's own errors; `exit_code` is what the command line exits with."""

    exit_code = 1


class LayoutError(DocgenError, ValueError):
    """A layout, part, profile or scheme file, the field dictionary or the search path that cannot
    be used, or a layout edit or comparison (`docgen serve`, `docgen diff`) that cannot be made;
    the message says where and why."""


class TemplateError(DocgenError, ValueError):
    """A layout template that does not parse, or names an unknown formatter."""


class FontConfigError(DocgenError, ValueError):
    """fonts.yaml is unreadable or malformed; the message names the file (and the key)."""


class UnknownFamilyError(DocgenError, KeyError):
    """A layout names a font family that fonts.yaml does not define."""

    def __str__(self) -> str:
        return str(self.args[0])


class RecordFileError(DocgenError, ValueError):
    """A records or mapping file that cannot be read as a whole; the message says where and why."""


class OutputError(DocgenError):
    """An output path docgen refuses to write: it is an input, a folder, or holds foreign files."""


class Interrupted(DocgenError):
    """Ctrl-C (SIGINT) stopped a command; the message says what was kept and how to go on."""

    exit_code = 130


class BatchError(DocgenError, RuntimeError):
    """A bulk run cannot start or go on (bad options, a resume that does not match); says why."""


class ContentError(DocgenError, ValueError):
    """One element's content for one record cannot be printed; `rule` names the broken rule.

    An element kind raises it while preparing; the binder turns it into that record's problem
    (row, element, rule), so the message must not contain the content itself (personal data).
    """

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule


class PluginError(DocgenError):
    """An element kind from another package (entry-point group `docgen.elements`) cannot be used:
    it does not load, is not an element kind, or takes a name that is already taken."""


class EditRefused(DocgenError, ValueError):
    """An edit from the designer of `docgen serve` that is not made: the element is locked, the
    page showed an older version of the file, the session is read-only; the message says which."""


class BadEditRequest(EditRefused):
    """A designer request that is not one of the edits the page sends (unknown keys, wrong types)."""
