"""Issue 8, the output side: no input destroyed, OUTDIR ownership, no stale bundle, workers that
die with their driver, passwords, one clear line for every output mistake, inert CSV cells.

Tests are named after the issue's numbered defects. Records are the bundled samples' fictional
people, generated a few hundred at most.
"""
from __future__ import annotations

import builtins
import csv
import errno
import http.client
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pypdf
import pytest
from pypdf.constants import UserAccessPermissions as Perm
from test_batch import KOKUHO, _rows, _write, bundle_bytes, kokuho_records, manifest

from docgen import cli
from docgen.output import batch as batch_module
from docgen.output.bundle import BundleTask, render_bundle
from docgen.output.files import Inputs
from docgen.output.manifest import write_manifest, write_problems
from docgen.paths import LAYOUTS, PROFILES, SAMPLES
from docgen.pipeline import open_job
from docgen.preview.server import PreviewApp, make_server
from docgen.preview.snapshot import RecordFile

LINUX = sys.platform.startswith("linux")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- helpers
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:          # argparse's usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_batch(capsys: pytest.CaptureFixture[str], data: Path, out: Path, *options: str) -> tuple[int, str]:
    code, _, err = run(capsys, "batch", "kokuho-card", data, "-o", out, "--workers", "1", *options)
    return code, err


