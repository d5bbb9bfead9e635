"""The field dictionary: every record field docgen knows, its Japanese label and its format.

One table serves the record reader (which columns are known), validation (what kind of value a
field holds) and the README (the documented dictionary), so they cannot drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """How a field's raw text is checked and parsed."""

    TEXT = "text"          # printed as given (names, addresses): never normalised
    DIGITS = "digits"      # ASCII digits only, fixed or bounded length
    DATE = "date"          # calendar date, YYYY-MM-DD or YYYY/MM/DD (Gregorian)
    CHOICE = "choice"      # one of a fixed set of values
    FLAG = "flag"          # yes/no: 1/0, true/false, はい/いいえ, 有/無


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind
    description: str
    max_len: int | None = None       # characters (text) or exact digit count range upper bound
    min_len: int | None = None
    choices: tuple[str, ...] = ()
    personal: bool = True            # personal data: never echoed in messages or logs
    charset: str | None = None       # text: a regex character class every character must be in
    charset_doc: str = ""            # that class in words, for messages


# 記号 and 番号 go into the QR code a clinic's reader splits into fields: letters and digits only
# (記号 may be a place name in kanji), never punctuation or spaces that a reader could take for
# a separator.
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff\U000e0100-\U000e01ef々〆"
_KANA = "\u3041-\u3096\u30a1-\u30fa\u30fc"
_ALNUM = "0-9A-Za-z"
_WIDE_ALNUM = "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"


FIELDS: tuple[Field, ...] = (
    Field("record_id", "管理番号", Kind.TEXT, "Unique key of the record in its file; picks one card with --id. Printable ASCII, no spaces.",
          max_len=32, personal=False, charset="\\x21-\\x7e", charset_doc="printable ASCII characters without spaces"),
    Field("kigo", "記号", Kind.TEXT, "記号 of 国保 or 健康保険; may contain kanji (a place name). Kanji, kana, letters, digits and '-' only.",
          max_len=20, charset=_KANJI + _KANA + _ALNUM + _WIDE_ALNUM + "\\-", charset_doc="kanji, kana, letters, digits and '-'"),
    Field("bango", "番号", Kind.TEXT, "番号 of 国保 or 健康保険. ASCII letters, digits and '-' only.", max_len=20,
          charset=_ALNUM + "\\-", charset_doc="ASCII letters, digits and '-'"),
    Field("edaban", "枝番", Kind.DIGITS, "Two-digit branch number of the person.", min_len=2, max_len=2),
    Field("hihokensha_bango", "被保険者番号", Kind.DIGITS, "後期高齢者医療 被保険者番号: 8 digits, the last a check digit.", min_len=8, max_len=8),
    Field("name", "氏名", Kind.TEXT, "Name exactly as on file (rare kanji, variation sequences kept).", max_len=40),
    Field("name_kana", "フリガナ", Kind.TEXT, "Reading of the name in katakana.", max_len=60),
    Field("birth_date", "生年月日", Kind.DATE, "Date of birth."),
    Field("sex", "性別", Kind.CHOICE, "男 or 女 (1 and 2 are read as 男 and 女).", choices=("男", "女")),
    Field("acquired_date", "資格取得年月日", Kind.DATE, "Date coverage began."),
    Field("issue_date", "交付年月日", Kind.DATE, "Date of issue printed on the document."),
    Field("expiry_date", "有効期限", Kind.DATE, "Expiry; derived from the renewal rules when absent."),
    Field("householder_name", "世帯主氏名", Kind.TEXT, "国保: name of the head of household.", max_len=40),
    Field("insured_name", "被保険者氏名", Kind.TEXT, "健康保険: name of the insured person (for a dependent, the person they depend on).", max_len=40),
    Field("relationship", "本人・家族", Kind.CHOICE, "健康保険: 本人 (被保険者) or 家族 (被扶養者).", choices=("本人", "家族")),
    Field("postal_code", "郵便番号", Kind.DIGITS, "Seven-digit postal code (a hyphen is allowed in input).", min_len=7, max_len=7),
    Field("address", "住所", Kind.TEXT, "Address as printed.", max_len=120),
    Field("copay_ratio", "一部負担金の割合", Kind.CHOICE, "1, 2 or 3 (割). 国保: only ages 70–74; 後期高齢者: always.", choices=("1", "2", "3")),
    Field("ratio_effective_date", "発効期日", Kind.DATE, "Date the 負担割合 (or the document) takes effect."),
    Field("limit_class", "限度額適用区分", Kind.TEXT, "Optional item, printed only on application (e.g. ア, イ, 区Ⅱ).", max_len=8, personal=False),
    Field("limit_class_date", "限度額適用区分の発効期日", Kind.DATE, "Effective date of the 限度額適用区分."),
    Field("long_stay_date", "長期入院該当年月日", Kind.DATE, "Optional item: date long-term hospitalisation was recognised."),
    Field("special_care", "特別療養費", Kind.FLAG, "国保: household more than a year behind on 国保税; documents are marked 特別療養費."),
    Field("residence_end_date", "在留期間満了日", Kind.DATE, "Foreign nationals: end of the period of stay (ties the 有効期限)."),
    Field("mynumber_last4", "個人番号下4桁", Kind.DIGITS, "健康保険 お知らせ: last four digits of the My Number.", min_len=4, max_len=4),
    Field("remarks", "備考", Kind.TEXT, "Free remarks printed in 備考.", max_len=80, personal=False),
    Field("household_id", "世帯番号", Kind.TEXT, "Groups a household (dependents follow their insured person in bulk order).", max_len=32, personal=False),
    Field("employer_id", "事業所番号", Kind.TEXT, "健康保険: employer the documents are shipped through.", max_len=32, personal=False),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
BY_LABEL: dict[str, Field] = {f.label: f for f in FIELDS}
