"""Sending invitations: who may invite, to which teams, and what is stored and emailed."""

import re
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.http import HttpResponse
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.teams.models import Invitation, TeamEvent, token_hash
from portal.teams.services import (
    TeamError,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from tests import factories as f
from tests.conftest import World, logged_in
from tests.mail import sent_to

Role = ArtistMembership.Role
LINK = re.compile(r"https?://\S+/invitations/(?P<token>[\w-]+)/")


def text(response: HttpResponse) -> str:
    return unescape(response.content.decode())


def label_invite_url(world: World, label_id: int | None = None) -> str:
    return reverse("label_invite", args=[label_id or world.label.pk])


def team_invite_url(world: World) -> str:
    return reverse("team_invite", args=[world.artist.pk])


def invite(world: World, email: str = "new@example.test", role: str = Role.EDITOR) -> str:
    """An invitation by the label's manager, through the service; returns the token."""
    return invitation_create(
        inviter=world.manager, artist=world.artist, email=email, role=role, sent_as="label"
    )[1]


# --- the label's invite page ------------------------------------------------------------


def test_a_manager_invites_someone_to_an_artist_on_the_roster(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = logged_in(world.manager)
    assert client.get(label_invite_url(world)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            label_invite_url(world),
            {"artist": world.other_artist.pk, "email": " Bo@Example.TEST ", "role": "editor"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 2  # the invitation's email; the note to Bo Reed's admins
    invitation = Invitation.objects.get()
    assert (invitation.artist, invitation.email, invitation.role, invitation.invited_by) == (
        world.other_artist,
        "bo@example.test",
        Role.EDITOR,
        world.manager,
    )
    assert invitation.state == Invitation.State.PENDING
    page = text(client.get(response["Location"]))
    assert "Invitation sent to bo@example.test to join Bo Reed's team as an editor." in page
    assert "bo@example.test" in page  # listed as waiting


def test_the_invite_page_lists_the_roster_only(world: World) -> None:
    page = text(logged_in(world.manager).get(label_invite_url(world)))
    assert "Ada Lane" in page and "Bo Reed" in page
    assert "Cy Moss" not in page


def test_a_forged_artist_from_another_label_is_a_form_error_and_creates_nothing(
    world: World,
) -> None:
    response = logged_in(world.manager).post(
        label_invite_url(world),
        {"artist": world.outsider_artist.pk, "email": "x@example.test", "role": "editor"},
    )
    assert response.status_code == 422
    assert "Choose an artist on the roster of Northern Lights Records." in text(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["artist_user", "other_manager", "outsider_user"])
def test_only_the_labels_managers_open_its_invite_page(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    assert client.get(label_invite_url(world)).status_code == 404
    response = client.post(
        label_invite_url(world),
        {"artist": world.artist.pk, "email": "x@example.test", "role": "admin"},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_a_bad_email_or_role_is_a_form_error(world: World) -> None:
    response = logged_in(world.manager).post(
        label_invite_url(world), {"artist": world.artist.pk, "email": "not-an-email", "role": "x"}
    )
    assert response.status_code == 422
    body = text(response)
    assert "Enter a valid email address." in body
    assert "Choose admin, editor or reader." in body
    assert not Invitation.objects.exists()


# --- the team page's invite form --------------------------------------------------------


def test_a_team_admin_invites_to_their_own_team(
    world: World, django_capture_on_commit_callbacks
) -> None:
    client = logged_in(world.artist_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            team_invite_url(world), {"email": "ed@example.test", "role": "reader"}
        )
    assert response["Location"] == reverse("team", args=[world.artist.pk])
    invitation = Invitation.objects.get()
    assert (invitation.artist, invitation.role, invitation.invited_by) == (
        world.artist,
        Role.READER,
        world.artist_user,
    )
    assert len(sent_to("ed@example.test")) == 1
    page = text(client.get(response["Location"]))
    assert "Withdraw the invitation for ed@example.test" in page
    assert "invited ed@example.test as reader" in page


def test_the_labels_manager_invites_from_the_team_page_too(world: World) -> None:
    logged_in(world.manager).post(
        team_invite_url(world), {"email": "x@example.test", "role": "editor"}
    )
    assert Invitation.objects.get().invited_by == world.manager


@pytest.mark.parametrize("role", [Role.EDITOR, Role.READER])
def test_editors_and_readers_cannot_invite(world: World, role: str) -> None:
    member = f.ArtistMembershipFactory(artist=world.artist, role=role).user
    response = logged_in(member).post(
        team_invite_url(world), {"email": "x@example.test", "role": "admin"}, follow=True
    )
    assert "Only the team's admins and the label's managers can invite people." in text(response)
    assert not Invitation.objects.exists()


def test_inviting_someone_already_on_the_team_is_refused_clearly(world: World) -> None:
    response = logged_in(world.manager).post(
        team_invite_url(world), {"email": "ADA@example.test", "role": "reader"}
    )
    assert response.status_code == 422
    assert "ada@example.test is already on Ada Lane's team." in text(response)
    assert not Invitation.objects.exists()
    with pytest.raises(TeamError, match="already on Ada Lane's team"):
        invite(world, email="ada@example.test")


def test_inviting_the_same_address_again_replaces_the_first_link(world: World) -> None:
    first = invite(world, role=Role.READER)
    second = invite(world, email="NEW@example.test", role=Role.EDITOR)
    old, new = Invitation.objects.order_by("pk")
    assert old.token_hash == token_hash(first) and old.state == Invitation.State.REVOKED
    assert new.token_hash == token_hash(second) and new.state == Invitation.State.PENDING
    assert new.role == Role.EDITOR


# --- what is stored and what is sent ----------------------------------------------------


def test_the_email_carries_the_link_and_the_database_only_its_hash(
    world: World, django_capture_on_commit_callbacks, settings
) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation, token = invitation_create(
            inviter=world.manager,
            artist=world.artist,
            email="new@example.test",
            role=Role.EDITOR,
            sent_as="label",
        )
        assert mail.outbox == []  # nothing leaves before commit
    for callback in callbacks:
        callback()
    (message,) = sent_to("new@example.test")
    assert message.to == ["new@example.test"]
    assert message.subject.startswith("[Consent Portal] ")
    assert "invited you to join Ada Lane's team" in message.subject
    assert f"https://consent.example/invitations/{token}/" in message.body
    assert "as an editor" in message.body
    assert LINK.search(message.body)["token"] == token
    assert len(token) >= 43
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.token_hash == token_hash(token) != token
    assert len(stored.token_hash) == 64
    # The raw token is nowhere in the database.
    for field in ("email", "role", "token_hash"):
        assert token not in str(getattr(stored, field))
    assert not any(token in s.session_data for s in Session.objects.all())


def test_a_failing_mail_server_does_not_lose_the_invitation(
    world: World, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.teams.test_invitations.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        invite(world)
    assert Invitation.objects.get().state == Invitation.State.PENDING


class BrokenBackend:
    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: object) -> int:
        raise OSError("mail server down")


# --- withdrawing ------------------------------------------------------------------------


def test_a_team_admin_withdraws_an_invitation(world: World) -> None:
    invite(world)
    invitation = Invitation.objects.get()
    client = logged_in(world.artist_user)
    response = client.post(
        reverse("team_invitation_revoke", args=[world.artist.pk, invitation.pk]), follow=True
    )
    assert "Invitation for new@example.test withdrawn" in text(response)
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.REVOKED
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.INVITATION_REVOKED).count() == 1


def test_a_manager_withdraws_from_the_label_page_and_returns_there(world: World) -> None:
    invite(world)
    invitation = Invitation.objects.get()
    response = logged_in(world.manager).post(
        reverse("team_invitation_revoke", args=[world.artist.pk, invitation.pk]),
        {"next": label_invite_url(world)},
    )
    assert response["Location"] == label_invite_url(world)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_withdrawing_never_redirects_off_site(world: World) -> None:
    invite(world)
    invitation = Invitation.objects.get()
    response = logged_in(world.manager).post(
        reverse("team_invitation_revoke", args=[world.artist.pk, invitation.pk]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("team", args=[world.artist.pk])


@pytest.mark.parametrize("role", [Role.EDITOR, Role.READER])
def test_editors_and_readers_cannot_withdraw(world: World, role: str) -> None:
    invite(world)
    invitation = Invitation.objects.get()
    member = f.ArtistMembershipFactory(artist=world.artist, role=role).user
    logged_in(member).post(reverse("team_invitation_revoke", args=[world.artist.pk, invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_an_invitation_of_another_team_is_a_404(world: World) -> None:
    invitation, _ = invitation_create(
        inviter=world.other_manager,
        artist=world.outsider_artist,
        email="x@example.test",
        role="editor",
        sent_as="label",
    )
    response = logged_in(world.artist_user).post(
        reverse("team_invitation_revoke", args=[world.artist.pk, invitation.pk])
    )
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_accepted_invitation_cannot_be_withdrawn(world: World) -> None:
    user = f.UserFactory(email="new@example.test")
    token = invite(world)
    invitation_accept(token=token, user=user)
    invitation = Invitation.objects.get(token_hash=token_hash(token))
    with pytest.raises(TeamError, match="remove them from the team"):
        invitation_revoke(actor=world.manager, invitation=invitation)