def one_line(err: str) -> str:
    """The single `docgen: ...` line a user error prints (never a traceback)."""
    lines = [line for line in err.splitlines() if line.startswith("docgen: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (hidden ones too) with its bytes; symlinks as their target."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def results(out: Path) -> dict[str, bytes]:
    """What a finished batch leaves for the print shop: bundles, manifest, rejects, summary."""
    names = ["manifest.csv", "manifest.jsonl", "rejects.csv", "summary.json"]
    return {**bundle_bytes(out), **{n: (out / n).read_bytes() for n in names}}


def stop_at_bundle(monkeypatch: pytest.MonkeyPatch, bundle: int) -> None:
    """Interrupt a serial run (as Ctrl-C would) just before `bundle` is committed."""
    commit = batch_module._commit

    def commit_until(journal: Any, outdir: Path, result: Any) -> None:
        if result.bundle == bundle:
            raise KeyboardInterrupt
        commit(journal, outdir, result)

    monkeypatch.setattr(batch_module, "_commit", commit_until)


def rejected_everywhere(path: Path) -> Path:
    """A records file in which every record is rejected (an impossible date of birth)."""
    header, rows = _rows(KOKUHO)
    return _write(path, header, [{**r, "birth_date": "1990-13-45"} for r in rows])


class FullDisk(io.RawIOBase):
    """A file that takes half of what is written, then fails as a full disk does."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh

    def write(self, data: Any) -> int:
        self.fh.write(bytes(data)[: len(data) // 2])
        self.fh.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self.fh.close()
        super().close()


def fill_disk_for(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Writing the file `name` (under its partial name, as docgen writes) meets a full disk."""
    real_open = builtins.open

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(file, mode, *args, **kwargs)
        return FullDisk(fh) if "w" in mode and Path(str(file)).name == f".{name}.partial" else fh

    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)


# ---------------------------------------------------------------- 1. input destroyed
def test_defect1_no_output_is_ever_written_over_an_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "in.csv"
    shutil.copy(KOKUHO, data)
    all_bad = rejected_everywhere(tmp_path / "all-bad.csv")
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS, layouts)
    shutil.copytree(PROFILES, tmp_path / "profiles")
    profile = tmp_path / "profiles" / "kasou-city-kokuho.yaml"
    seal = tmp_path / "profiles" / "seals" / "kasou-city.png"
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.pdf").symlink_to(data)
    os.link(data, tmp_path / "hard.pdf")
    os.link(data, tmp_path / "hard.png")                      # an image name is no licence either
    (tmp_path / ".o.pdf.partial").symlink_to(data)          # docgen's temporary name for o.pdf
    layout = layouts / "kokuho-card.yaml"
    part = layouts / "parts" / "card-notes.yaml"
    before = tree(tmp_path)
    attempts = [
        ["render", "kokuho-card", data, "-o", data],
        ["render", "kokuho-card", data, "-o", tmp_path / "sub" / ".." / "in.csv"],
        ["render", "kokuho-card", data, "-o", tmp_path / "link.pdf"],
        ["render", "kokuho-card", data, "-o", tmp_path / "hard.pdf"],
        ["render", "kokuho-card", data, "-o", tmp_path / "o.pdf"],
        ["render", "kokuho-card", data, "-o", data, "--id", "NOPE"],
        ["render", "kokuho-card", all_bad, "-o", all_bad],
        ["render", layout, data, "-o", part],
        ["render", layout, data, "-o", layout],
        ["render", "kokuho-card", data, "-o", profile, "--profile", profile],
        ["preview", "kokuho-card", data, "-o", seal, "--profile", profile],
        ["preview", "kokuho-card", data, "-o", tmp_path / "hard.png"],
        ["diff", "kokuho-card", data, "--against", layout, "-o", seal, "--profile", profile],
    ]
    for argv in attempts:
        code, _, err = run(capsys, *argv)
        assert code == 1, argv
        assert "this run reads; docgen never writes over an input" in one_line(err), argv
        assert tree(tmp_path) == before, f"{argv} changed a file"
    # previews write PNGs only: any other name is a usage error before anything is read or written
    for argv in (["preview", "kokuho-card", data, "-o", data],
                 ["diff", "kokuho-card", data, "--against", layout, "-o", layout]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "does not end in .png" in err, argv
        assert tree(tmp_path) == before, f"{argv} changed a file"


def test_the_inputs_name_the_profile_the_job_was_opened_with(tmp_path: Path) -> None:
    text = (PROFILES / "kasou-city-kokuho.yaml").read_text(encoding="utf-8")
    profile = tmp_path / "own.yaml"
    profile.write_text(text.replace("scheme: kokuho", "scheme: docgen:kokuho")
                       .replace("seal: seals/", f"seal: {PROFILES / 'seals'}/")
                       .replace("gaiji: gaiji/", f"gaiji: {PROFILES / 'gaiji'}/"), encoding="utf-8")
    inputs = Inputs.of(open_job("kokuho-card", profile))
    assert inputs.which(profile) == ("insurer profile", profile.resolve())
    assert inputs.which(PROFILES / "kasou-city-kokuho.yaml") is None      # the layout's own: not read


def test_defect1_batch_never_writes_over_an_input_in_outdir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    here = tmp_path / "here"
    here.mkdir()
    at_manifest = kokuho_records(here / "manifest.csv", 12)        # the records sit where the manifest goes
    linked = tmp_path / "linked"
    (linked / "journal").mkdir(parents=True)
    elsewhere = kokuho_records(tmp_path / "k.csv", 12)
    os.link(elsewhere, linked / "journal" / "plan.json")           # a hard link of the records as plan.json
    for records, out in ((at_manifest, here), (elsewhere, linked)):
        before = tree(out)
        for force in ([], ["--force"]):
            code, err = run_batch(capsys, records, out, *force)
            assert code == 1
            line = one_line(err)
            assert "is the records file" in line and "move it out of OUTDIR" in line, line
            assert tree(out) == before


def test_defect1_foreign_files_in_outdir_are_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 12)
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "bundle-00001.pdf").write_bytes(b"another run's bundle")
    (clash / "manifest.csv").write_text("someone's manifest\n", encoding="utf-8")
    before = tree(clash)
    for force in ([], ["--force"]):
        code, err = run_batch(capsys, data, clash, *force)
        assert code == 1 and "bundle-00001.pdf, manifest.csv" in one_line(err)
        assert tree(clash) == before

    beside = tmp_path / "beside"
    beside.mkdir()
    (beside / "notes.txt").write_text("the print shop's notes\n", encoding="utf-8")
    code, err = run_batch(capsys, data, beside)
    assert code == 1 and "notes.txt" in one_line(err) and "--force" in one_line(err)
    assert sorted(p.name for p in beside.iterdir()) == ["notes.txt"]
    assert run_batch(capsys, data, beside, "--force")[0] == 0
    assert (beside / "notes.txt").read_text(encoding="utf-8") == "the print shop's notes\n"
    assert len(manifest(beside)) == 12


