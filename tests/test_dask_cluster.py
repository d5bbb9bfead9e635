"""`docgen batch --executor dask` on a cluster of separate processes: `dask scheduler` and two
`dask worker`s on 127.0.0.1, each worker in a working directory of its own where no layout folder
exists, running an outside layout (its own scheme, profile, seal and logo in a tmp folder) that
the workers could not read if they tried: the test moves the folder away once the driver has
packed the job. The job travels with the run (docgen.output.jobpack).

Every process is started with a bounded wait for readiness and killed at the end whatever
happens; ports are chosen free. Records are the bundled samples (fictional people).
"""
from __future__ import annotations

import csv
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pytest
import yaml

from docgen import cli
from docgen.output import batch as batch_module
from docgen.output import executors
from docgen.paths import PROFILES, SAMPLES, SCHEMES

distributed = pytest.importorskip("distributed")
DASK = Path(sys.executable).with_name("dask")
START_S = 60                    # a loaded CI machine: readiness is waited for, never assumed
NAMES = ("w1", "w2")


# ---------------------------------------------------------------- the outside layout
def outside_layout(folder: Path) -> Path:
    """例題町's card in a folder of its own: own scheme file, profile, seal and a logo image."""
    folder.mkdir()
    shutil.copy(SCHEMES / "kokuho.yaml", folder / "town-scheme.yaml")
    shutil.copy(PROFILES / "seals" / "kasou-city.png", folder / "town-seal.png")
    shutil.copy(PROFILES / "seals" / "mihon-kenpo.png", folder / "town-logo.png")
    _yaml(folder / "town.yaml", {
        "id": "town", "scheme": "town-scheme.yaml", "insurer_number": "990028", "name": "例題町",
        "address": "例題県例題町役場通り1番地", "phone": "000-000-0001", "seal": "town-seal.png",
        "renewal_start": "2026-08-01", "notes": ["必ず窓口で提示してください。"], "contact": "例題町 住民課"})
    return _yaml(folder / "town-card.yaml", {
        "name": "town-card", "description": "例題町の資格確認書", "scheme": "town-scheme.yaml", "document": "card",
        "page_size": "card", "profile": "town.yaml", "requires": ["record_id", "name"],
        "pages": [
            {"name": "front", "elements": [
                {"type": "text", "id": "title", "x": 3, "y": 2.5, "w": 50, "h": 5, "size": 9,
                 "text": "国民健康保険資格確認書"},
                {"type": "image", "id": "logo", "x": 60, "y": 2, "w": 8, "h": 8, "src": "town-logo.png"},
                {"type": "field", "id": "name", "x": 3, "y": 12, "w": 60, "h": 5, "size": 9, "value": "{name}"},
                {"type": "field", "id": "kigo", "x": 3, "y": 20, "w": 60, "h": 5, "size": 9,
                 "value": "{kigo}・{bango}"},
                {"type": "image", "id": "seal", "x": 70, "y": 38, "w": 12, "h": 12, "src": "{insurer.seal}"}]},
            {"name": "back", "elements": [
                {"type": "include", "id": "notes", "part": "docgen:card-notes", "x": 3, "y": 2}]}]})


def _yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def records(path: Path, n: int) -> tuple[Path, set[str]]:
    """n 国保 records (the sample people again and again), and the names they hold."""
    with (SAMPLES / "kokuho.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, base = list(reader.fieldnames or []), list(reader)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for i in range(n):
            row = dict(base[i % len(base)], record_id=f"T{i:05d}")
            row["household_id"] = f"{row['household_id']}-{i}" if row["household_id"] else ""
            w.writerow(row)
    return path, {r["name"] for r in base}


def outputs(outdir: Path) -> dict[str, bytes]:
    """Every file a run leaves (bundles, manifest, rejects, summary), journal aside."""
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir()) if p.is_file()}


# ---------------------------------------------------------------- the cluster
# loaded into each worker (`dask worker --preload`): once `armed` is in its working directory, the
# worker kills itself in the middle of its next bundle, after noting which one
DIE_ARMED = """
import os, pathlib, signal
import docgen.output.bundle as bundle

_render = getattr(bundle.render_bundle, "real", bundle.render_bundle)   # loaded twice: patch once

def render_bundle(task):
    if pathlib.Path("armed").exists():
        pathlib.Path("armed").unlink()
        pathlib.Path("died-on").write_text(str(task.bundle))
        os.kill(os.getpid(), signal.SIGKILL)
    return _render(task)

render_bundle.real = _render
bundle.render_bundle = render_bundle
"""


