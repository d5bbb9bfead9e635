"""docgen: print-ready PDF for Japanese health-insurance eligibility documents."""
import gc as _gc

# Importing docgen builds some 100,000 objects (models, ReportLab's tables) and no garbage: the
# cyclic collector would scan them again and again (≈10 ms of a counter reissue). It is paused
# while the package imports, and left as it was.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from docgen.api import check, render_pdf
    from docgen.layout.loader import load_layout, load_profile
    from docgen.records import read_records
finally:
    if _collecting:
        _gc.enable()
    del _collecting

__all__ = ["check", "load_layout", "load_profile", "read_records", "render_pdf"]
