"""docgen.fonts.cache: ReportLab's parse of a font kept between processes, never at the cost of
the output (same bytes with and without it) or of a run (a bad or unwritable cache is ignored)."""
from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from docgen import usercache
from docgen.fonts import DEFAULT_CONFIG
from docgen.fonts import cache as font_cache
from docgen.fonts.cache import face_state, parsed_font
from docgen.fonts.sequences import is_mark, is_selector
from docgen.fonts.tounicode import UnicodeTTFont
from docgen.paths import SAMPLES

GOTHIC = DEFAULT_CONFIG.parent / "BIZUDGothic-Regular.ttf"
MINCHO = DEFAULT_CONFIG.parent / "BIZUDMincho-Regular.ttf"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def _entries(home: Path, prefix: str = "") -> list[Path]:
    """The parses kept (named by the font's SHA-256); with prefix "file-", the digests known by file."""
    folder = home / "docgen" / "fonts"
    found = sorted(folder.iterdir()) if folder.is_dir() else []
    return [e for e in found if e.name.startswith(prefix) and (prefix or not e.name.startswith("file-"))]


def _same_face(face: TTFontFace, path: Path) -> None:
    """face holds exactly what ReportLab's own parse of path holds."""
    reference = TTFontFace(str(path))
    assert face_state(face) == face_state(reference)
    assert face._ttf_data[:] == reference._ttf_data          # mapped, not read: the same bytes
    assert face.filename == reference.filename
    assert [face._pdfScale(v) for v in (0, 1, 777, 2048)] == [reference._pdfScale(v) for v in (0, 1, 777, 2048)]


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: TTFontFace, charInfo: int = 1) -> None:
        raise AssertionError("the font was parsed although the cache holds it")
    monkeypatch.setattr(TTFontFace, "extractInfo", refuse)


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parses: list[str] = []
    original = TTFontFace.extractInfo

    def counted(self: TTFontFace, charInfo: int = 1) -> None:
        parses.append(self.filename)
        original(self, charInfo)
    monkeypatch.setattr(TTFontFace, "extractInfo", counted)
    return parses


def test_cold_then_warm_gives_reportlabs_own_parse(cache_home, monkeypatch):
    cold = parsed_font(GOTHIC).face
    _same_face(cold, GOTHIC)
    [entry] = _entries(cache_home)
    assert entry.stat().st_mode & 0o077 == 0           # private to this user
    with monkeypatch.context() as patch:
        _no_parsing(patch)
        warm = parsed_font(GOTHIC).face
    assert "glyphToChar" not in vars(warm)              # unpickled when asked for: only the parse reads it
    _same_face(warm, GOTHIC)
    assert warm.glyphToChar == TTFontFace(str(GOTHIC)).glyphToChar


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    original = font_cache.sha256_bytes

    def counted(data: bytes) -> str:
        sizes.append(len(data))
        return original(data)
    monkeypatch.setattr(font_cache, "sha256_bytes", counted)
    return sizes


def test_a_font_file_known_by_its_times_is_not_hashed_again(cache_home, monkeypatch):
    hashed = _count_hashing(monkeypatch)
    parsed_font(GOTHIC)
    [known] = _entries(cache_home, "file-")
    assert known.stat().st_mode & 0o077 == 0
    with monkeypatch.context() as patch:
        _no_parsing(patch)
        warm = parsed_font(GOTHIC).face
    _same_face(warm, GOTHIC)
    assert hashed == [GOTHIC.stat().st_size]


def test_a_font_file_rewritten_with_its_old_times_is_hashed_again(cache_home, tmp_path, monkeypatch):
    """Same size, same modification time: its change time still tells, and a file changed just
    now is not known by its times at all."""
    path = tmp_path / "font.ttf"
    path.write_bytes(GOTHIC.read_bytes())
    settled = GOTHIC.stat().st_mtime_ns
    os.utime(path, ns=(settled, settled))
    monkeypatch.setattr(usercache, "SETTLED", 0)
    hashed = _count_hashing(monkeypatch)
    parsed_font(path)
    assert len(_entries(cache_home, "file-")) == 1
    data = bytearray(GOTHIC.read_bytes())
    name = data.find(b"B\x00I\x00Z")                  # the font's name in UTF-16: another name, same size
    assert name > 0
    data[name] = ord("C")
    path.write_bytes(bytes(data))
    os.utime(path, ns=(settled, settled))
    face = parsed_font(path).face
    assert len(hashed) == 2 and face_state(face) == face_state(TTFontFace(str(path)))
    monkeypatch.setattr(usercache, "SETTLED", 10 ** 18)       # as if changed just now: hashed every time
    os.unlink(_entries(cache_home, "file-")[0])
    parsed_font(path)
    parsed_font(path)
    assert len(hashed) == 4 and _entries(cache_home, "file-") == []