class Cluster:
    """A `dask scheduler` (named `name`) and its `dask worker`s as child processes, logs in `root`."""

    def __init__(self, root: Path, stack: ExitStack, name: str) -> None:
        self.root, self.stack, self.name = root, stack, name
        self.procs: dict[str, subprocess.Popen] = {}
        self.file = root / f"{name}.json"        # where the scheduler writes the address of the port it got
        self._start(name, ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                           "--scheduler-file", str(self.file)])

    @functools.cached_property
    def address(self) -> str:
        deadline = time.monotonic() + START_S
        while True:
            try:
                return json.loads(self.file.read_text(encoding="utf-8"))["address"]
            except (OSError, ValueError):       # not written yet, or half
                assert time.monotonic() < deadline and self.procs[self.name].poll() is None, "no scheduler"
                time.sleep(0.1)

    def _start(self, name: str, argv: list[str]) -> None:
        cwd = self.root / f"cwd-{name}"
        cwd.mkdir(parents=True)
        log = self.stack.enter_context((self.root / f"{name}.log").open("wb"))
        # TMPDIR: a worker killed before it could clean up leaves its job folder in the test's tmp
        proc = subprocess.Popen([str(DASK), *argv], cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "TMPDIR": str(cwd)})
        self.procs[name] = proc
        self.stack.callback(_end, proc)

    def workers(self, *names: str) -> None:
        preload = self.root / "die_armed.py"
        preload.write_text(DIE_ARMED, encoding="utf-8")
        for name in names:      # its own empty working directory; ends itself once the scheduler is gone
            self._start(name, ["worker", "--scheduler-file", str(self.file), "--name", name, "--nthreads", "1",
                               "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--death-timeout", "15",
                               "--preload", str(preload)])

    def ready(self, workers: int) -> None:
        """Wait until the scheduler and `workers` workers answer (the test's client is closed after)."""
        with distributed.Client(self.address, timeout=START_S) as client:
            client.wait_for_workers(workers, timeout=START_S)

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=START_S)


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=START_S)


@contextmanager
def layout_moved_away_once_packed(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Iterator[None]:
    """The layout folder is gone while the workers render: they can only use the job they were sent."""
    real = executors.make_executor
    hidden = folder.with_name(folder.name + "-away")

    def make(*args, **kwargs):      # noqa: ANN002, ANN003 - make_executor's own
        executor = real(*args, **kwargs)
        folder.rename(hidden)
        return executor

    monkeypatch.setattr(batch_module, "make_executor", make)
    try:
        yield
    finally:
        monkeypatch.setattr(batch_module, "make_executor", real)
        if hidden.exists():
            hidden.rename(folder)


def after_commit(monkeypatch: pytest.MonkeyPatch, act: Callable[[int], bool]) -> list[int]:
    """Calls act(n) after the driver has written its n-th bundle, until it returns True; the list
    holds the n it acted on."""
    real = batch_module._commit
    acted: list[int] = []

    def commit(journal, outdir, result):      # noqa: ANN001 - _commit's own
        real(journal, outdir, result)
        n = len(list(outdir.glob("bundle-*.pdf")))
        if not acted and act(n):
            acted.append(n)

    monkeypatch.setattr(batch_module, "_commit", commit)
    return acted


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    code = cli.main(["batch", *map(str, argv)])
    return code, capsys.readouterr().err


# ---------------------------------------------------------------- the test
def test_a_cluster_of_separate_processes_prints_what_one_process_prints(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    forms = tmp_path / "town-forms"
    layout = outside_layout(forms)
    data, names = records(tmp_path / "town.csv", 240)
    options = ["--bundle-size", "10", "--order", "postal", "--separator"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT_S", 3)      # how long the driver waits for a lost scheduler
    logs = tmp_path / "cluster"
    logs.mkdir()
    with ExitStack() as stack:
        cluster = Cluster(logs, stack, "scheduler")
        cluster.workers(*NAMES)
        later = Cluster(logs, stack, "later-scheduler")         # for the resume, started now to save time
        later.workers("w3")
        local = tmp_path / "local"          # meanwhile, the reference: one process
        assert run(capsys, layout, data, "-o", local, *options, "--workers", "1")[0] == 0
        want = outputs(local)
        assert sum(name.startswith("bundle-") for name in want) == 24
        cluster.ready(2)
        on_dask = ["--executor", "dask", "--scheduler", cluster.address]

        # 1. the same bytes, with the layout folder out of the workers' reach
        with layout_moved_away_once_packed(monkeypatch, forms):
            code, err = run(capsys, layout, data, "-o", tmp_path / "dask", *options, *on_dask)
        assert code == 0, err
        assert outputs(tmp_path / "dask") == want

        # 2. a worker killed while it renders a bundle: the other renders it again, same bytes
        (logs / "cwd-w1" / "armed").touch()
        with layout_moved_away_once_packed(monkeypatch, forms):
            code, err = run(capsys, layout, data, "-o", tmp_path / "killed", *options, *on_dask)
        assert code == 0, err
        assert cluster.procs["w1"].wait(timeout=START_S) == -signal.SIGKILL
        assert 1 <= int((logs / "cwd-w1" / "died-on").read_text()) <= 24     # w2 rendered that bundle again
        assert outputs(tmp_path / "killed") == want

        # 3. the scheduler gone mid-run: one clear line, and --resume on another cluster finishes
        stopped = after_commit(monkeypatch, lambda n: n >= 3 and cluster.kill("scheduler") is None)
        code, err = run(capsys, layout, data, "-o", tmp_path / "lost", *options, *on_dask)
        assert code == 1 and stopped
        [line] = [l for l in err.splitlines() if l.startswith("docgen:")]
        assert line.startswith(f"docgen: the Dask scheduler ({cluster.address}) is gone;"), line
        assert "run the same command with --resume to finish" in line
        kept = len(list((tmp_path / "lost").glob("bundle-*.pdf")))
        assert 3 <= kept < 24

        later.ready(1)
        with layout_moved_away_once_packed(monkeypatch, forms):
            code, err = run(capsys, layout, data, "-o", tmp_path / "lost", *options, "--executor", "dask",
                            "--scheduler", later.address, "--resume")
        assert code == 0, err
        assert outputs(tmp_path / "lost") == want

    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs.glob("*.log"))
    assert text.count("Starting Worker") == 3           # the workers' logs: never a record's contents
    assert names and not [n for n in names if n in text]
