"""docgen.usercache.kept, as docgen.layout.stored, fonts.yaml and the field dictionary use it: a
layout, profile or configuration kept between runs is the one a load gives, and never a stale
one: a changed byte of any file the load read, a reference that now means another file, a font
file gone, another docgen is a miss; a corrupt entry or an unwritable cache costs only the time."""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docgen import usercache
from docgen.errors import FontConfigError, LayoutError
from docgen.fonts import DEFAULT_CONFIG
from docgen.fonts.config import read_config
from docgen.layout import loader, stored
from docgen.layout.loader import load_layout, load_profile
from docgen.layout.search import ENV_VAR
from docgen.paths import LAYOUTS, PARTS, PROFILES


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setattr(usercache, "SETTLED", 0)        # the files the tests write just now count as settled
    return home


@pytest.fixture
def card(tmp_path: Path) -> Path:
    """A copy of kenpo-card with its parts, in a folder of its own; its profile and scheme are the built-in ones."""
    folder = tmp_path / "mine"
    shutil.copytree(PARTS, folder / "parts")
    path = folder / "kenpo-card.yaml"
    shutil.copy(LAYOUTS / "kenpo-card.yaml", path)
    return path


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The layouts and profiles read and validated from their files (not taken from the cache)."""
    done: list[str] = []
    layout, profile = loader._load_layout, loader._load_profile

    def load_layout_(path: Path, *args: object) -> object:
        done.append(path.name)
        return layout(path, *args)

    def load_profile_(path: Path) -> object:
        done.append(path.name)
        return profile(path)
    monkeypatch.setattr(loader, "_load_layout", load_layout_)
    monkeypatch.setattr(loader, "_load_profile", load_profile_)
    return done


def _entries(home: Path) -> list[Path]:
    """The kept layouts (the folder also keeps profiles, fonts.yaml, the field dictionary)."""
    folder = home / "docgen" / "loaded"
    found = sorted(folder.iterdir()) if folder.is_dir() else []
    return [e for e in found if isinstance((usercache.read(e) or {}).get("value"), loader.ResolvedLayout)]


def _edit(path: Path, old: bytes, new: bytes) -> None:
    data = path.read_bytes()
    assert data.count(old) == 1
    path.write_bytes(data.replace(old, new))


def _element(layout: loader.ResolvedLayout, element_id: str) -> object:
    return next(el for page in layout.pages for el in page.elements if el.id == element_id)


def test_a_kept_layout_is_the_one_loaded(cache_home, card, loads):
    first = load_layout(card)
    [entry] = _entries(cache_home)
    assert entry.stat().st_mode & 0o077 == 0
    again = load_layout(card)
    assert loads == ["kenpo-card.yaml"]                 # read and validated once
    assert again is not first
    assert again.model == first.model and again.pages == first.pages and again.files == first.files
    assert again.scheme.source == first.scheme.source and again.scheme.spec == first.scheme.spec
    assert [f.name for f in again.fields] == [f.name for f in first.fields]
    seal = _element(again, "seal")
    assert seal.path("x.png") == _element(first, "seal").path("x.png") == card.parent / "x.png"   # its own folder


def test_a_changed_byte_of_a_part_is_a_miss(cache_home, card, loads):
    assert _element(load_layout(card), "notes-title").size == 5.5
    _edit(card.parent / "parts" / "card-notes.yaml", b"size: 5.5, font: gothic-bold", b"size: 5.6, font: gothic-bold")
    assert _element(load_layout(card), "notes-title").size == 5.6
    assert _element(load_layout(card), "notes-title").size == 5.6
    assert loads == ["kenpo-card.yaml"] * 2


def test_a_broken_part_is_an_error_again_not_the_kept_layout(cache_home, card):
    load_layout(card)
    _edit(card.parent / "parts" / "card-notes.yaml", b"size: 5.5, font: gothic-bold", b"size: 5.5, font: gothic-boId")
    for _ in range(2):
        with pytest.raises(LayoutError, match="gothic-boId"):
            load_layout(card)


def test_a_reference_that_now_means_another_file_is_a_miss(cache_home, card, tmp_path, monkeypatch, loads):
    """`part: NAME` means the built-in part until a folder on DOCGEN_PATH has one of that name."""
    _edit(card, b"part: parts/organ-donation.yaml", b"part: organ-donation")
    frame = _element(load_layout(card), "organ-frame")
    theirs = tmp_path / "theirs" / "parts" / "organ-donation.yaml"
    theirs.parent.mkdir(parents=True)
    shutil.copy(PARTS / "organ-donation.yaml", theirs)
    _edit(theirs, b"stroke: 0.4}", b"stroke: 0.3}")
    assert load_layout(card).pages == load_layout(card).pages
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "theirs"))
    assert _element(load_layout(card), "organ-frame").stroke == 0.3
    monkeypatch.delenv(ENV_VAR)
    assert _element(load_layout(card), "organ-frame") == frame
    assert loads == ["kenpo-card.yaml"] * 3


def test_a_changed_profile_or_seal_is_a_miss(cache_home, tmp_path, loads):
    folder = tmp_path / "profiles"
    shutil.copytree(PROFILES, folder)
    path = folder / "mihon-kenpo.yaml"
    first = load_profile(path)
    assert load_profile(path) == first and loads == ["mihon-kenpo.yaml"]
    _edit(path, b"id: mihon-kenpo", b"id: mihon-kenpa")
    assert load_profile(path).id == "mihon-kenpa"
    seal = first.seal
    assert seal.parent.parent == folder
    seal.write_bytes(b"no longer an image")
    with pytest.raises(LayoutError, match="not an image"):
        load_profile(path)
    assert loads == ["mihon-kenpo.yaml"] * 3


def test_another_docgen_is_a_miss(cache_home, card, monkeypatch, loads):
    load_layout(card)
    sources = usercache.sources()
    monkeypatch.setattr(usercache, "sources", lambda: [*sources, ("edited.py", 1, 1)])
    load_layout(card)
    load_layout(card)
    assert loads == ["kenpo-card.yaml"] * 2


def _variants(entry: Path) -> dict[str, bytes]:
    good = entry.read_bytes()
    payload = usercache.read(entry)
    return {
        "empty": b"",
        "truncated": good[: len(good) // 2],
        "flipped byte": good[:-10] + bytes([good[-10] ^ 0xFF]) + good[-9:],
        "garbage": os.urandom(4096),
        "not a pickle": usercache.framed(b"\x80\x05junk"),
        "another docgen": usercache.framed(pickle.dumps({**payload, "made_by": ()})),
        "not a layout": usercache.framed(pickle.dumps({**payload, "value": "a string"})),
        "a pickle of something else": usercache.framed(pickle.dumps([1, 2, 3])),
    }


def test_a_corrupt_entry_is_ignored_and_rewritten(cache_home, card, loads):
    first = load_layout(card)
    [entry] = _entries(cache_home)
    for name, content in _variants(entry).items():
        entry.write_bytes(content)
        entry.chmod(0o600)
        assert load_layout(card).pages == first.pages, name
        assert isinstance(usercache.read(entry)["value"], loader.ResolvedLayout), name      # whole again
    assert len(loads) == 1 + len(_variants(entry))
    load_layout(card)
    assert len(loads) == 1 + len(_variants(entry))


def test_an_unwritable_cache_is_no_error(tmp_path, card, monkeypatch, loads):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first = load_layout(card)
    assert load_layout(card).pages == first.pages
    assert loads == ["kenpo-card.yaml"] * 2
    assert blocker.read_text() == "a file where the cache folder would go"
    assert not list(tmp_path.glob("**/.partial-*"))


def test_a_layout_read_from_elsewhere_is_not_kept(cache_home, card):
    """`docgen diff` reads files of a git revision: nothing of it is kept."""
    load_layout(card, read=lambda path: path.read_bytes())
    assert _entries(cache_home) == []


def test_fonts_yaml_is_kept_while_its_bytes_and_fonts_are_there(cache_home, tmp_path):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for name in ("BIZUDGothic-Regular.ttf", "BIZUDMincho-Regular.ttf"):
        shutil.copy(DEFAULT_CONFIG.parent / name, fonts / name)
    config = fonts / "fonts.yaml"
    config.write_text("files:\n  gothic: BIZUDGothic-Regular.ttf\n  mincho: BIZUDMincho-Regular.ttf\n"
                      "fallback: [mincho]\ndefault: gothic\n", encoding="utf-8")
    first = read_config(config)
    assert read_config(config) == first
    _edit(config, b"default: gothic", b"default: mincho")
    assert read_config(config).default == "mincho"
    (fonts / "BIZUDMincho-Regular.ttf").unlink()
    for _ in range(2):
        with pytest.raises(FontConfigError, match="font file not found"):
            read_config(config)


def test_the_field_dictionary_is_kept(tmp_path):
    """Read on import: a fresh process fills the entry, the next one reads it, both the same."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    show = "from docgen.fields import BUILTIN; print([(f.name, f.label, f.kind, f.max_len) for f in BUILTIN])"
    runs = [subprocess.run([sys.executable, "-c", show], env=env, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    entries = list((tmp_path / "xdg" / "docgen" / "loaded").iterdir())
    assert runs[0] == runs[1] and "'insurer_number'" not in runs[0] and "'name'" in runs[0]
    assert any(type(usercache.read(e)["value"]).__name__ == "FieldDictionary" for e in entries)


def test_what_cannot_be_pickled_is_loaded_every_time(cache_home, tmp_path):
    """A value pickle refuses (a plug-in's model holding a function) is not kept, and no error."""
    calls: list[int] = []

    def load() -> object:
        calls.append(1)
        return lambda: None
    for _ in range(2):
        assert callable(usercache.kept("loaded", "unpicklable", load, object))
    assert len(calls) == 2 and not list(tmp_path.glob("**/.partial-*"))


def test_a_kept_layout_needs_no_yaml_and_no_validator(tmp_path):
    """The second process loads kenpo-card and its profile without PyYAML and without building the
    pydantic validator of any layout model (each is built on its first use: defer_build)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    code = ("import sys; from docgen.layout.loader import load_layout, load_profile; "
            "from docgen.layout.model import Layout, Page; from docgen.layout.profile import Profile; "
            "lay = load_layout('kenpo-card'); load_profile(lay.profile_file()); "
            "print(Layout.__pydantic_complete__, Page.__pydantic_complete__, Profile.__pydantic_complete__, "
            "'yaml' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout.split() for _ in range(2)]
    assert (runs[0][0], runs[0][2], runs[0][3]) == ("True", "True", "True")     # loaded: YAML, validators
    assert runs[1] == ["False", "False", "False", "False"]


def test_a_file_changed_just_now_is_not_kept(cache_home: Path, card: Path, loads: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout saved while (or just before) another process loads it: the digest taken after the
    load could be of bytes the load did not read, so nothing is kept until the file has settled."""
    monkeypatch.setattr(usercache, "SETTLED", 10 ** 18)
    load_layout(card)
    load_layout(card)
    assert loads == ["kenpo-card.yaml", "kenpo-card.yaml"]
    monkeypatch.setattr(usercache, "SETTLED", 0)
    load_layout(card)
    load_layout(card)
    assert loads == ["kenpo-card.yaml"] * 3


def test_a_relative_layout_path_is_kept_per_working_directory(cache_home: Path, tmp_path: Path, loads: list[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """`docgen render my.yaml` in one folder and `../a/my.yaml` from another: what the load resolved
    against the working directory (its source, its images) is that directory's, never the other's."""
    folder = tmp_path / "a"
    folder.mkdir()
    shutil.copy(LAYOUTS / "kenpo-card.yaml", folder / "my.yaml")
    shutil.copytree(PARTS, folder / "parts")
    monkeypatch.chdir(folder)
    first = load_layout(Path("my.yaml"))
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "b")
    second = load_layout(Path("../a/my.yaml"))
    assert loads == ["my.yaml", "my.yaml"]
    assert first.source == Path("my.yaml") and second.source == Path("../a/my.yaml")
    monkeypatch.chdir(folder)
    assert load_layout(Path("my.yaml")).source == Path("my.yaml") and len(loads) == 2     # kept for this folder


def test_an_edited_plugin_package_is_another_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kind's model may take its validators or types from another module of its package: an edit
    there (an editable install) changes the stamp kept layouts are checked against, not only an
    edit of the model's own module."""
    package = tmp_path / "site" / "mykind"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from mykind.model import Model\n", encoding="utf-8")
    (package / "model.py").write_text("class Model:\n    pass\n", encoding="utf-8")
    helpers = package / "helpers.py"
    helpers.write_text("LIMIT = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    import mykind                            # the package made just now

    class Registry:
        plugins = {"mine": type("Kind", (), {"model": mykind.Model})()}
        packages = {"mine": "mykind 0.1"}

    monkeypatch.setattr(stored, "registry", lambda: Registry)
    usercache.sources.cache_clear()
    before = stored._plugins()
    helpers.write_text("LIMIT = 22\n", encoding="utf-8")
    usercache.sources.cache_clear()          # a new process
    after = stored._plugins()
    monkeypatch.delitem(sys.modules, "mykind")
    monkeypatch.delitem(sys.modules, "mykind.model")
    assert after != before
