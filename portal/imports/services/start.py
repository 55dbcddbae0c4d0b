"""Starting an import from uploads: the files are stored where the worker reads them, the
import and its files are recorded, and the run is queued once that has committed."""

import os
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from portal.accounts.models import User
from portal.catalogue.models import Label
from portal.imports.models import CatalogueImport, ImportFile
from portal.text import name_control_in

# What a stored upload is called on disk keeps only these endings of the sender's name:
# the name itself is shown, never used as a path.
KNOWN_ENDINGS = (".xml", ".csv", ".txt")


class ImportRefused(Exception):
    """The uploads cannot start an import; the message says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def upload_refusal(upload: UploadedFile) -> str | None:
    """Why one upload cannot be imported, before anything is stored; None when it can."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    size = upload.size or 0
    if size > limit:
        return (
            f"{display_name(upload.name)} is {_mib(size)}; an upload may be at most {_mib(limit)}."
        )
    if size == 0:
        return f"{display_name(upload.name)} is empty."
    return None


def display_name(name: str | None) -> str:
    """The sender's file name as shown: its last part, one line, at most 200 characters."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    if not base or name_control_in(base) is not None:
        return "upload"
    return base[:200]


def import_start(
    *,
    label: Label,
    uploads: Sequence[UploadedFile],
    requested_by: User | None,
    source: CatalogueImport.Source,
) -> CatalogueImport:
    """Store the uploads under the imports storage and record the import (QUEUED) with one
    file per upload, in the order given; the worker's run is queued after commit.

    Raises ImportRefused, storing nothing, when there is no upload or one is empty or over
    IMPORT_MAX_UPLOAD_BYTES."""
    if not uploads:
        raise ImportRefused("Choose at least one file to import.")
    for upload in uploads:
        if (refusal := upload_refusal(upload)) is not None:
            raise ImportRefused(refusal)
    stored: list[ImportFile] = []
    try:
        with transaction.atomic():
            catalogue_import = CatalogueImport.objects.create(
                label=label, requested_by=requested_by, source=source
            )
            for position, upload in enumerate(uploads):
                import_file = ImportFile(
                    catalogue_import=catalogue_import,
                    position=position,
                    name=display_name(upload.name),
                    size=upload.size or 0,
                )
                import_file.file.save(_stored_name(upload.name), upload, save=False)
                stored.append(import_file)
                import_file.save()
            # Robust: the import is recorded whatever the broker does; staff can queue it
            # again from admin.
            transaction.on_commit(lambda: _queue(catalogue_import.pk), robust=True)
    except BaseException:
        # Nothing was recorded, so nothing will ever read what was stored.
        for import_file in stored:
            import_file.file.delete(save=False)
        raise
    return catalogue_import


def _stored_name(name: str | None) -> str:
    ending = os.path.splitext(display_name(name))[1].lower()
    return uuid.uuid4().hex + (ending if ending in KNOWN_ENDINGS else "")


def _queue(import_id: int) -> None:
    # Imported here: tasks depend on services, not the other way round.
    from portal.imports.tasks import import_run

    import_run.delay(import_id)


def _mib(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GiB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"


def import_requeue(*, catalogue_import: CatalogueImport) -> bool:
    """Queue the run of an import that has not finished again (its worker's message was
    lost with the broker, say); the run goes on from its first file not yet imported.
    False, queuing nothing, for an import that has finished."""
    if catalogue_import.finished:
        return False
    transaction.on_commit(lambda: _queue(catalogue_import.pk), robust=True)
    return True
