"""Issue 17 item 12: friction a new user met on the command line (the designer's is in
tests/test_designer_friction.py). Every person and insurer here is fictional.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_hardening_output import run
from test_search_path import card, profile, write_yaml

from docgen.layout.search import ENV_VAR
from docgen.paths import SAMPLES, SCHEMES

SCRIPT = Path(sys.executable).with_name("docgen")
KOKUHO = SAMPLES / "kokuho.csv"


@pytest.mark.parametrize("argv, expected", [
    (["render"], "docgen: render: the following arguments are required: -o/--output; "
                 "see docgen render --help"),
    ([], "docgen: the following arguments are required: command; see docgen --help"),
    (["render", "kokuho-card", "d.csv", "-o", "x.pdf", "--bogus"],
     "docgen: render: unknown option --bogus; see docgen render --help"),
    (["batch", "kokuho-card", "d.csv", "-o", "out", "--wrokers", "2"],
     "docgen: batch: unknown option --wrokers; did you mean '--workers'?; see docgen batch --help"),
    (["render", "kokuho-card", "d.csv", "-o", "x.pdf", "--renwal=2026-08-01"],
     "docgen: render: unknown option --renwal; did you mean '--renewal'?; see docgen render --help"),
    (["render", "kokuho-card", "a.csv", "b.csv", "-o", "x.pdf"],
     "docgen: render: unrecognized arguments: b.csv; see docgen render --help"),
    (["fonts", "check"], "docgen: fonts check: the following arguments are required: data; "
                         "see docgen fonts check --help"),
])
def test_item12_a_usage_error_is_one_docgen_line(argv: list[str], expected: str) -> None:
    """README: "Every error is one line on stderr starting with `docgen:`", usage errors included
    (argparse printed its usage block of 5 lines before its own `docgen render: error:` line)."""
    proc = subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [expected]


def _my_forms(root: Path, *, profile_scheme: str = "kokuho", uses: str = "{name}") -> Path:
    """A folder of one's own: my/card.yaml naming its profile and scheme by NAME (profile: town,
    scheme: mine), with my/profiles/town.yaml and my/schemes/mine.yaml (国保's rules plus a field
    member_no) beside it."""
    folder = root / "my"
    (folder / "profiles").mkdir(parents=True)
    profile(folder / "profiles")
    town = folder / "profiles" / "town.yaml"
    town.write_text(town.read_text(encoding="utf-8").replace("scheme: kokuho", f"scheme: {profile_scheme}"),
                    encoding="utf-8")
    scheme = yaml.safe_load((SCHEMES / "kokuho.yaml").read_text(encoding="utf-8"))
    scheme["fields"] = {**(scheme.get("fields") or {}), "member_no": {"kind": "digits", "label": "組合員番号",
                                                                      "max_len": 8}}
    write_yaml(folder / "schemes" / "mine.yaml", scheme)
    path = card(folder / "card.yaml", profile_ref="town")
    layout = yaml.safe_load(path.read_text(encoding="utf-8"))
    layout["scheme"] = "mine"
    layout["pages"][0]["elements"][1]["value"] = uses
    return write_yaml(path, layout)


def test_item12_a_layout_file_finds_the_profile_and_scheme_it_names_in_its_own_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/preview.md shows `docgen diff my-forms/my-card.yaml --against HEAD`; with `profile: town`
    and `scheme: mine` written by NAME it failed with "no profile 'town'" unless --layouts my."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    layout = _my_forms(tmp_path, profile_scheme="mine")
    code, out, err = run(capsys, "preview", "my/card.yaml", KOKUHO, "-o", "card.png", "--page", "front",
                          "--dpi", "50")
    assert code == 0, err
    git = ["git", "-C", "my", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "approved"], check=True)
    layout.write_text(layout.read_text(encoding="utf-8").replace("x: 3\n    y: 12", "x: 4\n    y: 12"),
                      encoding="utf-8")
    code, out, err = run(capsys, "diff", "my/card.yaml", KOKUHO, "--against", "HEAD", "-o", "d.png", "--dpi", "50")
    assert (code, err) == (1, "")
    assert "front: name moved (x 3 → 4)" in out.splitlines()


def test_item12_a_profile_of_another_scheme_is_named_not_an_unknown_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout of scheme kokuho using member_no, a field of scheme mine, whose profile is for mine:
    the mismatch is what to fix, not the field."""
    monkeypatch.chdir(tmp_path)
    layout = _my_forms(tmp_path, profile_scheme="mine", uses="{member_no}")
    layout.write_text(layout.read_text(encoding="utf-8").replace("scheme: mine", "scheme: kokuho"), encoding="utf-8")
    code, _, err = run(capsys, "preview", "my/card.yaml", KOKUHO, "-o", "card.png", "--dpi", "50")
    assert code == 1
    assert err == (f"docgen: insurer profile 'town' is for mine ({tmp_path}/my/schemes/mine.yaml), layout 'card' "
                   f"for kokuho ({SCHEMES}/kokuho.yaml)\n")


@pytest.mark.parametrize("expected, line, status", [
    (7, "7 rejected (deliberately: this sample shows rejections)", 0),
    (6, "7 rejected (6 expected: the sample run fails)", 1),
])
def test_item12_samples_says_the_bad_samples_rejections_are_deliberate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        expected: int, line: str, status: int) -> None:
    """`bash scripts/samples.sh` printed "7 rejected" for kokuho-bad.csv, alarming a new user who
    could not tell the deliberate mistakes from a failure."""
    from docgen.preview import snapshot
    monkeypatch.setattr(snapshot, "sample_list", lambda: [
        {"layout": "kokuho-card", "data": "kokuho-bad.csv", "expect_rejected": expected}])
    code, out, err = run(capsys, "samples", "--out", tmp_path)
    assert code == status, err
    assert f"kokuho-card--kokuho-bad.pdf: 2 rendered, {line}, 4 pages" in out.splitlines()[0]


@pytest.mark.parametrize("layout", ["kokuho-card", "kokuho-notice", "kenpo-card"])
def test_item12_box_names_never_print_over_each_other(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """`preview --boxes` wrote each name at its box's corner, so the names of abutting or
    overlapping elements (rule-1 and name-label, the organ-donation lines) printed over each other."""
    from PIL import ImageDraw
    drawn: dict[int, list[tuple[str, tuple[int, int, int, int]]]] = {}
    text = ImageDraw.ImageDraw.text

    def recording(self, xy, string, *args, **kwargs):
        font = kwargs.get("font")
        if font is not None and kwargs.get("anchor") is None:
            drawn.setdefault(id(self), []).append((string, self.textbbox(xy, string, font=font)))
        return text(self, xy, string, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", recording)
    code, _, err = run(capsys, "preview", layout, "-o", tmp_path / "boxes.png", "--boxes", "--dpi", "150")
    assert code == 0, err
    pages = [names for names in drawn.values() if len(names) > 5]
    assert pages
    for names in pages:
        for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(names):
            for b, (bx0, by0, bx1, by1) in names[i + 1:]:
                assert not (ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1), f"{layout}: {a} over {b}"
