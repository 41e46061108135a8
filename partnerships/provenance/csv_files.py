"""Reading a curator's CSV file: its encoding and its delimiter, detected or given.

Spreadsheets save CSV in many ways: UTF-8 with or without a byte-order mark, Windows-1252
(Excel on Windows), and a semicolon instead of a comma where the comma is the decimal
separator (the European default), or a tab. The encoding is UTF-8 unless the curator names
another; the delimiter is detected from the first lines unless given.
"""

from __future__ import annotations

import csv

ENCODINGS = {
    "utf-8": "UTF-8 (with or without a byte-order mark)",
    "cp1252": "Windows-1252 (Excel on Windows, Western Europe)",
    "latin-1": "ISO-8859-1 (Latin-1)",
}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SAMPLE_LINES = 20


class CSVFileError(ValueError):
    """The file cannot be read as asked; the message says what to choose instead."""


def decode(data: bytes, encoding: str = "") -> str:
    """The text of an uploaded file; UTF-8 (a byte-order mark dropped) unless ``encoding``."""
    encoding = encoding or "utf-8"
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise CSVFileError(
            f"The file is not {ENCODINGS.get(encoding, encoding)} text (byte {exc.start + 1} "
            "cannot be read): choose its encoding, e.g. Windows-1252 for a file saved by "
            "Excel on Windows."
        ) from None
    return text.lstrip("\ufeff")


def detect_delimiter(text: str) -> str:
    """Comma, semicolon or tab, from the first lines (the header decides a tie)."""
    sample = "\n".join(text.splitlines()[:SAMPLE_LINES])
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = ""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    # The sniffer can be misled by commas inside quoted notes; the header has none.
    if found and counts.get(found, 0) >= counts[best]:
        return found
    return best if counts[best] else ","


def delimiter_name(delimiter: str) -> str:
    return DELIMITERS.get(delimiter, repr(delimiter))
