"""Members of artists' teams: their roles changed, removed, or (by staff) added directly.
A team always keeps an admin."""

from collections.abc import Callable, Iterable
from functools import partial

from django.db import transaction

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership
from portal.teams.models import ROLE_NOUN, TeamEvent
from portal.teams.selectors import keeps_an_admin
from portal.teams.services.common import (
    NotEntitled,
    Role,
    SentAs,
    TeamError,
    acting_as,
    lock_team,
    named_as,
    record_event,
    team_admins,
    tell_admins,
)


def _locked_membership(membership: ArtistMembership) -> ArtistMembership:
    lock_team(membership.artist_id)
    current = (
        ArtistMembership.objects.select_related("user", "artist__label")
        .filter(pk=membership.pk)
        .first()
    )
    if current is None:
        raise TeamError(f"{membership.user} is no longer on this team.")
    return current


def _only_admin_left(membership: ArtistMembership) -> bool:
    return membership.role == Role.ADMIN and not keeps_an_admin(
        artist_id=membership.artist_id, without=[membership.pk]
    )


def _check_capacity(actor: User | None, capacity: str) -> None:
    if capacity == SentAs.STAFF and not (actor is not None and actor.is_staff):
        raise NotEntitled("Only platform staff change teams as staff.")


LAST_ADMIN = (
    "{name} is the only admin of {artist}'s team, and a team always needs one. "
    "Make someone else an admin first."
)


@transaction.atomic
def membership_set_role(
    *, actor: User, membership: ArtistMembership, role: str, capacity: str = ""
) -> ArtistMembership:
    """Give a member another role. The same role again changes nothing. Refuses to
    demote the team's last admin. The team's admins (those before the change) and the
    member are told, unless they made the change themselves.

    `capacity` names how the actor acts when the caller knows it (`SentAs.STAFF` from
    admin: `NotEntitled` unless the actor is staff); the history then says so."""
    role = Role(role)
    _check_capacity(actor, capacity)
    membership = _locked_membership(membership)
    if membership.role == role:
        return membership
    if role != Role.ADMIN and _only_admin_left(membership):
        raise TeamError(
            LAST_ADMIN.format(name=membership.user.display_name, artist=membership.artist.name)
        )
    previous = membership.role
    admins = team_admins(membership.artist_id)
    membership.role = role
    membership.save(update_fields=["role"])
    who = acting_as(actor, membership.artist, capacity)
    record_event(
        artist=membership.artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.ROLE_CHANGED,
        subject=membership.user.email,
        role=role,
        previous_role=previous,
    )
    tell_admins(
        artist=membership.artist,
        actor=actor,
        admins=admins,
        also=(membership.user,),
        message=(
            f"{who} changed {membership.user.display_name}'s role on "
            f"{membership.artist.name}'s team from {previous} to {role}."
        ),
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: ArtistMembership, capacity: str = "") -> None:
    """Take a member off the team (or let a member leave it). Refuses to remove the
    team's last admin. The team's admins are told, unless they did it themselves.
    `capacity` as for `membership_set_role`."""
    _check_capacity(actor, capacity)
    membership = _locked_membership(membership)
    if _only_admin_left(membership):
        raise TeamError(
            LAST_ADMIN.format(name=membership.user.display_name, artist=membership.artist.name)
        )
    who = acting_as(actor, membership.artist, capacity)
    membership.delete()
    record_event(
        artist=membership.artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.REMOVED,
        subject=membership.user.email,
        previous_role=membership.role,
    )
    leaving = actor is not None and actor.pk == membership.user_id
    tell_admins(
        artist=membership.artist,
        actor=actor,
        message=(
            f"{membership.user.display_name} left {membership.artist.name}'s team."
            if leaving
            else f"{who} took {membership.user.display_name} ({membership.role}) off "
            f"{membership.artist.name}'s team."
        ),
    )


@transaction.atomic
def membership_add(*, actor: User, artist: Artist, user: User, role: str) -> ArtistMembership:
    """Put `user` on `artist`'s team as `role` directly, without an invitation: staff
    only (`NotEntitled` otherwise), from admin, and recorded as staff's act. Refuses
    someone already on the team (`TeamError`; change their role instead). The team's
    admins and the new member are told."""
    role = Role(role)
    _check_capacity(actor, SentAs.STAFF)
    lock_team(artist.pk)
    if ArtistMembership.objects.filter(artist=artist, user=user).exists():
        raise TeamError(
            f"{user.email} is already on {artist.name}'s team. To give them other rights, "
            "change their role."
        )
    admins = team_admins(artist.pk)
    membership = ArtistMembership.objects.create(artist=artist, user=user, role=role)
    who = named_as(actor, SentAs.STAFF, artist)
    record_event(
        artist=artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.ADDED,
        subject=user.email,
        role=role,
    )
    tell_admins(
        artist=artist,
        actor=actor,
        admins=admins,
        also=(user,),
        message=(
            f"{who} put {user.display_name} ({user.email}) on {artist.name}'s team as "
            f"{ROLE_NOUN[role]}."
        ),
    )
    return membership


@transaction.atomic
def memberships_apply(
    *,
    actor: User,
    added: Iterable[ArtistMembership] = (),
    changed: Iterable[ArtistMembership] = (),
    removed: Iterable[ArtistMembership] = (),
) -> None:
    """Save staff's edits to memberships through the team services, all or nothing.

    Team by team in id order, so two saves lock teams in the same order; within a team,
    additions, then promotions, then other role changes, then removals, so a team that
    keeps an admin in the end keeps one at every step. `added` get their ids."""
    steps: list[tuple[int, int, int, Callable[[], object]]] = []

    def add(membership: ArtistMembership) -> None:
        made = membership_add(
            actor=actor, artist=membership.artist, user=membership.user, role=membership.role
        )
        membership.pk, membership.since = made.pk, made.since

    for membership in added:
        steps.append((membership.artist_id, 0, 0, partial(add, membership)))
    for membership in changed:
        step = 1 if membership.role == Role.ADMIN else 2
        steps.append(
            (
                membership.artist_id,
                step,
                membership.pk,
                partial(
                    membership_set_role,
                    actor=actor,
                    membership=membership,
                    role=membership.role,
                    capacity=SentAs.STAFF,
                ),
            )
        )
    for membership in removed:
        steps.append(
            (
                membership.artist_id,
                3,
                membership.pk,
                partial(
                    membership_remove, actor=actor, membership=membership, capacity=SentAs.STAFF
                ),
            )
        )
    for *_, run in sorted(steps, key=lambda step: step[:3]):
        run()
