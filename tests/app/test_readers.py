"""Reading real agency exports: encodings, delimiters, line numbers and bad files.

Every file is written to disk byte for byte, because the bugs live in the
bytes: BOMs, Windows-1252 accents, CRLF inside quotes, stray NULs.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.errors import InputError, UserError
from app.readers import RawRow, open_table

HEADER = "CASE_NUM,DEF_NAME,DOB\r\n"


def write(tmp_path: Path, data: bytes, name: str = "clerk.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path, **kwargs: str) -> tuple[tuple[str, ...], list[RawRow]]:
    with open_table(path, **kwargs) as table:
        return table.headers, list(table)


def open_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_all(path)
    return info.value


# --- errors ------------------------------------------------------------------------


def test_input_error_is_one_line_with_base_name_only(tmp_path: Path) -> None:
    err = InputError(tmp_path / "cases" / "clerk.csv", "row has 9 fields", line=14)
    assert str(err) == "clerk.csv, line 14: row has 9 fields"
    assert str(InputError("x/clerk.csv", "file is empty")) == "clerk.csv: file is empty"
    assert isinstance(err, UserError)
    assert str(InputError("clerk.csv", "a\nb")) == "clerk.csv: a b"
    assert err.line == 14
    assert err.file_name == "clerk.csv"


def test_errors_never_show_the_folder(tmp_path: Path) -> None:
    secret = tmp_path / "Doe_John_case"
    secret.mkdir()
    err = open_error(secret / "missing.csv")
    assert "Doe_John" not in str(err)
    assert str(err) == "missing.csv: file not found"


# --- encodings ---------------------------------------------------------------------


def test_utf8_with_bom(tmp_path: Path) -> None:
    data = "\ufeffCASE_NUM,DEF_NAME\r\n1,JOSÉ MUÑOZ\r\n".encode()
    with open_table(write(tmp_path, data)) as table:
        assert table.encoding == "utf-8-sig"
        assert table.headers == ("CASE_NUM", "DEF_NAME")
        assert [r.values for r in table] == [("1", "JOSÉ MUÑOZ")]


def test_plain_utf8(tmp_path: Path) -> None:
    data = "A,B\n1,ZOË\n".encode()
    with open_table(write(tmp_path, data)) as table:
        assert table.encoding == "utf-8"
        assert [r.values for r in table] == [("1", "ZOË")]


def test_windows_1252_accented_names(tmp_path: Path) -> None:
    data = b'CASE_NUM,DEF_NAME\r\n1,"MU\xd1OZ, JOS\xc9"\r\n2,PE\xd1A \x96 JR\r\n'
    path = write(tmp_path, data)
    with open_table(path) as table:
        assert table.encoding == "cp1252"
        assert [r.values for r in table] == [("1", "MUÑOZ, JOSÉ"), ("2", "PEÑA – JR")]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    text = "CASE_NUM\tDEF_NAME\r\n1\tMUÑOZ\r\n2\tLI\r\n"
    data = "\ufeff".encode(codec) + text.encode(codec)
    with open_table(write(tmp_path, data)) as table:
        assert table.encoding == codec
        assert table.delimiter == "\t"
        assert table.headers == ("CASE_NUM", "DEF_NAME")
        assert [(r.line, r.values) for r in table] == [
            (2, ("1", "MUÑOZ")),
            (3, ("2", "LI")),
        ]


def test_other_encodings_fall_back_to_charset_normalizer(tmp_path: Path) -> None:
    """Bytes like 0x81 are undefined in Windows-1252, so a guess is needed."""
    names = ["Ѓорѓиевски Ђорђе", "Трајковска Марија", "Ѓуровски Петар"] * 20
    text = "ID,NAME\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names))
    path = write(tmp_path, text.encode("cp1251"))
    with open_table(path) as table:
        assert table.encoding not in ("utf-8", "cp1252")
        assert [r.values[1] for r in table] == names


def test_forced_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B\n1,MUÑOZ\n".encode("latin-1"))
    with open_table(path, encoding="latin-1") as table:
        assert [r.values for r in table] == [("1", "MUÑOZ")]
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        open_table(path, encoding="klingon")


def test_mostly_utf8_with_a_bad_byte_names_the_line(tmp_path: Path) -> None:
    """One stray Windows-1252 byte must not turn every UTF-8 accent into mojibake."""
    rows = "".join(f"{i},JOSÉ MUÑOZ {i}\r\n" for i in range(1, 40))
    data = ("ID,NAME\r\n" + rows).encode() + b"40,PE\xd1A\r\n41,LI\r\n"
    err = open_error(write(tmp_path, data))
    assert err.line == 41
    assert "0xD1 is not valid UTF-8" in str(err)
    assert str(err).startswith("clerk.csv, line 41: ")


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
def test_decode_error_mid_file_names_the_line(tmp_path: Path, eol: str) -> None:
    """Past the detection (here: a forced encoding) a bad byte is still an
    InputError naming its line, even far beyond the first read buffer."""
    good = "".join(f"{i},SMITH {i}{eol}" for i in range(2, 5001)).encode()
    data = f"ID,NAME{eol}".encode() + good + b"5001,PE\xd1A\n5002,LI\n"
    path = write(tmp_path, data)
    with open_table(path, encoding="utf-8") as table:
        seen = []
        with pytest.raises(InputError) as info:
            seen.extend(table)
    assert info.value.line == 5001
    assert "0xD1" in str(info.value)
    assert len(seen) < 5000  # the error stops the import, it doesn't skip the row


# --- delimiters and quoting --------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    lines = [
        ["CASE_NUM", "DEF_NAME", "DOB", "CITY"],
        ["2023CR1", '"SMITH, JOHN"', "03/03/1985", "CHICAGO"],
        ["2023CR2", '"DOE; JANE"', "1990-01-02", "EVANSTON"],
    ]
    if delimiter in ",;":
        lines.append(["2023CR3", '"LEE | KIM"', "", "CICERO"])
    else:
        lines.append(["2023CR3", "LEE, KIM; X", "", "CICERO"])
    data = "".join(delimiter.join(cells) + "\r\n" for cells in lines).encode()
    with open_table(write(tmp_path, data)) as table:
        assert table.format == "csv"
        assert table.delimiter == delimiter
        assert table.headers == ("CASE_NUM", "DEF_NAME", "DOB", "CITY")
        rows = list(table)
    assert [r.values[1] for r in rows][:2] == ["SMITH, JOHN", "DOE; JANE"]
    assert all(len(r.values) == 4 for r in rows)


def test_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    data = (
        b"ID,NAME,NOTES\r\n"
        b'1,SMITH,"line one\r\nline two\r\nline three"\r\n'
        b"2,JONES,plain\r\n"
        b'3,LEE,"a\nb"\n'
        b"4,KIM,last"
    )
    _, rows = read_all(write(tmp_path, data))
    assert [r.line for r in rows] == [2, 5, 6, 8]
    assert rows[0].values[2] == "line one\r\nline two\r\nline three"
    assert rows[0].text == '1,SMITH,"line one\r\nline two\r\nline three"'
    assert rows[1].text == "2,JONES,plain"
    assert rows[3].values == ("4", "KIM", "last")


def test_blank_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    data = b"\r\n\r\nID,NAME\r\n1,A\r\n\r\n   \r\n,\r\n2,B\r\n\r\n"
    with open_table(write(tmp_path, data)) as table:
        assert table.header_line == 3
        rows = list(table)
        assert [(r.line, r.values) for r in rows] == [
            (4, ("1", "A")),
            (7, ("", "")),  # empty fields are a row: the importer rejects it
            (8, ("2", "B")),
        ]
        assert table.blank_lines == 5
        assert len(list(table)) == 3  # a second pass starts over ...
        assert table.blank_lines == 5  # ... and does not count blanks twice


def test_empty_field_rows_above_the_header_are_blank(tmp_path: Path) -> None:
    with open_table(write(tmp_path, b",,\n\n,,\nA,B,C\n1,2,3\n")) as table:
        assert table.header_line == 4
        assert [r.line for r in table] == [5]
        assert table.blank_lines == 3


def test_ragged_rows_are_yielded_as_they_are(tmp_path: Path) -> None:
    data = b"A,B,C\n1,2,3\n1,2\n1,2,3,4\n"
    _, rows = read_all(write(tmp_path, data))
    assert [r.values for r in rows] == [
        ("1", "2", "3"),
        ("1", "2"),
        ("1", "2", "3", "4"),
    ]
    assert rows[2].text == "1,2,3,4"


def test_trailing_delimiter_on_every_line(tmp_path: Path) -> None:
    """Some exports end each line with a delimiter: an unnamed, empty column."""
    data = b"A,B,C,\n1,2,3,\n4,5,6\n7,8,9,X\n"
    headers, rows = read_all(write(tmp_path, data))
    assert headers == ("A", "B", "C")
    assert [r.values for r in rows] == [
        ("1", "2", "3"),
        ("4", "5", "6"),
        ("7", "8", "9", "X"),  # data under no header stays visible as ragged
    ]


def test_unclosed_quote_at_end_of_file(tmp_path: Path) -> None:
    data = b'ID,NAME\n1,A\n2,"B\n3,C\n4,D\n'
    err = open_error(write(tmp_path, data))
    assert err.line == 3
    assert "never ends" in str(err)


def test_iteration_continues_after_a_sample(tmp_path: Path) -> None:
    """The importer guesses the mapping from the head, then reads on."""
    data = b"ID\n" + b"".join(b"%d\n" % i for i in range(1, 11))
    with open_table(write(tmp_path, data)) as table:
        rows = iter(table)
        head = [next(rows) for _ in range(3)]
        rest = list(rows)
    assert [r.values[0] for r in head + rest] == [str(i) for i in range(1, 11)]


def test_close_ends_an_unfinished_iteration(tmp_path: Path) -> None:
    data = b"ID\n1\n2\n3\n"
    table = open_table(write(tmp_path, data))
    rows = iter(table)
    assert next(rows).values == ("1",)
    table.close()
    assert list(rows) == []


def test_reading_is_streamed(tmp_path: Path) -> None:
    """A 6 MB file must not be held in memory: peak stays far below its size."""
    line = b"2023CR0000001,SMITH JOHN ALEXANDER,03/03/1985,M,W,123 MAIN ST,60601\n"
    path = tmp_path / "big.csv"
    with path.open("wb") as f:
        f.write(b"CASE,NAME,DOB,SEX,RACE,STREET,ZIP\n")
        for _ in range(90_000):
            f.write(line)
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 90_000
    assert path.stat().st_size > 6_000_000
    assert peak < 3_000_000


# --- files that are not tables -----------------------------------------------------


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert "file not found" in str(open_error(tmp_path / "nope.csv"))
    assert "folder" in str(open_error(tmp_path))


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n\t\n"])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    err = open_error(write(tmp_path, data))
    assert str(err).startswith("clerk.csv: file is empty")


def test_binary_file(tmp_path: Path) -> None:
    err = open_error(write(tmp_path, b"ID,NAME\n\x00\x01\x02\xff\xfe" * 50))
    assert "binary" in str(err)


def test_old_excel_xls(tmp_path: Path) -> None:
    data = bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600
    err = open_error(write(tmp_path, data, "arrests.xls"))
    assert str(err).startswith("arrests.xls: ")
    assert ".xlsx" in str(err)
    assert "CSV" in str(err)


def test_html_saved_as_xls(tmp_path: Path) -> None:
    data = b"<html><body><table><tr><td>ID</td></tr></table></body></html>"
    err = open_error(write(tmp_path, data, "report.xls"))
    assert "web page" in str(err)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not a readable Excel workbook" in str(open_error(path))


# --- header checks -----------------------------------------------------------------


def test_headerless_file(tmp_path: Path) -> None:
    data = b"2023CR1,SMITH JOHN,03/03/1985,M\n2023CR2,DOE JANE,1990-01-02,F\n"
    err = open_error(write(tmp_path, data))
    assert err.line == 1
    assert "looks like data" in str(err)
    assert "SMITH" not in str(err)  # no row contents in messages


def test_numeric_first_row(tmp_path: Path) -> None:
    err = open_error(write(tmp_path, b"1,2,3\n4,5,6\n"))
    assert "looks like data" in str(err)


def test_duplicate_headers_are_named(tmp_path: Path) -> None:
    err = open_error(write(tmp_path, b"ID,NAME,DOB,name,ZIP\n1,A,B,C,D\n"))
    assert "duplicate column names: NAME (columns 2, 4)" in str(err)


def test_blank_header_cells(tmp_path: Path) -> None:
    err = open_error(write(tmp_path, b"ID,,DOB\n1,A,B\n"))
    assert "blank column names (column 2)" in str(err)


def test_title_row_above_the_header(tmp_path: Path) -> None:
    err = open_error(write(tmp_path, b"Arrest report\nID,NAME,DOB\n1,A,B\n"))
    assert "title" in str(err)
    assert err.line == 1


def test_header_names_are_trimmed(tmp_path: Path) -> None:
    headers, _ = read_all(write(tmp_path, b" ID , DEF NAME \n1,A\n"))
    assert headers == ("ID", "DEF NAME")


# --- XLSX --------------------------------------------------------------------------


def write_xlsx(path: Path, rows: list[list[object]], *, sheets: int = 1) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for i in range(1, sheets):
        book.create_sheet(f"Other{i}").append(["X"])
    book.save(path)
    return path


def test_xlsx_values_become_strings(tmp_path: Path) -> None:
    more = [2500.50, 60601.0, None]
    path = write_xlsx(
        tmp_path / "arrests.xlsx",
        [
            ["BOOKING #", "NAME", "DOB", "ARREST DATE", "BAIL", "ZIP", "NOTE"],
            [20231234, "SMITH, JOHN", dt.date(1985, 3, 3), dt.datetime(2023, 5, 1)],
            [],
            [7, "DOE", dt.datetime(1990, 1, 2), dt.datetime(2023, 5, 1, 14, 30), *more],
            [8, "LEE", None, None, 0.1, "06010", True],
        ],
    )
    with open_table(path) as table:
        assert (table.format, table.encoding, table.delimiter) == ("xlsx", None, None)
        assert table.headers[0] == "BOOKING #"
        assert table.header_line == 1
        rows = list(table)
        assert table.blank_lines == 1
    assert [r.line for r in rows] == [2, 4, 5]
    assert rows[0].values[:4] == ("20231234", "SMITH, JOHN", "1985-03-03", "2023-05-01")
    assert rows[0].values[4:] == ("", "", "")  # padded: a sheet has no ragged rows
    assert rows[0].text == "20231234,SMITH, JOHN,1985-03-03,2023-05-01"
    assert rows[1].values == (
        "7",
        "DOE",
        "1990-01-02",
        "2023-05-01 14:30:00",
        "2500.5",
        "60601",
        "",
    )
    assert rows[2].values == ("8", "LEE", "", "", "0.1", "06010", "TRUE")


def test_xlsx_cells_beyond_the_header_stay_visible(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["ID", "NAME"], [1, "A", "stray"]])
    _, rows = read_all(path)
    assert rows[0].values == ("1", "A", "stray")


def test_xlsx_header_checks_apply(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [[None], ["ID", "ID"], [1, 2]])
    err = open_error(path)
    assert err.line == 2
    assert "duplicate column names: ID (columns 1, 2)" in str(err)
    path = write_xlsx(tmp_path / "b.xlsx", [[12345, "SMITH", dt.date(1985, 3, 3)]])
    assert "looks like data" in str(open_error(path))


def test_xlsx_empty_first_sheet(tmp_path: Path) -> None:
    err = open_error(write_xlsx(tmp_path / "a.xlsx", [], sheets=2))
    assert "first sheet (Sheet) is empty" in str(err)
    assert "Other1" in str(err)
    err = open_error(write_xlsx(tmp_path / "b.xlsx", []))
    assert str(err).startswith("b.xlsx: file is empty")


def test_xlsx_is_detected_by_content_not_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["ID", "NAME"], [1, "A"]])
    renamed = path.rename(tmp_path / "arrests.csv")
    with open_table(renamed) as table:
        assert table.format == "xlsx"


def test_xlsx_reads_the_first_visible_sheet(tmp_path: Path) -> None:
    book = Workbook()
    lookup = book.active
    assert lookup is not None
    lookup.title = "Codes"
    lookup.append(["CODE", "MEANING"])
    lookup.sheet_state = "hidden"
    book.create_sheet("Arrests").append(["ID", "NAME"])
    book["Arrests"].append([1, "A"])
    book.save(tmp_path / "a.xlsx")
    with open_table(tmp_path / "a.xlsx") as table:
        assert table.headers == ("ID", "NAME")
        assert getattr(table, "sheet", None) == "Arrests"
