"""The docs are executable: every command README.md and docs/*.md show runs as written, in a
temporary folder, and exits with the status the docs state (`# exit N`, else 0).

The folder starts with a copy of the bundled samples (`samples/kokuho.csv`, ...). The documents
run in one folder, README.md first and then docs/*.md by name, like a reader who follows them:
files the docs show (`<!-- file: PATH -->`) are written when reached, and later commands use
them. `docgen serve` is started, stopped with Ctrl-C once it listens, and must exit with 0.
"""
from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from docs_blocks import DOCS, Block, Command, StandIn, blocks, commands

from docgen.paths import PROFILES, SAMPLES

BIN = Path(sys.executable).parent          # the venv's docgen
STAND_IN_IMAGE = PROFILES / "seals" / "kasou-city.png"
TIMEOUT = 600


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DOCGEN_PATH"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # `git commit` in the docs needs an identity; a CI machine may have none
    env.update(GIT_AUTHOR_NAME="docs-test", GIT_AUTHOR_EMAIL="docs@example.invalid",
               GIT_COMMITTER_NAME="docs-test", GIT_COMMITTER_EMAIL="docs@example.invalid")
    return env


def _serve(cmd: Command, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Start the server, stop it with SIGINT as soon as it says where it listens."""
    proc = subprocess.Popen(["bash", "-c", f"exec {cmd.text}"], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = ""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and "http://" not in out and time.monotonic() < deadline:
            if sel.select(timeout=0.5):
                out += proc.stdout.readline()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sel.close()
    rest, err = proc.communicate()
    return status, out + rest, err


def _run(cmd: Command, cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    if cmd.text.startswith("docgen serve"):
        return _serve(cmd, cwd, env)
    done = subprocess.run(["bash", "-c", cmd.text], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    return done.returncode, done.stdout, done.stderr


def _check_unrun(block: Block) -> str | None:
    """Blocks the docs do not run here: set-up scripts (skip) and the install (test_package.py)."""
    kind = block.marker[1].split()[0] if block.marker else ""
    texts = [c.text for c in commands(block)]
    if kind == "skip" and all(t.startswith("bash scripts/") for t in texts):
        return None
    if kind == "install" and all(t.startswith("pip ") for t in texts):
        return None
    return f"{block.doc.name}:{block.line}: only set-up scripts may be skipped and pip commands installed: {texts}"


def test_every_documented_command_runs_as_documented(tmp_path: Path) -> None:
    world = tmp_path / "work"
    shutil.copytree(SAMPLES, world / "samples", ignore=shutil.ignore_patterns("out"))
    env = _env()
    failures: list[str] = []
    ran = 0
    for doc in DOCS:
        for item in blocks(doc):
            if isinstance(item, StandIn):
                target = world / item.path
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(STAND_IN_IMAGE, target)
            elif item.marker and item.marker[0] == "file":
                target = world / item.marker[1]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(item.text, encoding="utf-8")
            elif item.lang == "sh" and item.marker and item.marker[0] == "docs-test":
                problem = _check_unrun(item)
                if problem:
                    failures.append(problem)
            elif item.lang == "sh":
                for cmd in commands(item):
                    status, out, err = _run(cmd, world, env)
                    ran += 1
                    if status != cmd.status or "Traceback" in out + err:
                        failures.append(f"{cmd}\n  exit {status}, documented {cmd.status}\n  stderr: "
                                        + "\n  ".join(err.strip().splitlines()[-6:]))
            elif item.lang in ("", "bash", "shell", "console") and any(
                    line.lstrip("$ ").startswith("docgen ") for line in item.text.splitlines()):
                failures.append(f"{item.doc.name}:{item.line}: a command outside an ```sh block is never run")
    assert ran >= 30, f"only {ran} documented commands found"
    assert not failures, "\n\n".join(failures)
