"""The units docgen measures in: layouts in millimetres, PDF pages in points (1/72 inch)."""
from __future__ import annotations

MM = 72.0 / 25.4      # points per millimetre
