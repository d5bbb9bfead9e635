"""docgen.records: encodings, header mapping, JSON Lines, per-row problems and streaming.

All names are fictional. Rare characters are chosen because they are what breaks readers:
髙 (IBM extension in CP932), 﨑 U+FA11 and 神 U+FA19 (CJK compatibility ideographs that NFC
would rewrite), 𠮷 (outside the BMP) and 葛 + U+E0100 (an ideographic variation sequence).
"""
from __future__ import annotations

import itertools
import json
import re
import tracemalloc
import unicodedata
from pathlib import Path

import pytest

from docgen.records import (
    HeaderMapping,
    RecordFileError,
    SourceRecord,
    load_mapping,
    read_records,
)

COMPAT_KAMI = "\ufa19"   # 神 (compatibility form); NFC turns it into U+795E
COMPAT_SAKI = "\ufa11"   # 﨑
IVS_KATSU = "葛\U000e0100"

CP932_ROWS = [
    ["R001", "山田太郎", "ヤマダタロウ", "1950-04-01"],
    ["R002", "髙橋花子", "タカハシハナコ", "1951-05-02"],
    ["R003", f"{COMPAT_SAKI}山次郎", "サキヤマジロウ", "1952-06-03"],
    ["R004", f"{COMPAT_KAMI}田三郎", "カンダサブロウ", ""],
]
LABEL_HEADER = ["管理番号", "氏名", "フリガナ", "生年月日"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", bom: bool = False) -> Path:
    """Write simple rows (no quoting needed) the way a spreadsheet export would."""
    text = "".join(",".join(row) + "\r\n" for row in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def read_all(path: Path, **kwargs) -> list[SourceRecord]:
    return list(read_records(path, **kwargs))


def code_points(text: str | None) -> list[str]:
    return [f"U+{ord(c):04X}" for c in text or ""]


def assert_no_content(message: str, *values: str) -> None:
    for value in values:
        assert value not in message, f"message leaks {value!r}: {message}"


# --- encodings ------------------------------------------------------------------------------


def test_utf8_bom_and_cp932_give_identical_records(tmp_path: Path) -> None:
    rows = [LABEL_HEADER, *CP932_ROWS]
    results = [
        read_all(write_csv(tmp_path / "plain.csv", rows)),
        read_all(write_csv(tmp_path / "bom.csv", rows, bom=True)),
        read_all(write_csv(tmp_path / "sjis.csv", rows, encoding="cp932")),
    ]
    assert results[0] == results[1] == results[2]
    names = [r.fields["name"] for r in results[2]]
    assert [code_points(n) for n in names] == [code_points(row[1]) for row in CP932_ROWS]
    assert results[2][3].fields["birth_date"] is None


def test_cp932_ibm_and_nec_extension_bytes(tmp_path: Path) -> None:
    # 髙 written with its IBM-extension code (FB FC) rather than the NEC-selected one (EE E0);
    # ① and ㈱ are NEC special characters (row 13).
    body = "管理番号,氏名,備考\r\nR001,".encode("cp932") + b"\xfb\xfc" + "橋花子,①㈱テスト\r\n".encode("cp932")
    path = tmp_path / "ibm.csv"
    path.write_bytes(body)
    (record,) = read_all(path)
    assert record.fields == {"record_id": "R001", "name": "髙橋花子", "remarks": "①㈱テスト"}


def test_utf8_keeps_non_bmp_and_variation_sequences(tmp_path: Path) -> None:
    names = ["𠮷田一郎", f"{IVS_KATSU}西花子"]
    path = write_csv(tmp_path / "rare.csv", [["record_id", "name"], ["R1", names[0]], ["R2", names[1]]])
    got = [r.fields["name"] for r in read_all(path)]
    assert [code_points(n) for n in got] == [code_points(n) for n in names]
    assert code_points(got[1])[:2] == ["U+845B", "U+E0100"]


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_compatibility_ideographs_are_not_normalised(tmp_path: Path, encoding: str) -> None:
    name = f"{COMPAT_KAMI}田{COMPAT_SAKI}子"
    assert unicodedata.normalize("NFC", name) != name  # what a careless reader would print
    path = write_csv(tmp_path / "kami.csv", [["name"], [name]], encoding=encoding)
    (record,) = read_all(path)
    assert code_points(record.fields["name"]) == ["U+FA19", "U+7530", "U+FA11", "U+5B50"]


def test_values_are_not_trimmed_and_empty_is_absent(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "spaces.csv", [["name", "remarks", "address"], [" 山田\u3000太郎 ", "", "東京都"]])
    (record,) = read_all(path)
    assert record.fields == {"name": " 山田\u3000太郎 ", "remarks": None, "address": "東京都"}


def test_cp932_name_late_in_a_mostly_ascii_file_is_detected(tmp_path: Path) -> None:
    # The first non-ASCII byte sits past the first megabyte: a guess from the head would say UTF-8.
    rows = [["record_id", "name"]] + [[f"R{i:07d}", "Yamada"] for i in range(120_000)] + [["R9", "髙橋花子"]]
    path = write_csv(tmp_path / "late.csv", rows, encoding="cp932")
    assert path.stat().st_size > 3 * 262_144  # past the first few check chunks
    last = list(read_records(path))[-1]
    assert last.fields["name"] == "髙橋花子"


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sjis.csv", [LABEL_HEADER, *CP932_ROWS], encoding="cp932")
    assert read_all(path, encoding="cp932") == read_all(path)
    with pytest.raises(RecordFileError) as err:
        read_records(path, encoding="utf-8")
    assert "not valid utf-8 at byte offset 0 (line 1)" in str(err.value)  # the Japanese header
    with pytest.raises(RecordFileError, match="unknown encoding 'klingon'"):
        read_records(path, encoding="klingon")


@pytest.mark.parametrize(
    ("secret_bytes", "rule"),
    [
        (b"\x81\x00", "neither UTF-8"),           # a CP932 lead byte followed by NUL
        (b"\xfe\xff\xfe", "neither UTF-8"),       # bytes that are not text in either encoding
        (b"\xef\xbb\xbf\x81\x00", "neither UTF-8"),
    ],
)
def test_file_in_neither_encoding_is_refused_without_content(tmp_path: Path, secret_bytes: bytes, rule: str) -> None:
    path = tmp_path / "bad.csv"
    prefix = "氏名\r\n秘密花子".encode("cp932")
    path.write_bytes(prefix + secret_bytes + b"\r\n")
    with pytest.raises(RecordFileError) as err:
        read_records(path)
    message = str(err.value)
    assert str(path) in message and "byte offset" in message and "line 2" in message
    assert_no_content(message, "秘密", "花子")


def test_neither_encoding_message_names_both_offsets(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name\nab\x81\x00\n")
    with pytest.raises(RecordFileError) as err:
        read_records(path)
    assert "UTF-8 (fails at byte offset 7, line 2)" in str(err.value)
    assert "CP932 (fails at byte offset 7, line 2)" in str(err.value)


def test_bom_promises_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "氏名\r\n髙橋花子\r\n".encode("cp932"))
    with pytest.raises(RecordFileError, match=r"UTF-8 byte-order mark but is not valid UTF-8 at byte offset 3 \(line 1\)"):
        read_records(path)


def test_utf16_is_refused_with_a_rule(tmp_path: Path) -> None:
    path = tmp_path / "excel-unicode.txt"
    path.write_bytes("氏名\t山田太郎\r\n".encode("utf-16"))
    with pytest.raises(RecordFileError, match="UTF-16 byte-order mark"):
        read_records(path)


# --- headers and mapping --------------------------------------------------------------------


def test_japanese_labels_and_field_names_map_automatically(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "labels.csv", [["\u3000管理番号 ", "氏名", "name_kana", "性別"], ["R1", "山田太郎", "ヤマダタロウ", "男"]])
    (record,) = read_all(path)
    assert record.fields == {"record_id": "R1", "name": "山田太郎", "name_kana": "ヤマダタロウ", "sex": "男"}
    assert (record.row, record.where, record.problems) == (1, "row 1", ())


def test_mapping_file_maps_own_headers_and_ignores_listed_columns(tmp_path: Path) -> None:
    mapping = tmp_path / "city.yaml"
    mapping.write_text('columns:\n  "カナ氏名": name_kana\n  "氏名（漢字）": name\nignore: ["作成日", "担当"]\n', encoding="utf-8")
    path = write_csv(
        tmp_path / "city.csv",
        [["管理番号", "氏名（漢字）", "カナ氏名", "作成日", "担当"], ["R1", "髙橋花子", "タカハシハナコ", "2025-01-01", "鈴木"]],
    )
    expected = {"record_id": "R1", "name": "髙橋花子", "name_kana": "タカハシハナコ"}
    assert read_all(path, mapping=mapping)[0].fields == expected
    assert read_all(path, mapping=str(mapping))[0].fields == expected
    loaded = load_mapping(mapping)
    assert isinstance(loaded, HeaderMapping)
    assert read_all(path, mapping=loaded)[0].fields == expected
    as_dict = {"columns": {"カナ氏名": "name_kana", "氏名（漢字）": "name"}, "ignore": ["作成日", "担当"]}
    assert read_all(path, mapping=as_dict)[0].fields == expected


def test_unknown_column_fails_at_open_naming_the_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "extra.csv", [["氏名", "携帯番号"], ["山田太郎", "09000000000"]])
    with pytest.raises(RecordFileError) as err:
        read_records(path)  # not iterated: the header is checked before returning
    message = str(err.value)
    assert str(path) in message and "column 2 (header #109d0097, 4 character(s))" in message and "携帯" not in message
    assert "unknown column; map it in the mapping file" in message and "list it under ignore" in message
    assert_no_content(message, "山田", "09000000000")


def test_ignore_does_not_hide_other_unknown_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "extra.csv", [["氏名", "携帯番号", "メモ"], ["山田太郎", "0", "x"]])
    with pytest.raises(RecordFileError, match=re.escape("column 3 (header #99fa5c96, 2 character(s))")):
        read_records(path, mapping={"ignore": ["携帯番号"]})


