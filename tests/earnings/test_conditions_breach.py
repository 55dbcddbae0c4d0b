"""Usage checked against the conditions of a yes: a line whose context breaks one in force
during its period, or does not say what one needs, is flagged and its money held, and
the artist and the label read what happened in plain words."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from lxml import html

from portal.consent.conditions import Given
from portal.consent.models import Answer, Side
from portal.earnings.models import Allocation, Compliance, UsageLine
from portal.earnings.services import usage_report_submit
from portal.earnings.validation import UsageReportInvalid, usage_report_parse
from portal.licensing.models import Condition, Licence
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World, logged_in, say

NON_COMMERCIAL = Given("non_commercial")


@pytest.fixture
def conditional(world: World) -> World:
    """Training of the first work permitted since September, non-commercial only and
    credited; of the second, without conditions."""
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial", "territories"])
    )
    Licence.objects.filter(licensee=world.product.licensee).update(starts_on=date(2026, 1, 1))
    with time_machine.travel(datetime(2026, 9, 15, 12, tzinfo=UTC)):
        say(world, Side.ARTIST, Answer.GRANTED, conditions=(NON_COMMERCIAL,))
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
        say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1])
        say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=world.works[1])
    return world


def ingest(world: World, lines: list[dict], reference: str = "oct"):
    parsed = usage_report_parse(
        {
            "reference": reference,
            "period": {"start": "2026-10-01", "end": "2026-10-31"},
            "currency": "GBP",
            "lines": lines,
        }
    )
    return usage_report_submit(product=world.product, parsed=parsed).report


def line(work, context=None, units=300, gross="30.00") -> dict:
    found = {"isrc": work.isrc, "use": "training", "units": units, "gross": gross}
    return found if context is None else found | {"context": context}


def test_a_commercial_use_of_a_non_commercial_yes_is_flagged_and_held(conditional: World) -> None:
    world = conditional
    report = ingest(world, [line(world.works[0], {"commercial": True})])
    allocation = Allocation.objects.get(report=report)
    assert allocation.compliance == Compliance.BREACHED
    assert allocation.breach == {
        "code": "non_commercial",
        "did": "in commercial use",
        "allowed": "non-commercial use only",
    }
    assert UsageLine.objects.get().context == {"commercial": True}


def test_a_use_that_kept_the_condition_is_paid(conditional: World) -> None:
    report = ingest(conditional, [line(conditional.works[0], {"commercial": False})])
    assert Allocation.objects.get(report=report).compliance == Compliance.PERMITTED


def test_a_use_that_does_not_say_whether_it_was_commercial_is_held(conditional: World) -> None:
    report = ingest(conditional, [line(conditional.works[0])])
    allocation = Allocation.objects.get(report=report)
    assert allocation.compliance == Compliance.BREACHED
    assert allocation.breach["did"] == "without saying whether the use was commercial"


def test_a_use_without_conditions_needs_no_context(conditional: World) -> None:
    report = ingest(conditional, [line(conditional.works[1], {"advertising": True})])
    assert Allocation.objects.get(report=report).compliance == Compliance.PERMITTED


def test_conditions_set_during_the_period_are_checked_too(conditional: World) -> None:
    world = conditional
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC)):
        say(world, Side.ARTIST, Answer.GRANTED, work=world.works[1], conditions=(NON_COMMERCIAL,))
    report = ingest(world, [line(world.works[1], {"commercial": True})])
    assert Allocation.objects.get(report=report).compliance == Compliance.BREACHED


def test_the_artist_reads_what_happened_and_what_they_allowed(conditional: World) -> None:
    world = conditional
    ingest(world, [line(world.works[0], {"commercial": True, "advertising": True})])
    page = Client()
    page.force_login(world.artist_user)
    response = page.get(reverse("artist_earnings", args=[world.artist.pk]), {"month": "2026-10"})
    words = " ".join(html.fromstring(response.content).text_content().split())
    assert (
        "Tunesmith reported 300 uses of Night Drive 0 for Training in commercial use; you "
        "allowed non-commercial use only" in words
    )
    assert "Your share held: £15.00." in words


def test_the_label_reads_it_among_the_flagged_use(conditional: World) -> None:
    world = conditional
    ingest(world, [line(world.works[0], {"commercial": True})])
    response = logged_in(world.manager).get(reverse("label_usage_flags", args=[world.label.pk]))
    words = " ".join(html.fromstring(response.content).text_content().split())
    assert (
        "Tunesmith reported 300 uses of Night Drive 0 (Ada Lane) for Training in commercial "
        "use in October 2026; the yes allowed non-commercial use only." in words
    )


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"commercial": "yes"}, "`commercial` is true or false, when given."),
        ({"commercial": 1}, "`commercial` is true or false, when given."),
        ({"territory": "UK"}, "'UK' is not a country"),
        ({"territory": "gb"}, "'gb' is not a country"),
        ([], "`context` must be a JSON object."),
    ],
)
def test_a_context_that_is_not_one_is_refused_with_its_line(
    conditional: World, context: object, message: str
) -> None:
    with pytest.raises(UsageReportInvalid) as refused:
        ingest(conditional, [line(conditional.works[0], context)])
    [mistake] = refused.value.details
    assert mistake["line"] == 0 and message in mistake["message"]


def test_a_report_without_contexts_hashes_as_it_did_before(conditional: World) -> None:
    body = {
        "reference": "r",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "GBP",
        "lines": [line(conditional.works[1])],
    }
    with_empty = body | {"lines": [line(conditional.works[1], {})]}
    assert usage_report_parse(body).body_hash == usage_report_parse(with_empty).body_hash
    with_context = body | {"lines": [line(conditional.works[1], {"commercial": False})]}
    assert usage_report_parse(body).body_hash != usage_report_parse(with_context).body_hash


def test_the_label_and_the_artist_filter_their_lines_by_breach(conditional: World) -> None:
    world = conditional
    ingest(world, [line(world.works[0], {"commercial": True}), line(world.works[1])])
    flags = logged_in(world.manager).get(
        reverse("label_usage_flags", args=[world.label.pk]), {"status": "breached"}
    )
    assert "in commercial use" in words(flags) and "Night Drive 1" not in words(flags)
    lines = logged_in(world.artist_user).get(
        reverse("artist_earning_lines", args=[world.artist.pk]), {"compliance": "breached"}
    )
    text = words(lines)
    assert (
        "Against a condition: in commercial use, where you allowed non-commercial use only: held"
    ) in text
    assert "Night Drive 1" not in text


def words(response) -> str:
    return " ".join(html.fromstring(response.content).text_content().split())
