"""The demo publishes the first artist's page, with one report in the team's inbox."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.fans.models import FanPage, MisuseReport
from tests.seeded import use_types_seeded  # noqa: F401 (autouse: the demo uses them)

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", password="listen-to-the-artists", stdout=out)
    return out.getvalue()


def test_the_demo_publishes_ada_lanes_page_with_one_report_idempotently(client) -> None:
    output = seed()
    page = FanPage.objects.get()
    assert page.artist.name == "Ada Lane" and page.published and page.slug == "ada-lane"
    ada = next(line for line in output.splitlines() if "artist@demo.test" in line)
    assert "public page http://127.0.0.1:8000/a/ada-lane/ (1 new misuse report)" in ada
    html = client.get("/a/ada-lane/").content.decode()
    assert "Tunesmith" in html and "Everything else is not authorised by Ada Lane." in html

    seed()

    assert FanPage.objects.count() == 1
    assert MisuseReport.objects.count() == 1
