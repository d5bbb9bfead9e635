"""Layouts from outside the package: the search path (--layouts, DOCGEN_PATH, then the built-in
data), `docgen:NAME` for built-in parts and profiles, and one rule for relative paths (against the
file that names them). The insurer's case end to end: a layout in a folder of its own includes
the maintained organ-donation part, uses its own profile and seal, renders, previews with boxes
and diffs against an edited copy."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
import yaml
from PIL import Image

from docgen import cli
from docgen.errors import LayoutError
from docgen.layout.loader import load_layout, load_profile
from docgen.layout.search import ENV_VAR
from docgen.paths import LAYOUTS, PROFILES, SAMPLES, SCHEMES
from docgen.preview.boxes import COLOURS, OK
from docgen.preview.raster import GAP_PX
from docgen.preview.server import PreviewApp, watched_files

KOKUHO = SAMPLES / "kokuho.csv"
SEAL = PROFILES / "seals" / "kasou-city.png"
ORGAN_OPTION_1 = "私は、脳死後及び心臓が停止した死後のいずれでも、移植の為に臓器を提供します。"


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def profile(folder: Path, name: str = "town", seal: str = "town-seal.png") -> Path:
    """A profile of the fictional 例題町 with its seal next to it."""
    shutil.copy(SEAL, folder / seal)
    return write_yaml(folder / f"{name}.yaml", {
        "id": name, "scheme": "kokuho", "insurer_number": "990028", "name": "例題町",
        "address": "例題県例題町役場通り1番地", "phone": "000-000-0001", "seal": seal,
        "renewal_start": "2026-08-01", "notes": ["必ず窓口で提示してください。"], "contact": "例題町 住民課"})


def card(path: Path, *, name: str | None = None, profile_ref: str = "town.yaml", back: list[dict] | None = None,
         description: str = "例題町の資格確認書", title: str = "国民健康保険資格確認書") -> Path:
    return write_yaml(path, {
        "name": name or path.stem, "description": description, "scheme": "kokuho", "document": "card",
        "page_size": "card", "profile": profile_ref, "requires": ["record_id", "name"],
        "pages": [
            {"name": "front", "elements": [
                {"type": "text", "id": "title", "x": 3, "y": 2.5, "w": 50, "h": 5, "size": 9, "text": title},
                {"type": "field", "id": "name", "x": 3, "y": 12, "w": 60, "h": 5, "size": 9, "value": "{name}"},
                {"type": "image", "id": "seal", "x": 70, "y": 38, "w": 12, "h": 12, "src": "{insurer.seal}"}]},
            {"name": "back", "elements": back if back is not None else [
                {"type": "include", "id": "notes", "part": "docgen:card-notes", "x": 3, "y": 2},
                {"type": "include", "id": "organ-donation", "part": "docgen:organ-donation", "x": 3, "y": 24.5}]},
        ]})


# ------------------------------------------------------------------ the insurer's case, end to end
def test_an_outside_layout_with_the_builtin_organ_donation_part(tmp_path: Path, capsys, monkeypatch) -> None:
    forms = tmp_path / "town-forms"           # outside the repository, and not the working directory
    forms.mkdir()
    profile(forms)
    layout = card(forms / "town-card.yaml")
    monkeypatch.chdir(tmp_path)

    code, out, err = run(capsys, "render", layout, KOKUHO, "-o", tmp_path / "cards.pdf", "--id", "K0001")
    assert code == 0, err
    pdf = pypdf.PdfReader(tmp_path / "cards.pdf")
    assert ORGAN_OPTION_1 in pdf.pages[1].extract_text().replace("\n", "")       # the maintained wording
    assert "必ず窓口で提示してください。" in pdf.pages[1].extract_text()             # the own profile's notes
    [seal] = pdf.pages[0].images
    assert seal.image.size == Image.open(SEAL).size                                # the own seal

    code, out, err = run(capsys, "preview", layout, KOKUHO, "-o", tmp_path / "boxes.png", "--boxes", "--page", "back",
                         "--dpi", "100")
    assert code == 0, err
    img = Image.open(tmp_path / "boxes.png").convert("RGB")
    # the left edge of the organ-donation block's first option (included at (3, 24.5), its own box at
    # (1, 4.5), 2.1 mm high) is outlined in the colour of an element that fits
    x, y = (round(GAP_PX + mm * 100 / 25.4) for mm in (3 + 1, 24.5 + 4.5 + 1.05))
    near = [img.getpixel((x + dx, y)) for dx in range(-3, 4)]
    assert COLOURS[OK][2] > COLOURS[OK][0] + 150
    assert any(b > r + 80 and b > g + 40 for r, g, b in near), near           # blue, however blended

    edited = forms / "town-card-edited.yaml"
    text = layout.read_text(encoding="utf-8")
    edited.write_text(text.replace("x: 3\n    y: 12\n    w: 60\n    h: 5\n    size: 9",
                                   "x: 3\n    y: 12.5\n    w: 60\n    h: 5\n    size: 8.5"), encoding="utf-8")
    code, out, err = run(capsys, "diff", edited, "--against", layout, KOKUHO, "-o", tmp_path / "diff.png")
    assert code == 1, err
    assert out.splitlines()[:-1] == ["front: name moved (y 12 → 12.5)", "front: name changed (size 9 → 8.5)"]
    assert (tmp_path / "diff.png").stat().st_size > 0


# ------------------------------------------------------------------ the search path
def test_a_user_layout_shadows_the_builtin_one_and_layouts_says_so(tmp_path: Path, capsys, monkeypatch) -> None:
    forms = tmp_path / "forms"
    (forms / "profiles").mkdir(parents=True)       # a folder on the path keeps its profiles in profiles/
    profile(forms / "profiles")
    card(forms / "kokuho-card.yaml", title="例題町国民健康保険資格確認書", profile_ref="profiles/town.yaml")
    monkeypatch.setenv(ENV_VAR, str(forms))

    code, out, _ = run(capsys, "layouts")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert f"{forms / 'kokuho-card.yaml'} (shadows the built-in one)" in lines["kokuho-card"]
    assert f"{LAYOUTS / 'kouki-card.yaml'} (built-in)" in lines["kouki-card"]

    code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "-o", tmp_path / "mine.pdf", "--id", "K0001")
    assert code == 0, err
    assert "例題町国民健康保険資格確認書" in pypdf.PdfReader(tmp_path / "mine.pdf").pages[0].extract_text()
    assert load_layout("docgen:kokuho-card").source == LAYOUTS / "kokuho-card.yaml"   # never shadowed


def test_layouts_option_comes_before_docgen_path(tmp_path: Path, capsys, monkeypatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder in (first, second):
        card(folder / "town-card.yaml", description=f"from {folder.name}")
    card(second / "a-card.yaml", description="from second")
    monkeypatch.setenv(ENV_VAR, str(second))
    code, out, _ = run(capsys, "layouts", "--layouts", first)
    line = next(line for line in out.splitlines() if line.startswith("town-card"))
    assert f"{first / 'town-card.yaml'} (shadows {second / 'town-card.yaml'})  from first" in line
    # the list is in search order: the first folder's, the second's, then the built-in ones by name
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    builtin = sorted(p.stem for p in LAYOUTS.glob("*.yaml"))
    assert names == ["town-card", "a-card", *builtin]
    assert os.environ[ENV_VAR] == str(second)             # --layouts lasts for its command only


def test_profiles_are_found_the_same_way(tmp_path: Path, capsys, monkeypatch) -> None:
    forms = tmp_path / "forms"
    (forms / "profiles").mkdir(parents=True)
    profile(forms / "profiles", name="reidai-town")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "-o", "x.pdf", "--id", "K0001",
                       "--profile", "reidai-town", "--layouts", forms)
    assert code == 0, err
    assert "例題町" in pypdf.PdfReader(tmp_path / "x.pdf").pages[0].extract_text()

    code, out, err = run(capsys, "profiles", "--layouts", forms)
    assert code == 0 and f"{forms / 'profiles' / 'reidai-town.yaml'}  kokuho 990028 例題町" in out

    code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "-o", "x.pdf", "--profile", "reidai-towm")
    assert code == 1
    assert f"no profile 'reidai-towm' (searched {PROFILES} (built-in);" in err


def test_not_found_lists_every_place_searched(tmp_path: Path, capsys, monkeypatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.setenv(ENV_VAR, str(b))
    code, _, err = run(capsys, "render", "kokuho-crad", KOKUHO, "-o", tmp_path / "x.pdf", "--layouts", a)
    assert code == 1
    assert err.startswith(f"docgen: no layout 'kokuho-crad' (searched {a}, {b}, {LAYOUTS} (built-in); layouts there: ")
    assert err.rstrip().endswith("did you mean 'kokuho-card'?")


def test_docgen_path_entry_that_is_not_a_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "missing"))
    code, _, err = run(capsys, "layouts")
    assert (code, err) == (1, f"docgen: {ENV_VAR}: '{tmp_path / 'missing'}' is not a folder\n")


def test_bulk_workers_search_the_layouts_folder(tmp_path: Path, capsys) -> None:
    """--layouts reaches the worker processes of a bulk run (they load the layout by name)."""
    forms = tmp_path / "forms"
    (forms / "profiles").mkdir(parents=True)
    profile(forms / "profiles")
    card(forms / "town-card.yaml", profile_ref="town")       # by name, from the folder's profiles/
    code, out, err = run(capsys, "batch", "town-card", KOKUHO, "-o", tmp_path / "out", "--layouts", forms,
                         "--workers", "2", "--bundle-size", "7")
    assert code == 0, err
    assert len(list((tmp_path / "out").glob("bundle-*.pdf"))) == 2


# ------------------------------------------------------------------ references
def test_every_reference_is_relative_to_the_file_that_names_it(tmp_path: Path, monkeypatch) -> None:
    """A layout in cards/ includes ../shared/block.yaml, which includes its neighbour and an image
    next to itself; the profile is named relative to the layout; the seal relative to the profile."""
    root = tmp_path / "insurer"
    (root / "cards").mkdir(parents=True)
    (root / "profiles").mkdir()
    profile(root / "profiles")
    shutil.copy(SEAL, root / "logo.png")
    write_yaml(root / "shared" / "block.yaml", {"elements": [
        {"type": "include", "id": "inner", "part": "inner.yaml", "x": 1, "y": 1},
        {"type": "image", "id": "logo", "x": 60, "y": 0, "w": 10, "h": 10, "src": "../logo.png"}]})
    write_yaml(root / "shared" / "inner.yaml", {"elements": [{"type": "box", "id": "inner-box", "x": 0, "y": 0,
                                                             "w": 5, "h": 5}]})
    layout = card(root / "cards" / "town-card.yaml", profile_ref="../profiles/town.yaml",
                  back=[{"type": "include", "id": "block", "part": "../shared/block.yaml", "x": 3, "y": 3}])
    monkeypatch.chdir(tmp_path)       # neither the layout's folder nor the repository
    loaded = load_layout(layout)
    back = {el.id: el for el in loaded.pages[1].elements}
    assert (back["inner-box"].x, back["inner-box"].y) == (4, 4)
    assert back["logo"].path(back["logo"].src) == root / "logo.png"       # from shared/, not from cards/
    assert loaded.files == (layout, root / "shared" / "block.yaml", root / "shared" / "inner.yaml")
    assert load_profile(loaded.profile_file()).seal == (root / "profiles" / "town-seal.png")


def test_a_part_by_name_comes_from_the_search_path_and_docgen_prefix_from_the_builtins(tmp_path: Path,
                                                                                      monkeypatch) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    # a folder's own organ-donation part shadows the built-in one for `organ-donation`, never for docgen:
    write_yaml(forms / "parts" / "organ-donation.yaml", {"elements": [
        {"type": "text", "id": "local-organ", "x": 0, "y": 0, "w": 40, "h": 4, "text": "自前の欄"}]})
    monkeypatch.setenv(ENV_VAR, str(forms))
    by_name = card(forms / "a.yaml", back=[{"type": "include", "part": "organ-donation", "x": 3, "y": 24.5}])
    builtin = card(forms / "b.yaml", back=[{"type": "include", "part": "docgen:organ-donation", "x": 3, "y": 24.5}])
    assert [el.id for el in load_layout(by_name).pages[1].elements] == ["local-organ"]
    assert "organ-option-1" in [el.id for el in load_layout(builtin).pages[1].elements]


def test_a_copied_builtin_layout_is_told_the_builtin_part_name(tmp_path: Path) -> None:
    copy = tmp_path / "my-kokuho.yaml"
    shutil.copy(LAYOUTS / "kokuho-card.yaml", copy)
    with pytest.raises(LayoutError) as exc:
        load_layout(copy)
    assert str(exc.value) == (f"{copy}: pages[1] (back) > elements[1] (notes) > part: part file not found: "
                              f"{tmp_path / 'parts' / 'card-notes.yaml'} (no folder {tmp_path / 'parts'}); "
                              "the built-in one is docgen:card-notes")


def test_serve_watches_the_files_the_reference_rule_finds(tmp_path: Path) -> None:
    """`docgen serve` refreshes when any file the layout uses is saved: parts named relative to the
    part that includes them (the built-in notice slips), docgen: parts, the scheme and the profile."""
    files, profile_ref = watched_files(LAYOUTS / "kokuho-notice.yaml")
    assert {LAYOUTS / "parts" / "notice-slip-kokuho.yaml", LAYOUTS / "parts" / "notice-slip.yaml"} <= files
    assert SCHEMES / "kokuho.yaml" in files                 # a saved scheme file refreshes the page too
    assert profile_ref == "kasou-city-kokuho"

    forms = tmp_path / "forms"
    (forms / "profiles").mkdir(parents=True)
    profile(forms / "profiles")
    write_yaml(forms / "shared" / "block.yaml", {"elements": [{"type": "include", "part": "inner.yaml"}]})
    write_yaml(forms / "shared" / "inner.yaml", {"elements": []})
    layout = card(forms / "cards" / "town-card.yaml", profile_ref="../profiles/town.yaml", back=[
        {"type": "include", "part": "../shared/block.yaml"}, {"type": "include", "part": "docgen:organ-donation"}])
    watched = set(PreviewApp(layout)._watched())
    assert watched == {layout, forms / "shared" / "block.yaml", forms / "shared" / "inner.yaml",
                       LAYOUTS / "parts" / "organ-donation.yaml", forms / "profiles" / "town.yaml",
                       SCHEMES / "kokuho.yaml"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_revision_reads_the_layouts_repository_and_takes_other_files_as_they_are(tmp_path: Path, capsys) -> None:
    """--against HEAD: the layout and a part in its repository come from HEAD (an edit of the part
    is seen); a part outside the repository, like the docgen: parts of an installed docgen, is
    read as it is now on both sides (its edit is not a change of this layout)."""
    repo, shared = tmp_path / "repo", tmp_path / "shared"
    (repo / "profiles").mkdir(parents=True)
    profile(repo / "profiles")
    write_yaml(repo / "parts" / "own.yaml", {"elements": [{"type": "box", "id": "own", "x": 0, "y": 0, "w": 5, "h": 5}]})
    write_yaml(shared / "other.yaml", {"elements": [{"type": "box", "id": "other", "x": 0, "y": 0, "w": 5, "h": 5}]})
    layout = card(repo / "town-card.yaml", profile_ref="profiles/town.yaml", back=[
        {"type": "include", "part": "parts/own.yaml", "x": 3, "y": 3},
        {"type": "include", "part": str(shared / "other.yaml"), "x": 3, "y": 10},
        {"type": "include", "part": "docgen:organ-donation", "x": 3, "y": 24.5}])
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "approved"]):
        subprocess.run(git + args, cwd=repo, check=True, capture_output=True)
    for part in (repo / "parts" / "own.yaml", shared / "other.yaml"):
        part.write_text(part.read_text(encoding="utf-8").replace("w: 5", "w: 6"), encoding="utf-8")
    code, out, err = run(capsys, "diff", layout, "--against", "HEAD", KOKUHO, "-o", tmp_path / "d.png", "--page", "back")
    assert code == 1, err
    assert out.splitlines()[:-1] == ["back: own resized (w 5 → 6)"]
