"""The team page, walked through the role matrix, and changing roles and members."""

from html import unescape

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership
from portal.teams.models import TeamEvent
from portal.teams.services import TeamError, membership_remove, membership_set_role
from tests import factories as f
from tests.conftest import World, logged_in

Role = ArtistMembership.Role


@pytest.fixture
def editor(world: World) -> User:
    return f.ArtistMembershipFactory(
        artist=world.artist, role=Role.EDITOR, user__email="ed@example.test", user__name="Ed Ito"
    ).user


@pytest.fixture
def reader(world: World) -> User:
    return f.ArtistMembershipFactory(
        artist=world.artist, role=Role.READER, user__email="rae@example.test", user__name="Rae Ng"
    ).user


def text(response: HttpResponse) -> str:
    return unescape(response.content.decode())


def team_url(world: World) -> str:
    return reverse("team", args=[world.artist.pk])


def membership(world: World, user: User) -> ArtistMembership:
    return ArtistMembership.objects.get(artist=world.artist, user=user)


def role_url(world: World, user: User) -> str:
    return reverse("team_member_role", args=[world.artist.pk, membership(world, user).pk])


def remove_url(world: World, user: User) -> str:
    return reverse("team_member_remove", args=[world.artist.pk, membership(world, user).pk])


# --- who sees the team ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    response = Client().get(team_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_team_admin_sees_the_members_and_the_forms_to_manage_them(
    world: World, editor: User, reader: User
) -> None:
    response = logged_in(world.artist_user).get(team_url(world))
    assert response.status_code == 200
    body = text(response)
    assert "Ada Lane's team" in body
    for email in ("ada@example.test", "ed@example.test", "rae@example.test"):
        assert email in body
    assert role_url(world, editor) in body
    assert remove_url(world, reader) in body
    assert reverse("team_invite", args=[world.artist.pk]) in body
    assert "Remove Ed Ito from the team" in body
    # The only admin is not offered a way out that would be refused.
    assert remove_url(world, world.artist_user) not in body
    assert "The team's only admin" in body


@pytest.mark.parametrize("who", ["editor", "reader"])
def test_editors_and_readers_see_the_list_only(
    world: World, editor: User, reader: User, who: str
) -> None:
    user = editor if who == "editor" else reader
    body = text(logged_in(user).get(team_url(world)))
    assert "ada@example.test" in body
    assert "Ed Ito" in body and "Rae Ng" in body
    assert reverse("team_invite", args=[world.artist.pk]) not in body
    assert role_url(world, world.artist_user) not in body
    assert remove_url(world, world.artist_user) not in body
    # They may leave, and are told whom to ask for anything else.
    assert remove_url(world, user) in body
    assert "Only the team's admins" in body


def test_the_labels_manager_sees_the_team_and_may_invite_but_not_manage_members(
    world: World,
) -> None:
    body = text(logged_in(world.manager).get(team_url(world)))
    assert "ada@example.test" in body
    assert reverse("team_invite", args=[world.artist.pk]) in body
    assert role_url(world, world.artist_user) not in body
    assert remove_url(world, world.artist_user) not in body


@pytest.mark.parametrize("who", ["other_artist_user", "outsider_user", "other_manager", "staff"])
def test_nobody_else_opens_a_team(world: World, who: str) -> None:
    client = logged_in(getattr(world, who))
    assert client.get(team_url(world)).status_code == 404
    target = membership(world, world.artist_user)
    for url in (
        reverse("team_invite", args=[world.artist.pk]),
        reverse("team_member_role", args=[world.artist.pk, target.pk]),
        reverse("team_member_remove", args=[world.artist.pk, target.pk]),
    ):
        assert client.post(url, {"role": "reader", "email": "x@example.test"}).status_code == 404
    assert membership(world, world.artist_user).role == Role.ADMIN


def test_a_member_of_another_team_cannot_be_reached_through_this_one(world: World) -> None:
    other = ArtistMembership.objects.get(user=world.other_artist_user)
    response = logged_in(world.artist_user).post(
        reverse("team_member_remove", args=[world.artist.pk, other.pk])
    )
    assert response.status_code == 404
    assert ArtistMembership.objects.filter(pk=other.pk).exists()


def test_an_empty_team_says_what_to_do(world: World) -> None:
    ArtistMembership.objects.filter(artist=world.artist).delete()
    body = text(logged_in(world.manager).get(team_url(world)))
    assert "Nobody is on this team yet" in body


# --- changing roles ---------------------------------------------------------------------


