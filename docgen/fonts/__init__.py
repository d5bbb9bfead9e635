"""Fonts for docgen: families from fonts/fonts.yaml, each drawn through a fallback chain.

Names must print with exactly the characters on file (髙, 﨑, 𠮷, ideographic variation
sequences); a character no configured font covers is an error, never a blank box.
"""
from docgen.fonts.chain import FontChain, MissingGlyphError
from docgen.fonts.config import FontConfigError
from docgen.fonts.fontset import DEFAULT_CONFIG, FontSet, UnknownFamilyError, load_fonts

__all__ = ["DEFAULT_CONFIG", "FontChain", "FontConfigError", "FontSet", "MissingGlyphError",
           "UnknownFamilyError", "load_fonts"]
