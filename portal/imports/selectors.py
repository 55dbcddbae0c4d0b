"""Reads for the imports' pages: a label's imports, one import's state and its report.

Every query is scoped by the label the caller reached through `consent.access`, so
another label's import is not found (a 404), and each page costs a fixed number of
queries whatever the size of the report.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from portal.catalogue.models import Label
from portal.imports.models import CatalogueImport, ImportFile, ImportItem
from portal.imports.progress import Progress, progress_of

IMPORTS_PER_PAGE = 25
ITEMS_PER_PAGE = 50


def imports_of(*, label: Label) -> QuerySet[CatalogueImport]:
    """The label's imports, newest first, with the number of files of each."""
    return (
        CatalogueImport.objects.filter(label=label)
        .select_related("requested_by")
        .annotate(file_count=Count("files"))
        .order_by("-created_at", "-pk")
    )


def imports_page(*, label: Label, number: str | int | None) -> Page:
    return Paginator(imports_of(label=label), IMPORTS_PER_PAGE).get_page(number)


def import_of(*, label: Label, import_id: int) -> CatalogueImport:
    """One of the label's imports; CatalogueImport.DoesNotExist for any other."""
    return CatalogueImport.objects.select_related("label", "requested_by").get(
        label=label, pk=import_id
    )


@dataclass(frozen=True)
class ImportState:
    """What the import's page shows: the import, its files, how far it is while it runs,
    and, when it has run, its report's items of one kind (or all), a page at a time."""

    catalogue_import: CatalogueImport
    files: list[ImportFile]
    progress: Progress | None
    kind_counts: dict[str, int]
    kind: str
    items: Page

    @property
    def tallies(self) -> list[tuple[str, int]]:
        i = self.catalogue_import
        return [
            ("Works created", i.works_created),
            ("Works updated", i.works_updated),
            ("Works unchanged", i.works_unchanged),
            ("Works withdrawn", i.works_withdrawn),
            ("Works live again", i.works_reinstated),
            ("Artists created", i.artists_created),
            ("Artists matched", i.artists_matched),
            ("Releases created", i.releases_created),
            ("Releases updated", i.releases_updated),
            ("Recordings rejected", i.rejected),
            ("Warnings", i.warnings),
        ]

    @property
    def total(self) -> int:
        return sum(self.kind_counts.values())

    @property
    def query(self) -> str:
        """The filter, for the report's page links."""
        return urlencode({"kind": self.kind}) if self.kind else ""

    @property
    def kinds(self) -> list[tuple[str, str, int]]:
        """Each kind of report item with its label and count, for the filter."""
        return [
            (value, label, self.kind_counts.get(value, 0))
            for value, label in ImportItem.Kind.choices
        ]

    @property
    def files_done(self) -> int:
        return sum(1 for f in self.files if f.status != ImportFile.Status.WAITING)

    @property
    def percent(self) -> int:
        """How far the import is, for the progress bar: the running file's bytes when the
        worker has said, else the files done."""
        if self.progress is not None and self.progress.bytes_total:
            return self.progress.percent
        return self.files_done * 100 // len(self.files) if self.files else 0

    @property
    def recordings_read(self) -> int:
        done = sum(f.recordings for f in self.files)
        if self.progress is not None:
            return max(done, self.progress.recordings)
        return done


def import_state(
    *, catalogue_import: CatalogueImport, kind: str = "", page: str | int | None = None
) -> ImportState:
    """The import's page: four queries, whatever the number of files or items."""
    files = list(catalogue_import.files.order_by("position", "pk"))
    progress = None if catalogue_import.finished else progress_of(catalogue_import.pk)
    counts = {
        row["kind"]: row["n"]
        for row in catalogue_import.items.order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values("kind", "n")
    }
    if kind not in ImportItem.Kind.values:
        kind = ""
    items = catalogue_import.items.select_related("file").order_by("pk")
    if kind:
        items = items.filter(kind=kind)
    # The total is known from the counts: the paginator need not count again.
    total = counts.get(kind, 0) if kind else sum(counts.values())
    paginator = _Counted(items, ITEMS_PER_PAGE, count=total)
    return ImportState(
        catalogue_import=catalogue_import,
        files=files,
        progress=progress,
        kind_counts=counts,
        kind=kind,
        items=paginator.get_page(page),
    )


class _Counted(Paginator):
    def __init__(self, object_list: QuerySet[ImportItem], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known = count

    @property
    def count(self) -> int:
        return self._known
