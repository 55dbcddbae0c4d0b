"""Consents imported as of a past time (`now=` on the consent services): dated then in
the decisions, the ledger and the permission history; never in the future; never passed
by a view."""

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from portal.consent import ledger
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.services import ConsentError, product_set_status
from portal.earnings.models import Allocation, Compliance
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import usage_report_parse
from portal.licensing.models import Licence, Product
from tests.conftest import World, say

PORTAL = Path(__file__).resolve().parents[2] / "portal"
SERVICES = {
    "decisions_set",
    "decision_set",
    "product_set_status",
    "permissions_refresh",
    "pairs_refresh",
}


@pytest.fixture
def licensed_long_ago(world: World) -> World:
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2020, 1, 1))
    return world


def days_ago(days: int) -> datetime:
    return (timezone.now() - timedelta(days=days)).replace(microsecond=0)


def both_yes(world: World, at: datetime) -> None:
    say(world, Side.ARTIST, Answer.GRANTED, now=at)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, now=at + timedelta(minutes=1))


def test_an_answer_given_as_of_a_past_time_is_dated_then_everywhere(licensed_long_ago):
    world, at = licensed_long_ago, days_ago(90)

    both_yes(world, at)

    decision = Decision.objects.get(side=Side.RIGHTS_HOLDER, work=world.works[0])
    assert decision.decided_at == at + timedelta(minutes=1)
    assert list(LedgerEntry.objects.order_by("position").values_list("at", flat=True)) == [
        at,
        at + timedelta(minutes=1),
    ]
    change = PermissionChange.objects.get(product=world.product, work=world.works[0])
    assert (change.permitted, change.at) == (True, at + timedelta(minutes=1))
    assert AnnouncedPermission.objects.get(product=world.product, work=world.works[0]).permitted
    assert ledger.verify() == (2, None)


def test_use_after_a_backdated_yes_is_permitted_for_the_whole_period(licensed_long_ago):
    world = licensed_long_ago
    both_yes(world, days_ago(90))
    # A period that has ended: up to yesterday.
    end = timezone.now().date() - timedelta(days=1)
    start = end - timedelta(days=60)
    parsed = usage_report_parse(
        {
            "reference": "imported",
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "currency": "USD",
            "lines": [{"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": "1"}],
        }
    )

    report = usage_report_submit(product=world.product, parsed=parsed).report

    assert Allocation.objects.get(report=report).compliance == Compliance.PERMITTED


def test_a_product_suspended_as_of_a_past_time_stopped_being_permitted_then(licensed_long_ago):
    world = licensed_long_ago
    both_yes(world, days_ago(90))
    at = days_ago(30)

    product_set_status(product=world.product, status=Product.Status.SUSPENDED, now=at)

    world.product.refresh_from_db()
    assert world.product.status_changed_at == at
    change = PermissionChange.objects.filter(product=world.product).order_by("seq").last()
    assert (change.permitted, change.cause, change.at) == (False, Cause.PRODUCT, at)


def test_a_time_still_to_come_is_refused_and_changes_nothing(licensed_long_ago):
    world = licensed_long_ago
    later = timezone.now() + timedelta(hours=1)

    with pytest.raises(ConsentError, match="still to come"):
        say(world, Side.ARTIST, Answer.GRANTED, now=later)
    with pytest.raises(ConsentError, match="still to come"):
        product_set_status(product=world.product, status=Product.Status.SUSPENDED, now=later)

    assert not Decision.objects.exists() and not LedgerEntry.objects.exists()
    world.product.refresh_from_db()
    assert world.product.status == Product.Status.ACTIVE


def test_without_a_time_the_clock_dates_the_answer(licensed_long_ago):
    world = licensed_long_ago
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)

    with time_machine.travel(moment, tick=False):
        say(world, Side.ARTIST, Answer.GRANTED)
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)

    assert set(LedgerEntry.objects.values_list("at", flat=True)) == {moment}
    assert list(PermissionChange.objects.values_list("permitted", "at")) == [(True, moment)]


def _calls_with_now(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return [
        f"{path.relative_to(PORTAL.parent)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) in SERVICES
        and any(keyword.arg == "now" for keyword in node.keywords)
    ]


def test_only_the_demo_import_passes_a_time_views_and_tasks_never_do():
    calls = [call for path in sorted(PORTAL.rglob("*.py")) for call in _calls_with_now(path)]
    files = {call.rsplit(":", 1)[0] for call in calls}

    # The services thread the time to one another; the demo seeds its history with it.
    assert files == {
        "portal/consent/services/announce.py",
        "portal/consent/services/decisions.py",
        "portal/consent/services/policies.py",
        "portal/consent/services/products.py",
        "portal/demo/history.py",
    }
