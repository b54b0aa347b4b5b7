"""Telling text from binary and finding the encoding, in bounded memory."""

from __future__ import annotations

import codecs
from pathlib import Path

from app.errors import InputError
from app.readers.base import _CHUNK, _ESCAPED, _HEAD, _OLE_MAGIC, _RESAVE


def _read_head(path: Path) -> bytes:
    """Read the first bytes, turning every way of not having a file into a message."""
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD)
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "this is a folder, not a file") from None
    except PermissionError:
        raise InputError(path, "can't read the file: permission denied") from None
    except OSError as e:
        raise InputError(path, f"can't read the file: {e.strerror}") from None
    if not head:
        raise InputError(path, "file is empty")
    return head


def _detect_encoding(path: Path, head: bytes) -> tuple[str, str]:
    """Return (encoding to report, codec to read with) for a text file.

    Order: a BOM; strict UTF-8 checked over the whole file; Windows-1252 if
    every byte decodes; charset-normalizer's guess. A file that is UTF-8 apart
    from a few bad bytes is an error, because reading it as Windows-1252 would
    silently turn every accented UTF-8 name into mojibake (MUÃ‘OZ).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", "utf-16"  # "utf-16" reads the BOM and drops it
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", "utf-16"
    _reject_non_text(path, head)
    first_bad = _find_bad_byte(path, "utf-8")  # the common case: one fast pass
    if first_bad is None:
        return "utf-8", "utf-8"
    bad, good, bad_at = _count_utf8(path)
    if good > bad:
        raise InputError(
            path,
            f"byte 0x{first_bad[1]:02X} is not valid UTF-8, though the rest of the"
            f" file is UTF-8 ({bad} bad byte(s) in all); fix the line or save the"
            " file as UTF-8 again",
            line=first_bad[0],
        )
    if _find_bad_byte(path, "cp1252") is None:
        return "cp1252", "cp1252"
    from charset_normalizer import from_bytes  # only for odd files

    with path.open("rb") as f:
        f.seek(bad_at)
        best = from_bytes(f.read(_CHUNK)).best()
    if best is None:
        raise InputError(path, "this is not a text file in any encoding we know")
    return best.encoding, best.encoding


def _reject_non_text(path: Path, head: bytes) -> None:
    """Name the common non-CSV files people pick by mistake."""
    if head.startswith(_OLE_MAGIC):
        return  # open_table has the better message
    if head.startswith(b"%PDF"):
        raise InputError(path, "this is a PDF, not a table; export the data as CSV")
    start = head.lstrip()[:256].lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")):
        raise InputError(
            path, f"this is a web page or XML file, not CSV or XLSX; {_RESAVE}"
        )
    if b"\0" in head:
        raise InputError(
            path,
            "this looks like a binary file, not CSV or XLSX; if it is text"
            " (UTF-16 without a byte-order mark), save it as CSV UTF-8",
        )


def _count_utf8(path: Path) -> tuple[int, int, int]:
    """Return (invalid bytes, valid non-ASCII characters, offset of the first
    chunk with an invalid byte), to tell damaged UTF-8 from another encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    bad = good = offset = 0
    bad_at = -1
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            text = decoder.decode(chunk, final=not chunk)
            if not text.isascii():
                n_bad = len(_ESCAPED.findall(text))
                good += len(text) - len(text.encode("ascii", "ignore")) - n_bad
                bad_at = offset if n_bad and bad_at < 0 else bad_at
                bad += n_bad
            if not chunk:
                return bad, good, max(bad_at, 0)
            offset += len(chunk)


def _find_bad_byte(path: Path, codec: str) -> tuple[int, int] | None:
    """Return (line, byte value) of the first byte `codec` can't decode, or None."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    lines = _LineCounter()
    with path.open("rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            state = decoder.getstate()
            try:
                lines.feed(decoder.decode(chunk, final=not chunk))
            except UnicodeDecodeError as e:
                decoder.setstate(state)  # decode the good part to count its lines
                good = max(0, e.start - len(state[0]))
                line = lines.feed(decoder.decode(chunk[:good])) + 1
                return line, e.object[e.start]
            if not chunk:
                return None


class _LineCounter:
    """Counts line breaks as the csv reader does: \\n, \\r\\n and a lone \\r."""

    def __init__(self) -> None:
        self.count = 0
        self._after_cr = False

    def feed(self, text: str) -> int:
        if text:
            self.count += text.count("\n") + text.count("\r") - text.count("\r\n")
            self.count -= self._after_cr and text[0] == "\n"
            self._after_cr = text[-1] == "\r"
        return self.count
