"""Music identifiers: normalised on the way in, rejected with a clear message when malformed,
and the database refuses an ISRC that skipped validation."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from portal.catalogue.forms import WorkAdminForm
from portal.catalogue.identifiers import isni_normalise, isrc_normalise, iswc_normalise
from portal.catalogue.models import Artist, Work
from tests import factories as f
from tests.conftest import World


@pytest.mark.parametrize(
    "value",
    ["us-rc1-76-07839", "USRC17607839", "usrc17607839", " US RC1 76 07839 ", "US-RC1-76-07839"],
)
def test_an_isrc_is_normalised_to_its_twelve_characters(value: str) -> None:
    assert isrc_normalise(value) == "USRC17607839"


def test_an_isrc_registrant_may_contain_digits() -> None:
    assert isrc_normalise("gb-a1b-24-00001") == "GBA1B2400001"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "USRC1760783",  # too short
        "USRC176078390",  # too long
        "1SRC17607839",  # the country code is letters
        "USRC1760783X",  # the designation is digits
        "US_RC1_76_07839",
        "ISRC USRC17607839",
    ],
)
def test_a_malformed_isrc_is_rejected_with_a_clear_message(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        isrc_normalise(value)

    assert error.value.code == "invalid_isrc"
    message = error.value.messages[0]
    assert message.startswith(f"{value} is not a valid ISRC")
    assert "USRC17607839" in message  # shows what a good one looks like


@pytest.mark.parametrize(
    "value", ["0000 0001 2103 2683", "0000000121032683", "0000-0001-2103-2683"]
)
def test_an_isni_is_normalised_to_sixteen_characters(value: str) -> None:
    assert isni_normalise(value) == "0000000121032683"


@pytest.mark.parametrize("value", ["0000 0001 2103 2684", "0000 0001 2103 268", "ISNI"])
def test_an_isni_with_a_bad_check_digit_or_length_is_rejected(value: str) -> None:
    with pytest.raises(ValidationError, match="not a valid ISNI") as error:
        isni_normalise(value)

    assert error.value.code == "invalid_isni"


@pytest.mark.parametrize(
    "value", ["T-034.524.680-1", "T0345246801", "t-034.524.680-1", "T 034 524 680 1"]
)
def test_an_iswc_is_normalised_to_its_compact_form(value: str) -> None:
    assert iswc_normalise(value) == "T0345246801"


def test_another_iswc_with_a_good_check_digit_is_accepted() -> None:
    assert iswc_normalise("T-070.237.182-1") == "T0702371821"


@pytest.mark.parametrize(
    "value",
    [
        "T-034.524.680-2",  # bad check digit
        "T-034.524.680",  # no check digit
        "034.524.680-1",  # no T
        "X-034.524.680-1",
        "T-034.524.68A-1",
        "",
    ],
)
def test_a_malformed_iswc_is_rejected_with_a_clear_message(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        iswc_normalise(value)

    assert error.value.code == "invalid_iswc"
    assert error.value.messages[0] == f"{value} is not a valid ISWC (such as T-034.524.680-1)."


def test_cleaning_a_work_stores_its_identifiers_normalised(world: World) -> None:
    work = Work(
        isrc="usrc17607839",
        iswc="t0345246801",
        title="Paper Planes",
        primary_artist=world.artist,
        label=world.label,
    )

    work.full_clean()
    work.save()

    work.refresh_from_db()
    assert (work.isrc, work.iswc) == ("USRC17607839", "T0345246801")


@pytest.mark.parametrize(
    ("field", "value"), [("isrc", "us-rc1-76-07839"), ("iswc", "T-034.524.680-1")]
)
def test_the_work_form_accepts_identifiers_as_printed(world: World, field: str, value: str) -> None:
    data = {
        "isrc": "USRC17607839",
        "title": "Paper Planes",
        "primary_artist": world.artist.pk,
        "label": world.label.pk,
        field: value,
    }
    form = WorkAdminForm(data)

    assert form.is_valid(), form.errors
    work = form.save()
    assert (work.isrc, work.iswc) == ("USRC17607839", "T0345246801" if field == "iswc" else "")


def test_cleaning_a_work_with_a_malformed_isrc_names_the_field(world: World) -> None:
    work = Work(isrc="USRC1760783", title="x", primary_artist=world.artist, label=world.label)

    with pytest.raises(ValidationError) as error:
        work.full_clean()

    assert "not a valid ISRC" in str(error.value)


def test_cleaning_an_artist_stores_the_isni_normalised(world: World) -> None:
    artist = Artist(name="Dee Vine", isni="0000000121032683", label=world.label)
    artist.clean()
    assert artist.isni == "0000000121032683"

    artist.isni = "0000 0001 2103 2683"  # 19 characters: cleaned before it is stored
    artist.clean()
    assert artist.isni == "0000000121032683"


def test_cleaning_an_artist_with_a_bad_isni_is_rejected(world: World) -> None:
    artist = Artist(name="Dee Vine", isni="0000000121032684", label=world.label)

    with pytest.raises(ValidationError, match="not a valid ISNI"):
        artist.full_clean()


@pytest.mark.parametrize("isrc", ["usrc17607839", "US-RC1-76078", "USRC1760783", "USRC1760783X"])
def test_the_database_rejects_an_isrc_that_skipped_validation(world: World, isrc: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        f.WorkFactory(isrc=isrc, primary_artist=world.artist)

    assert not Work.objects.filter(isrc=isrc).exists()


def test_the_database_rejects_an_isrc_too_long_to_be_normalised(world: World) -> None:
    # PostgreSQL refuses it for its length (DataError), SQLite by the check (IntegrityError).
    with pytest.raises(DatabaseError), transaction.atomic():
        f.WorkFactory(isrc="us-rc1-76-07839", primary_artist=world.artist)


def test_the_database_accepts_a_normalised_isrc(world: World) -> None:
    f.WorkFactory(isrc="USRC17607839", primary_artist=world.artist)

    assert Work.objects.filter(isrc="USRC17607839").exists()
