"""Safeguards found in review: no personal data in messages or task reprs, no stale output,
scheme-consistent profiles, derived dates inside the validity period, text never wider than its box."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_validation import has, one, rec

from docgen.api import render_pdf
from docgen.elements.text_style import Fit, TextStyle
from docgen.elements.textfit import break_lines, fit_text
from docgen.errors import LayoutError
from docgen.fonts import load_fonts
from docgen.layout.loader import load_profile
from docgen.output.bundle import BundleTask, JobSpec
from docgen.paths import PROFILES, SAMPLES
from docgen.pipeline import open_job
from docgen.records import RecordFileError, read_records

NAME = "見本　秘密太郎"
ADDRESS = "例題県架空市見本町一丁目2番3号"


def test_a_file_without_header_row_is_refused_without_quoting_it(tmp_path: Path) -> None:
    data = tmp_path / "noheader.csv"
    data.write_text(f"K0001,{NAME},1970-01-01,男,{ADDRESS}\n", encoding="utf-8")
    with pytest.raises(RecordFileError) as exc:
        list(read_records(data))
    message = str(exc.value)
    assert "header" in message
    assert "秘密" not in message and "見本町" not in message and "K0001" not in message


def test_bundle_task_repr_holds_no_record_values_or_password() -> None:
    task = BundleTask(JobSpec("kokuho-card"), "B1", 1, 1, ((1, {"name": NAME, "address": ADDRESS}),),
                      password="s3cret-pass")
    text = repr(task)
    assert "秘密" not in text and "見本町" not in text and "s3cret" not in text


def test_a_rejected_reissue_leaves_an_older_file_of_that_name_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "one.pdf"
    good = render_pdf("kokuho-card", SAMPLES / "kokuho.csv", out, record_id="K0005")
    assert good.rendered == 1 and out.is_file()
    earlier = out.read_bytes()
    bad = render_pdf("kokuho-card", SAMPLES / "kokuho-bad.csv", out, record_id="B0002")
    assert bad.rendered == 0 and bad.rejected_rows == 1          # the CLI says the file is an earlier run's
    assert out.read_bytes() == earlier
    assert not list(tmp_path.glob(".*.partial"))


def test_profile_and_layout_schemes_must_agree() -> None:
    with pytest.raises(LayoutError, match="kenpo"):
        open_job("kokuho-card", "mihon-kenpo")


def test_kouki_profile_number_must_start_with_39(tmp_path: Path) -> None:
    text = (PROFILES / "reidai-kouki.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "bad-kouki.yaml"
    # 01990019 has a valid check digit but the 法別番号 of 健康保険, not 39
    bad.write_text(text.replace('insurer_number: "39990015"', 'insurer_number: "01990019"'), encoding="utf-8")
    (tmp_path / "seals").symlink_to(PROFILES / "seals")
    with pytest.raises(LayoutError, match="insurer_number"):
        load_profile(bad)


def test_a_derived_expiry_before_the_renewal_start_is_rejected() -> None:
    job = open_job("kokuho-card")
    # stay ends 2026-07-20: the rule would print 2026-07-21, before the card is valid (2026-08-01);
    # the rule that explains it is named, not the derived date's order
    outcome = one(job, rec(residence_end_date="2026-07-20"))
    assert outcome.document is None
    assert [(p.field, p.rule) for p in outcome.problems] == [("residence_end_date", "residence-end")]


def test_an_invalid_record_id_is_not_echoed_in_messages() -> None:
    job = open_job("kokuho-card")
    outcome = one(job, rec(record_id=NAME + "\u0007", birth_date="2026-02-30"))
    assert outcome.problems
    for problem in outcome.problems:
        assert "秘密" not in str(problem)


def test_forbidden_breaks_never_push_text_past_the_box() -> None:
    chain = load_fonts().chain("gothic")
    width = chain.width("あいうえお", 10)
    fitted = fit_text("連絡先（0312345678）", chain, TextStyle(size=10, fit=Fit(max_lines=3)), width, 100)
    assert all(chain.width(line, fitted.size) * fitted.scale <= width + 1e-6 for line in fitted.lines)
    assert "".join(fitted.lines) == "連絡先（0312345678）"


def test_a_paragraph_keeps_its_leading_space() -> None:
    chain = load_fonts().chain("gothic")
    assert break_lines("ab\n cd", chain, 10, 1000) == ["ab", " cd"]


def test_output_does_not_depend_on_where_the_files_are(tmp_path: Path) -> None:
    """The same input gives the same bytes from another folder (images are named by content)."""
    import shutil

    copy = tmp_path / "elsewhere"
    shutil.copytree(PROFILES, copy)
    here = render_pdf("kokuho-card", SAMPLES / "kokuho.csv", tmp_path / "a.pdf", record_id="K0001")
    there = render_pdf("kokuho-card", SAMPLES / "kokuho.csv", tmp_path / "b.pdf", record_id="K0001",
                       profile=copy / "kasou-city-kokuho.yaml")
    assert here.rendered == there.rendered == 1
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
