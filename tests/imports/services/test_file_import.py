"""One file's import, fed the items a reader yields: works, credits, artists, the report,
idempotency, another label's ISRC, a file that turns out unreadable, batches."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.catalogue.models import Artist, Credit, Work
from portal.imports.models import ImportFile, ImportItem
from portal.imports.records import Person, Problem, Role, Severity
from portal.imports.services import files
from tests.conftest import World
from tests.imports.services.helpers import bad_isrc, breaking, isrc, recording, run_items

ISNI = "0000000121032683"


def test_new_recordings_become_the_labels_works_with_their_credits(world: World) -> None:
    featured = Person("Mo Vance", role=Role.FEATURED)
    composer = Person("Jo Pen", ISNI, Role.COMPOSER)
    items = [
        recording(1, contributors=(featured, composer), iswc="T0345246801", p_line_year=2021),
        recording(2, artist="Zed New"),
    ]

    catalogue_import, outcome = run_items(world.label, items)

    assert outcome.imported and outcome.recordings == 2
    work = Work.objects.get(isrc=isrc(1))
    assert (work.label, work.primary_artist, work.title) == (world.label, world.artist, "Song 1")
    assert (work.iswc, work.p_line_year, work.withdrawn_at) == ("T0345246801", 2021, None)
    assert list(work.credits.values_list("name", "role", "isni")) == [
        ("Ada Lane", "performer", ""),
        ("Mo Vance", "featured", ""),
        ("Jo Pen", "composer", ISNI),
    ]
    # A featured artist is credited, not an owner: no roster artist is made for them.
    assert not Artist.objects.filter(name="Mo Vance").exists()
    zed = Artist.objects.get(name="Zed New")
    assert (zed.label, zed.created_by_import) == (world.label, True)
    assert Work.objects.get(isrc=isrc(2)).primary_artist == zed
    assert (catalogue_import.works_created, catalogue_import.artists_created) == (2, 1)
    assert catalogue_import.artists_matched == 1
    assert catalogue_import.files.get().status == ImportFile.Status.IMPORTED


def test_artists_are_matched_by_isni_before_name(world: World) -> None:
    Artist.objects.filter(pk=world.other_artist.pk).update(isni=ISNI)
    items = [
        recording(1, artist="B. Reed", isni=ISNI),  # another spelling, the same ISNI
        recording(2, artist="Ada Lane", isni="0000000114559647"),  # roster Ada has none
        recording(3, artist="Bo Reed", isni="0000000109876543"),  # same name, other ISNI
    ]

    run_items(world.label, items)

    assert Work.objects.get(isrc=isrc(1)).primary_artist == world.other_artist
    assert Work.objects.get(isrc=isrc(2)).primary_artist == world.artist
    third = Work.objects.get(isrc=isrc(3)).primary_artist
    assert third not in (world.other_artist, world.artist) and third.created_by_import


def test_an_artist_on_another_labels_roster_is_not_matched(world: World) -> None:
    run_items(world.label, [recording(1, artist="Cy Moss")])

    artist = Work.objects.get(isrc=isrc(1)).primary_artist
    assert artist != world.outsider_artist
    assert artist.label == world.label and artist.created_by_import


def test_importing_the_same_file_again_changes_nothing_and_says_so(world: World) -> None:
    items = [recording(n, contributors=(Person("Jo Pen", role=Role.COMPOSER),)) for n in range(5)]
    run_items(world.label, items)
    before = list(Work.objects.order_by("pk").values())
    credits = list(Credit.objects.order_by("pk").values_list("pk", flat=True))

    again, outcome = run_items(world.label, items)

    assert outcome.imported and outcome.recordings == 5
    assert (again.works_created, again.works_updated, again.works_unchanged) == (0, 0, 5)
    assert again.artists_created == 0
    assert list(Work.objects.order_by("pk").values()) == before
    assert list(Credit.objects.order_by("pk").values_list("pk", flat=True)) == credits
    assert not again.items.exists()


def test_a_changed_title_or_credit_updates_the_work_and_the_report_says_what(
    world: World,
) -> None:
    run_items(world.label, [recording(1), recording(2)])
    changed = [
        recording(1, title="Song One (Remastered)"),
        recording(2, contributors=(Person("Jo Pen", role=Role.PRODUCER),)),
    ]

    again, _ = run_items(world.label, changed)

    assert (again.works_updated, again.works_unchanged) == (2, 0)
    first, second = again.items.order_by("pk")
    assert first.kind == ImportItem.Kind.UPDATED and first.isrc == isrc(1)
    assert first.message == "title Song 1 → Song One (Remastered)"
    assert second.message == "credits changed" and second.work == Work.objects.get(isrc=isrc(2))
    assert Work.objects.get(isrc=isrc(1)).title == "Song One (Remastered)"
    assert list(Credit.objects.filter(work__isrc=isrc(2)).values_list("name", "role")) == [
        ("Ada Lane", "performer"),
        ("Jo Pen", "producer"),
    ]


def test_a_recording_credited_to_another_artist_loses_the_previous_artists_answers(
    world: World,
) -> None:
    from portal.consent.models import NO_ANSWER, Answer, Decision, LedgerEntry, Side
    from portal.consent.selectors.tallies import tallies_compare
    from tests.conftest import say

    run_items(world.label, [recording(1)])
    work = Work.objects.get(isrc=isrc(1))
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        say(world, side, Answer.GRANTED, work=work, use=world.training)

    again, _ = run_items(world.label, [recording(1, artist="Bo Reed")])

    assert again.works_updated == 1
    assert Work.objects.get(pk=work.pk).primary_artist == world.other_artist
    # Bo Reed never answered: Ada Lane's yes is taken back; the label's stands.
    assert list(Decision.objects.filter(work=work).values_list("side", flat=True)) == [
        "rights_holder"
    ]
    entry = LedgerEntry.objects.latest("position")
    assert (entry.side, entry.answer) == (Side.ARTIST, NO_ANSWER)
    assert tallies_compare() is None


def test_another_labels_isrc_is_rejected_without_naming_that_label(world: World) -> None:
    theirs = world.outsider_works[0]

    catalogue_import, outcome = run_items(
        world.label, [recording(1), replace(recording(2, title="Stolen"), isrc=theirs.isrc)]
    )

    assert outcome.imported
    theirs.refresh_from_db()
    assert (theirs.label, theirs.title) == (world.other_label, "Far Shore")
    [item] = catalogue_import.items.all()
    assert (item.kind, item.isrc, item.code) == (
        ImportItem.Kind.REJECTED,
        theirs.isrc,
        "isrc_elsewhere",
    )
    assert world.other_label.name not in item.message
    assert (catalogue_import.rejected, catalogue_import.works_created) == (1, 1)


def test_what_the_reader_rejected_or_dropped_is_in_the_report(world: World) -> None:
    warning = Problem("row 3", Severity.WARNING, "invalid_iswc", "T123 is not an ISWC.", isrc(3))

    catalogue_import, _ = run_items(world.label, [recording(1), bad_isrc(2), recording(3), warning])

    assert (catalogue_import.rejected, catalogue_import.warnings) == (1, 1)
    assert list(catalogue_import.items.values_list("kind", "where", "code")) == [
        ("rejected", "row 2", "invalid_isrc"),
        ("warning", "row 3", "invalid_iswc"),
    ]
    assert Work.objects.filter(isrc__in=[isrc(1), isrc(3)]).count() == 2


def test_a_recording_the_catalogue_cannot_hold_is_rejected_alone(world: World) -> None:
    catalogue_import, _ = run_items(
        world.label,
        [recording(1, title="x" * 301), recording(2, title="Bad\u202etitle"), recording(3)],
    )

    assert list(Work.objects.filter(isrc__startswith="GBAYE").values_list("isrc", flat=True)) == [
        isrc(3)
    ]
    assert list(catalogue_import.items.values_list("where", flat=True)) == ["row 1", "row 2"]


def test_a_file_found_unreadable_midway_keeps_nothing_and_says_why(world: World) -> None:
    items = [recording(n, artist="New Person") for n in range(1, 6)] + [bad_isrc(9)]

    catalogue_import, outcome = run_items(world.label, breaking(items))

    assert not outcome.imported
    assert outcome.reason == "The XML ends before the message does. (line 40)"
    import_file = catalogue_import.files.get()
    assert (import_file.status, import_file.reason) == (ImportFile.Status.FAILED, outcome.reason)
    assert not Work.objects.filter(isrc__startswith="GBAYE").exists()
    assert not Artist.objects.filter(name="New Person").exists()
    assert not catalogue_import.items.exists()
    assert (catalogue_import.works_created, catalogue_import.rejected) == (0, 0)


def test_the_statements_per_batch_do_not_grow(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "BATCH", 10)

    def statements(start: int, n: int) -> int:
        items = [
            recording(
                start + i,
                artist=f"Artist {i % 7}",
                contributors=(Person(f"Writer {i}", role=Role.COMPOSER),),
            )
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as queries:
            run_items(world.label, items)
        return len(queries)

    statements(500, 7)  # the artists join the roster, so each run below only matches them
    new = [statements(start, n) for start, n in ((1000, 10), (2000, 30), (3000, 50))]
    # Two more batches cost the same whatever came before: a constant per batch.
    assert new[2] - new[1] == new[1] - new[0] <= 2 * 10
    again = [statements(start, n) for start, n in ((1000, 10), (2000, 30), (3000, 50))]
    # Unchanged works cost one statement per batch: looking them up.
    assert again[2] - again[1] == again[1] - again[0] == 2
