"""The catalogue CSV: the documented columns, one bad row rejected alone, releases from
rows that follow each other, and the encodings and delimiters spreadsheets save."""

import codecs
from datetime import date, timedelta
from pathlib import Path

import pytest

from portal.imports.records import (
    Person,
    Problem,
    Recording,
    Release,
    Role,
    Severity,
    Track,
    Unreadable,
)
from tests.imports.formats.messages import ADA_ISNI, JO_ISNI, items_of, of_type

TEMPLATE = Path(__file__).resolve().parents[3] / "static" / "imports" / "catalogue-template.csv"
HEADER = "isrc,title,artist,artist_isni,release,release_date,iswc,duration,contributors\n"


def test_the_downloadable_template_reads_back_whole() -> None:
    items = items_of(TEMPLATE.read_bytes())

    first, second, release = items
    assert first == Recording(
        where="row 2",
        isrc="USRC17607839",
        title="Harbour Lights",
        artists=(Person("Ada Moss", ADA_ISNI),),
        contributors=(
            Person("Jo Vale", JO_ISNI, Role.COMPOSER),
            Person("Jo Vale", JO_ISNI, Role.LYRICIST),
            Person("Sam Hart", "", Role.PRODUCER),
        ),
        iswc="T0345246801",
        duration=timedelta(minutes=3, seconds=25),
    )
    assert second.contributors == (
        Person("Kit Reed", "", Role.FEATURED),
        Person("Jo Vale", "", Role.COMPOSER),
        Person("Lou Finch", "", Role.ENGINEER),
    )
    assert second.duration == timedelta(minutes=4, seconds=2)
    assert release == Release(
        where="rows 2-3",
        title="Northern Tides",
        release_date=date(2019, 5, 3),
        tracks=(Track("USRC17607839", 1, 1), Track("GBAYE0601498", 1, 2)),
    )


def test_one_bad_row_is_rejected_and_named_and_the_others_are_read() -> None:
    table = (
        HEADER
        + "USRC17607839,One,Ada Moss,,Album,2020-01-01,,,\n"
        + "USRC1760783,Two,Ada Moss,,Album,2020-01-01,,,\n"
        + "GBAYE0601498,Three,Ada Moss,,Album,2020-01-01,,,\n"
    )

    items = items_of(table)

    assert [r.title for r in of_type(items, Recording)] == ["One", "Three"]
    [problem] = of_type(items, Problem)
    assert (problem.where, problem.code, problem.severity, problem.isrc) == (
        "row 3",
        "invalid_isrc",
        Severity.REJECTED,
        "USRC1760783",
    )
    [release] = of_type(items, Release)
    assert release.tracks == (Track("USRC17607839", 1, 1), Track("GBAYE0601498", 1, 2))
    assert release.where == "rows 2-4"


def test_rows_of_different_releases_make_different_releases_and_blank_ones_none() -> None:
    table = (
        HEADER
        + "USRC17607839,One,Ada Moss,,First,2020-01-01,,,\n"
        + ",,,,,,,,\n"
        + "GBAYE0601498,Two,Ada Moss,,Second,2021-01-01,,,\n"
        + "FRZ039800212,Three,Ada Moss,,,,,,\n"
    )

    items = items_of(table)

    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Recording", "Release", "Recording", "Release", "Recording"]
    assert [(r.title, r.where) for r in of_type(items, Release)] == [
        ("First", "row 2"),
        ("Second", "row 4"),
    ]


def test_a_release_whose_rows_are_apart_is_numbered_on_and_the_split_reported() -> None:
    table = (
        HEADER
        + "USRC17607839,One,Ada Moss,,Album,2020-01-01,,,\n"
        + "GBAYE0601498,Two,Ada Moss,,Other,2020-01-01,,,\n"
        + "FRZ039800212,Three,Ada Moss,,Album,2020-01-01,,,\n"
    )

    items = items_of(table)

    first, _other, again = of_type(items, Release)
    assert first.tracks == (Track("USRC17607839", 1, 1),)
    assert again.tracks == (Track("FRZ039800212", 1, 2),)
    [problem] = of_type(items, Problem)
    assert (problem.code, problem.where, problem.severity) == (
        "release_split",
        "row 4",
        Severity.WARNING,
    )


