"""Staff import a catalogue end to end, with nothing faked: the upload in admin in a real
browser, a Celery worker in its own process (Redis as the broker, this run's PostgreSQL
database and upload directory), the import's page following it with htmx until the
report replaces the progress."""

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import Page, expect

from portal.catalogue.models import Work
from portal.imports.models import CatalogueImport
from tests.conftest import World
from tests.processes import default_queue_worker

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") or connection.vendor != "postgresql",
        reason="a real worker needs Redis (REDIS_URL) and a database it can share (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]

# The documented CSV: two recordings of one release, and a row whose ISRC is not one.
CATALOGUE = (
    "isrc,title,artist,artist_isni,release,release_date,iswc,duration,contributors\n"
    "GBAYE0601498,Harbour Lights,Ada Lane,,Night Drive,2026-03-01,,3:25,composer:Ada Lane\n"
    "GBAYE0601499,Paper Boats,Ada Lane,,Night Drive,2026-03-01,,PT4M2S,\n"
    "GBAYE06014,Broken Row,Ada Lane,,Night Drive,2026-03-01,,3:00,\n"
)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A worker on the default queue, which only this run's imports use: whatever an
    earlier run left there is dropped first."""
    yield from default_queue_worker(tmp_path / "worker.log", "imports")


def sign_in(page: Page, client: Client, base_url: str) -> None:
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )


def test_staff_upload_a_csv_and_watch_the_worker_import_it(
    world: World, live_server, page: Page, worker, tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff = Client()
    staff.force_login(world.staff)
    sign_in(page, staff, live_server.url)
    catalogue = tmp_path / "northern-lights.csv"
    catalogue.write_text(CATALOGUE, encoding="utf-8")

    page.goto(f"{live_server.url}/admin/imports/catalogueimport/add/")
    page.get_by_label("Label:").select_option(label="Northern Lights Records")
    page.get_by_label("Catalogue files:").set_input_files([str(catalogue)])
    page.get_by_role("button", name="Import").click()

    made = CatalogueImport.objects.get()
    expect(page).to_have_url(f"{live_server.url}/admin/imports/catalogueimport/{made.pk}/change/")
    expect(page.locator("ul.messagelist")).to_contain_text("northern-lights.csv")
    # The page follows the import by itself, then shows the report in place of the bar.
    report = page.get_by_role("heading", name="Imported", exact=True)
    expect(report).to_be_visible(timeout=30_000)
    expect(page.locator("progress")).to_have_count(0)
    expect(page.locator("dl.tallies")).to_contain_text(re.compile(r"Works created\s*2"))
    expect(page.locator("dl.tallies")).to_contain_text(re.compile(r"Recordings rejected\s*1"))
    files = page.get_by_role("table", name="The import's files and what became of each")
    expect(files).to_contain_text("northern-lights.csv")
    expect(files).to_contain_text("CSV")
    lines = page.get_by_role("table", name=re.compile("^The report's lines"))
    expect(lines).to_contain_text("row 4")

    made.refresh_from_db()
    assert (made.status, made.works_created, made.rejected) == (
        CatalogueImport.Status.DONE,
        2,
        1,
    )
    assert set(Work.objects.filter(label=world.label).values_list("isrc", flat=True)) >= {
        "GBAYE0601498",
        "GBAYE0601499",
    }
    assert errors == []  # nothing refused by the Content Security Policy
