"""Telling a file's kind and encoding from its first bytes, without losing them: the
reader then reads the whole stream, those bytes first.

- Encoding: a byte order mark says UTF-8 or UTF-16 (either byte order); without one,
  zero bytes between ASCII ones say UTF-16, and anything else is taken for UTF-8 (the
  XML parser reads the XML declaration's own word).
- Kind: text that starts with `<` is XML (an HTML page is told apart and refused);
  anything else is taken for the CSV, whose header decides. Archives, spreadsheets
  saved in their own format, PDFs and other binary files are refused by name.
"""

import codecs
import io
import re
from dataclasses import dataclass
from typing import IO

from portal.imports.records import Unreadable

HEAD = 64 * 1024
XML = "xml"
CSV = "csv"

_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive, or a spreadsheet in its own format (save it as CSV)"),
    (b"\xd0\xcf\x11\xe0", "a spreadsheet in its own format (save it as CSV)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive (unpack it first)"),
)
_HTML = re.compile(
    r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.I | re.S
)


class Rewound(io.RawIOBase):
    """`stream` with `head`, already read from it, put back in front."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "bytearray | memoryview") -> int:  # type: ignore[override]  # io's buffer protocol
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@dataclass(frozen=True)
class Sniffed:
    kind: str  # XML or CSV
    encoding: str  # a Python codec name; for XML, what the parser will work out anyway
    stream: IO[bytes]  # the whole file, from its first byte


def encoding_of(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    return "utf-8"


def sniff(stream: IO[bytes]) -> Sniffed:
    head = stream.read(HEAD)
    if not head:
        raise Unreadable("The file is empty.")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise Unreadable(f"The file is {what}, not a DDEX ERN message or the catalogue CSV.")
    encoding = encoding_of(head)
    # The head may end inside a character; the text is only looked at, not kept.
    start = head[: len(head) - len(head) % 2] if encoding.startswith("utf-16") else head
    text = start.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    whole = io.BufferedReader(Rewound(head, stream), buffer_size=HEAD)
    if text.startswith("<"):
        if _HTML.match(text):
            raise Unreadable(
                "The file is a web page (HTML), not a DDEX ERN message: was a download "
                "page saved instead of the file?"
            )
        return Sniffed(XML, encoding, whole)
    return Sniffed(CSV, encoding, whole)