def test_columns_in_any_order_and_case_with_extra_ones_ignored() -> None:
    table = (
        "Notes;Title;ISRC;Artist ISNI;Artist;Duration\n"
        f"remastered;Harbour Lights;usrc17607839;{ADA_ISNI};Ada Moss;PT3M25S\n"
    )

    [recording] = items_of(table)

    assert recording == Recording(
        where="row 2",
        isrc="USRC17607839",
        title="Harbour Lights",
        artists=(Person("Ada Moss", ADA_ISNI),),
        duration=timedelta(minutes=3, seconds=25),
    )


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
)
def test_utf_8_and_utf_16_with_or_without_a_byte_order_mark(encoding: str, bom: bytes) -> None:
    table = HEADER + "USRC17607839,Café ☾,Björk Guðmundsdóttir,,,,,,\r\n"

    [recording] = items_of(bom + table.encode(encoding))

    assert (recording.title, recording.artists[0].name) == ("Café ☾", "Björk Guðmundsdóttir")


def test_a_contributor_that_is_not_role_and_name_is_left_out_with_a_warning() -> None:
    table = HEADER + (
        "USRC17607839,One,Ada Moss,,,,,,"
        "composer:Jo Vale|Kit Reed|astrologer:Sam|producer:|Mixing Engineer:Lou Finch"
        f"|ComposerLyricist:Jo Vale [{JO_ISNI}]\n"
    )

    items = items_of(table)

    [recording] = of_type(items, Recording)
    assert recording.contributors == (
        Person("Jo Vale", "", Role.COMPOSER),
        Person("Lou Finch", "", Role.ENGINEER),
        Person("Jo Vale", JO_ISNI, Role.COMPOSER),
        Person("Jo Vale", JO_ISNI, Role.LYRICIST),
    )
    assert [p.code for p in of_type(items, Problem)] == ["invalid_contributor"] * 3


def test_a_missing_required_value_rejects_the_row() -> None:
    table = HEADER + "USRC17607839,,Ada Moss,,,,,,\nGBAYE0601498,Two,,,,,,,\n"

    items = items_of(table)

    assert [(p.where, p.code) for p in of_type(items, Problem)] == [
        ("row 2", "missing_title"),
        ("row 3", "missing_artist"),
    ]
    assert not of_type(items, Recording)


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ("isrc,title,release\nUSRC17607839,One,Album\n", "no artist column"),
        ("isrc,release\nUSRC17607839,Album\n", "no title, artist columns"),
        ("name,age\nAda,30\n", "neither a DDEX ERN message nor the catalogue CSV"),
        ("Dear label,\nhere is our catalogue\n", "neither a DDEX ERN message"),
    ],
)
def test_a_csv_without_the_required_columns_is_refused_naming_them(table: str, says: str) -> None:
    with pytest.raises(Unreadable) as raised:
        items_of(table)

    assert says in raised.value.message


def test_text_that_is_not_utf_8_is_refused_naming_the_row() -> None:
    table = (
        HEADER + "USRC17607839,One,Ada Moss,,,,,,\n"
    ).encode() + "GBAYE0601498,Zoë,Ada,,,,,,\n".encode("cp1252")

    with pytest.raises(Unreadable) as raised:
        items_of(table)

    assert "not UTF-8 or UTF-16" in raised.value.message
    assert raised.value.where == "row 3"


def test_a_nul_byte_in_a_name_rejects_the_row() -> None:
    table = HEADER + "USRC17607839,One\x00,Ada Moss,,,,,,\nGBAYE0601498,Two,Ada Moss,,,,,,\n"

    items = items_of(table)

    assert [r.title for r in of_type(items, Recording)] == ["Two"]
    [problem] = of_type(items, Problem)
    assert (problem.where, problem.code) == ("row 2", "control_character")
    assert "U+0000" in problem.message
