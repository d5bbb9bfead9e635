"""docgen.elements.plugins: the entry points importlib.metadata finds, kept between runs while no
distribution on sys.path changed; a distribution added, edited or removed is seen at once."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docgen import usercache
from docgen.elements import plugins

GROUP = "docgen.test-discovery"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder on sys.path with one distribution; the cache of this test alone; times trusted at once."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(usercache, "SETTLED", -10 ** 12)
    folder = tmp_path / "site"
    _distribution(folder, "one", "first = json:dumps\n")
    monkeypatch.syspath_prepend(str(folder))
    return folder


def _distribution(folder: Path, name: str, entries: str) -> Path:
    meta = folder / f"{name}-1.0.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8")
    (meta / "entry_points.txt").write_text(f"[{GROUP}]\n{entries}", encoding="utf-8")
    return meta


def _found() -> list[tuple[str, str, str]]:
    return sorted((ep.name, ep.value, f"{ep.dist.name} {ep.dist.version}" if ep.dist else "")
                  for ep in plugins.entry_points(GROUP))


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    read: list[str] = []
    original = plugins._found

    def counted(group: str) -> tuple[plugins.EntryPoint, ...]:
        read.append(group)
        return original(group)
    monkeypatch.setattr(plugins, "_found", counted)
    return read


def test_kept_entry_points_are_importlib_metadatas(site, monkeypatch):
    from importlib.metadata import entry_points

    reads = _reads(monkeypatch)
    first = _found()
    assert first == [("first", "json:dumps", "one 1.0")]
    assert _found() == first and reads == [GROUP]
    [ep] = plugins.entry_points(GROUP)
    [theirs] = entry_points(group=GROUP)
    assert ep.load() is theirs.load() is __import__("json").dumps


def test_an_added_edited_or_removed_distribution_is_seen(site, monkeypatch):
    reads = _reads(monkeypatch)
    _found()
    two = _distribution(site, "two", "second = os.path:join\n")
    assert _found() == [("first", "json:dumps", "one 1.0"), ("second", "os.path:join", "two 1.0")]
    (two / "entry_points.txt").write_text(f"[{GROUP}]\nsecond = os.path:split\n", encoding="utf-8")
    assert ("second", "os.path:split", "two 1.0") in _found()
    for path in sorted(two.iterdir()):
        path.unlink()
    two.rmdir()
    assert _found() == [("first", "json:dumps", "one 1.0")]
    assert len(reads) == 4


def test_just_written_metadata_is_read_every_time(site, monkeypatch):
    monkeypatch.setattr(usercache, "SETTLED", 10 ** 18)
    reads = _reads(monkeypatch)
    _found()
    _found()
    assert len(reads) == 2


def test_a_wrong_value_fails_to_load_as_importlib_metadata_says(site):
    _distribution(site, "three", "third = no_such_module_here:thing\n")
    third = next(ep for ep in plugins.entry_points(GROUP) if ep.name == "third")
    with pytest.raises(ModuleNotFoundError, match="no_such_module_here"):
        third.load()


def test_a_reissue_does_not_import_importlib_metadata(tmp_path):
    """The second process finds the registry's plug-ins kept, without importlib.metadata."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    code = ("import sys; from docgen.elements.registry import registry; registry(); "
            "print('importlib.metadata' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                           cwd=tmp_path).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]


def test_another_finder_of_distributions_is_asked_every_time(site, monkeypatch):
    class Elsewhere:
        def find_spec(self, *args: object) -> None:
            return None

        def find_distributions(self, *args: object) -> list[object]:
            return []
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Elsewhere()])
    reads = _reads(monkeypatch)
    _found()
    _found()
    assert len(reads) == 2
