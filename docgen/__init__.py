"""docgen: print-ready PDF for Japanese health-insurance eligibility documents."""
from docgen.api import check, render_pdf
from docgen.layout.loader import load_layout, load_profile
from docgen.records import read_records

__all__ = ["check", "load_layout", "load_profile", "read_records", "render_pdf"]
