"""The values readers check that the catalogue's identifiers module does not: GRid,
ICPN, durations, dates and ℗ years, and the roles files name; and ISRCs and ISWCs as
the catalogue checks them, which readers check a shorter way when already compact."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from portal.catalogue.identifiers import isrc_normalise, iswc_normalise
from portal.imports.formats import identifiers
from portal.imports.formats.identifiers import Invalid
from portal.imports.formats.roles import roles_of
from portal.imports.records import Role


def _as_catalogue(normalise: Callable[[str], str], value: str) -> str | None:
    try:
        return normalise(value)
    except ValidationError:
        return None


def _as_reader(check: Callable[[str], str], value: str) -> str | None:
    try:
        return check(value)
    except Invalid:
        return None


@pytest.mark.parametrize(
    "value",
    [
        *("USRC17607839", "GBBNH1000000", "ZZABC2400001", "QMXYZ9912345"),  # compact, known
        *("AAABC2400001", "XXRC17607839", "us-rc1-76-07839", " USRC17607839 ", "USRC1760783"),
    ],
)
def test_an_isrc_is_read_as_the_catalogue_checks_it(value: str) -> None:
    assert _as_reader(identifiers.isrc, value) == _as_catalogue(isrc_normalise, value)


def test_a_compact_iswc_is_read_as_the_catalogue_checks_it() -> None:
    # Every check digit of a few hundred numbers: one in ten is right.
    values = [f"T{n * 7_919_113 % 10**9:09d}{digit}" for n in range(300) for digit in range(10)]
    values += ["T-034.524.680-1", "t0345246801", "T034524680", "T٠٣٤٥٢٤٦٨٠١"]

    read = {value: _as_reader(identifiers.iswc, value) for value in values}

    assert read == {value: _as_catalogue(iswc_normalise, value) for value in values}
    assert sum(1 for stored in read.values() if stored) >= 300


@pytest.mark.parametrize(
    "value", ["A12425GABC1234002M", "A1-2425G-ABC1234002-M", "GRid:A12425GABC1234002M"]
)
def test_a_grid_is_kept_compact(value: str) -> None:
    assert identifiers.grid_normalise(value) == "A12425GABC1234002M"


@pytest.mark.parametrize(
    "value", ["A12425GABC1234002Q", "A12425GABC123400", "A1\x002425GABC1234002M"]
)
def test_a_grid_with_a_wrong_check_character_or_length_is_invalid(value: str) -> None:
    with pytest.raises(Invalid) as raised:
        identifiers.grid_normalise(value)
    assert raised.value.code == "invalid_grid"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("5060123456783", "5060123456783"),
        ("506-0123-456783", "5060123456783"),
        ("724384960650", "0724384960650"),  # a UPC is the EAN-13 with a leading 0
        ("96385074", "96385074"),
    ],
)
def test_an_icpn_is_an_ean_or_upc_with_its_check_digit(value: str, stored: str) -> None:
    assert identifiers.icpn_normalise(value) == stored


@pytest.mark.parametrize("value", ["5060123456784", "12345", "506012345678X", "٥٠٦٠١٢٣٤٥٦٧٨٣"])
def test_an_icpn_with_a_wrong_check_digit_or_length_is_invalid(value: str) -> None:
    with pytest.raises(Invalid):
        identifiers.icpn_normalise(value)


@pytest.mark.parametrize(
    ("value", "length"),
    [
        ("PT3M25S", timedelta(minutes=3, seconds=25)),
        ("PT0H3M25.5S", timedelta(minutes=3, seconds=25.5)),
        ("PT1H", timedelta(hours=1)),
        ("pt45s", timedelta(seconds=45)),
        ("3:25", timedelta(minutes=3, seconds=25)),
        ("1:03:25", timedelta(hours=1, minutes=3, seconds=25)),
    ],
)
def test_a_duration_is_iso_8601_or_a_clock(value: str, length: timedelta) -> None:
    assert identifiers.duration(value) == length


@pytest.mark.parametrize(
    "value", ["", "P", "PT", "PT0S", "0:00", "PT25H", "3:75", "1:75:00", "3m25s"]
)
def test_no_duration_or_an_absurd_one_is_invalid(value: str) -> None:
    with pytest.raises(Invalid) as raised:
        identifiers.duration(value)
    assert raised.value.code == "invalid_duration"


def test_a_release_date_is_a_full_date_from_the_phonograph_to_a_few_years_ahead() -> None:
    today = date(2025, 6, 1)
    assert identifiers.release_date("2019-05-03", today=today) == date(2019, 5, 3)
    assert identifiers.release_date("2030-12-31", today=today) == date(2030, 12, 31)
    for value in ("2019", "2019-05", "03/05/2019", "2019-02-30", "1850-01-01", "2031-01-01"):
        with pytest.raises(Invalid):
            identifiers.release_date(value, today=today)


def test_a_p_line_year_is_four_digits_no_later_than_next_year() -> None:
    today = date(2025, 6, 1)
    assert identifiers.year("1877", today=today) == 1877
    assert identifiers.year("2026", today=today) == 2026
    for value in ("1876", "2027", "19", "２０１９", "MMXIX"):
        with pytest.raises(Invalid):
            identifiers.year(value, today=today)


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("MainArtist", (Role.PERFORMER,)),
        ("FeaturedArtist", (Role.FEATURED,)),
        ("Composer", (Role.COMPOSER,)),
        ("Lyricist", (Role.LYRICIST,)),
        ("Author", (Role.LYRICIST,)),
        ("ComposerLyricist", (Role.COMPOSER, Role.LYRICIST)),
        ("Producer", (Role.PRODUCER,)),
        ("StudioProducer", (Role.PRODUCER,)),
        ("ExecutiveProducer", (Role.PRODUCER,)),
        ("Remixer", (Role.PRODUCER,)),
        ("Engineer", (Role.ENGINEER,)),
        ("MasteringEngineer", (Role.ENGINEER,)),
        ("Mixer", (Role.ENGINEER,)),
        ("Musician", (Role.MUSICIAN,)),
        ("BackgroundVocalist", (Role.MUSICIAN,)),
        ("Conductor", (Role.MUSICIAN,)),
        ("mixing engineer", (Role.ENGINEER,)),
        ("ArtDirector", ()),
        ("Photographer", ()),
        ("FilmProducer", ()),
        ("VideoDirector", ()),
        ("Unknown", ()),
        ("", ()),
    ],
)
def test_ddex_roles_map_onto_the_portals_credits_or_are_dropped(
    name: str, roles: tuple[Role, ...]
) -> None:
    assert roles_of(name) == roles
