"""Starting an import from uploads: the files are kept where the worker reads them, under
names of the portal's own, and the run is queued only once the import has committed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.imports import tasks
from portal.imports.models import CatalogueImport, ImportFile, imports_storage
from portal.imports.services.start import ImportRefused, import_requeue, import_start
from tests.conftest import World

CSV = b"isrc,title,artist\nUSRC17607839,Night Drive,Ada Lane\n"


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.import_run, "delay", sent.append)
    return sent


def test_the_files_are_stored_and_the_run_queued_after_commit(
    world: World, queued: list[int], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = import_start(
            label=world.label,
            uploads=[
                SimpleUploadedFile("catalogue.csv", CSV),
                SimpleUploadedFile("delivery.xml", b"<NewReleaseMessage/>"),
            ],
            requested_by=world.manager,
            source=CatalogueImport.Source.LABEL,
        )
        assert queued == []  # nothing leaves before commit
    assert len(callbacks) == 1
    assert queued == [started.pk]
    assert (started.status, started.requested_by, started.source) == (
        CatalogueImport.Status.QUEUED,
        world.manager,
        CatalogueImport.Source.LABEL,
    )
    files = list(started.files.order_by("position"))
    assert [(f.position, f.name, f.size, f.status) for f in files] == [
        (0, "catalogue.csv", len(CSV), ImportFile.Status.WAITING),
        (1, "delivery.xml", 20, ImportFile.Status.WAITING),
    ]
    with files[0].file.open("rb") as stream:
        assert stream.read() == CSV
    assert imports_storage().exists(files[0].file.name)


def test_the_senders_name_is_shown_never_used_as_a_path(world: World, queued: list[int]) -> None:
    upload = SimpleUploadedFile("x.csv", CSV)
    upload.name = "../../etc/passwd\u202e.csv"  # as a hostile client could send it
    started = import_start(
        label=world.label, uploads=[upload], requested_by=None, source=CatalogueImport.Source.ADMIN
    )
    stored = started.files.get()
    assert stored.name == "upload"  # a name holding a text-direction mark is not shown
    assert ".." not in stored.file.name and "passwd" not in stored.file.name
    assert not stored.file.name.endswith(".csv")  # nor is its ending trusted

    upload = SimpleUploadedFile("x.csv", CSV)
    upload.name = "..\\..\\windows\\Catalogue 2026.CSV"
    stored = import_start(
        label=world.label, uploads=[upload], requested_by=None, source=CatalogueImport.Source.ADMIN
    ).files.get()
    assert stored.name == "Catalogue 2026.CSV"
    assert stored.file.name.endswith(".csv") and "windows" not in stored.file.name


def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(
    world: World, queued: list[int], settings, django_capture_on_commit_callbacks
) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    before = set(imports_storage().listdir("")[1]) if imports_storage().exists("") else set()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportRefused) as refused:
        import_start(
            label=world.label,
            uploads=[
                SimpleUploadedFile("small.csv", b"isrc\n"),
                SimpleUploadedFile("big.csv", CSV),
            ],
            requested_by=world.manager,
            source=CatalogueImport.Source.LABEL,
        )
    assert refused.value.message == "big.csv is 52 bytes; an upload may be at most 10 bytes."
    assert not CatalogueImport.objects.exists() and queued == []
    after = set(imports_storage().listdir("")[1]) if imports_storage().exists("") else set()
    assert after == before


def test_no_upload_or_an_empty_one_is_refused(world: World, queued: list[int]) -> None:
    for uploads, message in (
        ([], "Choose at least one file to import."),
        ([SimpleUploadedFile("empty.csv", b"")], "empty.csv is empty."),
    ):
        with pytest.raises(ImportRefused, match=message):
            import_start(
                label=world.label,
                uploads=uploads,
                requested_by=None,
                source=CatalogueImport.Source.ADMIN,
            )
    assert not CatalogueImport.objects.exists()


def test_an_import_not_finished_can_be_queued_again_a_finished_one_not(
    world: World, queued: list[int], django_capture_on_commit_callbacks
) -> None:
    running = CatalogueImport.objects.create(
        label=world.label, source="admin", status=CatalogueImport.Status.RUNNING
    )
    done = CatalogueImport.objects.create(
        label=world.label, source="admin", status=CatalogueImport.Status.DONE
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert import_requeue(catalogue_import=running) is True
        assert import_requeue(catalogue_import=done) is False
    assert queued == [running.pk]
