"""Label policies in admin: staff add and lift them through the service (the ledger and
the announcements come with it), and never edit or delete one."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.consent import ledger
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    LabelPolicy,
    PermissionChange,
    PolicyLedgerEntry,
    Side,
)
from portal.consent.services import policy_add
from tests.conftest import World, logged_in, say


@pytest.fixture
def staff_client(world: World) -> Client:
    return logged_in(world.staff)


@pytest.fixture
def permitted(world: World) -> World:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    return world


def test_staff_add_a_policy_through_the_service(permitted: World, staff_client: Client) -> None:
    world = permitted
    response = staff_client.post(
        reverse("admin:consent_labelpolicy_add"),
        {"label": world.label.pk, "use_type": world.training.pk},
    )

    assert response.status_code == 302
    policy = LabelPolicy.objects.get()
    assert (policy.label, policy.use_type, policy.added_by) == (
        world.label,
        world.training,
        world.staff,
    )
    assert PolicyLedgerEntry.objects.get().actor == world.staff
    assert not AnnouncedPermission.objects.filter(permitted=True).exists()
    assert PermissionChange.objects.filter(cause=Cause.POLICY).count() == 1
    assert ledger.verify()[1] is None


def test_a_policy_without_a_condition_is_refused_in_admin(
    world: World, staff_client: Client
) -> None:
    response = staff_client.post(
        reverse("admin:consent_labelpolicy_add"), {"label": world.label.pk}
    )

    assert response.status_code == 200
    assert "Choose what the policy stops" in response.content.decode()
    assert not LabelPolicy.objects.exists()


def test_staff_lift_policies_with_an_action_and_the_list_says_what_each_stops(
    permitted: World, staff_client: Client
) -> None:
    world = permitted
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy
    changelist = reverse("admin:consent_labelpolicy_changelist")
    assert "training" in staff_client.get(changelist).content.decode()

    staff_client.post(changelist, {"action": "lift", "_selected_action": [policy.pk]})

    policy.refresh_from_db()
    assert policy.lifted_by == world.staff
    assert AnnouncedPermission.objects.filter(permitted=True).count() == 1
    assert ledger.verify()[1] is None


def test_a_policy_is_never_edited_or_deleted_in_admin(world: World, staff_client: Client) -> None:
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy
    change = reverse("admin:consent_labelpolicy_change", args=[policy.pk])

    staff_client.post(change, {"label": world.label.pk, "use_type": world.style.pk})
    staff_client.post(
        reverse("admin:consent_labelpolicy_delete", args=[policy.pk]), {"post": "yes"}
    )

    policy.refresh_from_db()
    assert policy.use_type == world.training
    assert ledger.verify()[1] is None
    assert (
        staff_client.get(reverse("admin:consent_policyledgerentry_changelist")).status_code == 200
    )