def test_an_admin_changes_a_members_role(world: World, editor: User) -> None:
    client = logged_in(world.artist_user)
    response = client.post(role_url(world, editor), {"role": "reader"})
    assert response.status_code == 302
    assert response["Location"] == team_url(world)
    assert membership(world, editor).role == Role.READER
    event = TeamEvent.objects.get(kind=TeamEvent.Kind.ROLE_CHANGED)
    assert (event.actor, event.subject, event.previous_role, event.role) == (
        world.artist_user,
        "ed@example.test",
        "editor",
        "reader",
    )
    page = text(client.get(team_url(world)))
    assert "Saved: Ed Ito is now a reader" in page
    assert "changed ed@example.test from editor to reader" in page


def test_the_same_role_again_changes_nothing(world: World, editor: User) -> None:
    logged_in(world.artist_user).post(role_url(world, editor), {"role": "editor"})
    assert membership(world, editor).role == Role.EDITOR
    assert not TeamEvent.objects.exists()


@pytest.mark.parametrize("who", ["editor", "reader", "manager"])
def test_only_team_admins_change_roles(world: World, editor: User, reader: User, who: str) -> None:
    user = {"editor": editor, "reader": reader, "manager": world.manager}[who]
    response = logged_in(user).post(role_url(world, reader), {"role": "admin"}, follow=True)
    assert membership(world, reader).role == Role.READER
    assert "Only the team's admins can change" in text(response)


def test_an_unknown_role_is_refused_with_a_message(world: World, editor: User) -> None:
    response = logged_in(world.artist_user).post(
        role_url(world, editor), {"role": "owner"}, follow=True
    )
    assert membership(world, editor).role == Role.EDITOR
    assert "Choose admin, editor or reader." in text(response)


def test_the_last_admin_cannot_be_demoted(world: World, editor: User) -> None:
    response = logged_in(world.artist_user).post(
        role_url(world, world.artist_user), {"role": "editor"}, follow=True
    )
    assert membership(world, world.artist_user).role == Role.ADMIN
    assert "the only admin of Ada Lane's team" in text(response)
    assert not TeamEvent.objects.exists()


def test_an_admin_may_step_down_once_there_is_another_admin(world: World, editor: User) -> None:
    client = logged_in(world.artist_user)
    client.post(role_url(world, editor), {"role": "admin"})
    client.post(role_url(world, world.artist_user), {"role": "editor"})
    assert membership(world, world.artist_user).role == Role.EDITOR
    assert membership(world, editor).role == Role.ADMIN


def test_two_admins_demoting_each_other_leave_one_admin(world: World, editor: User) -> None:
    """The service re-reads under the team's lock, so stale objects cannot both win."""
    membership_set_role(
        actor=world.artist_user, membership=membership(world, editor), role=Role.ADMIN
    )
    mine, theirs = membership(world, world.artist_user), membership(world, editor)
    membership_set_role(actor=editor, membership=mine, role=Role.EDITOR)
    with pytest.raises(TeamError, match="only admin"):
        membership_set_role(actor=world.artist_user, membership=theirs, role=Role.EDITOR)
    assert ArtistMembership.objects.filter(artist=world.artist, role=Role.ADMIN).count() == 1


# --- removing members -------------------------------------------------------------------


def test_an_admin_removes_a_member(world: World, reader: User) -> None:
    response = logged_in(world.artist_user).post(remove_url(world, reader), follow=True)
    assert not ArtistMembership.objects.filter(artist=world.artist, user=reader).exists()
    assert "Rae Ng is no longer on Ada Lane's team." in text(response)
    event = TeamEvent.objects.get(kind=TeamEvent.Kind.REMOVED)
    assert (event.subject, event.previous_role) == ("rae@example.test", "reader")
    # Off the team means off the team's pages.
    assert logged_in(reader).get(team_url(world)).status_code == 404
    assert logged_in(reader).get(reverse("artist_home", args=[world.artist.pk])).status_code == 404


def test_the_last_admin_cannot_be_removed(world: World, editor: User) -> None:
    response = logged_in(world.artist_user).post(remove_url(world, world.artist_user), follow=True)
    assert membership(world, world.artist_user).role == Role.ADMIN
    assert "a team always needs one" in text(response)
    with pytest.raises(TeamError, match="Make someone else an admin first"):
        membership_remove(actor=world.staff, membership=membership(world, world.artist_user))


@pytest.mark.parametrize("who", ["editor", "reader", "manager"])
def test_only_team_admins_remove_others(world: World, editor: User, reader: User, who: str) -> None:
    user = {"editor": editor, "reader": reader, "manager": world.manager}[who]
    target = reader if who != "reader" else editor
    logged_in(user).post(remove_url(world, target))
    assert ArtistMembership.objects.filter(artist=world.artist, user=target).exists()


def test_a_member_may_leave_the_team(world: World, reader: User) -> None:
    response = logged_in(reader).post(remove_url(world, reader))
    assert response["Location"] == reverse("home")
    assert not ArtistMembership.objects.filter(artist=world.artist, user=reader).exists()
    assert "Rae Ng left the team" in text(logged_in(world.artist_user).get(team_url(world)))
