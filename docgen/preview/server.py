"""`docgen serve`: a local page that re-renders a layout whenever it (or a part, or the profile) is
saved, and the designer that edits it (docgen.preview.designer).

Safety by construction: the server listens on 127.0.0.1 only and answers a fixed set of routes
(no URL is ever turned into a file path), a record is chosen by its index in the data file,
records are re-read for each render and nothing rendered is kept after the response. Every
request loads the layout afresh, so a broken layout is an error shown on the page, never a
stale image or a dead server. A write (POST /api/edit, the only one) needs the session's token
from the page, an Origin and Host of this server and a JSON body; it names elements by page and
name, and the designer writes only the layout and the parts in the layout's folder.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import math
import sys
import threading
import traceback
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs

import yaml
from PIL import Image

from docgen.errors import BadEditRequest, DocgenError, EditRefused, LayoutError
from docgen.layout.loader import ResolvedLayout, layout_file, load_layout, profile_file
from docgen.layout.search import resolve
from docgen.paths import FONTS
from docgen.pipeline import Job, open_job
from docgen.preview.designer import (
    MAX_BODY,
    Designer,
    overlay,
    parse_request,
    schema_for_page,
)
from docgen.preview.layout_diff import diff_layouts, element_changes, load_revision
from docgen.preview.snapshot import (
    RecordFile,
    default_records,
    page_indices,
    pick_record,
    snapshot,
)
from docgen.records import RecordFileError
from docgen.yamlfile import MAX_DIGITS, Refused, check_size, load_yaml, plain_children

STATIC = resources.files("docgen.preview") / "static"
# (file under static/, content type) per route: the only files the server ever reads for a URL
JS = "text/javascript; charset=utf-8"
PAGES = {"/": (STATIC / "index.html", "text/html; charset=utf-8"), "/app.js": (STATIC / "app.js", JS),
         "/canvas.js": (STATIC / "canvas.js", JS), "/properties.js": (STATIC / "properties.js", JS),
         "/style.css": (STATIC / "style.css", "text/css; charset=utf-8"),
         # Japanese in the page (names, the panel) where the system has no Japanese font
         "/ui-font.ttf": (FONTS / "BIZUDGothic-Regular.ttf", "font/ttf")}
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}
EXPECTED_ERRORS = (DocgenError, ValueError, OSError)    # what a user can cause: shown on the page
MAX_CHECKED = 5000      # records tried against every edit; a larger file is checked in part (the page says so)


def _png(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class PreviewApp:
    """What the page asks for, computed afresh on every request."""

    def __init__(self, layout: str | Path, records: RecordFile | None = None, profile: str | None = None,
                 renewal: date | None = None, dpi: int = 200, record_id: str | None = None,
                 read_only: str | None = None) -> None:
        self.layout_file = layout_file(layout).resolve()
        self.records = records
        self.profile = profile
        self.renewal = renewal
        self.dpi = dpi
        self.record_id = record_id                # the record the page starts with (--id)
        self.lock = threading.Lock()      # one request computes at a time: PDFium is not thread-safe
        self.designer = Designer(self.layout_file, self._job, read_only)
        self._walk: tuple[list[tuple[str, int, int]], list[Path]] | None = None    # see _watched
        # the files as the session found them: what "no longer fits" compares with outside git
        self.started = {f: f.read_bytes() for f in self._watched() if f.is_file()}
        self._rejects: dict[str, tuple[str, dict[int, list[str]]]] = {}

    def _watched(self) -> list[Path]:
        """The files whose saving should refresh the page: the layout, its parts and scheme, the profile, the data.

        Finding them reads the layout's YAML files; the page asks twice a second, so the last
        answer is kept while none of those files has changed (a stat each, no parsing)."""
        if self._walk is not None and [_stamp(f) for f in self._walk[1]] == self._walk[0]:
            return self._walk[1]
        files, profile = watched_files(self.layout_file)
        ref, naming_file = (self.profile, None) if self.profile else (profile, self.layout_file)
        if ref:
            try:
                files.add(profile_file(ref, naming_file).resolve())
            except LayoutError:
                pass        # the render shows it; the layout is watched, so fixing the name brings the image back
        if self.records:
            files.add(self.records.path.resolve())
        found = sorted(files)
        self._walk = ([_stamp(f) for f in found], found)
        return found

    def version(self) -> str:
        """A fingerprint of the watched files' times and sizes: it changes when one is saved."""
        h = hashlib.sha1()
        for stamp in (_stamp(f) for f in self._watched()):
            h.update(f"{stamp}\n".encode())
        return h.hexdigest()[:16]

    def _job(self, layout: ResolvedLayout) -> Job:
        """The layout with the session's profile, as `docgen render` opens it: its static text
        prepared (fonts have every character, it fits)."""
        return open_job(layout, self.profile, self.renewal)

    def _open(self) -> tuple[Job, RecordFile]:
        job = self._job(load_layout(self.layout_file, allow_off_page=True))
        return job, self.records or default_records(job.layout)

    def state(self, query: dict[str, str]) -> dict[str, Any]:
        job, source = self._open()
        # index, row and 管理番号 (only one that passes validation: a mis-mapped column or broken
        # text is never shown): enough to pick a record, nothing personal
        records = [{"index": i, "row": src.row, "record_id": values.get("record_id")}
                   for i, (src, values, _) in enumerate(job.validate(source.records(job)))]
        start = next((r["index"] for r in records if self.record_id and r["record_id"] == self.record_id), 0)
        return {"layout": job.layout.name, "file": self.layout_file.name, "data": source.path.name,
                "pages": [p.name for p in job.layout.pages], "size": job.layout.model.size_mm, "records": records, "start": start,
                "read_only": self.designer.read_only, "history": self.designer.history()}

    def render(self, query: dict[str, str]) -> dict[str, Any]:
        """The chosen pages, each its own image with every element's box, name, status and lock."""
        job, source = self._open()
        page = query.get("page", "all")
        dpi = _dpi(query, self.dpi)
        shot = snapshot(job, pick_record(job, source, index=_index(query)), dpi)
        pages = []
        for i in page_indices(job.layout, page):
            marks: dict[str, Any] = {}
            for m in shot.marks[i]:
                marks.setdefault(m.name, m)
            elements = self.designer.page_elements(job.layout, i)
            for el in elements:
                mark = marks.get(el["name"])
                el.update(status=mark.status if mark else "ok", note=mark.note if mark else "")
            pages.append({"name": job.layout.pages[i].name, "size": job.layout.model.size_mm,
                          "image": _png(shot.pages[i]), "dpi": dpi, "elements": elements,
                          "groups": self.designer.page_groups(job.layout, i)})
        problems = [f"layout error: {p}" for p in job.layout.off_page] + [str(p) for p in shot.problems]
        return {"pages": pages, "problems": problems, "notes": shot.notes(page)}

    def diff(self, query: dict[str, str]) -> dict[str, Any]:
        """The element changes against git HEAD; with image=1 (the default) the diff picture too."""
        job, source = self._open()
        before = load_revision(self.layout_file, "HEAD")
        if query.get("image", "1") == "0":
            page = query.get("page", "all")
            names = {p.name for p in job.layout.pages} if page == "all" else {page}
            return {"changes": [str(c) for c in element_changes(before, job.layout) if c.page in names]}
        result = diff_layouts(open_job(before, self.profile, self.renewal), job,
                              pick_record(job, source, index=_index(query)), query.get("page", "all"), self.dpi, "HEAD")
        return {"image": _png(result.sheet), "changes": result.lines()}

    def schema(self, query: dict[str, str]) -> dict[str, Any]:
        return schema_for_page()

    def element(self, query: dict[str, str]) -> dict[str, Any]:
        """One element's keys as written in its file (or an include's, with include=1)."""
        layout = load_layout(self.layout_file, allow_off_page=True)
        return self.designer.properties(layout, query.get("page", ""), query.get("element", ""),
                                        query.get("include") == "1")

    def check(self, query: dict[str, str]) -> dict[str, Any]:
        """Every record of the data file the layout now rejects, and which of them it did not
        reject before the edits (at git HEAD, else when the session started): row, 管理番号, field
        and rule only."""
        job, source = self._open()
        now = self._rejected(job, source)
        label, before = self._baseline()
        then = self._rejected(open_job(before, self.profile, self.renewal), source)
        rows = [{"index": i, "problems": problems, "new": i not in then[1]} for i, problems in now[1].items()]
        return {"checked": now[0], "against": label, "rejected": rows,
                "fits_again": len([i for i in then[1] if i not in now[1]])}

    def _baseline(self) -> tuple[str, ResolvedLayout]:
        try:
            return "git HEAD", load_revision(self.layout_file, "HEAD")
        except LayoutError:
            return "the start of this session", load_layout(self.layout_file, read=overlay(self.started),
                                                            allow_off_page=True)

    def _rejected(self, job: Job, source: RecordFile) -> tuple[str, dict[int, list[str]]]:
        """Rejected records by index, remembered for the same layout, profile and data file."""
        try:
            st = source.path.stat()
        except OSError as exc:
            raise RecordFileError(f"{source.path}: cannot read ({exc.strerror})") from None
        key = hashlib.sha1(f"{job.layout.model.model_dump_json()}{job.layout.pages}{job.profile}"
                           f"{source}{st.st_mtime_ns}{st.st_size}".encode()).hexdigest()
        if key not in self._rejects:
            out: dict[int, list[str]] = {}
            records = list(islice(source.records(job), MAX_CHECKED))
            count = len(records)
            # by the record's place in the file: a household layout's outcomes come household by household
            index = {src.row: i for i, src in enumerate(records)}
            for outcome in job.outcomes(records):
                if outcome.problems:
                    out[index[outcome.row]] = [str(p) for p in outcome.problems]
            if len(self._rejects) > 8:
                self._rejects.clear()
            self._rejects[key] = (f"{count} record(s)" + (f" (the first {MAX_CHECKED})" if count == MAX_CHECKED else ""), out)
        return self._rejects[key]

    def edit(self, body: Any) -> dict[str, Any]:
        """One designer edit (see docgen.preview.designer): checked by the loader, then written."""
        return self.designer.apply(parse_request(body), self.version())

    def page(self) -> bytes:
        """index.html with the session's write token (a page of another site cannot read it)."""
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return html.replace("{{token}}", self.designer.token).replace(
            "{{read_only}}", "true" if self.designer.read_only else "false").encode("utf-8")


