"""What a label may invite to its artists' teams, and who is told.

A label brings people onto its artists' teams: editors and readers, and the first admin
of a team that has none. It never makes one of its own managers a member (the label
decides for an artist only under the artist's delegation), and never makes someone an
admin of a team that has one. The rule is checked when the invitation is sent and again
when it is accepted. The team's admins are told of every change someone else makes.
"""

import re
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps as django_apps
from django.core import mail
from django.http import HttpResponse
from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership
from portal.consent.models import Decision, LedgerEntry, Side
from portal.consent.services import ConsentError, decision_set
from portal.notifications.models import Notification
from portal.teams.models import Invitation, TeamEvent, token_hash
from portal.teams.services import (
    NotEntitled,
    RoleRefused,
    TeamError,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_set_role,
)
from tests import factories as f
from tests.conftest import World, logged_in

Role = ArtistMembership.Role
SentAs = Invitation.SentAs
LINK = re.compile(r"/invitations/(?P<token>[\w-]+)/")


def text(response: HttpResponse) -> str:
    return unescape(response.content.decode())


def label_invite_url(world: World) -> str:
    return reverse("label_invite", args=[world.label.pk])


def team_invite_url(artist: Artist) -> str:
    return reverse("team_invite", args=[artist.pk])


def by_label(world: World, artist: Artist, email: str, role: str = Role.EDITOR) -> str:
    """An invitation the label's manager sends as the label; returns the token."""
    return invitation_create(
        inviter=world.manager, artist=artist, email=email, role=role, sent_as=SentAs.LABEL
    )[1]


@pytest.fixture
def newcomer(world: World) -> Artist:
    """An artist just added to the roster: nobody on the team yet."""
    return f.ArtistFactory(name="Dee Vale", label=world.label)


