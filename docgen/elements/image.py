"""`image` elements: the seal (公印) or a logo, fitted into its box keeping the aspect ratio."""
from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal, Mapping

from PIL import Image, UnidentifiedImageError
from PIL.PngImagePlugin import PngImageFile
from pydantic import (
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from reportlab.lib.utils import ImageReader

from docgen.elements.base import Boxed, ElementKind
from docgen.elements.context import DrawContext, PrepareContext
from docgen.errors import ContentError
from docgen.paths import written_in
from docgen.template import has_template
from docgen.units import MM
from docgen.yamlfile import load_context


def image_file(ref: str | Path, naming_file: Path) -> Path:
    """An image path as written in `naming_file`, checked to exist and to be an image Pillow can
    read, so a wrong path fails on load, not at draw time."""
    path = written_in(ref, naming_file)
    if not path.is_file():
        raise ValueError(f"image file not found: {path}")
    try:
        with Image.open(path) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValueError(f"{path} is not an image Pillow can read ({exc})") from None
    return path


class _Reader(ImageReader):
    """ReportLab's image reader, which opens a PNG (as seals are) with Pillow's PNG plug-in alone:
    Pillow's `Image.open` imports five format plug-ins first (≈10 ms of a counter reissue)."""

    def _read_image(self, fp: Any) -> Any:
        png = fp.read(8) == b"\x89PNG\r\n\x1a\n"
        fp.seek(0)
        return PngImageFile(fp) if png else super()._read_image(fp)


class ImageElement(Boxed):
    """An image fitted into the box keeping its aspect ratio (the seal: `src: "{insurer.seal}"`)."""

    type: Literal["image"]
    src: str = Field(description='image file, relative to the file that names it, or a template such as '
                                 '"{insurer.seal}" (the profile\'s seal, relative to the profile)')
    align: Literal["left", "center", "right"] = "center"
    _file: Path | None = PrivateAttr(default=None)     # the file the element is written in

    content_keys: ClassVar[tuple[str, ...]] = ("src",)

    @classmethod
    def starter(cls, x: float, y: float) -> dict[str, Any]:
        return {**super().starter(x, y), "h": 12.0, "src": "{insurer.seal}"}

    @field_validator("src")
    @classmethod
    def _image_exists(cls, src: str, info: ValidationInfo) -> str:
        ctx = load_context(info)
        if ctx and not has_template(src):
            image_file(src, ctx.file)
        return src

    @model_validator(mode="after")
    def _remember_file(self, info: ValidationInfo) -> "ImageElement":
        ctx = load_context(info)
        if ctx:
            self._file = ctx.file
        return self

    def path(self, src: str) -> Path:
        """The file a filled-in `src` names: a relative one against the file the element is written in."""
        return Path(src) if self._file is None else written_in(src, self._file)

    def files(self) -> list[Path]:
        return [] if has_template(self.src) else [self.path(self.src)]


class ImageKind(ElementKind[ImageElement, Path | None]):
    model = ImageElement

    def prepare(self, el: ImageElement, values: Mapping[str, Any], ctx: PrepareContext) -> Path | None:
        src = ctx.fill(el.src, values)
        if not src:
            return None
        path = el.path(src)
        if not path.is_file():
            # the filled-in path may hold a record's values: name the layout's template instead
            raise ContentError("image", f"no image file at the path src {el.src!r} gives for this record")
        return path

    def draw(self, dc: DrawContext, el: ImageElement, path: Path | None) -> None:
        if path is None:
            return
        anchor = {"left": "w", "center": "c", "right": "e"}[el.align]
        # an ImageReader is named in the PDF by its content, a file name by its path: the same
        # input must give the same bytes wherever docgen is installed
        dc.canvas.drawImage(_Reader(str(path)), el.x * MM, dc.y_pt(el.y + el.h), el.w * MM, el.h * MM,
                            mask="auto", preserveAspectRatio=True, anchor=anchor)


KIND = ImageKind()
