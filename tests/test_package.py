"""docgen as an insurer's IT department installs it: README's install commands build a wheel from
the checkout and install it, with its dependencies from PyPI, into a fresh virtual environment;
the installed `docgen` then works from an unrelated folder, reading its layouts, profiles, fonts
and samples from the installed package.

Needs the network (PyPI, or the mirror pip is configured for) and takes about half a minute:
`DOCGEN_SKIP_WHEEL_TEST=1` skips it on a developer machine; CI (.ci/run) runs it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pypdf
import pytest
from docs_blocks import ROOT, blocks, commands

from docgen.api import render_pdf
from docgen.paths import SAMPLES
from docgen.preview.snapshot import sample_list

pytestmark = pytest.mark.skipif(os.environ.get("DOCGEN_SKIP_WHEEL_TEST") == "1",
                                reason="DOCGEN_SKIP_WHEEL_TEST=1 (CI runs it)")
# what a checkout holds that is not the package's source: left out of the copy the wheel is built from
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                    "_failures", "_runs", "out")


def install_commands() -> list[str]:
    """README's install block: the commands this test runs as written."""
    [block] = [b for b in blocks(ROOT / "README.md")
               if getattr(b, "marker", None) and b.marker[0] == "docs-test" and b.marker[1].startswith("install")]
    return [c.text for c in commands(block)]


def run(args: list[str] | str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900,
                          shell=isinstance(args, str))
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with docgen installed from a wheel built by README's commands; its bin folder
    first on PATH, no DOCGEN_PATH, and nothing of the checkout importable."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "docgen-checkout"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)   # docgen/data/* stay symlinks, as in git
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("DOCGEN_PATH", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env['PATH']}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    for command in install_commands():
        run(command, source, env)
    shutil.rmtree(source)         # the installed docgen must not need the checkout
    return env_dir, env


@pytest.fixture()
def elsewhere(tmp_path: Path) -> Path:
    """An unrelated working folder holding one data file, as a user's would."""
    folder = tmp_path / "office"
    folder.mkdir()
    shutil.copy(SAMPLES / "kenpo.csv", folder / "kenpo.csv")
    return folder


def test_the_wheel_holds_the_data_and_reads_it_from_the_installation(installed, elsewhere) -> None:
    env_dir, env = installed
    where = run([str(env_dir / "bin" / "python"), "-c",
                 "import docgen, docgen.paths as p; print(docgen.__file__); "
                 "print(p.LAYOUTS, p.PROFILES, p.FONTS, p.SAMPLES, sep='\\n')"], elsewhere, env).stdout.split()
    site = env_dir.resolve()
    assert all(Path(p).resolve().is_relative_to(site) for p in where), where
    data = Path(where[1]).parent
    for rel in ("layouts/kokuho-card.yaml", "layouts/parts/organ-donation.yaml", "profiles/seals/kasou-city.png",
                "profiles/gaiji/kasou-city.yaml", "fonts/fonts.yaml", "fonts/ipamjm.ttf", "samples/samples.yaml",
                "samples/kokuho.csv", "samples/kokuho-gaiji.csv"):
        assert (data / rel).is_file() and not (data / rel).is_symlink(), rel
    assert not (data / "samples" / "out").exists()         # rendered output is not shipped
    run([str(env_dir / "bin" / "pip"), "check"], elsewhere, env)


def test_installed_docgen_runs_from_an_unrelated_folder(installed, elsewhere, tmp_path) -> None:
    env_dir, env = installed
    docgen = str(env_dir / "bin" / "docgen")
    listed = run([docgen, "layouts"], elsewhere, env).stdout
    names = [line.split()[0] for line in listed.splitlines()]
    assert names == sorted(p.stem for p in (ROOT / "layouts").glob("*.yaml"))     # every layout of the checkout
    assert {"kokuho-card", "kenpo-elderly-card", "kokuho-notice-household"} <= set(names)
    assert all("(built-in)" in line for line in listed.splitlines())
    schemes = run([docgen, "schemes"], elsewhere, env).stdout
    assert [line.split()[0] for line in schemes.splitlines()] == ["kenpo", "kokuho", "kouki", "kyosai"]
    assert all("(built-in)" in line for line in schemes.splitlines())

    run([docgen, "render", "kenpo-card", "kenpo.csv", "-o", "cards.pdf"], elsewhere, env)
    pdf = pypdf.PdfReader(elsewhere / "cards.pdf")
    assert len(pdf.pages) == 16
    assert "臓器提供" in pdf.pages[1].extract_text()
    # the same bytes as the checkout renders: fonts, seal and layouts came through intact
    render_pdf("kenpo-card", SAMPLES / "kenpo.csv", tmp_path / "here.pdf")
    assert (elsewhere / "cards.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()

    out = run([docgen, "samples", "--out", "samples-out"], elsewhere, env).stdout
    pdfs = sorted(p.name for p in (elsewhere / "samples-out").glob("*.pdf"))
    n = len(sample_list())          # samples/samples.yaml: every sample file with its layout (20)
    assert n >= 20 and len(pdfs) == n and len(list((elsewhere / "samples-out").glob("*.png"))) == n, out
