"""ERN 3.8 NewReleaseMessage with names inline, and its take-down deals."""

import codecs
from datetime import date, timedelta

import pytest

from portal.imports.records import (
    IdKind,
    Person,
    Problem,
    Recording,
    Release,
    ReleaseId,
    Role,
    Severity,
    Takedown,
    Track,
)
from tests.imports.formats.messages import (
    ADA_ISNI,
    ALBUM_GRID,
    ALBUM_ICPN,
    JO_ISNI,
    ern38_album,
    items_of,
    of_type,
)

ADA = Person("Ada Moss", ADA_ISNI, Role.PERFORMER)
JO = (Person("Jo Vale", JO_ISNI, Role.COMPOSER), Person("Jo Vale", JO_ISNI, Role.LYRICIST))


def test_every_element_of_a_recording_is_read_from_inline_names() -> None:
    first, second = of_type(items_of(ern38_album()), Recording)

    assert first == Recording(
        where="/NewReleaseMessage/ResourceList/SoundRecording[1]",
        isrc="USRC17607839",
        # The Worldwide details' display title, not the reference title or Germany's.
        title="Harbour Lights",
        artists=(ADA,),
        contributors=(*JO, Person("Sam Hart", "", Role.PRODUCER)),
        iswc="T0702371821",
        duration=timedelta(minutes=3, seconds=25),
        p_line_year=2019,
    )
    assert second.artists == (ADA,)
    assert second.contributors == (Person("Kit Reed", "", Role.FEATURED), *JO)


def test_releases_are_read_with_their_identifiers_dates_and_tracks() -> None:
    album, single = of_type(items_of(ern38_album()), Release)

    assert album == Release(
        where="/NewReleaseMessage/ReleaseList/Release[1]",
        title="Northern Tides",
        ids=(ReleaseId(IdKind.GRID, ALBUM_GRID), ReleaseId(IdKind.ICPN, ALBUM_ICPN)),
        release_date=date(2019, 5, 3),  # its OriginalReleaseDate, having no other
        tracks=(Track("USRC17607839", 1, 1), Track("GBAYE0601498", 1, 2)),
    )
    # Without a ResourceGroup, the release's resource references are its tracks.
    assert single.tracks == (Track("USRC17607839", 1, 1),)
    assert single.ids == (
        ReleaseId(IdKind.ICPN, "0886000000000"),
        ReleaseId(IdKind.PROPRIETARY, "NL-SGL-7", "DPID:PADPIDA2099010101B"),
    )


def test_a_take_down_deal_takes_its_release_down_after_the_release_and_skips_track_releases() -> (
    None
):
    items = items_of(ern38_album())

    assert items[-1] == Takedown(
        where="/NewReleaseMessage/DealList/ReleaseDeal[2]",
        ids=(
            ReleaseId(IdKind.ICPN, "0886000000000"),
            ReleaseId(IdKind.PROPRIETARY, "NL-SGL-7", "DPID:PADPIDA2099010101B"),
        ),
    )
    assert len(of_type(items, Takedown)) == 1
    assert not of_type(items, Problem)


def test_a_deal_without_take_down_takes_nothing_down() -> None:
    assert not of_type(items_of(ern38_album(take_down_single=False)), Takedown)


def test_a_take_down_of_a_release_the_message_does_not_carry_is_rejected() -> None:
    document = ern38_album().replace(
        "<DealReleaseReference>R1</DealReleaseReference>",
        "<DealReleaseReference>R9</DealReleaseReference>",
    )

    [problem] = of_type(items_of(document), Problem)

    assert (problem.code, problem.severity) == ("unknown_release", Severity.REJECTED)
    assert "R9" in problem.message


@pytest.mark.parametrize("prefix", ["ern", "ernm", ""])
def test_any_prefix_and_utf_16_read_the_same(prefix: str) -> None:
    document = ern38_album(prefix=prefix).replace('encoding="UTF-8"', 'encoding="UTF-16"')

    with_bom = items_of(codecs.BOM_UTF16_LE + document.encode("utf-16-le"))

    assert with_bom == items_of(document.encode("utf-16-be")) == items_of(ern38_album())


def test_ern_3_8_without_a_namespace_is_taken_at_its_schema_version_word() -> None:
    document = ern38_album(prefix="").replace('xmlns="http://ddex.net/xml/ern/382" ', "")

    assert items_of(document) == items_of(ern38_album())
