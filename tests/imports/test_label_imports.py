"""A label's imports on the label's pages: its managers upload files and follow each
import to its report; anyone else, another label's manager included, gets a 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.imports import tasks
from portal.imports.models import CatalogueImport, ImportFile, ImportItem
from portal.imports.progress import Progress, progress_record
from tests.conftest import World, logged_in

CSV = b"isrc,title,artist\nUSRC17607839,Night Drive,Ada Lane\n"


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.import_run, "delay", sent.append)
    return sent


def an_import(world: World, *, label=None, **fields) -> CatalogueImport:
    catalogue_import = CatalogueImport.objects.create(
        label=label or world.label, source=CatalogueImport.Source.LABEL, **fields
    )
    ImportFile.objects.create(catalogue_import=catalogue_import, name="catalogue.csv", size=10)
    return catalogue_import


def test_the_page_lists_nothing_yet_and_offers_the_upload_and_the_template(
    world: World, manager_client: Client
) -> None:
    response = manager_client.get(reverse("label_imports", args=[world.label.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No import yet" in html
    assert 'type="file"' in html and "multiple" in html
    assert '<label for="id_uploads">Catalogue files</label>' in html
    assert "imports/catalogue-template.csv" in html


def test_the_label_home_links_to_its_imports(world: World, manager_client: Client) -> None:
    response = manager_client.get(reverse("label_home", args=[world.label.pk]))
    assert reverse("label_imports", args=[world.label.pk]) in response.content.decode()


def test_a_manager_uploads_files_and_is_sent_to_the_import(
    world: World, manager_client: Client, queued: list[int], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("label_imports", args=[world.label.pk]),
            {
                "uploads": [
                    SimpleUploadedFile("one.csv", CSV),
                    SimpleUploadedFile("two.csv", CSV),
                ]
            },
        )
    started = CatalogueImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("label_import", args=[world.label.pk, started.pk])
    assert (started.label, started.requested_by, started.source) == (
        world.label,
        world.manager,
        CatalogueImport.Source.LABEL,
    )
    assert list(started.files.values_list("name", flat=True)) == ["one.csv", "two.csv"]
    assert queued == [started.pk]

    page = manager_client.get(response["Location"])
    html = page.content.decode()
    assert "Import started: 2 files." in html
    assert "<progress" in html and 'hx-trigger="every 2s"' in html
    assert "Waiting for a worker" in html


def test_an_upload_over_the_limit_or_none_says_why_and_starts_nothing(
    world: World, manager_client: Client, settings
) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    url = reverse("label_imports", args=[world.label.pk])
    response = manager_client.post(url, {"uploads": [SimpleUploadedFile("big.csv", CSV)]})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was imported." in html
    assert "big.csv is 52 bytes; an upload may be at most 10 bytes." in html
    assert 'aria-invalid="true"' in html

    response = manager_client.post(url, {})
    assert response.status_code == 422
    assert "Choose at least one file to import." in response.content.decode()
    assert not CatalogueImport.objects.exists()


def test_another_labels_manager_and_everyone_else_get_404_and_start_nothing(
    world: World,
) -> None:
    own = an_import(world)
    theirs = an_import(world, label=world.other_label)
    upload = {"uploads": [SimpleUploadedFile("x.csv", CSV)]}
    for user in (world.other_manager, world.artist_user, world.staff):
        client = logged_in(user)
        assert client.get(reverse("label_imports", args=[world.label.pk])).status_code == 404
        assert client.get(reverse("label_import", args=[world.label.pk, own.pk])).status_code == 404
        response = client.post(reverse("label_imports", args=[world.label.pk]), upload)
        assert response.status_code == 404
    # The label's own manager, naming another label's import under their own label.
    manager = logged_in(world.manager)
    response = manager.get(reverse("label_import", args=[world.label.pk, theirs.pk]))
    assert response.status_code == 404
    assert CatalogueImport.objects.count() == 2


def test_the_list_is_newest_first_and_costs_the_same_whatever_its_length(
    world: World, manager_client: Client, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        an_import(world)
    an_import(world, label=world.other_label)
    url = reverse("label_imports", args=[world.label.pk])
    with django_assert_max_num_queries(12):
        response = manager_client.get(url)
    page = response.context["page"]
    assert page.paginator.count == 30
    assert len(page.object_list) == 25
    assert [i.pk for i in page.object_list] == sorted(
        (i.pk for i in page.object_list), reverse=True
    )
    assert "Page 1 of 2" in response.content.decode()


def test_while_it_runs_the_progress_fragment_shows_how_far_it_is(
    world: World, manager_client: Client
) -> None:
    running = an_import(world, status=CatalogueImport.Status.RUNNING, works_created=1200)
    running.started_at = running.created_at
    running.save()
    progress_record(
        running.pk,
        Progress(files_done=0, files_total=1, bytes_done=40, bytes_total=100, recordings=1234),
    )
    url = reverse("label_import", args=[world.label.pk, running.pk])
    response = manager_client.get(url, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # the fragment alone
    assert '<progress id="import-progress-bar" max="100" value="40"' in html
    assert "0 of 1 file done, 1,234 recordings read so far (40%)." in html
    assert "<dt>Works created</dt><dd>1,200</dd>" in html
    assert "HX-Refresh" not in response.headers


def test_once_finished_the_fragment_asks_for_the_whole_page_with_the_report(
    world: World, manager_client: Client
) -> None:
    done = an_import(world, status=CatalogueImport.Status.DONE)
    url = reverse("label_import", args=[world.label.pk, done.pk])
    response = manager_client.get(url, headers={"HX-Request": "true"})
    assert response.headers["HX-Refresh"] == "true"
    page = manager_client.get(url).content.decode()
    assert "hx-trigger" not in page
    assert "Files" in page and "catalogue.csv" in page


def test_the_report_lists_its_items_by_kind_a_page_at_a_time(
    world: World, manager_client: Client, django_assert_max_num_queries
) -> None:
    done = an_import(world, status=CatalogueImport.Status.FAILED, rejected=60)
    csv_file = done.files.get()
    broken = ImportFile.objects.create(
        catalogue_import=done,
        position=1,
        name="broken.xml",
        status=ImportFile.Status.FAILED,
        reason="The file is not well-formed XML (line 3, column 1).",
    )
    ImportItem.objects.bulk_create(
        ImportItem(
            catalogue_import=done,
            file=csv_file,
            kind=ImportItem.Kind.REJECTED,
            where=f"row {n + 2}",
            isrc=f"XX{n}",
            code="invalid_isrc",
            message=f"XX{n} is not a valid ISRC.",
        )
        for n in range(60)
    )
    ImportItem.objects.create(
        catalogue_import=done,
        file=csv_file,
        kind=ImportItem.Kind.WITHDRAWN,
        where="/PurgeReleaseMessage/PurgedRelease[1]",
        isrc="USRC17607839",
        message="Withdrawn: no other live release carries it.",
    )
    url = reverse("label_import", args=[world.label.pk, done.pk])
    with django_assert_max_num_queries(12):
        response = manager_client.get(url)
    html = response.content.decode()
    assert "Not every file could be imported" in html
    assert "broken.xml" in html and "The file is not well-formed XML (line 3, column 1)." in html
    assert "Everything (61)" in html and "Rejected (60)" in html
    assert "<code>row 2</code>" in html and "Page 1 of 2" in html

    response = manager_client.get(url, {"kind": ImportItem.Kind.WITHDRAWN})
    html = response.content.decode()
    assert "<code>/PurgeReleaseMessage/PurgedRelease[1]</code>" in html
    assert "<code>row 2</code>" not in html
    assert "Page 1 of" not in html

    response = manager_client.get(url, {"kind": "rejected", "page": "2"})
    html = response.content.decode()
    assert "<code>row 61</code>" in html and "Page 2 of 2" in html
    assert "kind=rejected&amp;page=1" in html

    response = manager_client.get(url, {"kind": ImportItem.Kind.REINSTATED})
    assert "Nothing of this kind in the report." in response.content.decode()
    assert broken.pk  # the failed file is listed with its reason above
