"""A usage report is allocated as it is stored: split by the licence, checked against the
permission history of its period, summed into the summaries, the same every time."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from portal.consent.models import Answer, Side
from portal.consent.services import product_set_status
from portal.earnings.allocation import report_recompute
from portal.earnings.models import Allocation, Compliance, MonthlyEarning, WorkMonthEarning
from portal.earnings.services import (
    summaries_rebuild,
    usage_report_submit,
)
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, LicenceShare, Product
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say


def at(day: str, hour: int = 12):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC))


@pytest.fixture
def licensed_all_year(world: World) -> World:
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    return world


def both_yes(world: World, work=None, use=None) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, work=work, use=use)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work, use=use)


def ingest(world: World, lines: list[dict], *, reference="oct", currency="EUR", period=None):
    parsed = usage_report_parse(
        {
            "reference": reference,
            "period": period or {"start": "2026-10-01", "end": "2026-10-31"},
            "currency": currency,
            "lines": lines,
        }
    )
    return usage_report_submit(product=world.product, parsed=parsed).report


def line(work, use="training", units=100, gross="10.00", credit="") -> dict:
    return {"isrc": work.isrc, "use": use, "units": units, "gross": gross, "credit": credit}


def test_a_line_permitted_all_period_is_split_by_the_licence_shares(licensed_all_year):
    world = licensed_all_year
    with at("2026-09-15"):
        both_yes(world)
    report = ingest(world, [line(world.works[0], gross="100.01")])
    allocation = Allocation.objects.get(report=report)
    assert allocation.compliance == Compliance.PERMITTED
    assert allocation.licence_id == world.licence.pk
    # 50 / 30 / 20 of 100.01: 50.005, 30.003, 20.002 -> floors 50.00, 30.00, 20.00; the
    # one cent left goes to the largest loss, the artist's half cent.
    assert (allocation.artist_amount, allocation.label_amount, allocation.platform_amount) == (
        Decimal("50.01"),
        Decimal("30.00"),
        Decimal("20.00"),
    )
    assert (allocation.artist_id, allocation.label_id) == (world.artist.pk, world.label.pk)
    assert allocation.month == date(2026, 10, 1)


def test_a_permission_revoked_inside_the_period_flags_the_line(licensed_all_year):
    world = licensed_all_year
    with at("2026-09-15"):
        both_yes(world)
        both_yes(world, work=world.works[1])
    with at("2026-10-10"):
        say(world, Side.ARTIST, Answer.DENIED)  # works[0] stops being permitted mid-October
    report = ingest(world, [line(world.works[0], units=1200), line(world.works[1])])
    flags = dict(Allocation.objects.filter(report=report).values_list("work", "compliance"))
    assert flags == {world.works[0].pk: Compliance.PARTLY, world.works[1].pk: Compliance.PERMITTED}


def test_a_permission_granted_inside_the_period_flags_the_line_too(licensed_all_year):
    world = licensed_all_year
    with at("2026-10-20"):
        both_yes(world)
    report = ingest(world, [line(world.works[0])])
    assert Allocation.objects.get(report=report).compliance == Compliance.PARTLY


def test_a_permission_revoked_before_the_period_is_unpermitted(licensed_all_year):
    world = licensed_all_year
    with at("2026-09-01"):
        both_yes(world)
    with at("2026-09-30", hour=23):
        say(world, Side.RIGHTS_HOLDER, Answer.DENIED)
    with at("2026-11-02"):
        both_yes(world)  # after the period: changes nothing about October
    report = ingest(world, [line(world.works[0])])
    allocation = Allocation.objects.get(report=report)
    assert allocation.compliance == Compliance.UNPERMITTED
    # Still split by the licence, so everyone can see what is held.
    assert allocation.artist_amount == Decimal("5.00")


def test_use_never_decided_is_unpermitted(licensed_all_year):
    report = ingest(licensed_all_year, [line(licensed_all_year.works[0])])
    assert Allocation.objects.get(report=report).compliance == Compliance.UNPERMITTED


def test_a_product_suspended_inside_the_period_flags_its_lines(licensed_all_year):
    world = licensed_all_year
    with at("2026-09-15"):
        both_yes(world)
    with at("2026-10-05"):
        product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    report = ingest(world, [line(world.works[0])])
    assert Allocation.objects.get(report=report).compliance == Compliance.PARTLY


def test_a_use_no_licence_covered_is_flagged_and_not_split(world):
    # The licence starts 30 days before today: none was in force in September.
    report = ingest(
        world,
        [line(world.works[0], gross="7.00")],
        reference="sep",
        period={"start": "2026-09-01", "end": "2026-09-30"},
    )
    allocation = Allocation.objects.get(report=report)
    assert allocation.licence_id is None
    assert allocation.compliance == Compliance.UNPERMITTED
    assert allocation.artist_amount is allocation.label_amount is allocation.platform_amount is None
    assert allocation.gross == Decimal("7.00")


def test_shares_set_for_one_use_override_the_licence_shares(licensed_all_year):
    world = licensed_all_year
    LicenceShare.objects.create(
        licence=world.licence,
        use_type=world.style,
        artist_share=Decimal(70),
        label_share=Decimal(20),
        platform_share=Decimal(10),
    )
    report = ingest(
        world,
        [line(world.works[0], "training"), line(world.works[0], "style_generation")],
    )
    splits = dict(
        Allocation.objects.filter(report=report).values_list("use_type__slug", "artist_amount")
    )
    assert splits == {"training": Decimal("5.00"), "style_generation": Decimal("7.00")}


def test_currencies_without_minor_units_are_split_in_whole_units(licensed_all_year):
    world = licensed_all_year
    report = ingest(world, [line(world.works[0], gross="101")], currency="JPY")
    allocation = Allocation.objects.get(report=report)
    assert (allocation.artist_amount, allocation.label_amount, allocation.platform_amount) == (
        Decimal(51),
        Decimal(30),
        Decimal(20),
    )


def test_recomputing_gives_the_same_result_until_the_terms_change(licensed_all_year):
    world = licensed_all_year
    with at("2026-09-15"):
        both_yes(world)
    report = ingest(world, [line(world.works[0], gross="33.33"), line(world.works[1])])
    assert report_recompute(report) == []
    Licence.objects.filter(pk=world.licence.pk).update(
        artist_share=Decimal(60), label_share=Decimal(20)
    )
    differences = report_recompute(report)
    assert [d.line_id for d in differences] == list(
        Allocation.objects.filter(report=report).order_by("pk").values_list("pk", flat=True)
    )
    assert differences[0].stored["artist_amount"] == Decimal("16.66")
    assert differences[0].computed["artist_amount"] == Decimal("20.00")


def summaries() -> tuple[list, list]:
    monthly = MonthlyEarning.objects.order_by(
        "artist", "product", "use_type", "month", "compliance"
    ).values_list(
        "artist",
        "label",
        "product",
        "use_type",
        "month",
        "currency",
        "compliance",
        "lines",
        "units",
        "gross",
        "artist_amount",
        "label_amount",
        "platform_amount",
    )
    by_work = WorkMonthEarning.objects.order_by("work", "month").values_list(
        "work", "month", "lines", "units", "gross", "artist_amount", "artist_held", "flagged_lines"
    )
    return list(monthly), list(by_work)


def test_summaries_kept_by_the_ingest_equal_summaries_rebuilt_from_allocations(
    licensed_all_year,
):
    world = licensed_all_year
    with at("2026-09-15"):
        both_yes(world)
    ingest(world, [line(world.works[0], gross="1.01"), line(world.works[1], gross="2.00")])
    ingest(
        world,
        [line(world.works[0], gross="3.03"), line(world.works[0], "style_generation")],
        reference="oct-2",
    )
    kept = summaries()
    monthly = {(row[0], row[3], row[6]): row[7:] for row in kept[0]}
    assert monthly[(world.artist.pk, world.training.pk, "permitted")] == (
        2,
        200,
        Decimal("4.04"),
        Decimal("2.02"),  # 0.51 + 1.51: each line split on its own, then summed
        Decimal("1.21"),
        Decimal("0.81"),
    )
    assert monthly[(world.artist.pk, world.training.pk, "unpermitted")][:3] == (
        1,
        100,
        Decimal("2.00"),
    )
    summaries_rebuild()
    assert summaries() == kept


def test_an_allocation_that_does_not_add_up_is_refused_by_the_database(licensed_all_year):
    report = ingest(licensed_all_year, [line(licensed_all_year.works[0])])
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(report=report).update(artist_amount=Decimal("5.01"))


def test_a_use_permitted_by_history_but_under_no_licence_is_unpermitted(licensed_all_year):
    world = licensed_all_year
    with at("2026-09-15"):
        both_yes(world)
    # The licence edited underneath the consent history: it ended before October.
    Licence.objects.filter(pk=world.licence.pk).update(ends_on=date(2026, 9, 30))
    report = ingest(world, [line(world.works[0])])
    allocation = Allocation.objects.get(report=report)
    assert (allocation.compliance, allocation.licence_id) == (Compliance.UNPERMITTED, None)


def test_a_period_that_has_not_ended_is_refused(db):
    from django.utils import timezone

    from portal.earnings.validation import UsageReportInvalid

    today = timezone.now().date().isoformat()
    with pytest.raises(UsageReportInvalid) as refused:
        usage_report_parse(
            {
                "reference": "today",
                "period": {"start": today, "end": today},
                "currency": "EUR",
                "lines": [{"isrc": "USRC17607839", "use": "training", "units": 1, "gross": "1"}],
            }
        )
    assert {
        "line": None,
        "field": "period.end",
        "message": "Report a period once it has ended (UTC).",
    } in refused.value.details
