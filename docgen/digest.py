"""SHA-256 as docgen names content everywhere: a batch's bundles and fingerprint, a font's entry
in the cache, the files a kept layout was made from."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


def sha256_bytes(data: Any) -> str:
    """Of bytes or anything with their buffer (a mapped file)."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Of a file's bytes, read a megabyte at a time; OSError when it cannot be read."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
