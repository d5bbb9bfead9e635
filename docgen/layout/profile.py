"""Insurer profiles: who issues the document, kept apart from the layout so one layout serves
every municipality (保険者番号, 名称, 所在地, 電話, seal image, 注意事項)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from docgen.elements.image import image_file
from docgen.fields import FieldSpec
from docgen.fonts import load_fonts
from docgen.paths import written_in
from docgen.records.gaiji import GaijiTable, GaijiTableError, load_gaiji_table
from docgen.usercache import note
from docgen.yamlfile import LoadContext, read_yaml


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str
    scheme: str = Field(description="the scheme: NAME (`docgen schemes`), docgen:NAME or a file path relative to "
                                    "this profile; it must be the layout's")
    insurer_number: str = Field(description="保険者番号, checked by the scheme's rule (length, 法別番号, check digit)")
    name: str = Field(description="保険者名称 as printed")
    name_line2: str | None = Field(default=None, description="second line, e.g. 支部名")
    address: str
    phone: str
    seal: Path | None = Field(default=None, description="公印 image, relative to the profile file")
    renewal_start: date = Field(description="first day of the annual renewal period; drives derived 有効期限")
    notes: list[str] = Field(default_factory=list, description="注意事項, numbered on the card back")
    contact: str = ""
    notice_notes: list[str] = Field(default_factory=list, description="資格情報のお知らせ: the insurer's explanation, "
                                    "one paragraph an item (what it is, use with the My Number card, errors, enquiries)")
    issue_guidance: list[str] = Field(default_factory=list, description=(
        "資格情報のお知らせ: how to get a 資格確認書 (on application) or a 再交付, and whom to call, one paragraph an item"))
    reissue_mark: str | None = Field(default="再交付", description=(
        "printed on a reissued card (record field reissued or reissue_date), before the 再交付年月日; null: nothing"))
    relationship_words: dict[str, str] | None = Field(default=None, description=(
        "what 本人 and 家族 print as (e.g. {本人: 本人（被保険者）, 家族: 家族（被扶養者）}); default: 本人, 家族"))
    notice_mailing: Literal["person", "household"] = Field(default="person", description=(
        "資格情報のお知らせ: one per person (person), or one per household addressed to the 世帯主 with every "
        "member's slip (household: the notice layout's household_layout)"))
    qr_payload: str | None = Field(default=None, description="overrides the layout's QR payload template")
    fields: dict[str, FieldSpec] = Field(default_factory=dict, description=(
        "fields of this insurer's own (label, kind, max_len, required, ...), known to every layout it is used with"))
    gaiji: Path | None = Field(default=None, description=(
        "外字 table: a YAML file, relative to this profile, saying what each private-use code point "
        "(U+E000–U+F8FF) in this insurer's records stands for (docs/gaiji.md)"))
    _source: Path | None = PrivateAttr(default=None)     # the file it was read from
    _gaiji_table: GaijiTable | None = PrivateAttr(default=None)

    @field_validator("seal")
    @classmethod
    def _seal_file(cls, seal: Path | None, info: ValidationInfo) -> Path | None:
        """Loaded from a file, the seal is resolved against the profile's folder and checked."""
        if seal is not None and isinstance(info.context, LoadContext):
            return image_file(seal, info.context.file)
        return seal

    @model_validator(mode="after")
    def _remember_source(self, info: ValidationInfo) -> "Profile":
        if isinstance(info.context, LoadContext):
            self._source = info.context.file
            if self.gaiji is not None:
                self._gaiji_table = _read_gaiji(written_in(self.gaiji, info.context.file), info.context)
        return self

    @property
    def gaiji_table(self) -> GaijiTable | None:
        """The 外字 table `gaiji:` names, loaded and checked with the profile."""
        return self._gaiji_table

    @property
    def source(self) -> Path | None:
        """The profile's file: its `scheme:` and `seal:` are relative to it."""
        return self._source


def _read_gaiji(path: Path, ctx: LoadContext) -> GaijiTable:
    """The profile's 外字 table; its problems name the table's file and entry."""
    note(path)
    try:
        data = read_yaml(path, GaijiTableError, "外字 table")
        mj_font = load_fonts(ctx.fonts_file).config.files.get("mj-mincho") if ctx.fonts_file else None
        return load_gaiji_table(path, data, mj_font)
    except GaijiTableError as exc:
        raise ValueError(str(exc)) from None
