"""The designer of `docgen serve`: element edits from the page, checked by the loader, written to
the YAML file each element is written in, with an undo history for the session.

Elements are named as everywhere else (page name and `element_names`), never by a file path: the
server finds the file and the place in it from the element's origin (recorded by the include
expander). Only the layout file and the parts inside the layout's folder are written; elements of
a part outside it (a built-in `docgen:` part, a shared folder) are shown locked. The element kinds,
their keys and their defaults come from the layout JSON Schema (`docgen schema`), so a new kind
appears in the palette and the properties panel without a change here.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from docgen.elements.base import Element
from docgen.errors import BadEditRequest, EditRefused
from docgen.fields import FIELDS
from docgen.fonts import load_fonts
from docgen.layout.includes import Origin
from docgen.layout.loader import ResolvedLayout, element_names, load_layout
from docgen.layout.model import element_models, layout_schema
from docgen.layout.reading import Reader, read_file
from docgen.layout.search import listing
from docgen.output.files import atomic_write
from docgen.paths import PACKAGE
from docgen.preview.yaml_edit import (
    YamlFile,
    delete_item,
    new_element,
    number,
    plain,
    set_keys,
)
from docgen.yamlfile import Refused, load_yaml, problems, validation_lines

# keys every element starts with; then its anchors and extents (as its kind declares them), then the rest
HEAD_KEYS = ("type", "id", "when")
MAX_BODY = 64 * 1024


# ---------------------------------------------------------------- requests
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SetRequest(_Request):
    """Keys of one element (or of the include that placed a group) set to values; None removes a key."""

    op: Literal["set"]
    version: str
    page: str
    element: str
    include: bool = False
    values: dict[str, Any] = Field(min_length=1, max_length=40)


class AddRequest(_Request):
    op: Literal["add"]
    version: str
    page: str
    kind: str
    x: float = Field(ge=-1000, le=1000)
    y: float = Field(ge=-1000, le=1000)


class DuplicateRequest(_Request):
    """A copy of one element, 2 mm lower and to the right, added to the page in the layout file."""

    op: Literal["duplicate"]
    version: str
    page: str
    element: str


class DeleteRequest(_Request):
    op: Literal["delete"]
    version: str
    page: str
    element: str


class HistoryRequest(_Request):
    op: Literal["undo", "redo"]
    version: str = ""


Request = Union[SetRequest, AddRequest, DuplicateRequest, DeleteRequest, HistoryRequest]
EditRequest = Annotated[Request, Field(discriminator="op")]


class _Envelope(BaseModel):
    request: EditRequest


def parse_request(body: Any) -> Request:
    """The request, or EditRefused naming what is wrong with it (unknown keys such as a path included)."""
    try:
        return _Envelope(request=body).request
    except ValidationError as exc:
        raise BadEditRequest(f"bad request: {validation_lines(exc, {'request': body})[0]}") from None


# ---------------------------------------------------------------- the schema, as the page uses it
def _field_spec(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """One key of a kind as the properties panel shows it: a number, text, choice, yes/no, a group
    of keys, or YAML text for anything richer (a `when:` condition, a dash list)."""
    spec: dict[str, Any] = {k: prop[k] for k in ("description", "default") if k in prop}
    options = prop.get("anyOf", [prop])
    simple = [o for o in options if o.get("type") != "null"]
    spec["nullable"] = len(simple) < len(options)
    one = simple[0] if len(simple) == 1 else None
    if one and "$ref" in one:
        target = defs[one["$ref"].rsplit("/", 1)[1]]
        if "properties" in target:
            spec["type"] = "object"
            spec["properties"] = {k: _field_spec(v, defs) for k, v in target["properties"].items()}
            return spec
        one = None
    if one and "enum" in one:
        spec.update(type="enum", enum=one["enum"])
    elif one and one.get("type") in ("number", "integer", "string", "boolean"):
        spec["type"] = one["type"]
        spec.update({k: one[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in one})
    else:
        spec["type"] = "yaml"
    return spec


@lru_cache(maxsize=1)
def kinds() -> dict[str, dict[str, Any]]:
    """Every element kind of the layout schema with its keys, in the order a designer reads them."""
    schema = layout_schema()
    defs = schema["$defs"]
    mapping = defs["Page"]["properties"]["elements"]["items"]["discriminator"]["mapping"]
    out: dict[str, dict[str, Any]] = {}
    for kind, ref in mapping.items():
        model = defs[ref.rsplit("/", 1)[1]]
        props = model["properties"]
        first = key_order(element_models()[kind])
        order = [k for k in first if k in props] + [k for k in props if k not in first]
        out[kind] = {"description": model.get("description", ""), "required": model.get("required", []),
                     "keys": {k: _field_spec(props[k], defs) for k in order if k != "type"}, "order": order}
    return out


def schema_for_page() -> dict[str, Any]:
    """What the page needs to build its palette and properties panel."""
    return {"kinds": kinds(), "families": list(load_fonts().families),
            "fields": [f.name for f in FIELDS], "parts": [found.name for found in listing("part")]}


# ---------------------------------------------------------------- geometry of an element, from its bbox
_EXTENTS: dict[type, tuple[str | None, str | None, str | None]] = {}


def key_order(model: type[Element]) -> tuple[str, ...]:
    """The keys a designer reads first: type, id, when, then where the element is and how big."""
    return HEAD_KEYS + tuple(k for pair in model.anchor_keys for k in pair) + model.extent_keys


def _anchors(model: type[Element]) -> set[str]:
    return {k for pair in model.anchor_keys for k in pair}


def _extent_keys(sample: Element) -> tuple[str | None, str | None, str | None]:
    """The keys that widen (w), heighten (h) or grow both (a QR code's size) an element by their own
    amount in mm, found once per kind by trying each number key on an element's own bbox()."""
    model = type(sample)
    if model not in _EXTENTS:
        _EXTENTS[model] = _probe(sample)
    return _EXTENTS[model]


def _probe(sample: Element) -> tuple[str | None, str | None, str | None]:
    """Which of the keys the kind declares as its extent widens, heightens or grows it (a QR
    code's size), by trying each on the element's own bbox()."""
    box = sample.bbox()
    if box is None:
        return None, None, None
    found: dict[tuple[float, float, float, float], str] = {}
    for key in type(sample).extent_keys:
        value = getattr(sample, key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        moved = sample.model_copy(update={key: value + 1}).bbox()
        if moved is not None:
            found.setdefault(tuple(round(b - a, 6) for a, b in zip(box, moved)), key)   # type: ignore[arg-type]
    return found.get((0, 0, 1, 0)), found.get((0, 0, 0, 1)), found.get((0, 0, 1, 1))


def geometry(el: Element) -> dict[str, Any]:
    """Which keys the page may drag: position pairs, and the keys of width, height or square size."""
    pairs = [list(p) for p in type(el).anchor_keys]
    w, h, square = _extent_keys(el)
    return {"pairs": pairs, "w": w, "h": h, "square": square}


# ---------------------------------------------------------------- where an element is written
@dataclass(frozen=True)
class Target:
    """The element (or include) an edit names, found by page and name."""

    page: int
    name: str
    origin: Origin
    model: BaseModel | None        # the flattened element (None for an include)


@dataclass(frozen=True)
class Action:
    """One change of the session, for undo and redo: the file's bytes before and after."""

    label: str
    file: Path
    before: bytes
    after: bytes


def overlay(files: dict[Path, bytes]) -> Reader:
    """The loader's reader with some files replaced by text not yet written: an edit is checked
    exactly as the loader will read it."""
    def read(path: Path) -> bytes:
        real = path.resolve()
        return files[real] if real in files else read_file(path)
    return read


class Designer:
    """The edits of one `docgen serve` session, on one layout and the parts in its folder."""

    def __init__(self, layout_file: Path, check: Callable[[ResolvedLayout], object],
                 read_only: str | None = None) -> None:
        """`check` is what `docgen render` does with a layout once loaded (open it with the
        session's profile, preparing its static text): every edit passes it before it is written."""
        self.layout_file = layout_file.resolve()
        self.check = check
        self.folder = self.layout_file.parent
        self.token = secrets.token_urlsafe(32)
        if read_only is None and self.layout_file.is_relative_to(PACKAGE):
            read_only = ("a layout inside the installed docgen package: copy it into a folder of your own "
                         "(--layouts DIR) to edit it")
        self.read_only = read_only
        self.done: list[Action] = []
        self.undone: list[Action] = []

    # ----------------------------------------------------------- what the page shows
    def locked(self, origin: Origin) -> str | None:
        """Why an element cannot be edited here, or None: only the layout and the parts in its folder are written."""
        if self.read_only:
            return "read-only: " + self.read_only
        file = origin.file.resolve()
        if not file.is_relative_to(self.folder) or file.suffix not in (".yaml", ".yml") or not file.is_file():
            return f"written in {origin.file}, outside the layout's folder {self.folder}"
        return None

    def where(self, origin: Origin) -> str:
        file = origin.file.resolve()
        return file.relative_to(self.folder).as_posix() if file.is_relative_to(self.folder) else str(origin.file)

    def page_elements(self, layout: ResolvedLayout, pi: int) -> list[dict[str, Any]]:
        """Each element of a page as the page draws and edits it (boxes in page millimetres)."""
        page = layout.pages[pi]
        groups = self._includes(layout, pi)
        out = []
        for el, name, origin in zip(page.elements, page.names, page.origins):
            top = origin.via[0] if origin.via else None
            shape = geometry(el)
            keys = [k for pair in shape["pairs"] for k in pair] + [shape[k] for k in ("w", "h", "square") if shape[k]]
            out.append({"name": name, "kind": getattr(el, "type", type(el).__name__), "box": el.bbox(),
                        "file": self.where(origin), "locked": self.locked(origin), "offset": [origin.dx, origin.dy],
                        "group": groups.get(top.path) if top else None, "geometry": shape,
                        "at": {k: getattr(el, k) for k in keys}})
        return out

    def page_groups(self, layout: ResolvedLayout, pi: int) -> list[dict[str, Any]]:
        """The includes written in the page (each moves its part's elements as one block)."""
        raw = layout.model.pages[pi].elements
        return [{"name": name, "at": {"x": raw[path[-1]].x, "y": raw[path[-1]].y}, "part": raw[path[-1]].part,
                 "locked": self.locked(Origin(layout.source, path))}
                for path, name in self._includes(layout, pi).items()]

    def _includes(self, layout: ResolvedLayout, pi: int) -> dict[tuple[str | int, ...], str]:
        """The includes written in the layout's page, by place, with their names."""
        raw = layout.model.pages[pi].elements
        return {("pages", pi, "elements", i): name for i, (el, name) in enumerate(zip(raw, element_names(raw)))
                if getattr(el, "type", None) == "include"}

    def properties(self, layout: ResolvedLayout, page: str, element: str, include: bool = False) -> dict[str, Any]:
        """The keys of one element as written in its file, with its kind, file and lock."""
        target = self._target(layout, page, element, include)
        node = YamlFile(target.origin.file).node(target.origin.path)
        values = plain(node)
        return {"name": target.name, "kind": values.get("type"), "values": values,
                "yaml": {k: yaml.safe_dump(v, allow_unicode=True, default_flow_style=True, width=1 << 16).strip()
                         for k, v in values.items() if isinstance(v, (dict, list))},
                "file": self.where(target.origin), "path": list(target.origin.path),
                "offset": [target.origin.dx, target.origin.dy], "locked": self.locked(target.origin),
                "shared": bool(target.origin.via) and not include}

    def history(self) -> dict[str, str | None]:
        return {"undo": self.done[-1].label if self.done else None, "redo": self.undone[-1].label if self.undone else None}

    # ----------------------------------------------------------- finding what an edit names
    def _target(self, layout: ResolvedLayout, page: str, element: str, include: bool) -> Target:
        pi = self._page(layout, page)
        if include:
            places = {name: path for path, name in self._includes(layout, pi).items()}
            if element not in places:
                raise EditRefused(f"page {page}: no include '{element}'")
            return Target(pi, element, Origin(layout.source, places[element]), None)
        flat = layout.pages[pi]
        if element not in flat.names:
            raise EditRefused(f"page {page}: no element '{element}' (the page may have changed: it reloads)")
        i = flat.names.index(element)
        return Target(pi, element, flat.origins[i], flat.elements[i])

    # ----------------------------------------------------------- edits
    def apply(self, request: Request, version: str) -> dict[str, Any]:
        """Check and write one edit; returns what the page selects next and the undo label."""
        if self.read_only:
            raise EditRefused("read-only: " + self.read_only)
        if isinstance(request, HistoryRequest):
            return self._history(request.op)
        if request.version != version:
            raise EditRefused("the layout or its data changed on disk since the page showed it: the page reloads; do it again")
        layout = load_layout(self.layout_file, allow_off_page=True)
        if isinstance(request, AddRequest):
            return self._add(layout, request)
        if isinstance(request, SetRequest):
            return self._set(layout, request)
        if isinstance(request, DuplicateRequest):
            return self._duplicate(layout, request)
        target = self._target(layout, request.page, request.element, False)

        def delete(doc: YamlFile) -> None:
            delete_item(doc.node(target.origin.path[:-1]), int(target.origin.path[-1]))
        return self._write(layout, target, delete, f"delete {target.name}", lambda new: None)

    def _set(self, layout: ResolvedLayout, request: SetRequest) -> dict[str, Any]:
        target = self._target(layout, request.page, request.element, request.include)
        values = {k: _value(k, v) for k, v in request.values.items()}

        def change(doc: YamlFile) -> None:
            node = doc.node(target.origin.path)
            set_keys(node, values, kinds().get(str(node.get("type")), {}).get("order", HEAD_KEYS))
        model = type(target.model) if target.model is not None else element_models()["include"]
        label = _verb(values, model) + " " + ("include " if request.include else "") + target.name
        return self._write(layout, target, change, label, lambda new: _same_place(new, target, request.include))

    def _add(self, layout: ResolvedLayout, request: AddRequest) -> dict[str, Any]:
        kind = kinds().get(request.kind)
        if kind is None:
            raise EditRefused(f"unknown element kind '{request.kind}' (kinds: {', '.join(kinds())})")
        pi = self._page(layout, request.page)
        new_id = _unique(layout, request.kind, 1)
        return self._append(layout, pi, _starter(request.kind, new_id, number(request.x), number(request.y)),
                            f"add {new_id}")

    def _duplicate(self, layout: ResolvedLayout, request: DuplicateRequest) -> dict[str, Any]:
        """The element's keys as written, placed in page millimetres (an element of a part is copied
        into the layout, where its include's offset is added) and 2 mm further on."""
        target = self._target(layout, request.page, request.element, False)
        values = plain(YamlFile(target.origin.file).node(target.origin.path))
        shift = (target.origin.dx + 2, target.origin.dy + 2)
        for kx, ky in type(target.model).anchor_keys:
            if kx in values and ky in values:
                values[kx], values[ky] = number(values[kx] + shift[0]), number(values[ky] + shift[1])
        values["id"] = _unique(layout, str(values.get("id") or values.get("type")), 2)
        return self._append(layout, target.page, values, f"duplicate {target.name} as {values['id']}")

    def _page(self, layout: ResolvedLayout, page: str) -> int:
        names = [p.name for p in layout.pages]
        if page not in names:
            raise EditRefused(f"no page '{page}' (pages: {', '.join(names)})")
        return names.index(page)

    def _append(self, layout: ResolvedLayout, pi: int, values: dict[str, Any], label: str) -> dict[str, Any]:
        """A new element at the end of the page's elements in the layout file (drawn on top)."""
        origin = Origin(layout.source, ("pages", pi, "elements", len(layout.model.pages[pi].elements)))

        def append(doc: YamlFile) -> None:
            seq = doc.node(("pages", pi, "elements"))
            seq.append(new_element(values, seq[-1] if len(seq) else None))
        return self._write(layout, Target(pi, values["id"], origin, None), append, label, lambda new: values["id"])

    def _write(self, layout: ResolvedLayout, target: Target, edit: Callable[[YamlFile], None], label: str,
               select: Callable[[ResolvedLayout], str | None]) -> dict[str, Any]:
        """Make the change in memory, load the layout with it as the loader does, then write it."""
        why = self.locked(target.origin)
        if why:
            raise EditRefused(f"{target.name} is locked: {why}")
        file = target.origin.file.resolve()
        before = file.read_bytes()
        doc = YamlFile(file, before.decode("utf-8"))      # the undo copy and the edit from one read
        edit(doc)
        after = doc.text().encode("utf-8")
        if after == before:
            return {"done": f"{label}: nothing changed", "select": target.name, "history": self.history()}
        new = load_layout(self.layout_file, read=overlay({file: after}), allow_off_page=True)
        old_off = {str(p) for p in layout.off_page}
        newly_off = [str(p) for p in new.off_page if str(p) not in old_off]
        if newly_off:
            raise EditRefused(problems(self.layout_file, newly_off))
        self.check(new)
        atomic_write(file, after)
        self.done.append(Action(label, file, before, after))
        self.undone.clear()
        return {"done": label, "select": select(new), "history": self.history()}

    def _history(self, op: str) -> dict[str, Any]:
        """Undo or redo: put the file's bytes back, if nothing else changed the file since."""
        stack, other = (self.done, self.undone) if op == "undo" else (self.undone, self.done)
        if not stack:
            raise EditRefused(f"nothing to {op}")
        action = stack[-1]
        expected, wanted = (action.after, action.before) if op == "undo" else (action.before, action.after)
        try:
            current = action.file.read_bytes()
        except OSError:
            current = None
        if current != expected:
            self.done.clear()
            self.undone.clear()
            raise EditRefused(f"{action.file.name} was changed outside the designer since '{action.label}': "
                            "the undo history is cleared")
        atomic_write(action.file, wanted)
        other.append(stack.pop())
        return {"done": f"{op} {action.label}", "select": None, "history": self.history()}


def _unique(layout: ResolvedLayout, base: str, first: int) -> str:
    """`base-N`, the first N from `first` that names nothing in the layout yet."""
    taken = {n for p in layout.pages for n in p.names} | {
        n for p in layout.model.pages for n in element_names(p.elements)}
    return next(f"{base}-{n}" for n in range(first, 10_000) if f"{base}-{n}" not in taken)


def _value(key: str, value: Any) -> Any:
    """A value from the page: {"yaml": "..."} is YAML text (a `when:` condition), the rest as sent."""
    if isinstance(value, dict) and set(value) == {"yaml"} and isinstance(value["yaml"], str):
        try:
            return load_yaml(value["yaml"]) if value["yaml"].strip() else None
        except yaml.YAMLError as exc:
            raise EditRefused(f"{key}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
        except Refused as exc:
            raise EditRefused(f"{key}: {exc}") from None
    if isinstance(value, float):
        return number(value)
    return value


def _verb(values: dict[str, Any], model: type[Element]) -> str:
    """What a set of keys does, for the undo list: move, resize or edit (naming the keys)."""
    position = _anchors(model)
    keys = {k.split(".")[0] for k in values}
    if keys <= position:
        return "move"
    if keys & set(model.extent_keys) and keys <= position | set(model.extent_keys):
        return "resize"
    return "edit " + ", ".join(sorted(keys)) + " of"


def _starter(kind_name: str, new_id: str, x: float, y: float) -> dict[str, Any]:
    """A new element at (x, y): its kind, a unique id, and what its kind starts it with (the
    loader then checks it like any other)."""
    starter = element_models()[kind_name].starter(x, y)
    return {"type": kind_name, "id": new_id, **{k: number(v) if isinstance(v, float) else v for k, v in starter.items()}}


def _same_place(layout: ResolvedLayout, target: Target, include: bool) -> str:
    """The element's name after an edit (an id edit renames it): the element at the same place."""
    if include:
        raw = layout.model.pages[target.page].elements
        return element_names(raw)[int(target.origin.path[-1])]
    def place(o: Origin) -> tuple[Any, ...]:
        return (o.file.resolve(), o.path, tuple(v.path for v in o.via))
    page = layout.pages[target.page]
    return next((name for name, origin in zip(page.names, page.origins)
                 if place(origin) == place(target.origin)), target.name)
