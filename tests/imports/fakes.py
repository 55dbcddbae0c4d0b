"""A stand-in for the writer (`services.run.import_run`) where a test is about what calls
it: each file whose name says "broken" fails, the others are imported with one recording
and one warning each, as the real writer records them."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import BinaryIO

from django.utils import timezone

from portal.imports.models import CatalogueImport, ImportFile, ImportItem

Opener = Callable[[ImportFile], AbstractContextManager[BinaryIO]] | None


class FakeRun:
    def __init__(self) -> None:
        self.calls: list[tuple[int, Opener]] = []
        self.read: dict[str, bytes] = {}

    def __call__(
        self, *, catalogue_import: CatalogueImport, open_file: Opener = None
    ) -> CatalogueImport:
        self.calls.append((catalogue_import.pk, open_file))
        catalogue_import.status = CatalogueImport.Status.RUNNING
        catalogue_import.started_at = timezone.now()
        for import_file in catalogue_import.files.filter(status=ImportFile.Status.WAITING):
            if open_file is not None:
                with open_file(import_file) as stream:
                    self.read[import_file.name] = stream.read()
            if "broken" in import_file.name:
                import_file.status = ImportFile.Status.FAILED
                import_file.reason = "The file is not well-formed XML (line 3, column 1)."
            else:
                import_file.status = ImportFile.Status.IMPORTED
                import_file.format = ImportFile.Format.CSV
                import_file.recordings = 1
                catalogue_import.works_created += 1
                catalogue_import.warnings += 1
                ImportItem.objects.create(
                    catalogue_import=catalogue_import,
                    file=import_file,
                    kind=ImportItem.Kind.WARNING,
                    where="row 2",
                    isrc="USRC17607839",
                    code="invalid_iswc",
                    message="T-000.000.001-0 is not a valid ISWC: dropped.",
                )
            import_file.save()
        failed = catalogue_import.files.filter(status=ImportFile.Status.FAILED).exists()
        catalogue_import.status = (
            CatalogueImport.Status.FAILED if failed else CatalogueImport.Status.DONE
        )
        catalogue_import.finished_at = timezone.now()
        catalogue_import.save()
        return catalogue_import
