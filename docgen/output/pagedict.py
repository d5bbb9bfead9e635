"""Page dictionaries written once per kind of page: a 1,000-card bundle has 2,000 pages but two
kinds of page dictionary (front, back), which differ only in the number of their content stream.

ReportLab formats every page's dictionary from scratch (its resources, media box, procedure sets:
a dozen small objects and names escaped character by character), some 13 % of a card's time in
a bulk run. Here the first page of a kind is formatted by ReportLab as always; the bytes around
its /Contents reference are kept, and every later page of the same kind is those bytes with its
own reference put in. Their content streams are formatted straight to bytes for the same
reason. The file is the same byte for byte (tested against ReportLab's own
formatting); a page with anything this module does not know how to compare (annotations,
transparency, boxes, a duration) is formatted by ReportLab as before.
"""
from __future__ import annotations

import zlib
from itertools import repeat
from typing import Any, Hashable

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

# PDFPage attributes that must be unset for a page to be formatted from its kind's bytes
_UNSET = ("MediaBox", "Resources", "Contents", "CropBox", "Thumb", "Annots", "B", "Dur", "Hid", "AA",
          "PieceInfo", "LastModified", "SeparationInfo", "ArtBox", "TrimBox", "BleedBox", "ID", "PZ", "ExtGState")


def _names(d: Any) -> tuple[tuple[str, str], ...] | None:
    """A resources dictionary of name -> named object reference, as a comparable value."""
    items = d.dict.items() if isinstance(d, pdfdoc.PDFDictionary) else d.items()
    out = []
    for key, value in items:
        if isinstance(value, pdfdoc.PDFObjectReference):
            value = value.name
        if not isinstance(key, str) or not isinstance(value, str):
            return None
        out.append((key, value))
    return tuple(sorted(out))


def page_kind(page: pdfdoc.PDFPage) -> Hashable | None:
    """Everything a page's dictionary is made of except its content stream, or None when the
    page carries something not compared here (then ReportLab formats it)."""
    if type(page) is not pdfdoc.PDFPage or page.Override_default_compilation:
        return None
    if any(map(getattr, repeat(page), _UNSET, repeat(None))) or page.Parent is not None:
        return None
    xobjects = _names(page.XObjects) if page.XObjects else ()
    colors = _names(page._colorsUsed)
    shadings = _names(page._shadingUsed)
    trans = _names(page.Trans) if page.Trans is not None else ()
    if xobjects is None or colors is None or shadings is None or trans is None:
        return None
    return (page.pagewidth, page.pageheight, page.Rotate, bool(page.hasImages), xobjects, colors, shadings, trans)


class _KindPage(pdfdoc.PDFPage):
    """A PDFPage whose dictionary comes from the first page of its kind in the document."""

    _kind: Hashable

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        kinds: dict[Hashable, tuple[bytes, bytes]] = document.__dict__.setdefault("_docgen_page_kinds", {})
        known = kinds.get(self._kind)
        if known is None:
            formatted = super().format(document)
            # this page's own reference, registered just now in the order ReportLab registers it
            ref = b"/Contents " + document.Reference(self.Contents).format(document)
            if formatted.count(ref) == 1:
                head, tail = formatted.split(ref)
                kinds[self._kind] = (head, tail)
            return formatted
        if not isinstance(self.Contents, _ContentStream):
            self.check_format(document)      # the content stream object, as ReportLab makes it
        ref = document.Reference(self.Contents).format(document)
        return known[0] + b"/Contents " + ref + known[1]


class _ContentStream(pdfdoc.PDFStream):
    """A page's Flate-compressed content stream, written as ReportLab writes it but without
    building a dictionary, an array and a name object for every page to format them."""

    __Comment__ = "page stream"

    def __init__(self, code: str) -> None:
        self.content = code

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        data = document.encrypt.encode(zlib.compress(self.content.encode("utf8")))
        return b"<<\n/Filter [ /FlateDecode ] /Length %d\n>>\nstream\n%sendstream\n" % (len(data), data)


class KindCanvas(Canvas):
    """A ReportLab canvas that writes each kind of page dictionary once (see the module)."""

    def save(self) -> None:
        flate_only = not rl_config.useA85
        for page in self._doc.Pages.pages:
            kind = page_kind(page)
            if kind is not None:
                page.__class__ = _KindPage
                page._kind = kind
                if flate_only and page.compression and page.stream:
                    page.Contents = _ContentStream(page.stream)
        super().save()
