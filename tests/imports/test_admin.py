"""Catalogue imports in admin: staff upload files for any label, follow the import and
read its report; the artists and works lists filter what imports made."""

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.catalogue.models import Artist
from portal.imports import tasks
from portal.imports.models import CatalogueImport, ImportFile, ImportItem
from tests import factories as f
from tests.conftest import World, logged_in

CSV = b"isrc,title,artist\nUSRC17607839,Night Drive,Ada Lane\n"


@pytest.fixture(autouse=True)
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.import_run, "delay", sent.append)
    return sent


@pytest.fixture
def staff(world: World) -> Client:
    return logged_in(world.staff)


def test_staff_upload_files_for_a_label_and_see_the_import_queued(
    world: World, staff: Client, queued: list[int], django_capture_on_commit_callbacks
) -> None:
    add = reverse("admin:imports_catalogueimport_add")
    page = staff.get(add).content.decode()
    assert 'type="file"' in page and "multiple" in page
    assert "imports/catalogue-template.csv" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            add,
            {
                "label": world.other_label.pk,
                "uploads": [SimpleUploadedFile("a.csv", CSV), SimpleUploadedFile("b.xml", CSV)],
            },
        )
    made = CatalogueImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:imports_catalogueimport_change", args=[made.pk])
    assert (made.label, made.source, made.requested_by) == (
        world.other_label,
        CatalogueImport.Source.ADMIN,
        world.staff,
    )
    assert queued == [made.pk]
    page = staff.get(response["Location"]).content.decode()
    assert "Import of a.csv, b.xml for Southern Cross Music queued." in page
    assert "<progress" in page and 'hx-trigger="every 2s"' in page
    assert "htmx" in page  # the script that polls, served by the portal itself


def test_a_refused_upload_says_why_and_records_nothing(
    world: World, staff: Client, settings
) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    response = staff.post(
        reverse("admin:imports_catalogueimport_add"),
        {"label": world.label.pk, "uploads": [SimpleUploadedFile("a.csv", CSV)]},
    )
    assert response.status_code == 422
    assert "a.csv is 52 bytes; an upload may be at most 10 bytes." in response.content.decode()
    response = staff.post(reverse("admin:imports_catalogueimport_add"), {"label": world.label.pk})
    assert response.status_code == 422
    assert not CatalogueImport.objects.exists()


def test_the_list_filters_by_label_and_status(world: World, staff: Client) -> None:
    CatalogueImport.objects.create(label=world.label, source="admin", status="done")
    CatalogueImport.objects.create(label=world.other_label, source="label", status="failed")
    url = reverse("admin:imports_catalogueimport_changelist")
    response = staff.get(url, {"label__id__exact": world.other_label.pk})
    assert [i.label for i in response.context["cl"].result_list] == [world.other_label]
    response = staff.get(url, {"status__exact": "done"})
    assert [i.label for i in response.context["cl"].result_list] == [world.label]


def test_the_report_names_the_label_and_lists_the_items(
    world: World, staff: Client, django_assert_max_num_queries
) -> None:
    made = CatalogueImport.objects.create(
        label=world.label, source="admin", status="failed", rejected=1, requested_by=world.staff
    )
    good = ImportFile.objects.create(
        catalogue_import=made, name="a.csv", status="imported", format="csv", recordings=3
    )
    ImportFile.objects.create(
        catalogue_import=made,
        position=1,
        name="b.xml",
        status="failed",
        reason="The root element is not an ERN message.",
    )
    ImportItem.objects.create(
        catalogue_import=made,
        file=good,
        kind=ImportItem.Kind.REJECTED,
        where="row 4",
        isrc="USRC1760783",
        message="USRC1760783 is not a valid ISRC.",
    )
    url = reverse("admin:imports_catalogueimport_change", args=[made.pk])
    with django_assert_max_num_queries(15):
        response = staff.get(url)
    html = response.content.decode()
    assert "For Northern Lights Records." in html
    assert "The root element is not an ERN message." in html
    assert "<code>row 4</code>" in html and "USRC1760783 is not a valid ISRC." in html
    assert "hx-trigger" not in html
    assert staff.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_imports_are_kept_not_edited_or_deleted(world: World, staff: Client) -> None:
    made = CatalogueImport.objects.create(label=world.label, source="admin", status="done")
    assert staff.post(
        reverse("admin:imports_catalogueimport_delete", args=[made.pk])
    ).status_code in (
        302,
        403,
    )
    assert CatalogueImport.objects.filter(pk=made.pk).exists()


def test_a_stalled_import_can_be_queued_again(
    world: World, staff: Client, queued: list[int], django_capture_on_commit_callbacks
) -> None:
    running = CatalogueImport.objects.create(label=world.label, source="admin", status="running")
    done = CatalogueImport.objects.create(label=world.label, source="admin", status="done")
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(
            reverse("admin:imports_catalogueimport_changelist"),
            {"action": "requeue", "_selected_action": [running.pk, done.pk]},
        )
    assert queued == [running.pk]


def test_artists_an_import_created_and_withdrawn_works_have_filters(
    world: World, staff: Client
) -> None:
    made = f.ArtistFactory(name="New Voice", label=world.label, created_by_import=True)
    response = staff.get(
        reverse("admin:catalogue_artist_changelist"), {"created_by_import__exact": "1"}
    )
    assert list(response.context["cl"].result_list) == [made]

    withdrawn = world.works[1]
    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    url = reverse("admin:catalogue_work_changelist")
    assert list(staff.get(url, {"withdrawn": "yes"}).context["cl"].result_list) == [withdrawn]
    live = staff.get(url, {"withdrawn": "no"}).context["cl"].result_list
    assert withdrawn not in live and world.works[0] in live


def test_the_artist_page_keeps_what_the_apps_above_add() -> None:
    """Imports extend the page registered, so the team inline stays on it."""
    page = admin.site.get_model_admin(Artist)
    assert "created_by_import" in page.list_filter
    assert any(inline.__name__ == "ArtistTeamInline" for inline in page.inlines)