def test_defect1_a_new_run_never_leaves_an_earlier_runs_bundles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 40)
    out = tmp_path / "out"
    assert run_batch(capsys, data, out, "--bundle-size", "5")[0] == 0          # 8 bundles
    finished = tree(out)
    assert len(bundle_bytes(out)) == 8
    attempts = [["--bundle-size", "10"], ["--bundle-size", "10", "--resume"]]
    for options, message in zip(attempts, ("already holds batch", "options differ")):
        code, err = run_batch(capsys, data, out, *options)
        assert code == 1 and message in one_line(err)
        assert tree(out) == finished
    shutil.rmtree(out / "journal")                                              # the "no journal"
    without_journal = tree(out)
    for force in ([], ["--force"]):
        code, err = run_batch(capsys, data, out, "--bundle-size", "10", *force)
        assert code == 1 and "no docgen journal there accounts for" in one_line(err)
        assert tree(out) == without_journal
    # in a new directory the summary lists exactly the bundles there are
    fresh = tmp_path / "fresh"
    assert run_batch(capsys, data, fresh, "--bundle-size", "10")[0] == 0
    summary = json.loads((fresh / "summary.json").read_text(encoding="utf-8"))
    assert sorted(f["file"] for f in summary["files"]) == sorted(bundle_bytes(fresh)) and summary["bundles"] == 4


