"""Running an import: every waiting file, in order, then telling the artists whose
catalogue grew. What the upload's task and `import_catalogue` call."""

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO, cast

from django.db import transaction
from django.utils import timezone

from portal.imports.models import CatalogueImport, ImportFile
from portal.imports.progress import Progress, progress_record
from portal.imports.records import Item, Unreadable
from portal.imports.services.files import file_import, lifecycle_apply
from portal.imports.services.notices import catalogue_grew_notify
from portal.imports.services.releases import out_of_step

logger = logging.getLogger(__name__)

Opener = Callable[[ImportFile], AbstractContextManager[BinaryIO]]
Reader = Callable[..., Iterator[Item]]


def _open_stored(import_file: ImportFile) -> AbstractContextManager[BinaryIO]:
    return cast(AbstractContextManager[BinaryIO], import_file.file.open("rb"))


def _position(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):
        return 0


def _format_of(stream: BinaryIO) -> str:
    """The file's format, when the stream can be read twice; the reader says the rest."""
    from portal.imports import formats

    if not stream.seekable():
        return ""
    try:
        return str(formats.format_of(stream))
    except Unreadable:
        return ""
    finally:
        stream.seek(0)


def _read(stream: BinaryIO, *, name: str) -> Iterator[Item]:
    from portal.imports import formats

    return formats.read(stream, name=name)


class _Meter:
    """The progress bar's figures: files and bytes done, recordings read."""

    def __init__(self, import_id: int, files: list[ImportFile]) -> None:
        self.import_id = import_id
        self.files_total = len(files)
        self.bytes_total = sum(f.size for f in files)
        waiting = [f for f in files if f.status == ImportFile.Status.WAITING]
        self.files_done = len(files) - len(waiting)
        self.bytes_done = self.bytes_total - sum(f.size for f in waiting)
        self.recordings = 0

    def show(self, *, read: int = 0, at: int = 0, size: int = 0) -> None:
        progress_record(
            self.import_id,
            Progress(
                files_done=self.files_done,
                files_total=self.files_total,
                bytes_done=self.bytes_done + (min(at, size) if size else 0),
                bytes_total=self.bytes_total,
                recordings=self.recordings + read,
            ),
        )

    def file_done(self, import_file: ImportFile, recordings: int) -> None:
        self.files_done += 1
        self.bytes_done += import_file.size
        self.recordings += recordings
        self.show()


def import_run(
    *,
    catalogue_import: CatalogueImport,
    open_file: Opener | None = None,
    read: Reader | None = None,
) -> CatalogueImport:
    """Import every WAITING file of the import in position order, each in one transaction
    (label row locked), updating the import's tallies, each file's status, format,
    reason and recordings, the report's lines and the progress; then each file's
    withdrawals and reinstatements through consent's services. Marks the import RUNNING,
    then DONE (every file imported) or FAILED, with started_at and finished_at; notifies
    each artist whose catalogue grew, once.

    Safe to call again on an import a killed worker left RUNNING: files already
    IMPORTED are skipped. `open_file` defaults to opening `import_file.file` from its
    storage; the command line passes one that opens the path in `import_file.name`.
    `read` is the readers' `formats.read`; tests may pass another.
    """
    opener = open_file or _open_stored
    reader = read or _read
    CatalogueImport.objects.filter(pk=catalogue_import.pk).update(
        status=CatalogueImport.Status.RUNNING
    )
    CatalogueImport.objects.filter(pk=catalogue_import.pk, started_at__isnull=True).update(
        started_at=timezone.now()
    )
    files = list(catalogue_import.files.order_by("position", "pk"))
    meter = _Meter(catalogue_import.pk, files)
    grown: Counter[int] = Counter()
    for import_file in files:
        if import_file.status == ImportFile.Status.WAITING:
            recordings, artists = _one_file(catalogue_import, import_file, opener, reader, meter)
            grown += artists
            meter.file_done(import_file, recordings)
    _catch_up(catalogue_import)
    all_imported = not catalogue_import.files.exclude(status=ImportFile.Status.IMPORTED).exists()
    with transaction.atomic():
        CatalogueImport.objects.filter(pk=catalogue_import.pk).update(
            status=CatalogueImport.Status.DONE if all_imported else CatalogueImport.Status.FAILED,
            finished_at=timezone.now(),
        )
        catalogue_grew_notify(label_id=catalogue_import.label_id, grown=grown)
    catalogue_import.refresh_from_db()
    return catalogue_import


def _catch_up(catalogue_import: CatalogueImport) -> None:
    """Withdraw or make live again what an earlier file's take-downs and releases owe but
    did not get (its worker killed after the file committed, an error then), reported
    against this import's last imported file. Failing again, it is logged and left to the
    label's next import, which finds the same from the releases."""
    try:
        withdraw, again = out_of_step(label_id=catalogue_import.label_id)
        last = catalogue_import.files.filter(status=ImportFile.Status.IMPORTED).last()
        if (withdraw or again) and last is not None:
            lifecycle_apply(
                catalogue_import=catalogue_import, import_file=last, withdraw=withdraw, again=again
            )
    except Exception:
        logger.exception("import %s: withdrawals owed could not be applied", catalogue_import.pk)


def _one_file(
    catalogue_import: CatalogueImport,
    import_file: ImportFile,
    opener: Opener,
    reader: Reader,
    meter: _Meter,
) -> tuple[int, Counter[int]]:
    """Open, read and write one file; whatever goes wrong, the file ends FAILED with a
    reason a person can read, and the import goes on to the next."""
    try:
        with opener(import_file) as stream:
            file_format = _format_of(stream) if reader is _read else ""
            if file_format:
                ImportFile.objects.filter(pk=import_file.pk).update(format=file_format)
            items: Iterable[Item] = reader(stream, name=import_file.name)
            outcome = file_import(
                catalogue_import=catalogue_import,
                import_file=import_file,
                items=items,
                progress=lambda n: meter.show(read=n, at=_position(stream), size=import_file.size),
            )
            return outcome.recordings, outcome.grown
    except Unreadable as exc:  # raised before the first item (format_of, or opening)
        reason = exc.message
    except OSError as exc:
        logger.warning("import %s: file %s: %s", catalogue_import.pk, import_file.pk, exc)
        reason = "The file could not be opened; upload it again."
    except Exception:
        logger.exception("import %s: file %s failed", catalogue_import.pk, import_file.pk)
        reason = (
            "The portal could not import this file because of an error on its side; "
            "try again later, or ask the portal's staff."
        )
    # A file whose rows committed stays imported, whatever failed after (its
    # withdrawals): only a file still waiting is marked as not imported.
    ImportFile.objects.filter(pk=import_file.pk, status=ImportFile.Status.WAITING).update(
        status=ImportFile.Status.FAILED, reason=reason, recordings=0
    )
    return 0, Counter()
