"""Encrypted bundles: the password's rules, its salted check for --resume, and AES-256 itself.

Whoever has the password may open and print a bundle; changing it needs the owner password,
which is random and never kept (printing allowed, changes, copying and annotation not). A run
records a salted scrypt check of the password in its journal, never the password, so a resumed
run refuses another password instead of encrypting half the bundles with each.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import secrets
import unicodedata
from pathlib import Path
from typing import Any

from docgen.errors import BatchError
from docgen.output.files import reason

# AES-256 (PDF 2.0) uses at most 127 bytes of the UTF-8 password; a longer one would be cut silently
MAX_PASSWORD_BYTES = 127
# scrypt cost (RFC 7914's interactive setting: about 16 MB and 50 ms), stored with each check
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


def check_password(password: str) -> None:
    """A password every PDF reader takes the same way. AES-256 readers normalise it (SASLprep:
    NFKC) and use at most 127 bytes of UTF-8; control, invisible, private-use or unassigned
    characters are refused by that rule, and readers differ on what they do then."""
    if not password:
        raise BatchError("the encryption password is empty")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Cn") for ch in password):
        raise BatchError("the encryption password holds a control, invisible or unassigned character, "
                         "which PDF readers do not take alike: choose another")
    if len(unicodedata.normalize("NFKC", password).encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise BatchError(f"the encryption password is longer than {MAX_PASSWORD_BYTES} bytes of UTF-8, "
                         "more than a PDF uses: choose a shorter one")


def password_from_file(path: Path) -> str:
    """The password in a file: its first line without the line ending (\\n or \\r\\n); later lines
    are ignored, spaces are part of the password, a UTF-8 byte-order mark is not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BatchError(f"--password-file {path}: {reason(exc)}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchError(f"--password-file {path}: not UTF-8 text; save the password as UTF-8") from None
    if not text:
        raise BatchError(f"--password-file {path}: the file is empty; the password is its first line")
    first = text.split("\n", 1)[0].removesuffix("\r")
    if not first:
        raise BatchError(f"--password-file {path}: the first line is empty; the password is the first line")
    return first


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2 ** 26, dklen=32)


def password_check(password: str) -> dict[str, Any]:
    """A salted scrypt check of the password, for the journal (the password cannot be read back)."""
    salt = secrets.token_bytes(16)
    return {"kdf": "scrypt", **_SCRYPT, "salt": salt.hex(), "check": _derive(password, salt, **_SCRYPT).hex()}


def matches(check: dict[str, Any], password: str) -> bool:
    try:
        derived = _derive(password, bytes.fromhex(check["salt"]), int(check["n"]), int(check["r"]), int(check["p"]))
        return hmac.compare_digest(derived.hex(), str(check["check"]))
    except (KeyError, TypeError, ValueError):
        return False


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """The PDF encrypted with AES-256: opening needs the password, which allows printing only;
    the owner password is random and forgotten. The IVs are random, so encrypted output differs
    from run to run."""
    from pypdf import PdfReader, PdfWriter       # only encrypted runs need it: keep it out of every start
    from pypdf.constants import UserAccessPermissions as Perm

    # what the user password allows: printing (also at full quality) and reading for accessibility
    permissions = Perm.all() & ~(Perm.MODIFY | Perm.EXTRACT | Perm.ADD_OR_MODIFY | Perm.FILL_FORM_FIELDS
                                 | Perm.ASSEMBLE_DOC)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=secrets.token_urlsafe(32), algorithm="AES-256",
                   permissions_flag=permissions)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
