"""Releases, their identifiers and tracks; take-downs and releases again."""

from datetime import date

import pytest

from portal.catalogue.models import Release, ReleaseIdentifier, Track, Work
from portal.consent.models import Answer, Cause, PermissionChange, Side
from portal.imports.models import ImportItem
from portal.imports.records import IdKind, ReleaseId
from portal.imports.services import files
from tests.conftest import World, say
from tests.imports.services.helpers import album, isrc, recording, run_items, takedown

DAY = date(2024, 5, 17)


def test_a_release_is_stored_with_its_identifiers_and_tracks_in_order(world: World) -> None:
    items = [recording(n) for n in (1, 2, 3)] + [
        album("Night Drive", [3, 1, 2], upc="5012345678900", day=DAY)
    ]

    catalogue_import, _ = run_items(world.label, items)

    release = Release.objects.get()
    assert (release.label, release.title, release.release_date) == (world.label, "Night Drive", DAY)
    assert list(release.identifiers.values_list("kind", "value")) == [("icpn", "5012345678900")]
    assert list(release.tracks.values_list("work__isrc", "disc", "number")) == [
        (isrc(3), 1, 1),
        (isrc(1), 1, 2),
        (isrc(2), 1, 3),
    ]
    assert catalogue_import.releases_created == 1
    # New works show the release they came on.
    assert Work.objects.get(isrc=isrc(1)).release_title == "Night Drive"


def test_a_release_is_found_again_by_any_of_its_identifiers(world: World) -> None:
    grid = ReleaseId(IdKind.GRID, "A1UCASE0000000401X")
    first = album("Night Drive", [1], upc="5012345678900")
    run_items(world.label, [recording(1), first])
    later = album("Night Drive (Deluxe)", [1, 2])
    later = type(later)(
        later.where,
        later.title,
        (grid, ReleaseId(IdKind.ICPN, "5012345678900")),
        None,
        later.tracks,
    )

    again, _ = run_items(world.label, [recording(1), recording(2), later])

    release = Release.objects.get()
    assert release.title == "Night Drive (Deluxe)"
    assert set(release.identifiers.values_list("kind", flat=True)) == {"icpn", "grid"}
    assert release.tracks.count() == 2
    assert (again.releases_created, again.releases_updated) == (0, 1)


def test_a_release_without_identifiers_is_found_by_title_and_date(world: World) -> None:
    run_items(world.label, [recording(1), album("Demo Tape", [1], day=DAY)])
    run_items(world.label, [recording(1), recording(2), album("Demo Tape", [2], day=DAY)])

    release = Release.objects.get()
    assert list(release.tracks.values_list("work__isrc", flat=True)) == [isrc(1), isrc(2)]
    assert not ReleaseIdentifier.objects.exists()


def test_the_same_release_again_writes_nothing(world: World) -> None:
    items = [recording(1), recording(2), album("Night Drive", [1, 2], upc="5012345678900")]
    run_items(world.label, items)
    tracks = list(Track.objects.values_list("pk", flat=True))

    again, _ = run_items(world.label, items)

    assert (again.releases_created, again.releases_updated) == (0, 0)
    assert list(Track.objects.values_list("pk", flat=True)) == tracks


def test_a_takedown_withdraws_what_no_other_live_release_carries(world: World) -> None:
    items = [recording(n) for n in (1, 2, 3)] + [
        album("Album", [1, 2], upc="5012345678900"),
        album("Single", [2], upc="5012345678917"),
    ]
    run_items(world.label, items)

    catalogue_import, outcome = run_items(world.label, [takedown("5012345678900")])

    assert outcome.imported
    assert Work.objects.get(isrc=isrc(1)).withdrawn_at is not None
    assert Work.objects.get(isrc=isrc(2)).withdrawn_at is None  # the single still carries it
    assert Work.objects.get(isrc=isrc(3)).withdrawn_at is None  # on no release taken down
    assert Release.objects.get(title="Album").withdrawn_at is not None
    assert catalogue_import.works_withdrawn == 1
    [item] = catalogue_import.items.all()
    assert (item.kind, item.isrc) == (ImportItem.Kind.WITHDRAWN, isrc(1))


def test_a_takedown_flips_a_permitted_work_and_a_later_release_brings_it_back(
    world: World,
) -> None:
    run_items(world.label, [recording(1), album("Album", [1], upc="5012345678900")])
    work = Work.objects.get(isrc=isrc(1))
    say(world, Side.ARTIST, Answer.GRANTED, work=work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)

    run_items(world.label, [takedown("5012345678900")])

    change = PermissionChange.objects.filter(work=work).latest("seq")
    assert (change.permitted, change.cause, change.reasons) == (
        False,
        Cause.WITHDRAWAL,
        ["work_withdrawn"],
    )

    again, _ = run_items(world.label, [recording(1), album("Album", [1], upc="5012345678900")])

    work.refresh_from_db()
    assert work.withdrawn_at is None
    assert Release.objects.get().withdrawn_at is None
    change = PermissionChange.objects.filter(work=work).latest("seq")
    assert (change.permitted, change.cause) == (True, Cause.WITHDRAWAL)
    assert again.works_reinstated == 1
    assert again.items.filter(kind=ImportItem.Kind.REINSTATED, isrc=isrc(1)).exists()


def test_a_takedown_naming_no_release_of_the_label_is_a_warning(world: World) -> None:
    run_items(
        world.other_label,
        [recording(1, artist="Cy Moss"), album("Theirs", [1], upc="5012345678900")],
    )

    catalogue_import, _ = run_items(world.label, [takedown("5012345678900")])

    assert Work.objects.get(isrc=isrc(1)).withdrawn_at is None
    assert catalogue_import.warnings == 1
    assert catalogue_import.items.get().code == "unknown_release"


@pytest.mark.parametrize("known", [1000, 4], ids=["from-the-file", "looked-up"])
def test_a_release_after_many_batches_names_every_track_of_the_file(
    world: World, monkeypatch: pytest.MonkeyPatch, known: int
) -> None:
    # Releases follow their recordings, batches later: their tracks come from what the
    # file wrote, or, past what it keeps, from the catalogue.
    monkeypatch.setattr(files, "BATCH", 3)
    monkeypatch.setattr(files, "KNOWN_LIMIT", known)
    numbers = list(range(1, 12))
    items = [recording(n) for n in numbers] + [album("Long Player", reversed(numbers))]

    run_items(world.label, items)

    assert list(Release.objects.get().tracks.values_list("work__isrc", flat=True)) == [
        isrc(n) for n in reversed(numbers)
    ]