def test_a_batch_fingerprint_takes_the_recorded_digest_and_sees_a_rewritten_font(cache_home, tmp_path, monkeypatch):
    """font_digest (every configured font, in a batch's fingerprint) hashes a file once while its
    times say it is the same file, and again once it was rewritten."""
    path = tmp_path / "font.ttf"
    path.write_bytes(GOTHIC.read_bytes())
    monkeypatch.setattr(usercache, "SETTLED", 0)
    hashed = _count_hashing(monkeypatch)
    first = font_cache.font_digest(path)
    assert first == hashlib.sha256(GOTHIC.read_bytes()).hexdigest()
    assert font_cache.font_digest(path) == first and len(hashed) == 1
    path.write_bytes(GOTHIC.read_bytes()[:-1] + b"\1")
    assert font_cache.font_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest() != first
    assert len(hashed) == 2


def test_coverage_comes_with_the_parse(cache_home, monkeypatch):
    """The characters a font maps (selectors aside) and those that are no combining mark, the same
    from a cold and a warm cache as from ReportLab's own character map."""
    reference = TTFontFace(str(MINCHO))
    chars = {chr(cp) for cp, gid in reference.charToGlyph.items() if gid and not is_selector(cp)}
    plain = {ch for ch in chars if not is_mark(ch)}
    assert "\u3099" in chars and "\u3099" not in plain and "葛" in plain     # a combining mark, an ideograph
    cold = parsed_font(MINCHO)
    with monkeypatch.context() as patch:
        _no_parsing(patch)
        warm = parsed_font(MINCHO)
    for parsed in (cold, warm):
        assert parsed.chars == chars and parsed.plain == plain


def test_an_entry_is_for_one_font_file_wherever_it_lies(cache_home, tmp_path, monkeypatch):
    """Keyed by content: a copy elsewhere is served from the same entry, with its own file name."""
    parsed_font(GOTHIC).face
    copy = tmp_path / "copy.ttf"
    copy.write_bytes(GOTHIC.read_bytes())
    with monkeypatch.context() as patch:
        _no_parsing(patch)
        face = parsed_font(copy).face
    assert face.filename == str(copy)
    _same_face(face, copy)
    parsed_font(MINCHO).face                 # another font is parsed, not mistaken for the cached one
    assert len(_entries(cache_home)) == 2


def test_a_changed_font_file_is_parsed_again(cache_home, tmp_path):
    path = tmp_path / "font.ttf"
    path.write_bytes(GOTHIC.read_bytes())
    parsed_font(path).face
    path.write_bytes(MINCHO.read_bytes())       # same name, new content
    face = parsed_font(path).face
    _same_face(face, path)
    assert face.name == TTFontFace(str(MINCHO)).name != TTFontFace(str(GOTHIC)).name


def _corrupt_variants(entry: Path) -> dict[str, bytes]:
    good = entry.read_bytes()
    payload = usercache.read(entry)
    other = pickle.dumps({**payload, "font": "0" * 64})      # a whole entry, for another font
    old = pickle.dumps({k: v for k, v in payload.items() if k != "chars"})     # an older format's
    return {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "flipped byte": good[:-10] + bytes([good[-10] ^ 0xFF]) + good[-9:],
        "garbage": os.urandom(4096),
        "other font": usercache.framed(other),
        "without coverage": usercache.framed(old),
        "not a pickle": usercache.framed(b"\x80\x05junk"),
    }


def test_a_corrupt_entry_is_ignored_and_replaced(cache_home):
    parsed_font(GOTHIC).face
    [entry] = _entries(cache_home)
    good = entry.read_bytes()
    for name, content in _corrupt_variants(entry).items():
        entry.write_bytes(content)
        entry.chmod(0o600)
        _same_face(parsed_font(GOTHIC).face, GOTHIC)
        assert entry.read_bytes() == good, name      # rewritten whole


def test_an_entry_that_is_no_regular_file_or_far_too_large_is_ignored(cache_home, monkeypatch):
    parsed_font(GOTHIC).face
    [entry] = _entries(cache_home)
    parses = _count_parses(monkeypatch)
    with entry.open("r+b") as fh:              # sparse: a huge file that takes no room
        fh.truncate(usercache.LARGEST + 1)
    tracemalloc.start()
    try:
        faces = [parsed_font(GOTHIC).face]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < usercache.LARGEST / 4            # not read into memory
    entry.unlink()
    entry.mkdir()                               # a folder where the entry should be: not even writable
    faces.append(parsed_font(GOTHIC).face)
    assert entry.is_dir() and parses == [str(GOTHIC)] * 2
    for face in faces:
        _same_face(face, GOTHIC)


