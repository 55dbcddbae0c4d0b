"""The admin's CSV upload judges amounts, periods and text as the API does: by the one
published pattern and rules, every mistake named by its row, nothing stored."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.earnings.models import UsageLine, UsageReport
from portal.licensing.models import Licence
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in

UPLOAD = "admin:earnings_usagereport_upload"


@pytest.fixture
def staff(world: World) -> Client:
    Licence.objects.update(starts_on=date(2026, 1, 1))
    return logged_in(world.staff)


def upload(client: Client, world: World, gross: str, **fields: str):
    rows = ["isrc,use,units,gross,credit", f"{world.works[0].isrc},training,1,{gross},Ada"]
    file = SimpleUploadedFile("report.csv", "\n".join(rows).encode(), content_type="text/csv")
    data = {
        "product": world.product.pk,
        "reference": "2026-10-upload",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "currency": "EUR",
        "file": file,
        **fields,
    }
    return client.post(reverse(UPLOAD), data)


@pytest.mark.parametrize("gross", ["1_000", "١٢", "1e2", "+5", "-0", ".5", '"1,000"', "5."])
def test_an_amount_outside_the_published_pattern_is_named_by_its_row(
    world: World, staff: Client, gross: str
) -> None:
    response = upload(staff, world, gross)
    assert [str(p).split(":")[0] for p in response.context["problems"]] == [
        "Row 1 (line 2 of the file), gross"
    ]
    assert not UsageReport.objects.exists() and not UsageLine.objects.exists()


def test_spaces_around_a_cell_are_trimmed_before_the_pattern_applies(
    world: World, staff: Client
) -> None:
    upload(staff, world, " 12.50 ")
    assert [str(line.gross) for line in UsageLine.objects.all()] == ["12.50"]


@pytest.mark.parametrize(
    ("start", "end"), [("0999-12-01", "0999-12-31"), ("2025-01-01", "2026-10-31")]
)
def test_a_period_before_2000_or_over_a_year_is_refused(
    world: World, staff: Client, start: str, end: str
) -> None:
    response = upload(staff, world, "1.00", period_start=start, period_end=end)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot start before 2000-01-01" in page or "at most a year (366 days" in page
    assert not UsageReport.objects.exists()
