"""The `docgen` command line, in-process through docgen.cli.main and once as the console script."""
from __future__ import annotations

import gc
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
import yaml
from PIL import Image

from docgen import cli
from docgen.fields import BY_NAME
from docgen.layout.model import PAGE_SIZES_MM
from docgen.paths import LAYOUTS, SAMPLES
from docgen.preview.raster import GAP_PX
from docgen.records import read_records

CARD_LAYOUTS = ("kenpo-card", "kokuho-card", "kouki-card", "kyosai-card")
KOKUHO = SAMPLES / "kokuho.csv"
BAD = SAMPLES / "kokuho-bad.csv"
SCRIPT = Path(sys.executable).with_name("docgen")


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def pages(pdf: Path) -> int:
    return len(pypdf.PdfReader(pdf).pages)


def pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def personal_values(path: Path) -> set[str]:
    """Personal values of every record of a file, and their words: at least 2 characters, and
    for digits at least 4 (a 2-digit 枝番 such as "02" is also part of "row 2 [B0002]")."""
    out: set[str] = set()
    for src in read_records(path):
        for name, raw in src.fields.items():
            if raw and BY_NAME[name].personal:
                out.add(raw)
                out.update(raw.replace("\u3000", " ").split(" "))
    return {v for v in out if len(v) >= (4 if v.isdigit() else 2)}


# ------------------------------------------------------------------ layouts
def test_layouts_lists_the_cards_with_descriptions(capsys):
    code, out, _ = run(capsys, "layouts")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for name in CARD_LAYOUTS:
        description = yaml.safe_load((LAYOUTS / f"{name}.yaml").read_text(encoding="utf-8"))["description"]
        assert name in lines
        assert description in lines[name]


