"""docgen: print-ready PDF for Japanese health-insurance eligibility documents."""
import gc as _gc

# Importing docgen builds some 100,000 objects (models, ReportLab's tables) and no garbage: the
# cyclic collector would scan them again and again (≈20 ms of a counter reissue). It is paused
# while the package imports; then what exists goes to the oldest generation, where objects that
# survive go anyway (freeze and unfreeze: no scan of them now), and the collector is left as it was.
_collecting = _gc.isenabled()
_gc.disable()
try:
    from docgen.api import check, render_pdf
    from docgen.layout.loader import load_layout, load_profile
    from docgen.records import read_records
finally:
    _gc.freeze()
    _gc.unfreeze()
    if _collecting:
        _gc.enable()
    del _collecting

__all__ = ["check", "load_layout", "load_profile", "read_records", "render_pdf"]
