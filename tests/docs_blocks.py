"""The fenced blocks of README.md and docs/*.md, with the markers that say how the tests use them.

A marker is an HTML comment on the line before a block (or alone):

    <!-- file: PATH -->          the next block is the content of PATH (written when reached)
    <!-- stand-in: PATH (...) --> PATH is a file of the reader's own (an image): the test puts one there
    <!-- docs-test: skip (why) --> the next sh block is not run (the set-up commands themselves)
    <!-- docs-test: install (...) --> the next sh block installs docgen: tests/test_package.py runs it

Every line of an ```sh block is a command (a trailing backslash continues it); a comment
`# exit N` on it is the exit status the docs promise, 0 otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_MARKER = re.compile(r"^\s*<!--\s*(file|stand-in|docs-test):\s*(.*?)\s*-->\s*$")
_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_EXIT = re.compile(r"#.*\bexit (\d+)\b")


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int            # 1-based line of the opening fence
    lang: str
    text: str
    marker: tuple[str, str] | None     # (kind, argument) of the comment right before it


@dataclass(frozen=True)
class Command:
    doc: Path
    line: int
    text: str
    status: int

    def __str__(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}: {self.text}"


@dataclass(frozen=True)
class StandIn:
    doc: Path
    path: str


def blocks(doc: Path) -> list[Block | StandIn]:
    """The fenced blocks and stand-in markers of one document, in order."""
    out: list[Block | StandIn] = []
    lines = doc.read_text(encoding="utf-8").splitlines()
    marker: tuple[str, str] | None = None
    i = 0
    while i < len(lines):
        m = _MARKER.match(lines[i])
        fence = _FENCE.match(lines[i])
        if m and m[1] == "stand-in":
            out.append(StandIn(doc, m[2].split()[0]))
        elif m:
            marker = (m[1], m[2])
        elif fence:
            indent, lang, start = fence[1], fence[2], i
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            out.append(Block(doc, start + 1, lang, "\n".join(body) + "\n", marker))
            marker = None
        elif lines[i].strip():
            marker = None
        i += 1
    return out


def commands(block: Block) -> list[Command]:
    """The commands of an sh block, each with the exit status its comment promises."""
    out: list[Command] = []
    pending, first = "", 0
    for n, raw in enumerate(block.text.splitlines(), start=block.line + 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if not pending:
            first = n
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        text = pending + raw
        pending = ""
        status = _EXIT.search(text)
        out.append(Command(block.doc, first, text.strip(), int(status[1]) if status else 0))
    return out
