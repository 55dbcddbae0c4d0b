"""Opening an invitation link: joining when signed in, signing up or signing in through it,
and every way a link can be spent (expired, used, withdrawn, unknown, someone else's)."""

import threading
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership
from portal.teams.models import Invitation, TeamEvent, token_hash
from portal.teams.services import (
    InvitationUnusable,
    WrongAccount,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from tests import factories as f
from tests.conftest import World, logged_in

Role = ArtistMembership.Role
PASSWORD = "a long passphrase 1"


def text(response: HttpResponse) -> str:
    return unescape(response.content.decode())


def invite(world: World, email: str = "new@example.test", role: str = Role.EDITOR) -> str:
    return invitation_create(
        inviter=world.manager, artist=world.artist, email=email, role=role, sent_as="label"
    )[1]


def link(token: str) -> str:
    return reverse("invitation_accept", args=[token])


def artist_home(world: World) -> str:
    return reverse("artist_home", args=[world.artist.pk])


def signup(client: Client, email: str = "new@example.test") -> HttpResponse:
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def the_invitation() -> Invitation:
    return Invitation.objects.get()


# --- signed in with the invited address -------------------------------------------------


def test_a_signed_in_invitee_joins_and_lands_on_the_artist_home(world: World) -> None:
    token = invite(world, role=Role.EDITOR)
    user = f.UserFactory(email="New@example.test")  # any case matches
    client = logged_in(user)
    response = client.get(link(token))
    assert response.status_code == 302
    assert response["Location"] == artist_home(world)
    membership = ArtistMembership.objects.get(artist=world.artist, user=user)
    assert membership.role == Role.EDITOR
    invitation = the_invitation()
    assert invitation.state == Invitation.State.ACCEPTED
    assert invitation.accepted_by == user
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.JOINED, actor=user).count() == 1
    home = text(client.get(response["Location"]))
    assert "Welcome to Ada Lane's team. You are an editor" in home


def test_a_signed_in_user_with_another_address_is_refused_clearly(world: World) -> None:
    token = invite(world)
    response = logged_in(world.other_artist_user).get(link(token))
    assert response.status_code == 403
    body = text(response)
    assert "This invitation is for another address" in body
    assert "sent to new@example.test, but you are signed in as" in body
    assert "Sign out and open the link again" in body
    assert not ArtistMembership.objects.filter(
        artist=world.artist, user=world.other_artist_user
    ).exists()
    assert the_invitation().state == Invitation.State.PENDING
    with pytest.raises(WrongAccount):
        invitation_accept(token=token, user=world.other_artist_user)


def test_someone_already_on_the_team_keeps_their_role(world: World) -> None:
    token = invite(world, email="new@example.test", role=Role.READER)
    user = f.UserFactory(email="new@example.test")
    f.ArtistMembershipFactory(artist=world.artist, user=user, role=Role.ADMIN)
    client = logged_in(user)
    response = client.get(link(token), follow=True)
    assert ArtistMembership.objects.get(artist=world.artist, user=user).role == Role.ADMIN
    assert "You were already on Ada Lane's team, as an admin" in text(response)
    assert the_invitation().state == Invitation.State.ACCEPTED


# --- signed out: sign up through the link -----------------------------------------------


def test_a_signed_out_visitor_is_offered_sign_up_and_sign_in(world: World) -> None:
    token = invite(world)
    client = Client()
    response = client.get(link(token))
    assert response.status_code == 200
    body = text(response)
    assert "Join Ada Lane's team" in body
    assert "Create your account" in body and "I already have an account" in body
    signup_url = reverse("account_signup") + "?" + urlencode({"email": "new@example.test"})
    login_url = reverse("account_login") + "?" + urlencode({"next": link(token)})
    assert f'href="{signup_url}"' in response.content.decode().replace("&amp;", "&")
    assert f'href="{login_url}"' in response.content.decode().replace("&amp;", "&")
    assert response["Cache-Control"].startswith("max-age=0")
    # The session remembers the invitation by its hash; the token itself is stored nowhere.
    assert client.session["teams_invitation"] == token_hash(token)
    assert not any(token in s.session_data for s in Session.objects.all())


def test_a_new_invitee_signs_up_verified_and_joins_the_team(world: World) -> None:
    token = invite(world, role=Role.EDITOR)
    client = Client()
    client.get(link(token))
    form = client.get(reverse("account_signup") + "?email=new%40example.test")
    assert form.status_code == 200  # open, although sign-up is closed by default
    assert 'value="new@example.test"' in form.content.decode()

    response = signup(client)

    assert response.status_code == 302
    assert response["Location"] == artist_home(world)
    user = User.objects.get(email="new@example.test")
    assert ArtistMembership.objects.get(artist=world.artist, user=user).role == Role.EDITOR
    assert EmailAddress.objects.get(user=user).verified
    assert mail.outbox == []  # no confirmation email: the invitation proved the address
    invitation = the_invitation()
    assert (invitation.state, invitation.accepted_by) == (Invitation.State.ACCEPTED, user)
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert home.wsgi_request.user == user
    assert "Welcome to Ada Lane's team" in text(home)
    assert "teams_invitation" not in client.session


def test_signing_up_with_another_address_than_the_invited_one_is_refused(world: World) -> None:
    token = invite(world)
    client = Client()
    client.get(link(token))
    response = signup(client, email="someone.else@example.test")
    assert response.status_code == 200
    assert "Your invitation is for new@example.test." in text(response)
    assert not User.objects.filter(email="someone.else@example.test").exists()
    assert the_invitation().state == Invitation.State.PENDING


