"""Where the bundled data lives: layouts, profiles, fonts and samples sit beside the package."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYOUTS = ROOT / "layouts"
PROFILES = ROOT / "profiles"
SAMPLES = ROOT / "samples"
FONTS = ROOT / "fonts"
