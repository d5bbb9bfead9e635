"""`docgen serve`: fixed routes only, fresh renders, and a page that follows edits in a real browser.

The browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright; `.ci/run`
installs it. Without it they skip, so a developer machine without Chromium still passes.
"""
from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from docgen.paths import LAYOUTS, PROFILES, SAMPLES
from docgen.preview.server import PreviewApp, make_server
from docgen.preview.snapshot import RecordFile

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TRAVERSALS = [
    "/../../etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd", "/..\\..\\etc\\passwd", "/%2e%2e%5c%2e%2e%5cetc%5cpasswd", "//etc/passwd",
    "/app.js/../../../../etc/passwd", "/static/../../../../etc/passwd", "/api/render/../../../pyproject.toml",
    "/kokuho-card.yaml", "/layouts/kokuho-card.yaml", "/parts/organ-donation.yaml", "/static/app.js",
    "/index.html", "/api/state/", "/API/state",
]


class Served:
    def __init__(self, root: Path, app: PreviewApp) -> None:
        self.root = root
        self.app = app
        self.server = make_server(app, 0)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def layout(self) -> Path:
        return self.root / "layouts" / "kokuho-card.yaml"

    def get(self, path: str, host: str | None = None) -> tuple[int, bytes]:
        """A request with the path exactly as given (no client-side normalising of dots)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host or f"127.0.0.1:{self.port}")
            conn.endheaders()
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    def api(self, path: str) -> dict[str, Any]:
        status, body = self.get(path)
        assert status == 200
        return json.loads(body)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=docgen-test", "-c", "user.email=test@example.invalid", *args],
                   cwd=cwd, check=True, capture_output=True)


def copy_project(root: Path) -> None:
    """The built-in layouts and profiles and the kokuho sample copied into `root`, committed in its
    own git repository (when git is installed), as a designer's working folder would be."""
    shutil.copytree(LAYOUTS, root / "layouts")
    shutil.copytree(PROFILES, root / "profiles")
    shutil.copy(SAMPLES / "kokuho.csv", root / "kokuho.csv")
    if shutil.which("git"):
        git(root, "init", "-q")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", "as committed")


def _serve(root: Path) -> Iterator[Served]:
    """A server on a copied layouts tree (committed in its own git repository), data and profile copied too."""
    copy_project(root)
    app = PreviewApp(root / "layouts" / "kokuho-card.yaml", RecordFile(root / "kokuho.csv"),
                     profile=str(root / "profiles" / "kasou-city-kokuho.yaml"), dpi=100)
    s = Served(root, app)
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture()
def served(tmp_path: Path) -> Iterator[Served]:
    """A server of its own, for a test that edits the served files."""
    yield from _serve(tmp_path / "project")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that only read."""
    yield from _serve(tmp_path_factory.mktemp("shared") / "project")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


# ------------------------------------------------------------------ HTTP, without a browser
def test_listens_on_loopback_only(shared: Served) -> None:
    assert shared.server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_fixed_routes(shared: Served, path: str) -> None:
    status, body = shared.get(path)
    assert status == 404, path
    assert body == b"not found\n"


def test_other_host_names_are_refused(shared: Served) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 still cannot read a rendering."""
    assert shared.get("/api/state", host="attacker.example")[0] == 403
    assert shared.get("/api/state", host=f"localhost:{shared.port}")[0] == 200


def test_state_lists_records_by_index_and_id_only(shared: Served) -> None:
    state = shared.api("/api/state")
    assert state["pages"] == ["front", "back"]
    assert state["records"][0] == {"index": 0, "row": 1, "record_id": "K0001"}
    assert set(state["records"][0]) == {"index", "row", "record_id"}
    assert "見本" not in json.dumps(state, ensure_ascii=False)      # no names, no addresses


def test_records_are_re_read_for_every_request(served: Served) -> None:
    before = len(served.api("/api/state")["records"])
    with (served.root / "kokuho.csv").open("a", encoding="utf-8") as fh:
        fh.write("K9999,架空,1001,09,見本　九郎,ミホン　クロウ,1990-01-01,男,2015-04-01,2026-07-15,,見本　太郎,"
                 "0000101,例題県架空市見本町二丁目3番4号,,,,,,,,,H009\n")
    assert served.api("/api/state")["records"][-1]["record_id"] == "K9999"
    assert len(served.api("/api/state")["records"]) == before + 1


def test_bad_queries_are_errors_not_crashes(shared: Served) -> None:
    assert "no record #99" in shared.api("/api/render?record=99")["error"]
    assert "index" in shared.api("/api/render?record=../../etc/passwd")["error"]
    assert "no page 'inside'" in shared.api("/api/render?page=inside")["error"]
    back = shared.api("/api/render?record=1&page=back")["pages"]
    assert [p["name"] for p in back] == ["back"] and back[0]["image"].startswith("data:image/png;base64,")