def notes_for(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


# --- the escalation, walked step by step ----------------------------------------------


def test_a_manager_cannot_make_themselves_admin_of_a_roster_artists_team(world: World) -> None:
    client = logged_in(world.manager)
    ada = ArtistMembership.objects.get(artist=world.artist, user=world.artist_user)

    # 1. Invite their own address as admin, from the label's page or the team page: the
    # first step fails, whatever the role and whichever page.
    for role in (Role.ADMIN, Role.EDITOR, Role.READER):
        response = client.post(
            label_invite_url(world),
            {"artist": world.artist.pk, "email": world.manager.email, "role": role},
        )
        assert response.status_code == 422
        assert "belongs to a manager of Northern Lights Records" in text(response)
        response = client.post(
            team_invite_url(world.artist), {"email": "SAM@example.test", "role": role}
        )
        assert response.status_code == 422
    # An address not (yet) theirs cannot be made an admin of a team that has one either.
    response = client.post(
        label_invite_url(world),
        {"artist": world.artist.pk, "email": "sam.private@example.test", "role": "admin"},
    )
    assert response.status_code == 422
    assert "only the team's admins make someone an admin" in text(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []

    # 2. Without a membership or a delegation, the artist side is out of reach: the
    # artist's matrix is a 404, and the service refuses whoever calls it.
    decide = reverse(
        "decide",
        kwargs={
            "kind": "artists",
            "party_id": world.artist.pk,
            "product_slug": "tunesmith",
            "work_id": world.works[0].pk,
        },
    )
    assert client.post(decide, {"use": "training", "answer": "granted"}).status_code == 404
    with pytest.raises(ConsentError):
        decision_set(
            actor=world.manager,
            product=world.product,
            work=world.works[0],
            use_type=world.training,
            side=Side.ARTIST,
            answer="granted",
        )

    # 3. Demoting the artist's own admin is for the team's admins.
    role_url = reverse("team_member_role", args=[world.artist.pk, ada.pk])
    response = client.post(role_url, {"role": "reader"}, follow=True)
    assert "Only the team's admins can change" in text(response)
    ada.refresh_from_db()
    assert ada.role == Role.ADMIN
    assert not ArtistMembership.objects.filter(user=world.manager).exists()
    assert not Decision.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_an_invitation_to_a_managers_address_cannot_be_accepted_whatever_its_origin(
    world: World,
) -> None:
    """One sent before the rule existed (recorded as the label's, its strictest origin)."""
    token = "made-before-the-rule"
    Invitation.objects.create(
        email=world.manager.email,
        artist=world.artist,
        role=Role.ADMIN,
        invited_by=world.manager,
        sent_as=SentAs.LABEL,
        token_hash=token_hash(token),
    )
    response = logged_in(world.manager).get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 409
    assert "This invitation can no longer be accepted" in text(response)
    assert not ArtistMembership.objects.filter(user=world.manager).exists()
    assert Invitation.objects.get().state == Invitation.State.PENDING


# --- what the label may invite ---------------------------------------------------------


def test_the_label_invites_the_first_admin_of_a_team_that_has_none(
    world: World, newcomer: Artist, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(world.manager).post(
            label_invite_url(world),
            {"artist": newcomer.pk, "email": "dee@example.test", "role": "admin"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.role, invitation.sent_as) == (Role.ADMIN, SentAs.LABEL)
    (message,) = mail.outbox
    dee = f.UserFactory(email="dee@example.test")
    invitation_accept(token=LINK.search(message.body)["token"], user=dee)
    assert ArtistMembership.objects.get(artist=newcomer, user=dee).role == Role.ADMIN
    # The history says in what capacity the manager acted.
    invited = TeamEvent.objects.get(kind=TeamEvent.Kind.INVITED)
    assert invited.actor_name == f"{world.manager.display_name} (for Northern Lights Records)"
    page = text(logged_in(dee).get(reverse("team", args=[newcomer.pk])))
    assert "(for Northern Lights Records) invited dee@example.test as admin" in page


def test_the_label_invites_editors_and_readers_to_a_team_with_an_admin(world: World) -> None:
    by_label(world, world.artist, "ed@example.test", Role.EDITOR)
    by_label(world, world.artist, "rae@example.test", Role.READER)
    assert set(Invitation.objects.values_list("email", "role", "sent_as")) == {
        ("ed@example.test", Role.EDITOR, SentAs.LABEL),
        ("rae@example.test", Role.READER, SentAs.LABEL),
    }


def test_one_first_admin_invitation_waits_at_a_time(world: World, newcomer: Artist) -> None:
    first = by_label(world, newcomer, "dee@example.test", Role.ADMIN)
    with pytest.raises(RoleRefused, match=r"already waiting for dee@example\.test"):
        by_label(world, newcomer, "sam.private@example.test", Role.ADMIN)
    # Sending again to the same address replaces the link, as ever.
    by_label(world, newcomer, "dee@example.test", Role.ADMIN)
    invitation_revoke(actor=world.manager, invitation=Invitation.objects.pending().get())
    by_label(world, newcomer, "dee.vale@example.test", Role.ADMIN)
    assert list(Invitation.objects.pending().values_list("email", flat=True)) == [
        "dee.vale@example.test"
    ]
    assert first  # spent: replaced, then withdrawn


def test_a_first_admin_invitation_fails_once_the_team_has_an_admin(
    world: World, newcomer: Artist
) -> None:
    token = by_label(world, newcomer, "dee@example.test", Role.ADMIN)
    # Meanwhile staff onboard someone else as the team's admin.
    staff_token = invitation_create(
        inviter=world.staff,
        artist=newcomer,
        email="manager.of.dee@example.test",
        role=Role.ADMIN,
        sent_as=SentAs.STAFF,
    )[1]
    invitation_accept(token=staff_token, user=f.UserFactory(email="manager.of.dee@example.test"))

    dee = f.UserFactory(email="dee@example.test")
    with pytest.raises(RoleRefused, match="has an admin"):
        invitation_accept(token=token, user=dee)
    response = logged_in(dee).get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 409
    assert "Nothing has changed on Dee Vale's team." in text(response)
    assert not ArtistMembership.objects.filter(user=dee).exists()


def test_an_address_that_became_a_managers_cannot_accept_the_labels_invitation(
    world: World,
) -> None:
    token = by_label(world, world.artist, "new.hire@example.test", Role.READER)
    new_manager = f.LabelManagerFactory(label=world.label, user__email="new.hire@example.test")
    with pytest.raises(TeamError, match="belongs to a manager of Northern Lights Records"):
        invitation_accept(token=token, user=new_manager.user)
    assert not ArtistMembership.objects.filter(user=new_manager.user).exists()


def test_no_address_of_a_managers_account_may_be_invited_by_the_label(world: World) -> None:
    EmailAddress.objects.create(user=world.manager, email="sam.home@example.test", verified=True)
    with pytest.raises(TeamError, match="belongs to a manager"):
        by_label(world, world.artist, "Sam.Home@example.test", Role.READER)
    assert not Invitation.objects.exists()


def test_the_teams_admin_invites_anyone_as_anything(world: World) -> None:
    """The artist's own choice: even their label's manager, even as an admin."""
    invitation, _ = invitation_create(
        inviter=world.artist_user,
        artist=world.artist,
        email=world.manager.email,
        role=Role.ADMIN,
        sent_as=SentAs.TEAM_ADMIN,
    )
    assert invitation.role == Role.ADMIN


@pytest.mark.parametrize(
    ("inviter", "sent_as"),
    [
        ("manager", SentAs.TEAM_ADMIN),  # not an admin of the team
        ("other_manager", SentAs.LABEL),  # another label's manager
        ("artist_user", SentAs.LABEL),  # the artist is not the label
        ("artist_user", SentAs.STAFF),
        ("other_artist_user", SentAs.TEAM_ADMIN),  # an admin of another team
    ],
)
def test_nobody_invites_in_a_capacity_they_do_not_hold(
    world: World, inviter: str, sent_as: str
) -> None:
    with pytest.raises(NotEntitled):
        invitation_create(
            inviter=getattr(world, inviter),
            artist=world.artist,
            email="x@example.test",
            role=Role.READER,
            sent_as=sent_as,
        )
    assert not Invitation.objects.exists()
    assert not TeamEvent.objects.exists()


def test_a_manager_on_the_team_page_invites_as_the_label(world: World) -> None:
    client = logged_in(world.manager)
    response = client.post(
        team_invite_url(world.artist), {"email": "x@example.test", "role": "admin"}
    )
    assert response.status_code == 422
    assert response.context["invite_form"].errors["role"] == [
        "Ada Lane's team has an admin, and only the team's admins make someone an admin. "
        "Northern Lights Records can invite editors and readers."
    ]
    client.post(team_invite_url(world.artist), {"email": "x@example.test", "role": "editor"})
    assert Invitation.objects.get().sent_as == SentAs.LABEL


def test_a_manager_who_is_an_admin_of_the_team_invites_as_its_admin(world: World) -> None:
    f.ArtistMembershipFactory(artist=world.artist, user=world.manager, role=Role.ADMIN)
    logged_in(world.manager).post(
        team_invite_url(world.artist), {"email": "x@example.test", "role": "admin"}
    )
    assert Invitation.objects.get().sent_as == SentAs.TEAM_ADMIN


def test_staff_invite_any_role_from_admin(world: World) -> None:
    logged_in(world.staff).post(
        reverse("admin:teams_invitation_add"),
        {"artist": world.artist.pk, "email": "second.admin@example.test", "role": "admin"},
    )
    assert Invitation.objects.get().sent_as == SentAs.STAFF


def test_invitations_sent_before_the_capacity_was_recorded_get_the_likeliest(
    world: World,
) -> None:
    """The data migration: a team admin's, else the label's manager's, else staff's, and
    the label's (the strictest) when nothing fits."""
    from importlib import import_module

    infer = import_module("portal.teams.migrations.0002_invitation_sent_as").infer_sent_as
    rows = {
        "admin@example.test": world.artist_user,
        "label@example.test": world.manager,
        "staff@example.test": world.staff,
        "stranger@example.test": world.outsider_user,
    }
    for n, (email, inviter) in enumerate(rows.items()):
        Invitation.objects.create(
            email=email,
            artist=world.artist,
            role=Role.READER,
            invited_by=inviter,
            sent_as="",
            token_hash=f"{n:064d}",
        )
    infer(django_apps, None)
    assert dict(Invitation.objects.values_list("email", "sent_as")) == {
        "admin@example.test": SentAs.TEAM_ADMIN,
        "label@example.test": SentAs.LABEL,
        "staff@example.test": SentAs.STAFF,
        "stranger@example.test": SentAs.LABEL,
    }


# --- the team's admins are told -------------------------------------------------------


def test_the_teams_admins_are_told_of_every_invitation_and_withdrawal(world: World) -> None:
    second_admin = f.ArtistMembershipFactory(artist=world.artist, role=Role.ADMIN).user
    by_label(world, world.artist, "ed@example.test", Role.EDITOR)
    invitation_revoke(actor=world.manager, invitation=Invitation.objects.get())
    sam = f"{world.manager.display_name} (for Northern Lights Records)"
    for admin in (world.artist_user, second_admin):
        assert notes_for(admin) == [
            f"{sam} withdrew the invitation for ed@example.test to join Ada Lane's team as "
            "an editor.",
            f"{sam} invited ed@example.test to Ada Lane's team as an editor.",
        ]
    note = Notification.objects.filter(user=world.artist_user).first()
    assert (note.kind, note.url) == ("invitation", reverse("team", args=[world.artist.pk]))
    assert notes_for(world.manager) == []  # nobody is told of their own act


def test_the_teams_admins_are_told_who_joined(world: World) -> None:
    token = by_label(world, world.artist, "ed@example.test", Role.EDITOR)
    Notification.objects.all().delete()
    ed = f.UserFactory(email="ed@example.test", name="Ed Ito")
    invitation_accept(token=token, user=ed)
    assert notes_for(world.artist_user) == [
        f"Ed Ito (ed@example.test) joined Ada Lane's team as an editor, invited by "
        f"{world.manager.display_name} (for Northern Lights Records)."
    ]
    assert notes_for(ed) == []


def test_role_changes_tell_the_admins_and_the_member(world: World) -> None:
    other_admin = f.ArtistMembershipFactory(artist=world.artist, role=Role.ADMIN).user
    member = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)
    membership_set_role(actor=world.artist_user, membership=member, role=Role.READER)
    message = (
        f"{world.artist_user.display_name} changed {member.user.display_name}'s role on "
        "Ada Lane's team from editor to reader."
    )
    assert notes_for(other_admin) == [message]
    assert notes_for(member.user) == [message]
    assert notes_for(world.artist_user) == []
    # A demoted admin hears of it too.
    demoted = ArtistMembership.objects.get(artist=world.artist, user=other_admin)
    membership_set_role(actor=world.artist_user, membership=demoted, role=Role.EDITOR)
    assert "from admin to editor" in notes_for(other_admin)[0]


def test_removals_and_departures_tell_the_admins(world: World) -> None:
    other_admin = f.ArtistMembershipFactory(artist=world.artist, role=Role.ADMIN).user
    leaving = f.ArtistMembershipFactory(artist=world.artist, role=Role.READER)
    removed = f.ArtistMembershipFactory(artist=world.artist, role=Role.EDITOR)
    membership_remove(actor=leaving.user, membership=leaving)
    membership_remove(actor=world.artist_user, membership=removed)
    assert notes_for(other_admin) == [
        f"{world.artist_user.display_name} took {removed.user.display_name} (editor) off "
        "Ada Lane's team.",
        f"{leaving.user.display_name} left Ada Lane's team.",
    ]
    assert notes_for(world.artist_user) == [f"{leaving.user.display_name} left Ada Lane's team."]


def test_the_notifications_commit_with_the_change(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        by_label(world, world.artist, "ed@example.test", Role.EDITOR)
        assert mail.outbox == []
    assert len(callbacks) == 2  # the invitation's email and the admins' notification email
