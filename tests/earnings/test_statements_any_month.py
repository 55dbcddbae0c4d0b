"""Statements and earnings pages for any month a report was ever stored in, even one
validation refuses today: reports are never deleted, so what is stored stays shown."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from portal.earnings.models import Allocation
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import ParsedLine, ParsedReport
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in

OLD_PERIODS = [
    (date(999, 12, 1), date(999, 12, 31)),
    (date(1, 1, 1), date(1, 1, 31)),
    (date(1, 1, 1), date(9, 12, 31)),
]


def stored_unvalidated(world: World, start: date, end: date, reference: str = "old") -> None:
    """A report for start..end stored as it came, bypassing today's validation."""
    work = world.works[0]
    line = ParsedLine(work.pk, world.training.pk, work.isrc, "training", 10, Decimal("1.00"), "")
    parsed = ParsedReport(reference, start, end, "EUR", [line])
    usage_report_submit(product=world.product, parsed=parsed)


def links(html: str, pattern: str) -> list[str]:
    return sorted(set(re.findall(rf'href="({pattern})"', html)))


def walk(client: Client, pages: list[str]) -> None:
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page


@pytest.mark.parametrize(("start", "end"), OLD_PERIODS)
def test_every_artist_statement_page_shows_a_month_stored_before_the_year_1000(
    world: World, start: date, end: date
) -> None:
    stored_unvalidated(world, start, end)
    month = Allocation.objects.values_list("month", flat=True).get()
    client = logged_in(world.artist_user)
    artist = world.artist.pk
    listing = client.get(reverse("artist_statements", args=[artist]))
    assert listing.status_code == 200
    found = links(listing.content.decode(), rf"/artists/{artist}/statements/[^\"]+")
    assert found == [
        f"/artists/{artist}/statements/{month.isoformat()[:7]}.csv",
        f"/artists/{artist}/statements/{month.isoformat()[:7]}/",
    ]
    walk(client, found)
    statement = client.get(found[1])
    assert "1.00" in statement.content.decode()
    walk(
        client,
        [
            reverse("artist_earnings", args=[artist]),
            reverse("artist_earnings_csv", args=[artist]),
            reverse("artist_earning_lines", args=[artist]),
            reverse("artist_credits", args=[artist]),
            reverse("artist_home", args=[artist]),
        ],
    )


@pytest.mark.parametrize(("start", "end"), OLD_PERIODS)
def test_every_label_statement_page_shows_a_month_stored_before_the_year_1000(
    world: World, start: date, end: date
) -> None:
    stored_unvalidated(world, start, end)
    month = Allocation.objects.values_list("month", flat=True).get()
    client = logged_in(world.manager)
    label = world.label.pk
    listing = client.get(reverse("label_statements", args=[label]))
    assert listing.status_code == 200
    found = links(listing.content.decode(), rf"/labels/{label}/statements/[^\"]+")
    assert found == [
        f"/labels/{label}/statements/{month.isoformat()[:7]}.csv",
        f"/labels/{label}/statements/{month.isoformat()[:7]}/",
    ]
    walk(client, found)
    walk(
        client,
        [
            reverse("label_earnings", args=[label]),
            reverse("label_earnings_csv", args=[label]),
            reverse("label_usage_flags", args=[label]),
            reverse("label_home", args=[label]),
        ],
    )


def test_old_months_are_listed_after_recent_ones_and_each_opens(world: World) -> None:
    stored_unvalidated(world, date(999, 12, 1), date(999, 12, 31), "ancient")
    stored_unvalidated(world, date(1, 1, 1), date(1, 1, 31), "first")
    stored_unvalidated(world, date(2026, 10, 1), date(2026, 10, 31), "recent")
    client = logged_in(world.artist_user)
    artist = world.artist.pk
    html = client.get(reverse("artist_statements", args=[artist])).content.decode()
    months = re.findall(rf'href="/artists/{artist}/statements/([0-9-]+)/"', html)
    assert months == ["2026-10", "0999-12", "0001-01"]
    walk(client, [f"/artists/{artist}/statements/{month}/" for month in months])
    walk(client, [reverse("artist_earnings", args=[artist])])


@pytest.mark.parametrize("month", ["0000-01", "0999-13", "99999-01", "999-12"])
def test_a_month_that_cannot_exist_is_404(world: World, month: str) -> None:
    client = logged_in(world.artist_user)
    assert client.get(f"/artists/{world.artist.pk}/statements/{month}/").status_code == 404
    assert client.get(f"/artists/{world.artist.pk}/statements/{month}.csv").status_code == 404


def test_csv_months_before_the_year_1000_are_written_with_four_digits(world: World) -> None:
    stored_unvalidated(world, date(999, 12, 1), date(999, 12, 31))
    client = logged_in(world.artist_user)
    artist_csv = client.get(reverse("artist_earnings_csv", args=[world.artist.pk]))
    assert "\n0999-12," in b"".join(artist_csv.streaming_content).decode()
    label_csv = logged_in(world.manager).get(reverse("label_earnings_csv", args=[world.label.pk]))
    assert "\n0999-12," in b"".join(label_csv.streaming_content).decode()


def test_the_admin_month_filter_offers_and_finds_a_month_before_the_year_1000(
    world: World,
) -> None:
    stored_unvalidated(world, date(999, 12, 1), date(999, 12, 31), "ancient")
    stored_unvalidated(world, date(2026, 10, 1), date(2026, 10, 31), "recent")
    client, changelist = logged_in(world.staff), reverse("admin:earnings_allocation_changelist")
    offered = re.findall(r'href="\?month=([^"&]+)"', client.get(changelist).content.decode())
    assert offered == ["2026-10", "0999-12"]
    page = client.get(changelist, {"month": offered[1]})
    assert [a.report.reference for a in page.context["cl"].result_list] == ["ancient"]
