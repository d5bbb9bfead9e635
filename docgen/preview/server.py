"""`docgen serve`: a local page that re-renders a layout whenever it (or a part, or the profile) is saved.

Safety by construction: the server listens on 127.0.0.1 only and answers a fixed set of routes
(no URL is ever turned into a file path), a record is chosen by its index in the data file,
records are re-read for each render and nothing rendered is kept after the response. Every
request loads the layout afresh, so a broken layout is an error shown on the page, never a
stale image or a dead server.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import threading
import traceback
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs

import yaml
from PIL import Image

from docgen.errors import LayoutError
from docgen.layout.loader import layout_file, load_layout, profile_file
from docgen.layout.search import resolve
from docgen.pipeline import Job, open_job
from docgen.preview.layout_diff import diff_layouts, load_revision
from docgen.preview.snapshot import RecordFile, default_records, pick_record, snapshot
from docgen.records import RecordFileError

STATIC = resources.files("docgen.preview") / "static"
# (file under static/, content type) per route: the only files the server ever reads for a URL
PAGES = {"/": ("index.html", "text/html; charset=utf-8"), "/app.js": ("app.js", "text/javascript; charset=utf-8"),
         "/style.css": ("style.css", "text/css; charset=utf-8")}
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}
EXPECTED_ERRORS = (LayoutError, RecordFileError, ValueError, OSError)


def _png(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


class PreviewApp:
    """What the page asks for, computed afresh on every request."""

    def __init__(self, layout: str | Path, records: RecordFile | None = None, profile: str | None = None,
                 renewal: date | None = None, dpi: int = 200, record_id: str | None = None) -> None:
        self.layout_file = layout_file(layout).resolve()
        self.records = records
        self.profile = profile
        self.renewal = renewal
        self.dpi = dpi
        self.record_id = record_id                # the record the page starts with (--id)
        self.lock = threading.Lock()      # one request computes at a time: PDFium is not thread-safe

    def _watched(self) -> list[Path]:
        """The files whose saving should refresh the page: the layout, its parts, the profile, the data."""
        files, profile = watched_files(self.layout_file)
        ref, naming_file = (self.profile, None) if self.profile else (profile, self.layout_file)
        if ref:
            try:
                files.add(profile_file(ref, naming_file).resolve())
            except LayoutError:
                pass        # the render shows it; the layout is watched, so fixing the name brings the image back
        if self.records:
            files.add(self.records.path.resolve())
        return sorted(files)

    def version(self) -> str:
        """A fingerprint of the watched files' times and sizes: it changes when one is saved."""
        h = hashlib.sha1()
        for f in self._watched():
            try:
                st = f.stat()
                h.update(f"{f}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
            except OSError:
                h.update(f"{f}\0missing\n".encode())
        return h.hexdigest()[:16]

    def _open(self) -> tuple[Job, RecordFile]:
        job = open_job(load_layout(self.layout_file, allow_off_page=True), self.profile, self.renewal)
        return job, self.records or default_records(job.layout)

    def state(self, query: dict[str, str]) -> dict[str, Any]:
        job, source = self._open()
        # index, row and 管理番号 (only one that passes validation: a mis-mapped column or broken
        # text is never shown): enough to pick a record, nothing personal
        records = [{"index": i, "row": src.row, "record_id": values.get("record_id")}
                   for i, (src, values, _) in enumerate(job.check(source.records(job)))]
        start = next((r["index"] for r in records if self.record_id and r["record_id"] == self.record_id), 0)
        return {"layout": job.layout.name, "file": self.layout_file.name, "data": source.path.name,
                "pages": [p.name for p in job.layout.pages], "records": records, "start": start}

    def render(self, query: dict[str, str]) -> dict[str, Any]:
        job, source = self._open()
        shot = snapshot(job, pick_record(job, source, index=_index(query)), self.dpi)
        image = _png(shot.sheet(query.get("page", "all"), query.get("boxes") == "1"))
        problems = [f"layout error: {p}" for p in job.layout.off_page] + [str(p) for p in shot.problems]
        return {"image": image, "problems": problems, "notes": shot.notes(query.get("page", "all"))}

    def diff(self, query: dict[str, str]) -> dict[str, Any]:
        job, source = self._open()
        before = open_job(load_revision(self.layout_file, "HEAD"), self.profile, self.renewal)
        result = diff_layouts(before, job, pick_record(job, source, index=_index(query)),
                              query.get("page", "all"), self.dpi, "HEAD")
        return {"image": _png(result.sheet), "changes": result.lines()}


def watched_files(layout: Path) -> tuple[set[Path], str | None]:
    """The layout file and every part it includes, found by the loader's reference rule but read
    as plain YAML, so a layout that does not validate is still followed; and the profile it names."""
    files: set[Path] = set()
    todo, profile = [layout], None
    while todo:
        path = todo.pop()
        if path in files:
            continue
        files.add(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if path == layout and isinstance(data, dict) and isinstance(data.get("profile"), str):
            profile = data["profile"]
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


def _index(query: dict[str, str]) -> int:
    text = query.get("record", "0")
    if not text.isdigit():
        raise ValueError("record must be an index (0, 1, 2, ...)")
    return int(text)


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
            self.wfile.write(body)

    def _json(self, payload: dict[str, Any]) -> None:
        # ASCII with \u escapes: any str encodes, even a lone surrogate read from a JSON Lines file
        self._send(200, json.dumps(payload).encode("ascii"), "application/json; charset=utf-8")

    def _host_ok(self) -> bool:
        """Refuse other Host names, so a web page that rebinds its name to 127.0.0.1 reads nothing."""
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _api(self, action: Callable[[dict[str, str]], dict[str, Any]], raw_query: str) -> None:
        version = self.app.version()      # before rendering: a save during the render shows up as new
        try:
            query = {k: v[0] for k, v in parse_qs(raw_query, max_num_fields=8).items()}
            with self.app.lock:
                payload = action(query)
        except EXPECTED_ERRORS as exc:
            payload = {"error": str(exc)}
        except Exception as exc:   # a bug must not stop the server; log where, not what (values may be personal)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            print(f"docgen serve: internal error {type(exc).__name__} at {frame.filename}:{frame.lineno}", file=sys.stderr)
            payload = {"error": f"internal error ({type(exc).__name__}); see the server's output"}
        self._json({"version": version, **payload})

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if not self._host_ok():
            self._send(403, b"forbidden host\n", "text/plain; charset=utf-8")
        elif path in PAGES:
            name, content_type = PAGES[path]
            self._send(200, (STATIC / name).read_bytes(), content_type)
        elif path == "/api/version":
            self._json({"version": self.app.version()})
        elif path in ("/api/state", "/api/render", "/api/diff"):
            self._api(getattr(self.app, path.rsplit("/", 1)[1]), query)
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")

    do_HEAD = do_GET

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
