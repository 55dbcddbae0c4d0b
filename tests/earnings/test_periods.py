"""Where a usage report's period begins and ends: changes of permission on its edges, the
licences in force in it, the month its money counts in, and money held for use that was
permitted for only part of it."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine

from portal.consent.models import Answer, PermissionChange, Side
from portal.earnings.models import Allocation, Compliance, MonthlyEarning, WorkMonthEarning
from portal.earnings.selectors import Period, WorkOrder, breakdown, work_earnings
from portal.earnings.services import summaries_rebuild
from portal.licensing.models import Licence
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, say
from tests.earnings.test_ingest import at, both_yes, ingest, line, summaries

SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture
def licensed(world: World) -> World:
    """The world with its licences in force all year."""
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    return world


def compliance_of(report) -> str:
    return Allocation.objects.get(report=report).compliance


def exactly(moment: datetime):
    """The clock stopped at `moment`, so a change is recorded at that very instant."""
    return time_machine.travel(moment, tick=False)


# --- the edges of the period ---------------------------------------------------------------


def test_a_revocation_on_the_last_day_of_the_period_holds_the_line_as_partly_permitted(
    licensed: World,
) -> None:
    with at("2026-09-15"):
        both_yes(licensed)
    with at("2026-10-31", hour=23):
        say(licensed, Side.ARTIST, Answer.DENIED)

    report = ingest(licensed, [line(licensed.works[0], gross="10.00")])

    assert compliance_of(report) == Compliance.PARTLY
    held = WorkMonthEarning.objects.get(work=licensed.works[0], month=date(2026, 10, 1))
    assert (held.artist_amount, held.artist_held, held.flagged_lines) == (
        Decimal(0),
        Decimal("5.00"),
        1,
    )


def test_a_change_at_midnight_utc_counts_in_the_period_that_begins_then(licensed: World) -> None:
    with at("2026-08-15"):
        both_yes(licensed)
    with exactly(datetime(2026, 10, 1, tzinfo=UTC)):
        say(licensed, Side.RIGHTS_HOLDER, Answer.DENIED)
    revoked = PermissionChange.objects.filter(permitted=False).get()
    assert revoked.at == datetime(2026, 10, 1, tzinfo=UTC)

    september = ingest(licensed, [line(licensed.works[0])], reference="sep", period=SEPTEMBER)
    october = ingest(licensed, [line(licensed.works[0])], reference="oct", period=OCTOBER)

    # Permitted for the whole of September, up to its last instant: paid.
    assert compliance_of(september) == Compliance.PERMITTED
    # Permitted when October began and revoked at its first instant: inside October.
    assert compliance_of(october) == Compliance.PARTLY


def test_a_grant_at_midnight_utc_after_the_period_leaves_it_unpermitted(licensed: World) -> None:
    with exactly(datetime(2026, 11, 1, tzinfo=UTC)):
        both_yes(licensed)

    october = ingest(licensed, [line(licensed.works[0])], period=OCTOBER)

    assert compliance_of(october) == Compliance.UNPERMITTED


# --- which licence covered the use ----------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "covered"),
    [
        (date(2026, 10, 15), None, True),  # starts in the middle of the period
        (date(2026, 10, 31), None, True),  # starts on its last day
        (date(2026, 11, 1), None, False),  # starts the day after
        (date(2026, 1, 1), date(2026, 10, 1), True),  # ends on its first day (inclusive)
        (date(2026, 1, 1), date(2026, 9, 30), False),  # ends the day before
    ],
)
def test_a_licence_in_force_on_any_day_of_the_period_covers_the_line(
    world: World, starts_on: date, ends_on: date | None, covered: bool
) -> None:
    Licence.objects.filter(pk=world.licence.pk).update(starts_on=starts_on, ends_on=ends_on)

    report = ingest(world, [line(world.works[0], gross="10.00")], period=OCTOBER)

    allocation = Allocation.objects.get(report=report)
    if covered:
        assert allocation.licence_id == world.licence.pk
        assert (allocation.artist_amount, allocation.label_amount) == (
            Decimal("5.00"),
            Decimal("3.00"),
        )
    else:
        assert allocation.licence_id is None
        assert allocation.artist_amount is None
        assert allocation.compliance == Compliance.UNPERMITTED


def test_of_two_overlapping_licences_the_one_that_started_last_sets_the_shares(
    world: World,
) -> None:
    # The licence that started last is the older row, so neither the order of the rows
    # nor the order of their start dates alone picks it.
    Licence.objects.filter(pk=world.licence.pk).update(
        starts_on=date(2026, 6, 1),
        artist_share=Decimal(60),
        label_share=Decimal(25),
        platform_share=Decimal(15),
    )
    earlier = f.LicenceFactory(
        licensee=world.product.licensee,
        label=world.label,
        starts_on=date(2026, 1, 1),
        use_types=[world.training],
    )
    assert earlier.pk > world.licence.pk

    report = ingest(world, [line(world.works[0], gross="10.00")], period=OCTOBER)

    allocation = Allocation.objects.get(report=report)
    assert allocation.licence_id == world.licence.pk
    assert (allocation.artist_amount, allocation.label_amount, allocation.platform_amount) == (
        Decimal("6.00"),
        Decimal("2.50"),
        Decimal("1.50"),
    )


def test_a_licence_that_ended_before_the_period_is_not_chosen_over_one_in_force(
    world: World,
) -> None:
    # The ended licence started last, so only its end keeps it out.
    Licence.objects.filter(pk=world.licence.pk).update(
        starts_on=date(2026, 1, 1), ends_on=date(2026, 9, 30)
    )
    open_ended = f.LicenceFactory(
        licensee=world.product.licensee,
        label=world.label,
        starts_on=date(2025, 1, 1),
        artist_share=Decimal(40),
        label_share=Decimal(40),
        use_types=[world.training],
    )

    report = ingest(world, [line(world.works[0], gross="10.00")], period=OCTOBER)

    allocation = Allocation.objects.get(report=report)
    assert (allocation.licence_id, allocation.artist_amount) == (open_ended.pk, Decimal("4.00"))


# --- months and summaries --------------------------------------------------------------------


def test_a_report_counts_in_the_month_its_period_ends(licensed: World) -> None:
    report = ingest(
        licensed,
        [line(licensed.works[0], gross="10.00")],
        period={"start": "2026-09-20", "end": "2026-10-10"},
    )

    assert Allocation.objects.get(report=report).month == date(2026, 10, 1)
    assert list(MonthlyEarning.objects.values_list("month", flat=True)) == [date(2026, 10, 1)]
    assert list(WorkMonthEarning.objects.values_list("month", flat=True)) == [date(2026, 10, 1)]


def test_partly_permitted_money_is_held_per_work_in_the_summaries(licensed: World) -> None:
    with at("2026-09-15"):
        both_yes(licensed)
        both_yes(licensed, work=licensed.works[1])
    with at("2026-10-10"):
        say(licensed, Side.ARTIST, Answer.DENIED)  # Night Drive 0 only until 10 October

    ingest(
        licensed,
        [line(licensed.works[0], gross="10.00"), line(licensed.works[1], gross="20.00")],
        period=OCTOBER,
    )

    partly, permitted = licensed.works[0], licensed.works[1]
    by_work = {
        row.work_id: (row.artist_amount, row.artist_held, row.flagged_lines)
        for row in WorkMonthEarning.objects.all()
    }
    assert by_work == {
        partly.pk: (Decimal(0), Decimal("5.00"), 1),
        permitted.pk: (Decimal("10.00"), Decimal(0), 0),
    }
    october = Period(date(2026, 10, 1), date(2026, 10, 1))
    rows, count = work_earnings(
        artist_id=licensed.artist.pk,
        period=october,
        currency="EUR",
        order=WorkOrder.AMOUNT,
        page=1,
        per_page=10,
    )
    assert count == 2
    assert {row["work_id"]: (row["paid"], row["held"]) for row in rows} == {
        partly.pk: (Decimal(0), Decimal("5.00")),
        permitted.pk: (Decimal("10.00"), Decimal(0)),
    }
    [total] = breakdown({"artist_id": licensed.artist.pk}, october, "EUR", by=[])
    assert (total["artist_paid"], total["artist_held"], total["flagged_lines"]) == (
        Decimal("10.00"),
        Decimal("5.00"),
        1,
    )
    kept = summaries()
    summaries_rebuild()
    assert summaries() == kept
