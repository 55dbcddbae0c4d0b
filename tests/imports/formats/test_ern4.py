"""ERN 4.x NewReleaseMessage and PurgeReleaseMessage, read back element by element."""

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
    KIT_ISNI,
    ern4_album,
    ern4_purge,
    items_of,
    of_type,
)

ADA = Person("Ada Moss", ADA_ISNI, Role.PERFORMER)


@pytest.mark.parametrize("version", ["41", "42", "43"])
def test_every_element_of_a_recording_is_read_from_each_ern_4_version(version: str) -> None:
    items = items_of(ern4_album(version=version))

    first, second, third = of_type(items, Recording)
    assert first == Recording(
        where="/NewReleaseMessage/ResourceList/SoundRecording[1]",
        isrc="USRC17607839",
        title="Harbour Lights",
        artists=(ADA,),
        contributors=(
            Person("Jo Vale", JO_ISNI, Role.COMPOSER),
            Person("Jo Vale", JO_ISNI, Role.LYRICIST),
            Person("Sam Hart", "", Role.PRODUCER),
            Person("Sam Hart", "", Role.ENGINEER),
        ),
        iswc="T0345246801",
        duration=timedelta(minutes=3, seconds=25),
        p_line_year=2019,
    )
    assert not of_type(items, Problem)
    # Display artists in SequenceNumber order; the featured one is a credit, not an owner.
    assert second.artists == (ADA,)
    assert second.contributors == (
        Person("Kit Reed", KIT_ISNI, Role.FEATURED),
        Person("Jo Vale", JO_ISNI, Role.COMPOSER),
        Person("Sam Hart", "", Role.PRODUCER),  # a UserDefined "Vocal Producer"
    )
    # A musician who made a featured contribution is credited as featured only when a
    # performer; a musician stays a musician.
    assert third.contributors == (Person("Kit Reed", KIT_ISNI, Role.MUSICIAN),)
    assert third.duration == timedelta(minutes=2, seconds=58.5)
    assert third.p_line_year == 2018


def test_an_album_on_two_discs_and_a_single_sharing_a_recording_are_both_read() -> None:
    album, single = of_type(items_of(ern4_album()), Release)

    assert album == Release(
        where="/NewReleaseMessage/ReleaseList/Release[1]",
        title="Northern Tides",
        ids=(
            ReleaseId(IdKind.GRID, ALBUM_GRID),
            ReleaseId(IdKind.ICPN, ALBUM_ICPN),
            ReleaseId(IdKind.PROPRIETARY, "NL-CAT-001", "DPID:PADPIDA2099010101B"),
        ),
        release_date=date(2019, 5, 3),
        tracks=(
            Track("USRC17607839", disc=1, number=1),
            Track("GBAYE0601498", disc=1, number=2),
            Track("FRZ039800212", disc=2, number=1),
        ),
    )
    # The single's UPC is kept as the EAN-13 it also is; its cover image is no track.
    assert single.ids == (ReleaseId(IdKind.ICPN, "0886000000000"),)
    assert single.tracks == (Track("USRC17607839", disc=1, number=1),)
    assert single.release_date == date(2019, 3, 1)


def test_releases_come_after_the_recordings_they_carry_and_track_releases_are_skipped() -> None:
    items = items_of(ern4_album())

    assert [type(item).__name__ for item in items] == ["Recording"] * 3 + ["Release"] * 2


@pytest.mark.parametrize("prefix", ["ern", "x", "NewReleaseMessage", ""])
def test_the_namespace_prefix_is_whatever_the_sender_chose(prefix: str) -> None:
    assert items_of(ern4_album(prefix=prefix)) == items_of(ern4_album())


def test_children_qualified_in_the_default_namespace_are_read_alike() -> None:
    document = ern4_album(prefix="").replace("<", "<ern:").replace("<ern:/", "</ern:")
    document = document.replace("<ern:?xml", "<?xml").replace(
        'xmlns="http://ddex.net/xml/ern/43"', 'xmlns:ern="http://ddex.net/xml/ern/43"'
    )

    assert items_of(document) == items_of(ern4_album())


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
        ("utf-8", codecs.BOM_UTF8),
    ],
)
def test_utf_16_with_or_without_a_byte_order_mark_reads_as_utf_8_does(
    encoding: str, bom: bytes
) -> None:
    in_utf_8 = ern4_album(ada="Ada Moß", first_title="Hafenlichter ☾")
    declared = "UTF-8" if encoding == "utf-8" else "UTF-16"
    document = in_utf_8.replace('encoding="UTF-8"', f'encoding="{declared}"')

    items = items_of(bom + document.encode(encoding))

    assert items == items_of(in_utf_8)
    first = of_type(items, Recording)[0]
    assert (first.title, first.artists[0].name) == ("Hafenlichter ☾", "Ada Moß")


def test_a_purge_takes_the_release_down_by_its_identifiers() -> None:
    items = items_of(ern4_purge(prefix="x"))

    assert items == [
        Takedown(
            where="/PurgeReleaseMessage/PurgedRelease[1]",
            ids=(ReleaseId(IdKind.GRID, ALBUM_GRID), ReleaseId(IdKind.ICPN, ALBUM_ICPN)),
        )
    ]


def test_a_purge_naming_no_valid_identifier_is_rejected_and_says_why() -> None:
    items = items_of(ern4_purge(grid="A1-NOT-A-GRID", icpn="123"))

    assert [(p.code, p.severity) for p in of_type(items, Problem)] == [
        ("invalid_grid", Severity.WARNING),
        ("invalid_icpn", Severity.WARNING),
        ("missing_release_id", Severity.REJECTED),
    ]
    assert not of_type(items, Takedown)


def test_a_party_the_party_list_does_not_hold_is_left_out_with_a_warning() -> None:
    document = ern4_album().replace(
        "<ArtistPartyReference>PKit</ArtistPartyReference>",
        "<ArtistPartyReference>PNobody</ArtistPartyReference>",
    )

    items = items_of(document)

    second = of_type(items, Recording)[1]
    assert "Kit Reed" not in [person.name for person in second.contributors]
    [problem] = of_type(items, Problem)
    assert (problem.code, problem.severity, problem.isrc) == (
        "unknown_party",
        Severity.WARNING,
        "GBAYE0601498",
    )
    assert problem.where == "/NewReleaseMessage/ResourceList/SoundRecording[2]"


def test_without_a_display_artist_party_the_display_artist_name_is_the_artist() -> None:
    document = ern4_album().replace(
        "<ArtistPartyReference>PAda</ArtistPartyReference>",
        "<ArtistPartyReference>PGone</ArtistPartyReference>",
    )

    first = of_type(items_of(document), Recording)[0]

    assert first.artists == (Person("Ada Moss"),)


def test_the_stereo_editions_isrc_is_the_recordings_when_an_immersive_one_comes_first() -> None:
    immersive = (
        "<SoundRecordingEdition><Type>ImmersiveEdition</Type>"
        "<ResourceId><ISRC>QZES72100001</ISRC></ResourceId></SoundRecordingEdition>"
    )
    document = ern4_album().replace(
        "<Type>MusicalWorkSoundRecording</Type>",
        f"<Type>MusicalWorkSoundRecording</Type>{immersive}",
        1,
    )

    first = of_type(items_of(document), Recording)[0]

    assert (first.isrc, first.p_line_year) == ("USRC17607839", 2019)