def read_body(raw: bytes) -> Any:
    """A write request's JSON: standard JSON only (no NaN or Infinity), its integers, nesting and
    size as a layout's may be (docgen.yamlfile), else BadEditRequest saying why."""
    def refuse(problem: str) -> Any:
        raise BadEditRequest(f"bad request: the body holds {problem}")

    def integer(text: str) -> int:
        digits = len(text.lstrip("-"))
        return int(text) if digits <= MAX_DIGITS else refuse(f"an integer of {digits:,} digits (at most {MAX_DIGITS})")

    def real(text: str) -> float:
        value = float(text)
        return value if math.isfinite(value) else refuse(f"{text[:20]}, too large for a number")
    try:
        body = json.loads(raw, parse_constant=lambda name: refuse(f"{name}, which is not a number"),
                          parse_int=integer, parse_float=real)
        check_size(body, plain_children)
    except BadEditRequest:
        raise
    except RecursionError:
        raise BadEditRequest("bad request: the body is nested too deeply") from None
    except Refused as exc:
        raise BadEditRequest(f"bad request: the body is {exc}") from None
    except ValueError:          # not UTF-8, not JSON
        raise BadEditRequest("bad request: the body is not JSON") from None
    return body


def _stamp(f: Path) -> tuple[str, int, int]:
    """A file's name, modification time and size ((-1, -1) when it is missing): what saving it changes."""
    try:
        st = f.stat()
    except OSError:
        return (str(f), -1, -1)
    return (str(f), st.st_mtime_ns, st.st_size)


