"""Readers of catalogue files: DDEX ERN 3.8 and 4.x messages and the catalogue CSV, each
yielding `portal.imports.records` items from a binary stream in constant memory.

    for item in read(stream, name="delivery.xml"):
        ...  # Recording, Release, Takedown or Problem, in file order

The format is told by the file's content, never its name: a byte order mark or its
absence and the first characters say the encoding and whether it is XML; an XML file's
root element and namespace say which ERN (whatever prefix the sender used); anything
else must start with the CSV's header. A file that cannot be imported raises
`records.Unreadable`, possibly after some items were yielded (the writer then keeps
nothing of it).
"""

import io
from collections.abc import Iterator
from typing import IO, BinaryIO

from portal.imports.formats import ddex, ern3, ern4, spreadsheet
from portal.imports.formats.sniff import XML, sniff
from portal.imports.formats.xml import open_document
from portal.imports.models import ImportFile
from portal.imports.records import Item

__all__ = ["format_of", "read"]

_FORMATS = {ddex.ERN_3: ImportFile.Format.ERN_3, ddex.ERN_4: ImportFile.Format.ERN_4}


def read(stream: BinaryIO | IO[bytes], *, name: str = "") -> Iterator[Item]:
    """The items the file says, in file order; Unreadable when it cannot be imported.
    `name` is the caller's name for the file; the format never depends on it (a `.txt`
    may hold the CSV, a `.xml` a web page)."""
    sniffed = sniff(stream)
    if sniffed.kind == XML:
        document = open_document(sniffed.stream)
        reader = ern3.read if ddex.version_of(document) == ddex.ERN_3 else ern4.read
        yield from reader(document)
    else:
        text = io.TextIOWrapper(
            sniffed.stream, encoding=sniffed.encoding, errors="surrogateescape", newline=""
        )
        yield from spreadsheet.read(text)


def format_of(stream: BinaryIO | IO[bytes]) -> str:
    """The file's `ImportFile.Format`, from its first bytes, or Unreadable saying why
    it is none. A seekable stream is put back where it was."""
    start = stream.tell() if stream.seekable() else None
    try:
        sniffed = sniff(stream)
        if sniffed.kind == XML:
            return _FORMATS[ddex.version_of(open_document(sniffed.stream))]
        text = io.TextIOWrapper(
            sniffed.stream, encoding=sniffed.encoding, errors="surrogateescape", newline=""
        )
        spreadsheet.header(text.readline().rstrip("\r\n"))
        return ImportFile.Format.CSV
    finally:
        if start is not None:
            stream.seek(start)
