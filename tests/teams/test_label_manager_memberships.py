"""What a label manager could arrange before invitations recorded who sent them: making
himself an admin of a roster artist's team. The upgrade gives his open invitations the
label's rules, and staff can list the memberships held by managers of the artist's label.
"""

from importlib import import_module

from django.apps import apps as django_apps
from django.test import Client
from django.urls import reverse

from portal.catalogue.models import ArtistMembership
from portal.teams.models import Invitation
from tests import factories as f
from tests.conftest import World, logged_in

Role = ArtistMembership.Role
SentAs = Invitation.SentAs


def infer_sent_as() -> None:
    migration = import_module("portal.teams.migrations.0002_invitation_sent_as")
    migration.infer_sent_as(django_apps, None)


def unrecorded_invitation(world: World, email: str, inviter: object, n: int) -> None:
    Invitation.objects.create(
        email=email,
        artist=world.artist,
        role=Role.ADMIN,
        invited_by=inviter,
        sent_as="",
        token_hash=f"{n:064d}",
    )


def test_an_invitation_from_a_manager_who_made_himself_admin_keeps_the_labels_rules(
    world: World,
) -> None:
    # The old hole: the label's manager on the roster artist's team, as its admin.
    f.ArtistMembershipFactory(artist=world.artist, user=world.manager, role=Role.ADMIN)
    unrecorded_invitation(world, "crony@example.test", world.manager, 1)
    unrecorded_invitation(world, "friend@example.test", world.artist_user, 2)

    infer_sent_as()

    assert dict(Invitation.objects.values_list("email", "sent_as")) == {
        "crony@example.test": SentAs.LABEL,
        "friend@example.test": SentAs.TEAM_ADMIN,
    }


def test_an_admin_who_manages_another_label_still_invites_as_the_team(world: World) -> None:
    f.ArtistMembershipFactory(artist=world.artist, user=world.other_manager, role=Role.ADMIN)
    unrecorded_invitation(world, "guest@example.test", world.other_manager, 1)

    infer_sent_as()

    assert Invitation.objects.get().sent_as == SentAs.TEAM_ADMIN


def listed(client: Client, **query: str) -> set[int]:
    response = client.get(reverse("admin:catalogue_artistmembership_changelist"), query)
    assert response.status_code == 200
    return {membership.pk for membership in response.context["cl"].result_list}


def test_staff_list_the_memberships_held_by_a_manager_of_the_artists_label(
    world: World,
) -> None:
    own_label = f.ArtistMembershipFactory(artist=world.artist, user=world.manager)
    other_label = f.ArtistMembershipFactory(artist=world.artist, user=world.other_manager)
    artist_own = ArtistMembership.objects.get(artist=world.artist, user=world.artist_user)
    staff = logged_in(world.staff)

    assert listed(staff, label_manager="yes") == {own_label.pk}
    no = listed(staff, label_manager="no")
    assert {other_label.pk, artist_own.pk} <= no and own_label.pk not in no