def test_sign_up_without_an_invitation_is_still_closed(world: World) -> None:
    response = signup(Client(), email="walk.in@example.test")
    assert b"Sign Up Closed" in response.content
    assert not User.objects.filter(email="walk.in@example.test").exists()


@pytest.mark.parametrize("spent", ["expired", "revoked", "accepted"])
def test_a_spent_invitation_no_longer_opens_sign_up(world: World, spent: str) -> None:
    token = invite(world)
    client = Client()
    client.get(link(token))  # remembered while still valid
    if spent == "expired":
        Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spent == "revoked":
        invitation_revoke(actor=world.manager, invitation=the_invitation())
    else:
        invitation_accept(token=token, user=f.UserFactory(email="new@example.test"))
    response = signup(client, email="new2@example.test")
    assert b"Sign Up Closed" in response.content
    assert not User.objects.filter(email="new2@example.test").exists()


def test_when_sign_up_is_open_an_invitee_still_joins(world: World, settings) -> None:
    settings.ACCOUNT_ALLOW_SIGNUPS = True
    token = invite(world, role=Role.READER)
    client = Client()
    client.get(link(token))
    response = signup(client)
    assert response["Location"] == artist_home(world)
    user = User.objects.get(email="new@example.test")
    assert ArtistMembership.objects.get(artist=world.artist, user=user).role == Role.READER


# --- signed out: sign in through the link -----------------------------------------------


def test_an_invitee_with_an_account_signs_in_and_joins(world: World) -> None:
    token = invite(world, role=Role.READER)
    user = f.UserFactory(email="new@example.test")
    client = Client()
    client.get(link(token))
    response = client.post(
        reverse("account_login"),
        {"login": "new@example.test", "password": "correct horse battery", "next": link(token)},
    )
    assert response["Location"] == link(token)
    response = client.get(response["Location"])
    assert response["Location"] == artist_home(world)
    assert ArtistMembership.objects.get(artist=world.artist, user=user).role == Role.READER
    assert "teams_invitation" not in client.session


# --- spent and unknown links ------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_expired_link_says_so_with_410(world: World, signed_in: bool) -> None:
    token = invite(world)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    user = f.UserFactory(email="new@example.test")
    client = logged_in(user) if signed_in else Client()
    response = client.get(link(token))
    assert response.status_code == 410
    body = text(response)
    assert "This invitation has expired" in body
    assert (
        f"ask {world.manager.display_name} (sam@example.test) to send you a new invitation" in body
    )
    assert not ArtistMembership.objects.filter(artist=world.artist, user=user).exists()
    with pytest.raises(InvitationUnusable) as caught:
        invitation_accept(token=token, user=user)
    assert caught.value.state == Invitation.State.EXPIRED


def test_a_link_works_once(world: World) -> None:
    token = invite(world)
    user = f.UserFactory(email="new@example.test")
    client = logged_in(user)
    assert client.get(link(token)).status_code == 302
    again = client.get(link(token))
    assert again.status_code == 410
    body = text(again)
    assert "This invitation has already been used" in body
    assert f'href="{artist_home(world)}"' in again.content.decode()  # the one who used it
    assert Client().get(link(token)).status_code == 410
    with pytest.raises(InvitationUnusable) as caught:
        invitation_accept(token=token, user=user)
    assert caught.value.state == Invitation.State.ACCEPTED
    assert ArtistMembership.objects.filter(artist=world.artist, user=user).count() == 1
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.JOINED).count() == 1


def test_a_withdrawn_link_says_so_with_410(world: World) -> None:
    token = invite(world)
    invitation_revoke(actor=world.manager, invitation=the_invitation())
    user = f.UserFactory(email="new@example.test")
    response = logged_in(user).get(link(token))
    assert response.status_code == 410
    assert "This invitation was withdrawn" in text(response)
    assert not ArtistMembership.objects.filter(artist=world.artist, user=user).exists()


def test_a_replaced_link_no_longer_works(world: World) -> None:
    first = invite(world)
    second = invite(world)
    user = f.UserFactory(email="new@example.test")
    client = logged_in(user)
    assert client.get(link(first)).status_code == 410
    assert client.get(link(second)).status_code == 302


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_unknown_link_is_a_404_that_says_what_to_do(world: World, signed_in: bool) -> None:
    invite(world)
    client = logged_in(world.artist_user) if signed_in else Client()
    response = client.get(link("not-a-real-token"))
    assert response.status_code == 404
    body = text(response)
    assert "This invitation link does not work" in body
    assert "send you a new invitation" in body
    assert "teams_invitation" not in client.session
    with pytest.raises(InvitationUnusable):
        invitation_accept(token="not-a-real-token", user=world.artist_user)


# --- a double click, for real, on PostgreSQL --------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_accepts_join_once(world: World) -> None:
    token = invite(world)
    user = f.UserFactory(email="new@example.test")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            barrier.wait(timeout=10)
            invitation_accept(token=token, user=user)
            outcomes.append("joined")
        except InvitationUnusable:
            outcomes.append("spent")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["joined", "spent"]
    assert ArtistMembership.objects.filter(artist=world.artist, user=user).count() == 1
    assert TeamEvent.objects.filter(kind=TeamEvent.Kind.JOINED).count() == 1
