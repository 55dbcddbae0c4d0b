"""Catalogue imports: a label's files, what became of each, and the report.

An import is a batch of files for one label (DDEX ERN messages or the documented CSV),
run by a worker (`tasks.py`) or by `manage.py import_catalogue`. Each file is imported
in one transaction, whole or not at all; within a readable file, a bad recording is
rejected alone and named in the report (`ImportItem`).
"""

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models

from portal.catalogue.models import Label, Work


def imports_storage() -> Storage:
    """Where uploads wait for the worker: IMPORTS_ROOT, which web and worker share."""
    return storages["imports"]


class CatalogueImport(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Imported"
        FAILED = "failed", "Not every file could be imported"

    class Source(models.TextChoices):
        ADMIN = "admin", "Staff, in admin"
        LABEL = "label", "The label's pages"
        COMMAND = "command", "The command line"

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="imports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # The report's tallies, added to as each file commits.
    works_created = models.PositiveIntegerField(default=0)
    works_updated = models.PositiveIntegerField(default=0)
    works_unchanged = models.PositiveIntegerField(default=0)
    works_withdrawn = models.PositiveIntegerField(default=0)
    works_reinstated = models.PositiveIntegerField(default=0)
    artists_created = models.PositiveIntegerField(default=0)
    artists_matched = models.PositiveIntegerField(default=0)
    releases_created = models.PositiveIntegerField(default=0)
    releases_updated = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["label", "-created_at"], name="import_label_created")]

    def __str__(self) -> str:
        return f"Import {self.pk} for {self.label}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class ImportFile(models.Model):
    class Format(models.TextChoices):
        ERN_3 = "ern3", "DDEX ERN 3.8"
        ERN_4 = "ern4", "DDEX ERN 4"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Not imported"

    catalogue_import = models.ForeignKey(
        CatalogueImport, on_delete=models.CASCADE, related_name="files"
    )
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=255)
    # Uploaded files are kept under IMPORTS_ROOT for the worker to read; files named on
    # the command line are read where they are and not copied.
    file = models.FileField(upload_to="%Y/%m/", storage=imports_storage, blank=True)
    size = models.BigIntegerField(default=0)
    format = models.CharField(max_length=10, choices=Format.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    reason = models.TextField(blank=True, help_text="Why nothing of the file was imported.")
    recordings = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["catalogue_import", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class ImportItem(models.Model):
    """One line of the report: a recording rejected, imported with a warning, updated,
    withdrawn or reinstated, and where the file said it."""

    class Kind(models.TextChoices):
        REJECTED = "rejected", "Rejected"
        WARNING = "warning", "Imported with a warning"
        UPDATED = "updated", "Updated"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REINSTATED = "reinstated", "Live again"

    catalogue_import = models.ForeignKey(
        CatalogueImport, on_delete=models.CASCADE, related_name="items"
    )
    file = models.ForeignKey(ImportFile, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    where = models.CharField(max_length=300, blank=True, help_text="Element path or CSV row.")
    isrc = models.CharField("ISRC", max_length=40, blank=True)
    work = models.ForeignKey(Work, on_delete=models.SET_NULL, null=True, blank=True)
    code = models.CharField(max_length=40, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["catalogue_import", "pk"]
        indexes = [models.Index(fields=["catalogue_import", "kind", "id"], name="import_item_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.where} {self.message[:60]}"