def test_console_script_runs():
    assert SCRIPT.is_file(), "the venv's docgen console script"
    proc = subprocess.run([str(SCRIPT), "layouts"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert all(name in proc.stdout for name in CARD_LAYOUTS)
    usage = subprocess.run([str(SCRIPT), "render"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and usage.stderr.startswith("docgen: render: ")


# ------------------------------------------------------------------ render
def test_render_two_pages_per_record(capsys, tmp_path):
    out = tmp_path / "kokuho.pdf"
    code, stdout, err = run(capsys, "render", "kokuho-card", KOKUHO, "-o", out)
    assert code == 0, err
    n = len(list(read_records(KOKUHO)))
    assert n == 14
    assert pages(out) == 2 * n
    assert f"{n} record(s), {2 * n} page(s)" in stdout
    w, h = PAGE_SIZES_MM["card"]
    box = pypdf.PdfReader(out).pages[0].mediabox
    assert float(box.width) == pytest.approx(w * 72 / 25.4, abs=0.01)
    assert float(box.height) == pytest.approx(h * 72 / 25.4, abs=0.01)
    assert not list(tmp_path.glob(".*partial"))


def test_render_one_record_by_id(capsys, tmp_path):
    out = tmp_path / "one.pdf"
    code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "--id", "K0005", "-o", out)
    assert code == 0, err
    assert pages(out) == 2
    text = pdf_text(out)
    assert "髙﨑　健一" in text                      # K0005's name, and nobody else's
    assert "見本　太郎" not in text


def test_render_unknown_id_fails(capsys, tmp_path):
    out = tmp_path / "none.pdf"
    code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "--id", "K9999", "-o", out)
    assert code == 1
    assert err == f"docgen: {KOKUHO}: no record with 管理番号 K9999\n"
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_render_bad_file_keeps_the_good_records(capsys, tmp_path):
    out = tmp_path / "bad.pdf"
    code, stdout, err = run(capsys, "render", "kokuho-card", BAD, "-o", out)
    assert code == 3
    assert pages(out) == 4                         # B0001 and B0009, front and back
    rejected = [line for line in err.splitlines() if line.startswith("rejected: ")]
    assert len(rejected) == 7
    for row, rule in [(2, "date"), (3, "text"), (4, "text"), (5, "text"), (6, "required"), (7, "digits"),
                      (8, "glyph-coverage")]:
        assert any(line.startswith(f"rejected: row {row} [B{row:04d}]:") and f": {rule}" in line for line in rejected), row
    assert "7 record(s) rejected" in err
    for value in personal_values(BAD):
        assert value not in err, "stderr repeats personal data"
        assert value not in stdout


def test_render_unknown_layout_fails(capsys, tmp_path):
    code, _, err = run(capsys, "render", "kokuho-crad", KOKUHO, "-o", tmp_path / "x.pdf")
    assert code == 1 and "kokuho-card" in err


def test_render_missing_data_file_fails(capsys, tmp_path):
    code, _, err = run(capsys, "render", "kokuho-card", tmp_path / "nope.csv", "-o", tmp_path / "x.pdf")
    assert code == 1 and "nope.csv" in err


def test_render_cp932_with_its_mapping(capsys, tmp_path):
    out = tmp_path / "cp932.pdf"
    code, _, err = run(capsys, "render", "kokuho-card", SAMPLES / "kokuho-cp932.csv",
                       "--mapping", SAMPLES / "mappings" / "kokuho-cp932.yaml", "-o", out)
    assert code == 0, err
    assert pages(out) == 12                        # 6 records (samples/README.md)
    text = pdf_text(out)
    assert "髙﨑　健一" in text and "見本　太郎" in text
    assert "昭和31年11月20日" in text              # C0003's birth date 1956/11/20, legacy YYYY/MM/DD


def test_cp932_without_mapping_names_the_column(capsys, tmp_path):
    code, _, err = run(capsys, "render", "kokuho-card", SAMPLES / "kokuho-cp932.csv", "-o", tmp_path / "x.pdf")
    assert code == 1
    # by number and a digest: a header may be a data row's cell (issue 17)
    assert "column 2 (header #316ab23b, 6 character(s)): unknown column" in err and "被保険者記号" not in err


# ------------------------------------------------------------------ validate, fonts
def test_validate_exit_codes(capsys):
    code, out, _ = run(capsys, "validate", "kokuho-card", KOKUHO)
    assert code == 0
    assert "14 record(s) read, 14 valid, 0 rejected" in out
    code, out, _ = run(capsys, "validate", "kokuho-card", BAD)
    assert code == 3
    assert "9 record(s) read, 2 valid, 7 rejected" in out
    assert "row 8 [B0008]: field name: glyph-coverage" in out
    for value in personal_values(BAD):
        assert value not in out


def test_fonts_check_reports_uncovered_characters(capsys):
    code, out, _ = run(capsys, "fonts", "check", BAD)
    assert code == 3
    line = next(line for line in out.splitlines() if line.startswith("U+E000"))
    assert "row 8 name" in line
    assert "\ue000" not in out
    for value in personal_values(BAD):
        assert value not in out


def test_fonts_check_passes_with_the_fallback_and_names_it(capsys):
    assert "\U00020BB7" in KOKUHO.read_text(encoding="utf-8")      # 𠮷: BIZ UD lacks it, the Gothic fallback has it
    code, out, _ = run(capsys, "fonts", "check", KOKUHO)
    assert code == 0
    assert out.splitlines() == [
        "U+20BB7: from the fallback gothic-fallback (4 use(s): row 8 name, row 8 householder_name, row 9 name, "
        "row 9 householder_name)",
        "1 character(s) from a fallback font",
        "0 uncovered character(s)"]


def test_fonts_check_says_which_characters_print_in_mincho(capsys):
    """A clerk sees before the run which names need IPAmj明朝 (and print wholly in 明朝)."""
    code, out, _ = run(capsys, "fonts", "check", "kokuho-card", SAMPLES / "kokuho-gaiji.csv", "--family", "gothic-bold")
    assert code == 0
    assert "U+908A U+E010A: from the fallback mj-mincho (2 use(s): row 4 name, row 4 householder_name)" in out
    assert "U+20BB7: from the fallback gothic-bold-fallback (2 use(s): row 5 name, row 5 householder_name)" in out
    assert "\u908a" not in out and "\U00020BB7" not in out


def test_fonts_check_reads_with_a_layouts_fields(capsys, tmp_path):
    # 組合員氏名 is the kyosai scheme's own label for insured_name: unknown without the layout
    data = tmp_path / "k.csv"
    data.write_text("管理番号,氏名,組合員氏名\nS1,架空　一,架空\ue000二\n", encoding="utf-8")
    code, _, err = run(capsys, "fonts", "check", data)
    assert code == 1 and "column 3 (header #d5c7d154, 5 character(s)): unknown column" in err
    code, out, _ = run(capsys, "fonts", "check", "kyosai-card", data)
    assert code == 3
    assert "U+E000" in out and "row 1 insured_name" in out and "架空" not in out
    code, out, _ = run(capsys, "fonts", "check", "kyosai-card", data, "--profile", "reidai-kyosai")
    assert code == 3 and "row 1 insured_name" in out
    with pytest.raises(SystemExit) as exc:
        cli.main(["fonts", "check", "--profile", "reidai-kyosai", str(data)])
    assert exc.value.code == 2 and "--profile needs a LAYOUT" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["batch", "kenpo-card", "d.csv", "-o", "out", "--workers", "x"], "--workers: 'x' is not a whole number"),
    (["batch", "kenpo-card", "d.csv", "-o", "out", "--bundle-size", "0"], "--bundle-size: 0: must be at least 1"),
    (["preview", "kenpo-card", "-o", "p.png", "--dpi", "x"], "--dpi: 'x' is not a whole number"),
])
def test_a_number_option_that_is_not_one_says_so(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2 and message in capsys.readouterr().err


# ------------------------------------------------------------------ preview
def test_preview_png_is_two_card_pages_side_by_side(capsys, tmp_path):
    dpi = 100
    out = tmp_path / "preview.png"
    code, _, err = run(capsys, "preview", "kokuho-card", "-o", out, "--dpi", str(dpi))
    assert code == 0, err
    w_mm, h_mm = PAGE_SIZES_MM["card"]
    page_w, page_h = w_mm / 25.4 * dpi, h_mm / 25.4 * dpi      # 338.6 × 212.6 px
    with Image.open(out) as img:
        assert img.format == "PNG"
        width, height = img.size
    assert abs(width - (2 * page_w + 3 * GAP_PX)) <= 2
    assert abs(height - (page_h + 2 * GAP_PX)) <= 1


# ------------------------------------------------------------------ the collector
def test_main_leaves_its_callers_collector_alone(capsys, tmp_path):
    """Only the `docgen` process freezes what its imports built (docgen.cli.run); a program or a
    test that calls main() keeps collecting its own garbage."""
    before = gc.get_freeze_count()
    code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "--id", "K0005", "-o", tmp_path / "k.pdf")
    assert code == 0, err
    assert gc.get_freeze_count() == before


