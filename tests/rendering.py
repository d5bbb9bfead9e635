"""Rendering the bundled samples for tests: one PDF per sample entry, pages grouped per record."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from PIL import Image

from docgen.layout.loader import ResolvedLayout, load_layout
from docgen.output.pdf import write_pdf
from docgen.paths import SAMPLES
from docgen.pipeline import Outcome, open_job
from docgen.preview.raster import rasterise, side_by_side
from docgen.records import read_records

CARD_DPI = 150   # a half-millimetre move is 3 pixels
SHEET_DPI = 100  # A4 goldens stay small; a half-millimetre move is still 2 pixels


@dataclass(frozen=True)
class Sample:
    layout: str
    data: str
    mapping: str | None = None
    expect_rejected: int = 0

    @property
    def key(self) -> str:
        return f"{self.layout}--{Path(self.data).stem}"


def samples() -> list[Sample]:
    with (SAMPLES / "samples.yaml").open(encoding="utf-8") as fh:
        return [Sample(**e) for e in yaml.safe_load(fh)["samples"]]


@dataclass(frozen=True)
class Rendered:
    pdf: Path
    outcomes: tuple[Outcome, ...]
    pages_per_record: int

    @property
    def good(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.document is not None]


def render_sample(sample: Sample, out_dir: Path, layout: ResolvedLayout | str | None = None) -> Rendered:
    job = open_job(layout or sample.layout)
    mapping = SAMPLES / sample.mapping if sample.mapping else None
    outcomes = tuple(job.outcomes(read_records(SAMPLES / sample.data, mapping=mapping)))
    pdf = out_dir / f"{sample.key}.pdf"
    write_pdf(job, outcomes, pdf)
    return Rendered(pdf, outcomes, len(job.layout.pages))


@lru_cache(maxsize=None)
def _cached(sample: Sample, out_dir: Path) -> Rendered:
    return render_sample(sample, out_dir)


def rendered(sample: Sample, out_dir: Path) -> Rendered:
    """Render a sample once per test session."""
    return _cached(sample, out_dir)


def golden_dpi(layout: str) -> int:
    return CARD_DPI if load_layout(layout).model.size_mm[0] < 100 else SHEET_DPI


def record_images(r: Rendered, dpi: int = CARD_DPI) -> dict[str, Image.Image]:
    """One image per printed document: its pages side by side, keyed by the 管理番号 of its record
    (a household's: of its first member)."""
    pages = rasterise(r.pdf, dpi)
    out, at = {}, 0
    for o in r.good:
        if o.draws:
            n = len(o.document.pages)
            out[o.record_id] = side_by_side(pages[at:at + n])
            at += n
    return out
