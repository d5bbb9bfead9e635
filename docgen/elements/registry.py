"""The registry of element kinds: docgen's own, then those other packages add through the
entry-point group `docgen.elements` (as segno finds its plug-ins).

An installed package joins by naming an `ElementKind` instance under its `type:` name:

    [project.entry-points."docgen.elements"]
    stamp = "docgen_stamp:KIND"

Kinds are loaded on first use, not on import, so a plug-in that fails is reported as a
PluginError (one line from the command line, naming the plug-in), never a traceback. `include`
is not a kind: it is the layout format's own, expanded by the loader before any kind sees a page.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any, Mapping

from docgen.elements.base import Element, ElementKind, type_name
from docgen.elements.plugins import EntryPoint, entry_points
from docgen.errors import PluginError

GROUP = "docgen.elements"
# docgen's own kinds: docgen.elements.<module>.KIND
BUILTIN = ("text", "field", "numbered_list", "box", "line", "image", "qr", "customer_barcode", "cutline")
# names the layout format keeps for itself
RESERVED = ("include",)


@dataclass(frozen=True)
class Registry:
    builtin: Mapping[str, ElementKind[Any, Any]]
    plugins: Mapping[str, ElementKind[Any, Any]]
    by_model: Mapping[type, ElementKind[Any, Any]]
    packages: Mapping[str, str]                   # plug-in kind -> "distribution version"


def _package(ep: EntryPoint) -> str:
    return f"{ep.dist.name} {ep.dist.version}" if ep.dist else "an unknown distribution"


def _origin(ep: EntryPoint) -> str:
    return f"plug-in '{ep.name} = {ep.value}' of {_package(ep)} (entry-point group {GROUP})"


def _plugin(ep: EntryPoint, builtin: Mapping[str, Any], plugins: Mapping[str, Any]) -> ElementKind[Any, Any]:
    """The kind an entry point names, checked: it loads, is a kind, and its name is its own."""
    try:
        kind = ep.load()
    except Exception as exc:        # whatever the plug-in's import raises: it is the plug-in's fault
        raise PluginError(f"{_origin(ep)} does not load: {type(exc).__name__}: {exc}") from None
    if not isinstance(kind, ElementKind):
        what = getattr(kind, "__qualname__", None) or f"a {type(kind).__name__}"
        raise PluginError(f"{_origin(ep)} names {what}, which is not an ElementKind instance (docs/elements.md)")
    model = getattr(kind, "model", None)
    name = type_name(model) if isinstance(model, type) and issubclass(model, Element) else None
    if name is None:
        raise PluginError(f"{_origin(ep)}: its model must be a subclass of docgen.elements.Element "
                          'with `type: Literal["NAME"]`')
    if name != ep.name:
        raise PluginError(f"{_origin(ep)}: the entry point is named '{ep.name}' but its model's type is "
                          f"'{name}'; give both the same name")
    owner = ("the layout format's own element" if name in RESERVED else "a built-in kind" if name in builtin
             else "another plug-in's kind" if name in plugins else None)
    if owner:
        raise PluginError(f"{_origin(ep)}: '{name}' is already {owner}; give the kind another name")
    return kind


@cache
def registry() -> Registry:
    """Built-in kinds, then every plug-in, loaded once (a PluginError is raised again on every call)."""
    builtin = {}
    for module in BUILTIN:
        kind = import_module(f"docgen.elements.{module}").KIND
        builtin[kind.name] = kind
    plugins: dict[str, ElementKind[Any, Any]] = {}
    packages = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        plugins[ep.name] = _plugin(ep, builtin, plugins)
        packages[ep.name] = _package(ep)
    return Registry(builtin, plugins, {kind.model: kind for kind in (*builtin.values(), *plugins.values())},
                    packages)


def kinds() -> dict[str, ElementKind[Any, Any]]:
    """Every element kind by its `type:` name: built-in ones first, then plug-ins by name."""
    reg = registry()
    return {**reg.builtin, **reg.plugins}


def kind_of(el: Element) -> ElementKind[Any, Any]:
    """The kind an element is (its model's class decides)."""
    try:
        return registry().by_model[type(el)]
    except KeyError:
        raise TypeError(f"no element kind registered for {type(el).__name__}") from None