# ------------------------------------------------------------------ timing (reported, not asserted)
def test_single_card_render_time(tmp_path, capsys):
    out = tmp_path / "k0005.pdf"
    start = time.perf_counter()
    proc = subprocess.run([str(SCRIPT), "render", "kokuho-card", str(KOKUHO), "--id", "K0005", "-o", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    assert pages(out) == 2
    with capsys.disabled():
        print(f"\n[timing] docgen render kokuho-card samples/kokuho.csv --id K0005: {elapsed:.2f} s wall "
              f"(process start included); docgen says: {proc.stdout.strip()}")


def test_a_reader_that_stops_early_is_not_an_error_message() -> None:
    """`docgen layouts | head -1`: the closed pipe ends docgen quietly, with no 'Broken pipe' line."""
    proc = subprocess.run(f"'{SCRIPT}' layouts | head -c 20 >/dev/null; exit ${{PIPESTATUS[0]}}", shell=True,
                          executable="/bin/bash", capture_output=True, text=True, timeout=60)
    assert proc.stderr == ""
    assert proc.returncode in (0, 1)


def test_preview_names_the_record_by_a_valid_id_only(capsys, tmp_path):
    """A 管理番号 column that holds something else (a name, mis-mapped) is never printed: the
    preview says which row it showed, as every other message does."""
    rows = KOKUHO.read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[1].split(",")
    first[0] = "見本　秘密"                       # not a 管理番号: fails its own rule
    data = tmp_path / "k.csv"
    data.write_text(header + "\n" + ",".join(first) + "\n", encoding="utf-8")
    code = cli.main(["preview", "kokuho-card", str(data), "-o", str(tmp_path / "p.png"), "--dpi", "50"])
    out, err = capsys.readouterr()
    assert "row 1" in out and "秘密" not in out + err, out + err
    assert code == 3