def test_two_headers_for_one_field_are_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [["name", "氏名"], ["山田太郎", "山田太郎"]])
    with pytest.raises(RecordFileError, match="columns 1 and 2 both map to field 'name'"):
        read_records(path)


def test_empty_header_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(RecordFileError, match="first line must be the header row"):
        read_records(path)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ('columns:\n  "氏名（漢字）": nmae\n', "columns: column '氏名（漢字）' maps to 'nmae', which is not a field name"),
        ("colums:\n  a: name\n", "colums: Extra inputs are not permitted"),
        ("columns:\n  1: name\n", "columns > 1: Input should be a valid string"),
        ('columns:\n  " 氏名": name\n', "header ' 氏名' has surrounding whitespace"),
        ('columns:\n  "作成日": issue_date\nignore: ["作成日"]\n', "ignore: '作成日' is also listed under columns"),
        ("- name\n", "a mapping must be a YAML mapping"),
        ("columns: {a: [\n", "not valid YAML"),
    ],
)
def test_mapping_file_errors_name_file_and_key(tmp_path: Path, yaml_text: str, expected: str) -> None:
    mapping = tmp_path / "bad-mapping.yaml"
    mapping.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(RecordFileError) as err:
        load_mapping(mapping)
    assert str(mapping) in str(err.value)
    assert expected in str(err.value)


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError, match="mapping file not found"):
        load_mapping(tmp_path / "nope.yaml")


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordFileError, match="unsupported file type '.xlsx'"):
        read_records(tmp_path / "records.xlsx")
    with pytest.raises(RecordFileError, match="records file not found"):
        read_records(tmp_path / "records.csv")


