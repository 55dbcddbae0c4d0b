"""Telling a file's format from its first bytes, for the report and the upload form."""

import codecs
import io

import pytest

from portal.imports.formats import format_of
from portal.imports.models import ImportFile
from portal.imports.records import Unreadable
from tests.imports.formats.messages import ern4_album, ern4_purge, ern38_album

CSV = "isrc,title,artist\nUSRC17607839,One,Ada Moss\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (ern4_album().encode(), ImportFile.Format.ERN_4),
        (ern4_album(version="41", prefix="x").encode(), ImportFile.Format.ERN_4),
        (ern4_purge().encode(), ImportFile.Format.ERN_4),
        (
            ern38_album().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"),
            ImportFile.Format.ERN_3,
        ),
        (CSV.encode(), ImportFile.Format.CSV),
        (codecs.BOM_UTF16_LE + CSV.encode("utf-16-le"), ImportFile.Format.CSV),
    ],
)
def test_the_format_is_told_by_content_and_the_stream_is_put_back(
    data: bytes, expected: str
) -> None:
    stream = io.BytesIO(b"ignored" + data)
    stream.seek(len(b"ignored"))

    assert format_of(stream) == expected
    assert stream.tell() == len(b"ignored")


def test_a_file_of_no_format_raises_unreadable_and_is_put_back_too() -> None:
    stream = io.BytesIO(b"<html><body>Not found</body></html>")

    with pytest.raises(Unreadable, match="web page"):
        format_of(stream)
    assert stream.tell() == 0
