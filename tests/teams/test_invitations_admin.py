"""Invitations in admin: listed, searched and filtered by state, sent and withdrawn through
the services, and never showing a token."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.teams.models import Invitation, TeamEvent, token_hash
from portal.teams.services import invitation_accept, invitation_create
from tests import factories as f
from tests.conftest import World, logged_in
from tests.mail import sent_to

Role = ArtistMembership.Role


@pytest.fixture
def staff_client(world: World) -> Client:
    return logged_in(world.staff)


def invite(world: World, email: str) -> str:
    return invitation_create(
        inviter=world.manager, artist=world.artist, email=email, role="editor", sent_as="label"
    )[1]


def changelist(**query: str) -> str:
    url = reverse("admin:teams_invitation_changelist")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_staff_list_search_and_filter_invitations_without_seeing_a_token(
    world: World, staff_client: Client
) -> None:
    waiting = invite(world, "waiting@example.test")
    used = invite(world, "used@example.test")
    invitation_accept(token=used, user=f.UserFactory(email="used@example.test"))

    listing = staff_client.get(changelist())
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "waiting@example.test" in body and "used@example.test" in body
    for token in (waiting, used):
        assert token not in body
        assert token_hash(token) not in body

    found = staff_client.get(changelist(q="waiting")).content.decode()
    assert "waiting@example.test" in found and "used@example.test" not in found

    pending = staff_client.get(changelist(state="pending")).content.decode()
    assert "waiting@example.test" in pending and "used@example.test" not in pending
    accepted = staff_client.get(changelist(state="accepted")).content.decode()
    assert "used@example.test" in accepted and "waiting@example.test" not in accepted

    invitation = Invitation.objects.get(email="waiting@example.test")
    detail = staff_client.get(reverse("admin:teams_invitation_change", args=[invitation.pk]))
    assert detail.status_code == 200
    assert waiting not in detail.content.decode()
    assert token_hash(waiting) not in detail.content.decode()


def test_staff_invite_through_the_service(
    world: World, staff_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:teams_invitation_add"),
            {"artist": world.other_artist.pk, "email": "First.Admin@Example.test", "role": "admin"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.artist, invitation.role, invitation.invited_by) == (
        "first.admin@example.test",
        world.other_artist,
        Role.ADMIN,
        world.staff,
    )
    (message,) = sent_to("first.admin@example.test")
    assert "/invitations/" in message.body
    assert len(invitation.token_hash) == 64


def test_staff_cannot_invite_someone_already_on_the_team(
    world: World, staff_client: Client
) -> None:
    response = staff_client.post(
        reverse("admin:teams_invitation_add"),
        {"artist": world.artist.pk, "email": "ada@example.test", "role": "reader"},
    )
    assert response.status_code == 200
    assert "already on Ada Lane" in response.content.decode()
    assert not Invitation.objects.exists()


def test_staff_withdraw_invitations_with_an_action(world: World, staff_client: Client) -> None:
    invite(world, "a@example.test")
    invite(world, "b@example.test")
    staff_client.post(
        changelist(),
        {
            "action": "revoke",
            "_selected_action": list(Invitation.objects.values_list("pk", flat=True)),
        },
    )
    assert not Invitation.objects.pending().exists()
    assert (
        TeamEvent.objects.filter(kind=TeamEvent.Kind.INVITATION_REVOKED, actor=world.staff).count()
        == 2
    )


def test_invitations_and_team_history_are_not_edited_or_deleted_in_admin(
    world: World, staff_client: Client
) -> None:
    invite(world, "a@example.test")
    invitation = Invitation.objects.get()
    response = staff_client.post(
        reverse("admin:teams_invitation_change", args=[invitation.pk]),
        {"email": "other@example.test", "role": "admin"},
    )
    assert response.status_code == 403
    assert (
        staff_client.post(
            reverse("admin:teams_invitation_delete", args=[invitation.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    invitation.refresh_from_db()
    assert invitation.email == "a@example.test"
    event = TeamEvent.objects.get()
    assert (
        staff_client.get(reverse("admin:teams_teamevent_change", args=[event.pk])).status_code
        == 200
    )
    assert staff_client.get(reverse("admin:teams_teamevent_add")).status_code == 403
