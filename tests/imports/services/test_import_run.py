"""Running a whole import: files in order, statuses, progress, resuming, and the one
notification per artist whose catalogue grew."""

import io
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import BinaryIO

import pytest
from django.utils import timezone

from portal.catalogue.models import Release, Work
from portal.imports.models import CatalogueImport, ImportFile
from portal.imports.progress import progress_of
from portal.imports.records import Item
from portal.imports.services import files
from portal.imports.services.run import import_run
from portal.notifications.models import Notification
from tests.conftest import World
from tests.imports.services.helpers import (
    album,
    breaking,
    isrc,
    new_import,
    recording,
    takedown,
)


def files_saying(contents: dict[str, list[Item]]):  # type: ignore[no-untyped-def]
    """An opener and a reader: each file's name says which items it holds."""

    def open_file(import_file: ImportFile) -> AbstractContextManager[BinaryIO]:
        return nullcontext(io.BytesIO(import_file.name.encode()))

    def read(stream: BinaryIO, *, name: str = "") -> Iterator[Item]:
        items = contents[name]
        if name.startswith("broken"):
            return breaking(items)
        return iter(items)

    return open_file, read


def named(catalogue_import: CatalogueImport, *names: str) -> None:
    for import_file, name in zip(catalogue_import.files.order_by("position"), names, strict=True):
        ImportFile.objects.filter(pk=import_file.pk).update(name=name)


def test_every_file_is_imported_in_order_and_the_import_is_done(world: World) -> None:
    catalogue_import = new_import(world.label, files=2)
    named(catalogue_import, "a.csv", "b.csv")
    # The second file says the first's recording again, with a new title: order counts.
    open_file, read = files_saying(
        {"a.csv": [recording(1)], "b.csv": [recording(1, title="Renamed"), recording(2)]}
    )

    done = import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)

    assert done.status == CatalogueImport.Status.DONE
    assert done.started_at and done.finished_at and done.finished_at >= done.started_at
    assert (done.works_created, done.works_updated) == (2, 1)
    assert Work.objects.get(isrc=isrc(1)).title == "Renamed"
    assert set(done.files.values_list("status", "recordings")) == {("imported", 1), ("imported", 2)}
    progress = progress_of(done.pk)
    assert progress is not None
    assert (progress.files_done, progress.files_total, progress.recordings) == (2, 2, 3)


def test_an_unreadable_file_fails_alone_and_the_import_says_so(world: World) -> None:
    catalogue_import = new_import(world.label, files=3)
    named(catalogue_import, "a.csv", "broken.xml", "c.csv")
    open_file, read = files_saying(
        {"a.csv": [recording(1)], "broken.xml": [recording(2)], "c.csv": [recording(3)]}
    )

    done = import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)

    assert done.status == CatalogueImport.Status.FAILED
    statuses = list(done.files.order_by("position").values_list("status", "reason"))
    assert statuses == [
        ("imported", ""),
        ("failed", "The XML ends before the message does. (line 40)"),
        ("imported", ""),
    ]
    assert set(Work.objects.filter(isrc__startswith="GBAYE").values_list("isrc", flat=True)) == {
        isrc(1),
        isrc(3),
    }


def test_a_file_that_cannot_be_opened_fails_with_a_reason(world: World) -> None:
    catalogue_import = new_import(world.label)

    def open_file(import_file: ImportFile) -> AbstractContextManager[BinaryIO]:
        raise FileNotFoundError(import_file.name)

    done = import_run(
        catalogue_import=catalogue_import, open_file=open_file, read=lambda s, name="": iter([])
    )

    assert done.status == CatalogueImport.Status.FAILED
    assert done.files.get().reason == "The file could not be opened; upload it again."


def test_running_again_after_a_killed_worker_skips_what_was_imported(world: World) -> None:
    catalogue_import = new_import(world.label, files=2)
    named(catalogue_import, "a.csv", "b.csv")
    open_file, read = files_saying({"a.csv": [recording(1)], "b.csv": [recording(2)]})
    first = catalogue_import.files.get(position=0)
    ImportFile.objects.filter(pk=first.pk).update(status=ImportFile.Status.IMPORTED)
    CatalogueImport.objects.filter(pk=catalogue_import.pk).update(
        status=CatalogueImport.Status.RUNNING
    )

    done = import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)

    assert done.status == CatalogueImport.Status.DONE
    assert not Work.objects.filter(isrc=isrc(1)).exists()  # not read again
    assert Work.objects.filter(isrc=isrc(2)).exists()


