"""One file of an import: every item a reader yields, written in one transaction with the
label's row locked, in batches; then its withdrawals and reinstatements, through
consent, in transactions of their own."""

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from portal.catalogue.models import Label, Work
from portal.consent.services import works_reinstate, works_withdraw
from portal.imports.models import CatalogueImport, ImportFile, ImportItem
from portal.imports.records import Item, Problem, Recording, Release, Takedown, Unreadable
from portal.imports.services.artists import Roster
from portal.imports.services.releases import (
    releases_write,
    takedowns_mark,
    withdrawable,
)
from portal.imports.services.report import Report, Tally, lifecycle_lines, tallies_add
from portal.imports.services.works import works_write

logger = logging.getLogger(__name__)

# Recordings per batch: a few statements each, and memory flat whatever the file's size.
BATCH = 2000
# The ISRC -> work id map a file's releases name their tracks by is kept for the whole
# file up to this size (a few MiB); past it, tracks of recordings from earlier batches
# are looked up.
KNOWN_LIMIT = 250_000
# Works written by one file past which the planner's statistics are refreshed at once.
STATISTICS_AFTER = 20_000
CATALOGUE_TABLES = ("catalogue_work", "catalogue_credit", "catalogue_release", "catalogue_track")


@dataclass
class Outcome:
    """What became of a file."""

    imported: bool
    reason: str = ""
    recordings: int = 0
    grown: Counter[int] = field(default_factory=Counter)  # artist id -> works created


class _Writer:
    def __init__(self, *, label_id: int, report: Report) -> None:
        self.label_id = label_id
        self.report = report
        self.roster = Roster(label_id=label_id)
        self.recordings: list[Recording] = []
        self.releases: list[Release] = []
        self.takedowns: list[Takedown] = []
        self.again: set[int] = set()
        self.grown: Counter[int] = Counter()
        # Releases come after their recordings, usually in a later batch.
        self.known: dict[str, int] = {}

    def flush(self) -> None:
        # New works show the first release the batch puts them on (releases follow their
        # recordings: in the same batch, but for one that ends as a release begins).
        shown_on: dict[str, tuple[str, date | None]] = {}
        for release in self.releases:
            for track in release.tracks:
                shown_on.setdefault(track.isrc, (release.title, release.release_date))
        written = works_write(
            label_id=self.label_id,
            recordings=self.recordings,
            roster=self.roster,
            report=self.report,
            shown_on=shown_on,
        )
        self.grown += written.grown
        if len(self.known) + len(written.work_ids) <= KNOWN_LIMIT:
            self.known.update(written.work_ids)
        else:
            self.known = written.work_ids
        if self.releases:
            self.again |= releases_write(
                label_id=self.label_id,
                releases=self.releases,
                work_ids=self.known,
                report=self.report,
            )
        self.report.flush()
        self.recordings, self.releases = [], []


def file_import(
    *,
    catalogue_import: CatalogueImport,
    import_file: ImportFile,
    items: Iterable[Item],
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Import what a reader yields for one file of the import.

    In one transaction, with the label's row locked (one import at a time per label):
    works, credits, artists, releases and tracks in batches of `BATCH` recordings, the
    report's lines and tallies, the file's status. A reader's `Unreadable`, whenever it
    comes, rolls all of that back: the file is FAILED with the reason, nothing of it
    kept. Then, once committed, the recordings its take-downs withdraw and those its
    releases name again go through consent (`works_withdraw`, `works_reinstate`).
    `progress` is called after each batch with the recordings read so far.
    """
    report = Report(catalogue_import=catalogue_import, import_file=import_file)
    label_id = catalogue_import.label_id
    now = timezone.now()
    try:
        with transaction.atomic():
            Label.objects.select_for_update().filter(pk=label_id).first()
            # A second worker on the same import waited for the lock: the file is done.
            status = ImportFile.objects.select_for_update().get(pk=import_file.pk).status
            if status != ImportFile.Status.WAITING:
                return Outcome(imported=status == ImportFile.Status.IMPORTED)
            writer = _Writer(label_id=label_id, report=report)
            read = 0
            for item in items:
                if isinstance(item, Recording):
                    if len(writer.recordings) >= BATCH:
                        writer.flush()
                        if progress is not None:
                            progress(read)
                    writer.recordings.append(item)
                    read += 1
                elif isinstance(item, Release):
                    writer.releases.append(item)
                    if len(writer.releases) >= BATCH:
                        writer.flush()
                elif isinstance(item, Takedown):
                    writer.takedowns.append(item)
                elif isinstance(item, Problem):
                    report.problem(item)
            writer.flush()
            candidates = takedowns_mark(
                label_id=label_id, takedowns=writer.takedowns, at=now, report=report
            )
            report.tally.artists_created += len(writer.roster.created)
            report.tally.artists_matched += len(writer.roster.matched)
            report.commit()
            ImportFile.objects.filter(pk=import_file.pk).update(
                status=ImportFile.Status.IMPORTED,
                reason="",
                recordings=report.tally.imported,
            )
    except Unreadable as exc:
        reason = f"{exc.message} ({exc.where})" if exc.where else exc.message
        ImportFile.objects.filter(pk=import_file.pk).update(
            status=ImportFile.Status.FAILED, reason=reason, recordings=0
        )
        return Outcome(imported=False, reason=reason)
    if progress is not None:
        progress(read)
    if report.tally.works_created + report.tally.works_updated >= STATISTICS_AFTER:
        statistics_refresh()
    lifecycle_apply(
        catalogue_import=catalogue_import,
        import_file=import_file,
        withdraw=candidates,
        again=writer.again,
    )
    return Outcome(imported=True, recordings=report.tally.imported, grown=writer.grown)


def statistics_refresh() -> None:
    """ANALYZE the catalogue's tables after a file grew them a lot. Autovacuum gets to it
    later; until then PostgreSQL plans for the catalogue as it was, and reads a million
    works row by row to find the twenty a statement names (an unchanged re-import of a
    million recordings went from minutes to over three). A few hundred milliseconds."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(CATALOGUE_TABLES)}")


def lifecycle_apply(
    *,
    catalogue_import: CatalogueImport,
    import_file: ImportFile,
    withdraw: set[int],
    again: set[int],
) -> None:
    """Withdraw what the file's take-downs leave on no live release; make live again what
    its releases name; report both. After the file's commit, so the ledger's and the
    counters' locks are never held while a file is read."""
    tally = Tally()
    reinstated = works_reinstate(work_ids=sorted(again - withdraw)) if again else []
    withdrawn = works_withdraw(work_ids=withdrawable(work_ids=withdraw)) if withdraw else []
    for ids, kind, message in (
        (withdrawn, ImportItem.Kind.WITHDRAWN, "Withdrawn: no live release carries it."),
        (reinstated, ImportItem.Kind.REINSTATED, "Live again: a release carries it."),
    ):
        if ids:
            lifecycle_lines(
                import_id=catalogue_import.pk,
                file_id=import_file.pk,
                kind=kind,
                works=list(Work.objects.filter(pk__in=ids).values_list("pk", "isrc")),
                message=message,
            )
    tally.works_withdrawn, tally.works_reinstated = len(withdrawn), len(reinstated)
    tallies_add(import_id=catalogue_import.pk, tally=tally)
