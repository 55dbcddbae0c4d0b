"""Building imports and what readers yield, for the writer's tests."""

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

from portal.catalogue.models import Label
from portal.imports.models import CatalogueImport, ImportFile
from portal.imports.records import (
    IdKind,
    Item,
    Person,
    Problem,
    Recording,
    Release,
    ReleaseId,
    Role,
    Severity,
    Takedown,
    Track,
    Unreadable,
)
from portal.imports.services.files import Outcome, file_import


def isrc(n: int) -> str:
    return f"GBAYE{n:07d}"


def recording(
    n: int, *, title: str = "", artist: str = "Ada Lane", isni: str = "", **kw: object
) -> Recording:
    return Recording(
        where=f"row {n}",
        isrc=isrc(n),
        title=title or f"Song {n}",
        artists=(Person(artist, isni),),
        duration=timedelta(minutes=3, seconds=n % 60),
        **kw,  # type: ignore[arg-type]
    )


def album(title: str, numbers: Iterable[int], *, upc: str = "", day: date | None = None) -> Release:
    ids = (ReleaseId(IdKind.ICPN, upc),) if upc else ()
    return Release(
        where=f"/NewReleaseMessage/ReleaseList/Release[{title}]",
        title=title,
        ids=ids,
        release_date=day,
        tracks=tuple(Track(isrc(n), 1, i + 1) for i, n in enumerate(numbers)),
    )


def takedown(upc: str) -> Takedown:
    return Takedown(where="/PurgeReleaseMessage/PurgedRelease", ids=(ReleaseId(IdKind.ICPN, upc),))


def bad_isrc(row: int) -> Problem:
    return Problem(
        where=f"row {row}",
        severity=Severity.REJECTED,
        code="invalid_isrc",
        message="GBAYE123 is not a valid ISRC.",
        isrc="GBAYE123",
    )


def new_import(label: Label, files: int = 1) -> CatalogueImport:
    catalogue_import = CatalogueImport.objects.create(
        label=label, source=CatalogueImport.Source.COMMAND
    )
    for position in range(files):
        ImportFile.objects.create(
            catalogue_import=catalogue_import,
            position=position,
            name=f"file{position}.csv",
            size=100,
        )
    return catalogue_import


def run_items(label: Label, items: Iterable[Item]) -> tuple[CatalogueImport, Outcome]:
    """One import of one file whose reader yields `items`."""
    catalogue_import = new_import(label)
    outcome = file_import(
        catalogue_import=catalogue_import,
        import_file=catalogue_import.files.get(),
        items=items,
    )
    catalogue_import.refresh_from_db()
    return catalogue_import, outcome


def breaking(
    items: Iterable[Item], message: str = "The XML ends before the message does."
) -> Iterator[Item]:
    """A reader that yields `items`, then finds the file unreadable."""
    yield from items
    raise Unreadable(message, where="line 40")


__all__ = ["Person", "Role", "Severity"]