def test_each_artist_whose_catalogue_grew_is_told_once(world: World) -> None:
    catalogue_import = new_import(world.label, files=2)
    named(catalogue_import, "a.csv", "b.csv")
    open_file, read = files_saying(
        {
            "a.csv": [recording(n) for n in range(1, 10)],
            "b.csv": [recording(n) for n in range(10, 15)] + [recording(20, artist="Bo Reed")],
        }
    )

    import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)

    [ada] = Notification.objects.filter(user=world.artist_user)
    assert ada.kind == Notification.Kind.CATALOGUE
    assert ada.message == (
        "14 recordings were added to your catalogue; 1 AI product asks to use them."
    )
    assert ada.url == f"/artists/{world.artist.pk}/"
    [bo] = Notification.objects.filter(user=world.other_artist_user)
    assert bo.message.startswith("1 recording was added to your catalogue")
    assert not Notification.objects.filter(user=world.outsider_user).exists()


def test_nobody_is_told_when_nothing_was_added(world: World) -> None:
    catalogue_import = new_import(world.label)
    named(catalogue_import, "a.csv")
    open_file, read = files_saying({"a.csv": [recording(1)]})
    Work.objects.create(
        isrc=isrc(1), title="Song 1", primary_artist=world.artist, label=world.label
    )

    import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)

    assert not Notification.objects.filter(kind=Notification.Kind.CATALOGUE).exists()


def test_a_file_whose_rows_committed_stays_imported_if_its_withdrawals_fail(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalogue_import = new_import(world.label)
    named(catalogue_import, "a.csv")
    open_file, read = files_saying({"a.csv": [recording(1), album("A", [1], upc="5012345678900")]})
    import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)
    purge = new_import(world.label)
    named(purge, "a.csv")
    open_file, read = files_saying({"a.csv": [takedown("5012345678900")]})

    def down(**kwargs: object) -> list[int]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(files, "works_withdraw", down)

    done = import_run(catalogue_import=purge, open_file=open_file, read=read)

    assert done.files.get().status == ImportFile.Status.IMPORTED
    assert Release.objects.get().withdrawn_at is not None


def test_a_withdrawal_lost_after_its_file_committed_is_caught_up_by_the_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The releases are the record: a take-down whose withdrawals failed once (or whose
    worker died after the commit) is applied before the import ends."""
    catalogue_import = new_import(world.label, files=2)
    named(catalogue_import, "album", "purge")
    open_file, read = files_saying(
        {
            "album": [recording(1), recording(2), album("Album", [1, 2], upc="5012345678900")],
            "purge": [takedown("5012345678900")],
        }
    )
    lifecycle_apply = files.lifecycle_apply
    failures = iter([RuntimeError("the database went away")])

    def fails_once(**kwargs: object) -> None:
        if (failure := next(failures, None)) is not None and kwargs.get("withdraw"):
            raise failure
        lifecycle_apply(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "lifecycle_apply", fails_once)

    done = import_run(catalogue_import=catalogue_import, open_file=open_file, read=read)

    assert set(done.files.values_list("status", flat=True)) == {ImportFile.Status.IMPORTED}
    withdrawn = Work.objects.filter(withdrawn_at__isnull=False)
    assert set(withdrawn.values_list("isrc", flat=True)) == {isrc(1), isrc(2)}
    assert done.works_withdrawn == 2


def test_a_later_import_catches_up_what_an_earlier_one_owed(world: World) -> None:
    first = new_import(world.label)
    named(first, "album")
    open_file, read = files_saying(
        {
            "album": [recording(1), album("Album", [1], upc="5012345678900")],
            "other": [recording(3)],
        }
    )
    import_run(catalogue_import=first, open_file=open_file, read=read)
    # A take-down committed, and its worker was killed before the withdrawals.
    Release.objects.filter(title="Album").update(withdrawn_at=timezone.now())

    later = new_import(world.label)
    named(later, "other")
    done = import_run(catalogue_import=later, open_file=open_file, read=read)

    assert Work.objects.get(isrc=isrc(1)).withdrawn_at is not None
    assert done.items.filter(kind="withdrawn", isrc=isrc(1)).exists()
