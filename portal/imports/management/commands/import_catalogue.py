"""`python manage.py import_catalogue --label "<name or id>" FILE [FILE ...]`: import files
for a label now, in this process, and print the report. Exit 0 when every file was
imported; non-zero naming the first reason otherwise (a public contract: operators and
outside checks run it). An unknown label or a missing file is refused before anything
is recorded."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from portal.catalogue.models import Label
from portal.imports.models import CatalogueImport, ImportFile, ImportItem
from portal.imports.services import run

PROBLEMS_SHOWN = 20
NAME_MAX = ImportFile._meta.get_field("name").max_length or 255


class Command(BaseCommand):
    help = (
        "Import a label's catalogue from DDEX ERN 3.8 / 4.x messages or the documented CSV, "
        "print the report; exit 0 when every file was imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--label", required=True, help="The label's exact name, or its id.")
        parser.add_argument("files", nargs="+", metavar="FILE", help="Files to import, in order.")

    def handle(self, *args: Any, **options: Any) -> None:
        label = label_named(options["label"])
        paths = [checked_path(name) for name in options["files"]]
        with transaction.atomic():
            catalogue_import = CatalogueImport.objects.create(
                label=label, source=CatalogueImport.Source.COMMAND
            )
            ImportFile.objects.bulk_create(
                ImportFile(
                    catalogue_import=catalogue_import,
                    position=position,
                    name=str(path),
                    size=path.stat().st_size,
                )
                for position, path in enumerate(paths)
            )
        self.stdout.write(
            f"Importing {len(paths)} file(s) for {label.name} (import {catalogue_import.pk})…"
        )
        catalogue_import = run.import_run(catalogue_import=catalogue_import, open_file=open_path)
        self.report(catalogue_import)
        failed = catalogue_import.files.exclude(status=ImportFile.Status.IMPORTED).first()
        if failed is not None:
            reason = failed.reason or f"it is {failed.get_status_display().lower()}"
            raise CommandError(f"{failed.name} was not imported: {reason}")
        if catalogue_import.status != CatalogueImport.Status.DONE:
            raise CommandError(f"The import is {catalogue_import.get_status_display().lower()}.")

    def report(self, catalogue_import: CatalogueImport) -> None:
        i = catalogue_import
        out = self.stdout
        out.write(f"Import {i.pk} for {i.label.name}: {i.get_status_display()}")
        out.write(
            f"  works: {i.works_created} created, {i.works_updated} updated, "
            f"{i.works_unchanged} unchanged, {i.works_withdrawn} withdrawn, "
            f"{i.works_reinstated} live again"
        )
        out.write(f"  artists: {i.artists_created} created, {i.artists_matched} matched")
        out.write(f"  releases: {i.releases_created} created, {i.releases_updated} updated")
        out.write(f"  rejected: {i.rejected}, warnings: {i.warnings}")
        for f in i.files.order_by("position", "pk"):
            outcome = f.get_status_display()
            details = f"{f.recordings} recordings" if not f.reason else f.reason
            fmt = f" ({f.get_format_display()})" if f.format else ""
            out.write(f"  {f.name}{fmt}: {outcome}, {details}")
        problems = list(
            i.items.filter(kind__in=[ImportItem.Kind.REJECTED, ImportItem.Kind.WARNING])
            .select_related("file")
            .order_by("pk")[: PROBLEMS_SHOWN + 1]
        )
        if problems:
            out.write("First problems:")
            for item in problems[:PROBLEMS_SHOWN]:
                isrc = f" {item.isrc}" if item.isrc else ""
                out.write(
                    f"  {item.get_kind_display()}: {item.file.name} {item.where}{isrc}: "
                    f"{item.message}"
                )
            if len(problems) > PROBLEMS_SHOWN:
                out.write(f"  … and {i.rejected + i.warnings - PROBLEMS_SHOWN} more.")


def label_named(value: str) -> Label:
    """The label by exact name, else by id."""
    label = Label.objects.filter(name=value).first()
    if label is None and value.strip().isdigit():
        label = Label.objects.filter(pk=int(value)).first()
    if label is None:
        raise CommandError(f"No label is named {value!r} or has that id. Nothing was imported.")
    return label


def checked_path(name: str) -> Path:
    path = Path(os.path.abspath(name))
    if not path.is_file():
        raise CommandError(f"{name}: no such file. Nothing was imported.")
    if not os.access(path, os.R_OK):
        raise CommandError(f"{name}: cannot be read. Nothing was imported.")
    if len(str(path)) > NAME_MAX:
        raise CommandError(f"{name}: the path is longer than {NAME_MAX} characters.")
    return path


@contextmanager
def open_path(import_file: ImportFile) -> Iterator[BinaryIO]:
    """Files named on the command line are read where they are, not copied."""
    with open(import_file.name, "rb") as stream:
        yield stream
