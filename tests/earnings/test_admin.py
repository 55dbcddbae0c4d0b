"""Staff read usage reports with their totals, and every allocation with its compliance:
read-only, filterable to the flagged lines, and constant in queries however many there
are."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.earnings.models import Allocation, Compliance, UsageReport
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in, say

REPORTS = "admin:earnings_usagereport_changelist"
ALLOCATIONS = "admin:earnings_allocation_changelist"


def ingest(world: World, lines: list[tuple[Work, str]], *, reference: str, month: str = "10"):
    end = {"09": "30", "10": "31"}[month]
    parsed = usage_report_parse(
        {
            "reference": reference,
            "period": {"start": f"2026-{month}-01", "end": f"2026-{month}-{end}"},
            "currency": "EUR",
            "lines": [
                {"isrc": work.isrc, "use": "training", "units": 10, "gross": gross}
                for work, gross in lines
            ],
        }
    )
    return usage_report_submit(product=world.product, parsed=parsed).report


@pytest.fixture
def reports(world: World) -> World:
    """October: Night Drive 0 permitted (100.00), Night Drive 1 never (10.00), Night
    Drive 2 granted mid-month (20.00). September: Night Drive 1 only (5.00)."""
    Licence.objects.update(starts_on=date(2026, 1, 1))
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=UTC)):
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    with time_machine.travel(datetime(2026, 10, 15, 12, tzinfo=UTC)):
        say(world, Side.ARTIST, Answer.GRANTED, world.works[2])
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, world.works[2])
    ingest(world, [(world.works[1], "5.00")], reference="sep", month="09")
    ingest(
        world,
        [(world.works[0], "100.00"), (world.works[1], "10.00"), (world.works[2], "20.00")],
        reference="oct",
    )
    return world


@pytest.fixture
def staff_client(world: World) -> Client:
    return logged_in(world.staff)


def listed(client: Client, name: str, **params: str) -> list:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


# --- usage reports ------------------------------------------------------------------------


def test_the_report_list_shows_each_reports_totals(reports: World, staff_client: Client):
    response = staff_client.get(reverse(REPORTS))
    october = next(r for r in response.context["cl"].result_list if r.reference == "oct")
    assert (october.line_count, october.gross_total, october.flagged_lines, october.held) == (
        3,
        Decimal("130.00"),
        2,
        Decimal("30.00"),
    )
    page = response.content.decode()
    assert "130.00 EUR" in page and "30.00 EUR" in page


def test_a_report_page_shows_its_totals_and_links_to_its_flagged_lines(
    reports: World, staff_client: Client
) -> None:
    report = UsageReport.objects.get(reference="oct")
    page = staff_client.get(
        reverse("admin:earnings_usagereport_change", args=[report.pk])
    ).content.decode()
    assert "130.00 EUR" in page and "30.00 EUR" in page
    flagged = f"{reverse(ALLOCATIONS)}?report__id__exact={report.pk}&amp;compliance=flagged"
    assert flagged in page
    assert [
        a.work_id
        for a in listed(
            staff_client, ALLOCATIONS, report__id__exact=str(report.pk), compliance="flagged"
        )
    ] == [
        reports.works[1].pk,
        reports.works[2].pk,
    ]


def test_reports_cannot_be_added_changed_or_deleted_in_admin(
    reports: World, staff_client: Client
) -> None:
    report = UsageReport.objects.get(reference="oct")
    assert staff_client.get(reverse("admin:earnings_usagereport_add")).status_code == 403
    change = reverse("admin:earnings_usagereport_change", args=[report.pk])
    assert staff_client.post(change, {"reference": "edited"}).status_code == 403
    delete = reverse("admin:earnings_usagereport_delete", args=[report.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert UsageReport.objects.filter(reference="oct").exists()


# --- allocations --------------------------------------------------------------------------


def test_allocations_filter_to_the_flagged_lines(reports: World, staff_client: Client) -> None:
    def works(**params: str) -> set[str]:
        return {a.work.title for a in listed(staff_client, ALLOCATIONS, **params)}

    assert works(compliance="flagged") == {"Night Drive 1", "Night Drive 2"}
    assert works(compliance="permitted") == {"Night Drive 0"}
    assert works(compliance="partly") == {"Night Drive 2"}
    assert works(compliance="unpermitted") == {"Night Drive 1"}
    assert len(listed(staff_client, ALLOCATIONS, compliance="flagged")) == 3


def test_allocations_filter_by_month_and_product(reports: World, staff_client: Client) -> None:
    september = listed(staff_client, ALLOCATIONS, month="2026-09")
    assert [(a.month, a.compliance) for a in september] == [
        (date(2026, 9, 1), Compliance.UNPERMITTED)
    ]
    other = f.ProductFactory()
    assert listed(staff_client, ALLOCATIONS, product__id__exact=str(other.pk)) == []
    mine = listed(staff_client, ALLOCATIONS, product__id__exact=str(reports.product.pk))
    assert len(mine) == 4
    assert len(listed(staff_client, ALLOCATIONS, month="not-a-month")) == 4
    page = staff_client.get(reverse(ALLOCATIONS)).content.decode()
    assert "October 2026" in page and "September 2026" in page


@pytest.mark.parametrize("typed", ["isrc", "dashed", "title", "reference"])
def test_allocations_are_found_by_isrc_title_or_report_reference(
    reports: World, staff_client: Client, typed: str
) -> None:
    isrc = reports.works[1].isrc
    term = {
        "isrc": isrc.lower(),
        "dashed": f"{isrc[:2]}-{isrc[2:5]}-{isrc[5:7]}-{isrc[7:]}",
        "title": "night drive 1",
        "reference": "oct",
    }[typed]
    found = {(a.work_id, a.report.reference) for a in listed(staff_client, ALLOCATIONS, q=term)}
    if typed == "reference":
        assert found == {(w.pk, "oct") for w in reports.works}
    else:
        assert found == {(reports.works[1].pk, "oct"), (reports.works[1].pk, "sep")}


def test_an_allocation_shows_its_amounts_and_no_licence_as_a_dash(
    world: World, staff_client: Client
) -> None:
    # The world's licence started 30 days ago: nothing covered September.
    ingest(world, [(world.works[0], "7.00")], reference="sep", month="09")
    allocation = Allocation.objects.get()
    page = staff_client.get(reverse(ALLOCATIONS)).content.decode()
    assert "7.00 EUR" in page and "—" in page
    change = reverse("admin:earnings_allocation_change", args=[allocation.pk])
    assert staff_client.get(change).status_code == 200


def test_allocations_cannot_be_added_changed_or_deleted(
    reports: World, staff_client: Client
) -> None:
    allocation = Allocation.objects.filter(compliance=Compliance.PERMITTED).get()
    assert staff_client.get(reverse("admin:earnings_allocation_add")).status_code == 403
    change = reverse("admin:earnings_allocation_change", args=[allocation.pk])
    assert staff_client.post(change, {"compliance": "unpermitted"}).status_code == 403
    allocation.refresh_from_db()
    assert allocation.compliance == Compliance.PERMITTED


def test_people_who_are_not_staff_never_see_allocations(
    reports: World, manager_client: Client
) -> None:
    response = manager_client.get(reverse(ALLOCATIONS))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- query counts -------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def more_reports(world: World, count: int, start: int) -> None:
    for n in range(start, start + count):
        works = [f.WorkFactory(primary_artist=world.artist) for _ in range(3)]
        ingest(world, [(work, "1.00") for work in works], reference=f"r{n}")


@pytest.mark.parametrize(
    "name",
    [
        REPORTS,
        ALLOCATIONS,
        "admin:earnings_usageline_changelist",
        "admin:earnings_usagereport_upload",
    ],
)
def test_the_changelists_load_in_the_same_queries_however_many_rows(
    world: World, staff_client: Client, name: str
) -> None:
    url = reverse(name)
    more_reports(world, 2, 0)
    few = queries_for(staff_client, url)
    more_reports(world, 15, 2)
    many = queries_for(staff_client, url)
    assert few == many
    assert many <= 12