def watched_files(layout: Path) -> tuple[set[Path], str | None]:
    """The layout file, every part it includes and its scheme file, found by the loader's reference
    rule but read as plain YAML, so a layout that does not validate is still followed; and the
    profile it names."""
    files: set[Path] = set()
    todo, profile = [layout], None
    while todo:
        path = todo.pop()
        if path in files:
            continue
        files.add(path)
        try:
            data = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, Refused):
            continue
        if path == layout and isinstance(data, dict) and isinstance(data.get("profile"), str):
            profile = data["profile"]
        if path == layout and isinstance(data, dict) and isinstance(data.get("scheme"), str):
            try:
                files.add(resolve("scheme", data["scheme"], path).resolve())
            except LayoutError:
                pass           # the render shows the error; the layout naming it is watched
        for part in _included_parts(data):
            try:
                todo.append(resolve("part", part, path).resolve())
            except LayoutError:
                continue       # the render shows the error; the file naming it is watched
    return files, profile


def _included_parts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "include" and isinstance(node.get("part"), str):
            yield node["part"]
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from _included_parts(child)


def _dpi(query: dict[str, str], default: int) -> int:
    """The resolution the page asks for (it zooms), within 50 to 600 dpi."""
    text = query.get("dpi", "")
    return min(600, max(50, int(text))) if text.isdigit() else default


