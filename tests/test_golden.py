"""Pixel-diff regression tests: every sample record of every layout against a reviewed golden PNG.

Regenerate on purpose with `DOCGEN_UPDATE_GOLDENS=1 bash scripts/test.sh tests/test_golden.py`,
then look at the PNGs under tests/golden/ before committing them. A failure leaves expected,
actual and diff images under tests/_failures/.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from PIL import Image
from rendering import (
    Sample,
    golden_dpi,
    record_images,
    render_sample,
    rendered,
    samples,
)

from docgen.layout.loader import ResolvedLayout, ResolvedPage, load_layout
from docgen.paths import SAMPLES
from docgen.preview.compare import compare, diff_image

GOLDEN = Path(__file__).parent / "golden"
FAILURES = Path(__file__).parent / "_failures"
UPDATE = os.environ.get("DOCGEN_UPDATE_GOLDENS") == "1"
SAMPLES_OUT = SAMPLES / "out"


def _check(name: str, actual: Image.Image) -> None:
    path = GOLDEN / f"{name}.png"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        actual.save(path, optimize=True)
        return
    assert path.is_file(), f"no golden {path.relative_to(GOLDEN.parent)}: run with DOCGEN_UPDATE_GOLDENS=1 and review it"
    expected = Image.open(path)
    result = compare(expected, actual)
    if not result.same:
        out = FAILURES / name
        out.mkdir(parents=True, exist_ok=True)
        expected.save(out / "expected.png")
        actual.save(out / "actual.png")
        diff_image(expected, actual).save(out / "diff.png")
        pytest.fail(f"{name}: {result.changed_pixels} pixels changed in {result.bbox}; see {out}")


@pytest.mark.parametrize("sample", samples(), ids=lambda s: s.key)
def test_sample_matches_golden(sample: Sample, render_dir: Path) -> None:
    r = rendered(sample, render_dir)
    images = record_images(r, golden_dpi(sample.layout))
    assert images, "nothing rendered"
    for record_id, image in images.items():
        _check(f"{sample.key}/{record_id}", image)


@pytest.mark.parametrize("sample", samples(), ids=lambda s: s.key)
def test_committed_sample_pdf_is_current(sample: Sample, render_dir: Path) -> None:
    """samples/out is what a new user opens first: it must be what this docgen prints."""
    committed = SAMPLES_OUT / f"{sample.key}.pdf"
    assert rendered(sample, render_dir).pdf.read_bytes() == committed.read_bytes(), (
        f"{committed} is stale: run `bash scripts/samples.sh` and commit samples/out")


def _moved(layout: ResolvedLayout, element_id: str, dx: float) -> ResolvedLayout:
    pages = []
    for page in layout.pages:
        els = tuple(e.model_copy(update={"x": e.x + dx}) if e.id == element_id else e for e in page.elements)
        pages.append(ResolvedPage(page.name, els))
    return dataclasses.replace(layout, pages=tuple(pages))


def test_half_millimetre_move_is_caught(tmp_path: Path) -> None:
    """The goldens are sensitive enough: moving one field by 0.5 mm must fail the comparison."""
    if UPDATE:
        pytest.skip("regenerating goldens")
    sample = next(s for s in samples() if s.layout == "kokuho-card" and s.data == "kokuho.csv")
    layout = _moved(load_layout("kokuho-card"), "birth", 0.5)
    images = record_images(render_sample(sample, tmp_path, layout))
    record_id, image = next(iter(images.items()))
    result = compare(Image.open(GOLDEN / sample.key / f"{record_id}.png"), image)
    assert not result.same
    assert result.changed_pixels > 20
    # the change is where the birth-date field is (left column of the front, row 4), not elsewhere
    x0, y0, x1, y1 = result.bbox
    px_per_mm = 150 / 25.4
    assert 20 * px_per_mm < x0 and x1 < 60 * px_per_mm + 24
    assert 18 * px_per_mm < y0 and y1 < 24 * px_per_mm + 24