def test_saving_the_profile_changes_version_and_rendering(served: Served) -> None:
    version, image = served.api("/api/version")["version"], served.api("/api/render?page=front")["pages"][0]["image"]
    replace(served.root / "profiles" / "kasou-city-kokuho.yaml", "name: 架空市", "name: 架空町")
    assert served.api("/api/version")["version"] != version
    assert served.api("/api/render?page=front")["pages"][0]["image"] != image


def test_saving_an_included_part_changes_version_and_rendering(served: Served) -> None:
    version, image = served.api("/api/version")["version"], served.api("/api/render?page=back")["pages"][0]["image"]
    (served.root / "layouts" / "kenpo-card.yaml").touch()             # not this layout's: no refresh
    assert served.api("/api/version")["version"] == version
    replace(served.root / "layouts" / "parts" / "organ-donation.yaml", "id: organ-organs, x: 1, y: 12.9,",
            "id: organ-organs, x: 1, y: 13.4,")
    assert served.api("/api/version")["version"] != version
    assert served.api("/api/render?page=back")["pages"][0]["image"] != image


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_head_names_the_edit(served: Served) -> None:
    assert served.api("/api/diff")["changes"] == []
    replace(served.layout, "{type: field, id: birth, x: 21.5,", "{type: field, id: birth, x: 23.5,")
    diff = served.api("/api/diff?page=front")
    assert diff["changes"] == ["front: birth moved (x 21.5 → 23.5)"]
    assert diff["image"].startswith("data:image/png;base64,")


def test_a_broken_layout_is_reported_and_the_server_stays_up(served: Served) -> None:
    served.layout.write_text("pages: [oops\n", encoding="utf-8")
    assert "not valid YAML" in served.api("/api/render")["error"]
    assert "not valid YAML" in served.api("/api/state")["error"]
    assert served.get("/")[0] == 200


# ------------------------------------------------------------------ the page, in Chromium
def _playwright() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does) to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
    return sync_api


@pytest.fixture()
def page(served: Served) -> Iterator[Any]:
    sync_api = _playwright()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.goto(served.url + "/")
            tab.wait_for_selector("body[data-state=ok]", timeout=30_000)
            yield tab
        finally:
            browser.close()


def wait_until(check: Callable[[], bool], timeout: float) -> float:
    """Seconds until `check()` held; fails after `timeout`."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - start


def test_page_follows_an_edit_of_the_layout(served: Served, page: Any, tmp_path: Path) -> None:
    assert page.inner_text("#title").startswith("kokuho-card")
    assert page.locator("#record option").count() == len(served.api("/api/state")["records"])
    before = page.get_attribute("#preview", "src")
    assert before.startswith("data:image/png;base64,")

    replace(served.layout, "text: 国民健康保険資格確認書}", "text: 国民健康保険 資格確認書}")
    took = wait_until(lambda: page.get_attribute("#preview", "src") != before, timeout=5)
    assert took < 3, f"the page took {took:.1f} s to show the edit"

    page.check("#boxes")
    page.wait_for_selector("#notes li", timeout=10_000)
    assert "organ-instruction fitted" in page.inner_text("#notes")
    page.screenshot(path=str(tmp_path / "serve.png"), full_page=True)


def test_page_shows_a_load_error_instead_of_a_stale_image(served: Served, page: Any) -> None:
    good = served.layout.read_text(encoding="utf-8")
    replace(served.layout, "{type: field, id: birth, x: 21.5,", "{type: field, id: birth, x: 21.5, colour: red,")
    page.wait_for_selector("body[data-state=error]", timeout=5_000)
    error = page.inner_text("#error")
    assert "kokuho-card.yaml" in error and "birth" in error and "colour" in error
    assert page.get_attribute("#preview", "src") is None and not page.is_visible("#view")

    served.layout.write_text(good, encoding="utf-8")
    page.wait_for_selector("body[data-state=ok]", timeout=5_000)
    assert page.is_visible("#preview") and not page.is_visible("#error")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_page_shows_the_diff_against_head(served: Served, page: Any) -> None:
    page.check("#diff")
    page.wait_for_selector("#changes li", timeout=10_000)
    assert page.inner_text("#changes") == "no changes"
    replace(served.layout, "{type: text, id: sex-label, x: 62,", "{type: text, id: sex-label, x: 60,")
    page.wait_for_selector("#changes li:has-text('sex-label moved')", timeout=10_000)
    assert page.get_attribute("#diff-image", "src").startswith("data:image/png;base64,")


def test_browser_traversal_finds_nothing(served: Served, page: Any) -> None:
    for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/%2e%2e%5cetc%5cpasswd"]:
        answer = page.goto(served.url + path)
        assert answer.status == 404, path
        assert "root:" not in page.content()