def _index(query: dict[str, str]) -> int:
    text = query.get("record", "0")
    if not text.isdigit():
        raise ValueError("record must be an index (0, 1, 2, ...)")
    return int(text)


READS = ("/api/state", "/api/render", "/api/diff", "/api/schema", "/api/element", "/api/check")


class Handler(BaseHTTPRequestHandler):
    """Fixed routes only; anything else is 404, whatever dots or escapes the path holds."""

    app: PreviewApp
    server_version = "docgen-preview"

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in HEADERS.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass        # the page went away (reloaded, closed) before the answer was sent

    def _json(self, payload: dict[str, Any], status: int = 200) -> None:
        # ASCII with \u escapes: any str encodes, even a lone surrogate read from a JSON Lines file
        self._send(status, json.dumps(payload).encode("ascii"), "application/json; charset=utf-8")

    def _host_ok(self) -> bool:
        """Refuse other Host names, so a web page that rebinds its name to 127.0.0.1 reads nothing."""
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _write_refusal(self) -> str | None:
        """Why a write request is not the designer page's own, or None: the Host, the Origin, the
        token from the page and a JSON body must all be this session's."""
        if not self._host_ok():
            return "forbidden host"
        if self.headers.get("Origin") != f"http://{self.headers.get('Host')}":
            return "forbidden origin"
        if self.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            return "forbidden cross-site request"
        if not hmac.compare_digest(self.headers.get("X-Docgen-Token", "").encode(), self.app.designer.token.encode()):
            return "missing or wrong session token (reload the page)"
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            return "the body must be JSON"
        return None

    def _run(self, action: Callable[[], dict[str, Any]], version_after: bool = False) -> None:
        version = self.app.version()      # before rendering: a save during the render shows up as new
        status = 200
        try:
            with self.app.lock:
                payload = action()
            if version_after:
                version = self.app.version()
        except EditRefused as exc:
            status, payload = (400 if isinstance(exc, BadEditRequest) else 409), {"error": str(exc)}
        except EXPECTED_ERRORS as exc:
            status, payload = (422 if version_after else 200), {"error": str(exc)}
        except Exception as exc:   # a bug must not stop the server; log where, not what (values may be personal)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"docgen serve: internal error {type(exc).__name__} at {frame.filename}:{frame.lineno}", file=sys.stderr)
            payload = {"error": f"internal error ({type(exc).__name__}); see the server's output"}
        self._json({"version": version, **payload}, status)

    def _api(self, action: Callable[[dict[str, str]], dict[str, Any]], raw_query: str) -> None:
        try:
            query = {k: v[0] for k, v in parse_qs(raw_query, max_num_fields=8).items()}
        except ValueError as exc:
            self._json({"version": self.app.version(), "error": str(exc)})
            return
        self._run(lambda: action(query))

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if not self._host_ok():
            self._send(403, b"forbidden host\n", "text/plain; charset=utf-8")
        elif path == "/":
            self._send(200, self.app.page(), PAGES[path][1])
        elif path in PAGES:
            file, content_type = PAGES[path]
            self._send(200, file.read_bytes(), content_type)
        elif path == "/api/version":
            self._json({"version": self.app.version()})
        elif path in READS:
            self._api(getattr(self.app, path.rsplit("/", 1)[1]), query)
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        """The one write: POST /api/edit with a JSON body (docgen.preview.designer.EditRequest)."""
        if self.path != "/api/edit":
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
            return
        refusal = self._write_refusal()
        if refusal:
            self._send(403, refusal.encode() + b"\n", "text/plain; charset=utf-8")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            self._send(413 if length > MAX_BODY else 411, b"a JSON body of at most 64 KiB\n", "text/plain; charset=utf-8")
            return
        try:
            body = read_body(self.rfile.read(length))
        except BadEditRequest as exc:
            self._json({"version": self.app.version(), "error": str(exc)}, 400)
            return
        self._run(lambda: self.app.edit(body), version_after=True)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Only refusals are worth a line; the page polls twice a second."""
        if str(code)[0] in "45":
            super().log_request(code, size)


def make_server(app: PreviewApp, port: int = 8000) -> ThreadingHTTPServer:
    """A server bound to 127.0.0.1 only (port 0: any free port)."""
    handler = type("PreviewHandler", (Handler,), {"app": app})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server