# ---------------------------------------------------------------- 5. workers outlive a killed driver
def _files_held_in(pid: int, folder: Path) -> list[str]:
    """Files under folder (deleted ones included) that process pid holds open."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except (FileNotFoundError, PermissionError, ProcessLookupError):
        return []
    held = []
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder) + os.sep):
            held.append(target)
    return held


def _group(pgid: int) -> list[psutil.Process]:
    """The processes of a process group (a run started in its own session)."""
    group = []
    for p in psutil.process_iter():
        try:
            if os.getpgid(p.pid) == pgid:
                group.append(p)
        except (ProcessLookupError, PermissionError):
            pass
    return group


def _survivors(procs: list[psutil.Process], wait_s: float = 5.0) -> int:
    """How many of procs are still running after wait_s; those are killed (no test leaves any)."""
    deadline = time.monotonic() + wait_s
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = _alive(procs)
    for p in left:
        p.kill()
    return len(left)


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.skipif(not LINUX, reason="reads /proc to see which process holds which file")
def test_defect5_a_killed_driver_takes_its_workers_and_spool_with_it(tmp_path: Path) -> None:
    data = kokuho_records(tmp_path / "k.csv", 600)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "docgen.cli", "batch", "kokuho-card", str(data), "-o", str(out),
                             "--bundle-size", "10", "--sheet", "--workers", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    driver = psutil.Process(proc.pid)
    workers: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 or not (out / "journal" / "bundle-00001.json").exists():
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no workers and no bundle within 60 s"
            workers = driver.children()
            time.sleep(0.01)
        assert _files_held_in(proc.pid, out), "the driver holds its spool (else this test sees nothing)"
        held_by_workers = [f for w in workers for f in _files_held_in(w.pid, out)]
        os.kill(proc.pid, signal.SIGKILL)                  # the driver only, as the OOM killer would
        proc.wait()
        deadline = time.monotonic() + 5
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        holders = [pid for pid in psutil.pids() if _files_held_in(pid, out)]
        assert _survivors(workers) == 0, "workers outlived the driver by 5 s"
        assert holders == [], "a process still held a file of the killed run 5 s after the kill"
        assert held_by_workers == [], "workers held the spool of personal data while the driver lived"
        assert not list(out.glob(".docgen-spool*"))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        _survivors(workers)


# ---------------------------------------------------------------- 6. passwords
def test_defect6_resume_refuses_another_password(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = kokuho_records(tmp_path / "k.csv", 30)
    first, other = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("最初の-password-1\n", encoding="utf-8")
    other.write_text("another-password-2\n", encoding="utf-8")
    out = tmp_path / "out"
    options = ["--bundle-size", "5", "--encrypt"]
    with monkeypatch.context() as m:
        stop_at_bundle(m, 3)
        assert run_batch(capsys, data, out, *options, "--password-file", str(first))[0] == 130
    interrupted = tree(out)
    assert len(bundle_bytes(out)) == 2

    code, err = run_batch(capsys, data, out, *options, "--password-file", str(other), "--resume")
    assert code == 1 and "the password differs" in one_line(err)
    assert tree(out) == interrupted
    code, err = run_batch(capsys, data, out, *options, "--resume")
    assert code == 1 and "--password-file" in one_line(err)
    assert run_batch(capsys, data, out, *options, "--password-file", str(first), "--resume")[0] == 0

    bundles = sorted(out.glob("bundle-*.pdf"))
    assert len(bundles) == 6
    for pdf in bundles:
        assert pypdf.PdfReader(pdf).decrypt("another-password-2") == pypdf.PasswordType.NOT_DECRYPTED
        assert pypdf.PdfReader(pdf).decrypt("最初の-password-1") != pypdf.PasswordType.NOT_DECRYPTED
    journal = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.json*"))
    assert "最初の" not in journal and "password-1" not in journal
    salts = set()
    for folder in (out, tmp_path / "again"):
        if folder != out:
            assert run_batch(capsys, data, folder, *options, "--password-file", str(first))[0] == 0
        plan = json.loads((folder / "journal" / "plan.json").read_text(encoding="utf-8"))
        salts.add(plan["encryption"]["salt"])
    assert len(salts) == 2, "the same password must not give the same check twice (a salt)"


@pytest.mark.parametrize("content,password", [
    (b"secret\n", "secret"),
    (b"secret", "secret"),
    (b"secret\r\nsecond line is ignored\n", "secret"),
    (b"  spaces belong to it \n", "  spaces belong to it "),
    ("\ufeff合言葉\n".encode("utf-8"), "合言葉"),
])
def test_defect6_the_password_is_the_first_line(content: bytes, password: str, tmp_path: Path) -> None:
    from docgen.output.encryption import password_from_file

    path = tmp_path / "pw"
    path.write_bytes(content)
    assert password_from_file(path) == password


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"\n", "the first line is empty"),
    (b"\r\nsecret\n", "the first line is empty"),
    (b"\xff\xfe s\x00e\x00", "not UTF-8 text"),
    (b"x" * 128 + b"\n", "longer than 127 bytes"),
    ("\u337b".encode("utf-8") * 40, "longer than 127 bytes"),        # ㍻ is 平成 to a PDF reader
    (b"tab\there\n", "control, invisible or unassigned character"),
])
def test_defect6_a_bad_password_file_is_one_clear_line(content: bytes, message: str, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 2)
    path = tmp_path / "pw"
    path.write_bytes(content)
    code, err = run_batch(capsys, data, tmp_path / "out", "--encrypt", "--password-file", str(path))
    assert code == 1 and message in one_line(err)
    assert not (tmp_path / "out").exists()


def test_defect6_a_multi_line_password_file_uses_its_first_line(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 2)
    path = tmp_path / "pw"
    path.write_bytes(b"first-line\r\nnot part of it\n")
    assert run_batch(capsys, data, tmp_path / "out", "--encrypt", "--password-file", str(path))[0] == 0
    pdf = tmp_path / "out" / "bundle-00001.pdf"
    assert pypdf.PdfReader(pdf).decrypt("first-line") == pypdf.PasswordType.USER_PASSWORD


def test_defect6_bundles_allow_printing_but_not_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    data = kokuho_records(tmp_path / "k.csv", 4)
    monkeypatch.setenv("DOCGEN_TEST_PASSWORD", "print-only-42")
    out = tmp_path / "out"
    assert run_batch(capsys, data, out, "--encrypt", "--password-env", "DOCGEN_TEST_PASSWORD")[0] == 0
    reader = pypdf.PdfReader(out / "bundle-00001.pdf")
    # the user password is not also the owner password, so opening gives no right to change
    assert reader.decrypt("print-only-42") == pypdf.PasswordType.USER_PASSWORD
    allowed = reader.user_access_permissions
    assert Perm.PRINT in allowed and Perm.PRINT_TO_REPRESENTATION in allowed
    for forbidden in (Perm.MODIFY, Perm.EXTRACT, Perm.ADD_OR_MODIFY, Perm.FILL_FORM_FIELDS, Perm.ASSEMBLE_DOC):
        assert forbidden not in allowed, forbidden


# ---------------------------------------------------------------- 8. tracebacks (the output side)
def test_defect8_output_path_mistakes_are_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    png_folder = tmp_path / "shots.png"        # a folder, though its name says image
    png_folder.mkdir()
    a_file = tmp_path / "file"
    a_file.write_text("not a folder\n", encoding="utf-8")
    cases = [
        (["render", "kokuho-card", KOKUHO, "-o", folder], f"output {folder}: is a directory; give a file name"),
        (["render", "kokuho-card", KOKUHO, "-o", a_file / "x.pdf"], f"{a_file} is a file, not a directory"),
        (["render", "kokuho-card", KOKUHO, "-o", tmp_path / "no" / "x.pdf"], f"directory {tmp_path / 'no'} does not exist"),
        (["preview", "kokuho-card", "-o", png_folder], f"output {png_folder}: is a directory; give a file name"),
        (["batch", "kokuho-card", KOKUHO, "-o", a_file], f"OUTDIR {a_file}: is a file; batch writes into a directory"),
    ]
    for argv, message in cases:
        code, _, err = run(capsys, *argv)
        assert code == 1 and message in one_line(err), (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "out", "shots.png"] and not list(folder.iterdir())
    assert a_file.read_text(encoding="utf-8") == "not a folder\n"


def test_defect8_a_full_disk_leaves_no_partial_file_and_says_what_to_do(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    card = tmp_path / "card.pdf"
    assert run(capsys, "render", "kokuho-card", KOKUHO, "-o", card, "--id", "K0001")[0] == 0
    earlier = card.read_bytes()
    with monkeypatch.context() as m:
        fill_disk_for(m, "card.pdf")
        code, _, err = run(capsys, "render", "kokuho-card", KOKUHO, "-o", card)
    assert code == 1
    assert f"{card}: could not be written (no space left on the device" in one_line(err)
    assert card.read_bytes() == earlier and sorted(p.name for p in tmp_path.iterdir()) == ["card.pdf"]

    data = kokuho_records(tmp_path / "k.csv", 30)
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        fill_disk_for(m, "bundle-00003.pdf")
        code, err = run_batch(capsys, data, out, "--bundle-size", "5")
    assert code == 1
    line = one_line(err)
    assert "bundle-00003.pdf: could not be written (no space left on the device" in line
    assert "keeps the 2 finished bundle(s) of 6" in line and "--resume" in line
    assert not [p for p in out.rglob("*") if p.name.endswith(".partial")]
    assert run_batch(capsys, data, out, "--bundle-size", "5", "--resume")[0] == 0
    reference = tmp_path / "reference"
    assert run_batch(capsys, data, reference, "--bundle-size", "5")[0] == 0
    assert results(out) == results(reference)


def test_defect8_a_damaged_journal_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = kokuho_records(tmp_path / "k.csv", 30)
    options = ["--bundle-size", "5", "--resume"]
    reference = tmp_path / "reference"
    assert run_batch(capsys, data, reference, *options)[0] == 0
    for damaged, remedy in (("bundle-00001.json", "delete it and run again with --resume"),
                            ("plan.json", "move the directory aside and run again into a new one")):
        out = tmp_path / f"out-{damaged}".replace(".json", "")
        with monkeypatch.context() as m:
            stop_at_bundle(m, 3)
            assert run_batch(capsys, data, out, *options)[0] == 130
        (out / "journal" / damaged).write_text('{"bundle": 1, "file": "bund', encoding="utf-8")
        code, err = run_batch(capsys, data, out, *options)
        assert code == 1
        line = one_line(err)
        assert f"journal/{damaged} is damaged (not what docgen wrote there)" in line and remedy in line
        if damaged == "bundle-00001.json":                                   # doing what it says works
            (out / "journal" / damaged).unlink()
            assert run_batch(capsys, data, out, *options)[0] == 0
            assert results(out) == results(reference)


@pytest.mark.parametrize("damaged, change, options", [
    ("plan.json", lambda plan: plan.pop("batch"), ()),                        # named in "already holds batch"
    ("plan.json", lambda plan: plan.update(encryption="yes"), ("--resume",)),
    ("bundle-00001.json", lambda entry: entry.update(entries="x"), ("--resume",)),
    ("bundle-00001.json", lambda entry: entry.update(rejects=[{"field": "name"}]), ("--resume",)),
    ("bundle-00001.json", lambda entry: entry.update(pages="2"), ("--resume",)),
])
def test_a_journal_file_that_parses_but_is_malformed_is_one_error_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], damaged: str, change: Any, options: tuple[str, ...]) -> None:
    data = kokuho_records(tmp_path / "k.csv", 6)
    out = tmp_path / "out"
    assert run_batch(capsys, data, out, "--bundle-size", "5")[0] == 0
    path = out / "journal" / damaged
    content = json.loads(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(json.dumps(content), encoding="utf-8")
    code, err = run_batch(capsys, data, out, "--bundle-size", "5", *options)
    assert code == 1
    assert f"journal/{damaged} is damaged (not what docgen wrote there)" in one_line(err)


def _dies_at_bundle_3(task: BundleTask) -> Any:
    """A pool worker killed while rendering bundle 3 (as the OOM killer does)."""
    if task.bundle == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return render_bundle(task)


def test_defect8_a_killed_worker_is_a_clear_error_and_resume_finishes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    data = kokuho_records(tmp_path / "k.csv", 40)
    out = tmp_path / "out"
    options = ["--bundle-size", "5", "--workers", "2"]
    with monkeypatch.context() as m:
        m.setattr(batch_module, "render_bundle", _dies_at_bundle_3)
        code, _, err = run(capsys, "batch", "kokuho-card", data, "-o", out, *options)
    assert code == 1
    line = one_line(err)
    assert "a worker process ended unexpectedly" in line and "run the same command with --resume" in line
    assert run(capsys, "batch", "kokuho-card", data, "-o", out, *options, "--resume")[0] == 0
    reference = tmp_path / "reference"
    assert run_batch(capsys, data, reference, "--bundle-size", "5")[0] == 0
    assert results(out) == results(reference)


def test_defect8_serve_state_shows_only_ids_that_pass_validation(tmp_path: Path) -> None:
    lines = (SAMPLES / "kouki.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines[:3]]
    records[0]["record_id"] = "\ud800"                      # a lone surrogate, as JSON allows
    records[1]["record_id"] = "L\u0007X"                    # a control character
    data = tmp_path / "k.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    server = make_server(PreviewApp("kouki-card", RecordFile(data)), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
        conn.request("GET", "/api/state", headers={"Host": f"127.0.0.1:{server.server_address[1]}"})
        answer = conn.getresponse()
        status, body = answer.status, answer.read()
        conn.close()
    finally:
        server.shutdown()
        server.server_close()
    assert status == 200
    state = json.loads(body)
    assert "error" not in state
    assert [(r["row"], r["record_id"]) for r in state["records"]] == [(1, None), (2, None), (3, records[2]["record_id"])]


# ---------------------------------------------------------------- 10. formula injection
def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_defect10_csv_cells_never_start_a_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = ['=HYPERLINK("x")', "+SUM(A1)", "-2+3", "@A1", "\t=1", "\r=1"]
    rows = [{"sequence": i + 1, "record_id": rid, "row": i + 1, "pages": [1, 2]} for i, rid in enumerate(hostile)]
    write_manifest(tmp_path, rows)
    write_problems(tmp_path / "rejects.csv", [{"row": 1, "record_id": rid, "field": "name", "rule": "text",
                                               "detail": rid} for rid in hostile])
    manifest_ids = [r[1] for r in _cells(tmp_path / "manifest.csv")[1:]]
    assert manifest_ids == ["'" + rid for rid in hostile]
    for row, rid in zip(_cells(tmp_path / "rejects.csv")[1:], hostile):
        assert row[1] == row[4] == "'" + rid
    assert [r["record_id"] for r in manifest(tmp_path)] == hostile       # the JSON Lines manifest stays exact

    # end to end: whatever the checks let through is inert in every CSV a batch writes
    header, base = _rows(KOKUHO)
    people = [dict(base[i], record_id=rid, household_id="") for i, rid in enumerate(['=HYPERLINK("x")', "+A1", "@A1"])]
    people.append(dict(base[3], record_id="-A1", household_id="", birth_date="1990-13-45"))      # rejected
    data = _write(tmp_path / "k.csv", header, people)
    out = tmp_path / "out"
    assert run_batch(capsys, data, out)[0] == 3
    for name in ("manifest.csv", "rejects.csv"):
        for row in _cells(out / name):
            assert not [c for c in row if c.startswith(FORMULA_STARTS)], f"{name}: {row}"
    exact = {r["record_id"] for r in manifest(out)}
    assert {c[1] for c in _cells(out / "manifest.csv")[1:]} == {"'" + rid for rid in exact}


# ---------------------------------------------------------------- done when: five kills, same bytes
def _tree(out: Path) -> dict[str, bytes]:
    """OUTDIR's files, without a killed run's partial files: any next run removes those, and says so."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.endswith(".partial")}


