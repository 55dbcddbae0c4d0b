"""The report of an import: its tallies and its lines (`ImportItem`), gathered while a
file is written and stored with the file's rows, so a file rolled back reports nothing
but why."""

from dataclasses import dataclass, fields

from django.db.models import F

from portal.imports.models import CatalogueImport, ImportFile, ImportItem
from portal.imports.records import Problem, Severity


@dataclass
class Tally:
    """What one file (or the work after it) adds to the import's tallies; the names are
    `CatalogueImport`'s fields."""

    works_created: int = 0
    works_updated: int = 0
    works_unchanged: int = 0
    works_withdrawn: int = 0
    works_reinstated: int = 0
    artists_created: int = 0
    artists_matched: int = 0
    releases_created: int = 0
    releases_updated: int = 0
    rejected: int = 0
    warnings: int = 0

    @property
    def imported(self) -> int:
        return self.works_created + self.works_updated + self.works_unchanged


class Report:
    """The lines and tallies of one file, written in batches by `flush` and added to the
    import by `commit`, both inside the file's transaction."""

    def __init__(self, *, catalogue_import: CatalogueImport, import_file: ImportFile) -> None:
        self.import_id = catalogue_import.pk
        self.file_id = import_file.pk
        self.tally = Tally()
        self.items: list[ImportItem] = []

    def _line(
        self, kind: str, *, where: str, isrc: str, code: str, message: str, work_id: int | None
    ) -> None:
        self.items.append(
            ImportItem(
                catalogue_import_id=self.import_id,
                file_id=self.file_id,
                kind=kind,
                where=where[:300],
                isrc=isrc[:40],
                code=code[:40],
                message=message,
                work_id=work_id,
            )
        )

    def problem(self, problem: Problem) -> None:
        """What the reader rejected or dropped."""
        record = self.reject if problem.severity == Severity.REJECTED else self.warn
        record(where=problem.where, isrc=problem.isrc, code=problem.code, message=problem.message)

    def reject(self, *, where: str, isrc: str, code: str, message: str) -> None:
        self.tally.rejected += 1
        self._line(
            ImportItem.Kind.REJECTED,
            where=where,
            isrc=isrc,
            code=code,
            message=message,
            work_id=None,
        )

    def warn(self, *, where: str, isrc: str, code: str, message: str) -> None:
        self.tally.warnings += 1
        self._line(
            ImportItem.Kind.WARNING,
            where=where,
            isrc=isrc,
            code=code,
            message=message,
            work_id=None,
        )

    def updated(self, *, where: str, isrc: str, work_id: int, message: str) -> None:
        self._line(
            ImportItem.Kind.UPDATED,
            where=where,
            isrc=isrc,
            code="updated",
            message=message,
            work_id=work_id,
        )

    def flush(self) -> None:
        """Store the lines gathered so far: one statement per thousand."""
        if self.items:
            ImportItem.objects.bulk_create(self.items, batch_size=1000)
            self.items = []

    def commit(self) -> None:
        self.flush()
        tallies_add(import_id=self.import_id, tally=self.tally)


def tallies_add(*, import_id: int, tally: Tally) -> None:
    """Add to the import's tallies in one statement, so two writers never lose a count."""
    added = {
        f.name: F(f.name) + getattr(tally, f.name) for f in fields(tally) if getattr(tally, f.name)
    }
    if added:
        CatalogueImport.objects.filter(pk=import_id).update(**added)


def lifecycle_lines(
    *, import_id: int, file_id: int, kind: str, works: list[tuple[int, str]], message: str
) -> None:
    """One line per work withdrawn or live again ((id, ISRC) pairs), after the fact."""
    ImportItem.objects.bulk_create(
        [
            ImportItem(
                catalogue_import_id=import_id,
                file_id=file_id,
                kind=kind,
                isrc=isrc,
                work_id=work_id,
                code=kind,
                message=message,
            )
            for work_id, isrc in works
        ],
        batch_size=1000,
    )