# --- CSV shape ------------------------------------------------------------------------------


def test_tsv_uses_tabs(tmp_path: Path) -> None:
    path = tmp_path / "r.tsv"
    path.write_text("氏名\t住所\n山田太郎\t東京都千代田区1-1, 2階\n", encoding="utf-8")
    (record,) = read_all(path)
    assert record.fields == {"name": "山田太郎", "address": "東京都千代田区1-1, 2階"}


def test_quoted_newlines_keep_record_numbering(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_bytes('管理番号,住所,備考\r\nR1,"東京都\r\n千代田区",a\r\nR2,大阪府,"一行目\n二行目"\r\nR3,京都府,\r\n'.encode())
    records = read_all(path)
    assert [(r.row, r.fields["record_id"]) for r in records] == [(1, "R1"), (2, "R2"), (3, "R3")]
    assert records[0].fields["address"] == "東京都\r\n千代田区"
    assert records[1].fields["remarks"] == "一行目\n二行目"
    assert all(r.problems == () for r in records)


def test_short_and_long_rows_carry_problems_and_others_come_through(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("管理番号,氏名,フリガナ\nR1,山田太郎,ヤマダタロウ\nR2,髙橋花子\nR3,𠮷田一郎,ヨシダイチロウ,秘密\nR4,﨑山次郎,サキヤマジロウ\n", encoding="utf-8")
    records = read_all(path)
    assert [r.row for r in records] == [1, 2, 3, 4]
    assert [r.fields.get("record_id") for r in records] == [None, None, None, "R4"]
    assert records[3].problems == ()
    # a misshapen row's cells may be shifted: none of them is used, not even as its 管理番号; nor
    # are those of the full row before a short one (a line break in its last cell would shift it)
    assert records[0].problems == ("row 1: next to a row with fewer cells than the header (lines 2–4): its cells "
                                   "may have shifted by an unquoted line break",)
    assert records[1].problems == ("row 2: 2 cells, header has 3",) and records[1].fields == {}
    assert records[2].problems == ("row 3: 4 cells, header has 3",) and records[2].fields == {}


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("管理番号\nR1\n\nR3\n\n", encoding="utf-8")
    assert [(r.row, r.where) for r in read_all(path)] == [(1, "row 1"), (3, "row 3")]


def test_malformed_quoting_fails_with_a_line_and_no_content(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('氏名,住所\n山田太郎,東京都\n"秘密"花子,大阪府\n', encoding="utf-8")
    with pytest.raises(RecordFileError) as err:
        list(read_records(path))  # raised at once or while reading: the first record looks ahead a row
    assert "line 3: malformed CSV" in str(err.value)
    assert_no_content(str(err.value), "秘密", "花子", "大阪")


def test_unterminated_quote_does_not_swallow_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "open-quote.csv"
    path.write_text('氏名,住所\n"山田太郎,東京都\n髙橋花子,大阪府\n', encoding="utf-8")
    with pytest.raises(RecordFileError, match="line 3: malformed CSV: unexpected end of data"):
        list(read_records(path))


# --- JSON Lines -----------------------------------------------------------------------------


def test_jsonl_types_nulls_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [
        json.dumps({"record_id": "R1", "氏名": f"{COMPAT_KAMI}田三郎", "postal_code": "0600001", "special_care": True}, ensure_ascii=False),
        "",
        json.dumps({"record_id": 2, "name": "𠮷田一郎", "remarks": None, "special_care": False, "address": ""}),
        "   ",
        '{"record_id": "R3", "name": "' + IVS_KATSU + '西花子"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records = read_all(path)
    assert [(r.row, r.where) for r in records] == [(1, "line 1"), (3, "line 3"), (5, "line 5")]
    assert records[0].fields == {"record_id": "R1", "name": f"{COMPAT_KAMI}田三郎", "postal_code": "0600001", "special_care": "1"}
    assert records[1].fields == {"record_id": "2", "name": "𠮷田一郎", "remarks": None, "special_care": "0", "address": None}
    assert code_points(records[2].fields["name"])[:2] == ["U+845B", "U+E0100"]
    assert code_points(records[1].fields["name"]) == code_points("𠮷田一郎")


def test_jsonl_in_cp932_and_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "r.ndjson"
    path.write_bytes('{"カナ氏名": "タカハシハナコ", "氏名": "髙橋花子", "作成日": [1, 2]}\r\n'.encode("cp932"))
    (record,) = read_all(path, mapping={"columns": {"カナ氏名": "name_kana"}, "ignore": ["作成日"]})
    assert record.fields == {"name_kana": "タカハシハナコ", "name": "髙橋花子"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"name": "秘密花子", "copay_ratio": 1.5}', "line 2: field copay_ratio (key 2): a number with a fraction or exponent"),
        ('{"name": {"family": "秘密"}}', "line 2: field name (key 1): an object is not allowed"),
        ('{"name": ["秘密"]}', "line 2: field name (key 1): a list is not allowed"),
        ('["秘密花子"]', "line 2: expected a JSON object, found a list"),
        ('{"name": "秘密花子",}', "line 2: not valid JSON at column 17"),
        ('{"name": "秘密花子", "name": "秘密"}', "line 2: keys 1 and 2 both give field 'name'"),
        ('{"name": "秘密花子", "氏名": "秘密"}', "line 2: keys 1 and 2 both give field 'name'"),
        ('{"name": "秘密花子", "電話": "秘密"}', "line 2: key 2 (header #5154b7cf, 2 character(s)): unknown column"),
    ],
)
def test_jsonl_errors_name_line_and_key_never_the_value(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "山田太郎"}\n' + line + "\n", encoding="utf-8")
    records = read_records(path)
    assert next(records).fields == {"name": "山田太郎"}
    with pytest.raises(RecordFileError) as err:
        next(records)
    assert str(path) in str(err.value) and expected in str(err.value)
    assert_no_content(str(err.value), "秘密", "花子")


# --- streaming ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_first_record_of_a_large_file_needs_little_memory(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"big{suffix}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        if suffix == ".csv":
            fh.write("管理番号,氏名,フリガナ,住所\r\n")
            fh.writelines(f"R{i:06d},山田太郎,ヤマダタロウ,東京都千代田区千代田1-1\r\n" for i in range(200_000))
        else:
            fh.writelines(f'{{"record_id": "R{i:06d}", "name": "山田太郎", "address": "東京都千代田区千代田1-1"}}\n' for i in range(200_000))
    size = path.stat().st_size
    assert size > 10_000_000
    tracemalloc.start()
    try:
        first = list(itertools.islice(read_records(path), 3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.fields["record_id"] for r in first] == ["R000000", "R000001", "R000002"]
    assert peak < 3_000_000 < size  # the chunked encoding check and one read buffer, not the file