def _printed(out: Path, password: str | None) -> dict[str, Any]:
    """What an encrypted batch prints, which random IVs keep from being the same bytes twice: each
    bundle's page contents once opened, the manifest without the files' hashes, the rejects."""
    bundles = {}
    for pdf in sorted(out.glob("bundle-*.pdf")):
        reader = pypdf.PdfReader(pdf)
        if password is not None:
            assert reader.decrypt(password) == pypdf.PasswordType.USER_PASSWORD
        bundles[pdf.name] = [page.get_contents().get_data() for page in reader.pages]
    rows = [{k: v for k, v in r.items() if k != "file_sha256"} for r in manifest(out)]
    return {"bundles": bundles, "manifest": rows, "rejects": (out / "rejects.csv").read_bytes()}


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_five_kills_at_random_moments_then_resume_gives_the_same_bytes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, encrypted: bool) -> None:
    data = kokuho_records(tmp_path / "k.csv", 240)
    options = ["--bundle-size", "6", "--sheet", "--order", "postal"]       # 40 bundles
    if encrypted:
        monkeypatch.setenv("DOCGEN_TEST_PASSWORD", "kill-and-resume-7")
        options += ["--encrypt", "--password-env", "DOCGEN_TEST_PASSWORD"]
    reference = tmp_path / "reference"
    assert run_batch(capsys, data, reference, *options)[0] == 0
    out = tmp_path / "killed"
    journal = out / "journal"
    rng = random.Random(8)
    for _ in range(5):
        # a random moment: after 0-3 more finished bundles (0: while planning), then 0-300 ms more
        target = len(list(journal.glob("bundle-*.json"))) + rng.randint(0, 3)
        extra = rng.uniform(0, 0.3)
        proc = subprocess.Popen([sys.executable, "-m", "docgen.cli", "batch", "kokuho-card", str(data), "-o",
                                 str(out), *options, "--workers", "2", "--resume"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while len(list(journal.glob("bundle-*.json"))) < target:
                assert proc.poll() is None and time.monotonic() < deadline, "the run ended or stalled"
                time.sleep(0.002)
            time.sleep(extra)
            assert proc.poll() is None, "the run finished before its kill"
            os.kill(proc.pid, signal.SIGKILL)                 # the driver only: its workers must follow
        finally:
            proc.wait()
        assert _survivors(_group(proc.pid)) == 0, "workers of a killed driver lived on for 5 s"
    assert not (out / "summary.json").exists()
    # the stale-bundle cases: a killed run's bundles are never mixed with another run's, nor left
    # beside them: a new run without --resume, or with other options, is refused and changes nothing
    killed = _tree(out)
    assert killed, "the kills left nothing to resume"
    mixed = [o if o != "6" else "12" for o in options]
    for argv in (options, [*mixed, "--resume"]):
        code, err = run_batch(capsys, data, out, *argv)
        assert code == 1, err
        assert _tree(out) == killed
    if encrypted:
        monkeypatch.setenv("DOCGEN_TEST_PASSWORD", "another-password")
        code, err = run_batch(capsys, data, out, *options, "--resume")
        assert code == 1 and "the password differs" in err
        assert _tree(out) == killed
        monkeypatch.setenv("DOCGEN_TEST_PASSWORD", "kill-and-resume-7")
    assert run_batch(capsys, data, out, *options, "--resume")[0] == 0
    if encrypted:
        assert _printed(out, "kill-and-resume-7") == _printed(reference, "kill-and-resume-7")
    else:
        assert results(out) == results(reference)
    assert not [p for p in out.rglob("*") if p.name.endswith(".partial") or p.name.startswith(".docgen-spool")]
