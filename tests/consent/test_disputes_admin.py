"""Staff resolve disputes in admin, only through the service: upheld or rejected from the
list, or from a dispute's page with a note; never added, edited or deleted otherwise."""

import html

import pytest
from django.test import Client
from django.urls import reverse

from portal.consent import ledger
from portal.consent.models import (
    Answer,
    Cause,
    Dispute,
    DisputeEvent,
    DisputeLedgerEntry,
    DisputeReason,
    PermissionChange,
    Side,
)
from portal.consent.services import dispute_raise
from tests.conftest import World, logged_in, say


@pytest.fixture
def staff_client(world: World) -> Client:
    return logged_in(world.staff)


@pytest.fixture
def disputed(world: World) -> Dispute:
    work = world.works[0]
    say(world, Side.ARTIST, Answer.GRANTED, work=work)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work)
    return dispute_raise(
        actor=world.manager, work=work, reason=DisputeReason.WRONG_ARTIST, note="Not Ada's."
    ).dispute


def test_staff_reject_disputes_from_the_list(
    world: World, disputed: Dispute, staff_client: Client
) -> None:
    response = staff_client.post(
        reverse("admin:consent_dispute_changelist"),
        {"action": "reject", "_selected_action": [disputed.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert f"Dispute #{disputed.pk} rejected: 1 permission changed." in response.content.decode()
    disputed.refresh_from_db()
    assert (disputed.status, disputed.closed_by) == (Dispute.Status.REJECTED, world.staff)
    latest = PermissionChange.objects.latest("seq")
    assert (latest.permitted, latest.cause) == (True, Cause.DISPUTE)
    assert ledger.verify()[1] is None


def test_staff_uphold_from_the_disputes_page_with_a_note(
    world: World, disputed: Dispute, staff_client: Client
) -> None:
    url = reverse("admin:consent_dispute_change", args=[disputed.pk])
    page = staff_client.get(url).content.decode()
    assert "Edit the work (artist, label, credits) or withdraw it" in page
    assert reverse("admin:catalogue_work_change", args=[disputed.work_id]) in page

    response = staff_client.post(
        url, {"resolution": "upheld", "closing_note": "Moved to the right artist."}
    )

    assert response.status_code == 302
    disputed.refresh_from_db()
    assert (disputed.status, disputed.closing_note) == (
        Dispute.Status.UPHELD,
        "Moved to the right artist.",
    )
    step = DisputeLedgerEntry.objects.latest("position")
    assert (step.event, step.actor, step.note) == (
        DisputeEvent.UPHELD,
        world.staff,
        "Moved to the right artist.",
    )
    assert ledger.verify()[1] is None


def test_a_closed_dispute_is_read_only_and_closing_it_again_says_so(
    world: World, disputed: Dispute, staff_client: Client
) -> None:
    changelist = reverse("admin:consent_dispute_changelist")
    staff_client.post(changelist, {"action": "reject", "_selected_action": [disputed.pk]})
    entries = DisputeLedgerEntry.objects.count()

    response = staff_client.post(
        changelist, {"action": "uphold", "_selected_action": [disputed.pk]}, follow=True
    )

    assert "That dispute was rejected already." in response.content.decode()
    assert DisputeLedgerEntry.objects.count() == entries
    url = reverse("admin:consent_dispute_change", args=[disputed.pk])
    assert staff_client.post(url, {"resolution": "upheld"}).status_code == 403
    assert staff_client.get(reverse("admin:consent_dispute_add")).status_code == 403
    assert (
        staff_client.get(reverse("admin:consent_dispute_delete", args=[disputed.pk])).status_code
        == 403
    )
    disputed.refresh_from_db()
    assert disputed.status == Dispute.Status.REJECTED


def test_the_ledgers_dispute_links_are_listed_for_audit(
    disputed: Dispute, staff_client: Client
) -> None:
    response = staff_client.get(reverse("admin:consent_disputeledgerentry_changelist"))
    assert response.status_code == 200
    assert world_manager_name(disputed) in response.content.decode()
    assert staff_client.get(reverse("admin:consent_disputeledgerentry_add")).status_code == 403


def world_manager_name(dispute: Dispute) -> str:
    return html.escape(dispute.raised_by.display_name)


def test_someone_not_staff_cannot_reach_it(world: World, disputed: Dispute) -> None:
    response = logged_in(world.manager).get(reverse("admin:consent_dispute_changelist"))
    assert response.status_code == 302
    assert Dispute.objects.get().status == Dispute.Status.OPEN