def test_an_entry_someone_else_could_have_written_is_not_loaded(cache_home, monkeypatch):
    parsed_font(GOTHIC).face
    [entry] = _entries(cache_home)
    parses = _count_parses(monkeypatch)
    entry.chmod(0o666)                  # writable by anyone: a pickle runs code when loaded
    parsed_font(GOTHIC).face
    assert parses == [str(GOTHIC)]
    assert entry.stat().st_mode & 0o077 == 0             # replaced by a private one
    if hasattr(os, "getuid") and os.getuid() == 0:       # root can hand the file to another user
        os.chown(entry, 12345, -1)
        parsed_font(GOTHIC).face
        assert parses == [str(GOTHIC)] * 2
        assert entry.stat().st_uid == 0
    before = len(parses)
    parsed_font(GOTHIC).face
    assert len(parses) == before                         # the private entry is used again


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    _same_face(parsed_font(GOTHIC).face, GOTHIC)
    assert blocker.read_text() == "a file where the cache folder would go"
    assert not list(tmp_path.glob("**/.partial-*"))


def test_no_home_means_no_cache(monkeypatch):
    def no_home(cls: type) -> Path:
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(no_home))
    assert usercache.cache_dir("fonts") is None
    _same_face(parsed_font(GOTHIC).face, GOTHIC)


def test_relative_xdg_cache_home_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert usercache.cache_dir("fonts") == tmp_path / ".cache" / "docgen" / "fonts"


def test_unicode_ttfont_is_set_up_as_reportlab_sets_up_a_ttfont(cache_home):
    """UnicodeTTFont repeats TTFont.__init__ around a parsed face: the same attributes, the same values."""
    ours = UnicodeTTFont("docgen-test-gothic", parsed_font(GOTHIC).face)
    theirs = TTFont("docgen-test-gothic", str(GOTHIC))
    mine, reportlab = vars(ours), vars(theirs)
    assert set(mine) - {"sequences"} == set(reportlab)
    for key in reportlab:
        if key == "face":
            assert face_state(ours.face) == face_state(theirs.face)
        elif key == "state":
            assert dict(mine[key]) == dict(reportlab[key]) == {}
        elif key == "encoding":
            assert type(mine[key]) is type(reportlab[key])
        else:
            assert mine[key] == reportlab[key], key


def _render(home: Path, out: Path, layout: str = "kokuho-card", data: str = "kokuho.csv") -> subprocess.Popen:
    env = {**os.environ, "XDG_CACHE_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "docgen.cli", "render", layout, str(SAMPLES / data), "-o", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 3), err


def test_same_pdf_bytes_without_cold_and_warm_cache(tmp_path):
    """The cache changes no byte: no cache at all, an empty one being filled, a full one read.
    kokuho.csv draws 𠮷 and variation sequences from IPAmj明朝, so the fallback goes through it too."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    home = tmp_path / "xdg"
    pdfs = {}
    for name, where in (("none", blocker), ("cold", home), ("warm", home)):
        pdfs[name] = tmp_path / f"{name}.pdf"
        _finish(_render(where, pdfs[name]))
        if name == "cold":
            assert len(_entries(home)) >= 3          # gothic, mincho and IPAmj明朝 at least
    assert pdfs["none"].read_bytes() == pdfs["cold"].read_bytes() == pdfs["warm"].read_bytes()


def test_processes_starting_at_once_share_an_empty_cache(tmp_path):
    """Several processes fill the same empty cache at the same time: every PDF is the same, and
    what is left is whole entries that a later process reads, no partial files."""
    home = tmp_path / "xdg"
    runs = [_render(home, tmp_path / f"p{i}.pdf", "kenpo-card", "kenpo.csv") for i in range(4)]
    for proc in runs:
        _finish(proc)
    first = (tmp_path / "p0.pdf").read_bytes()
    assert all((tmp_path / f"p{i}.pdf").read_bytes() == first for i in range(1, 4))
    entries = _entries(home)
    assert entries and not [e for e in entries if e.name.startswith(".partial-")]
    for entry in entries:
        digest = entry.name.split(".")[0]
        assert font_cache._stored(usercache.read(entry), digest) is not None
    _finish(_render(home, tmp_path / "after.pdf", "kenpo-card", "kenpo.csv"))
    assert (tmp_path / "after.pdf").read_bytes() == first


@pytest.mark.parametrize("path", [GOTHIC, DEFAULT_CONFIG.parent / "ipamjm.ttf"])
def test_subsets_are_reportlabs_without_copying_the_glyph_table(cache_home, path):
    """Subsets cut glyph by glyph from the font's bytes are ReportLab's own, composite glyphs
    (é, ǘ are built from parts) included, and never hold a copy of the whole glyph table."""
    ours, theirs = parsed_font(path).face, TTFontFace(str(path))
    codes = [cp for cp in (0x41, 0xE9, 0x1D8, 0x3042, 0x845B, 0x9AD9, 0x20BB7) if cp in theirs.charToGlyph]
    assert len(codes) >= 4
    assert ours.makeSubset(codes) == theirs.makeSubset(codes)
    glyf = theirs.get_table_pos("glyf")[1]
    tracemalloc.start()
    try:
        ours.makeSubset(codes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < glyf / 4, f"{peak} bytes at peak for a glyph table of {glyf}"
