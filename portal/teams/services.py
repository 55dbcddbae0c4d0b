"""Writes for teams. Each public service owns its transaction and records a TeamEvent.

Who may call what is decided before, by the views through `portal.teams.selectors`;
these services keep the rules that hold whoever calls them: invitations work once,
until they expire, for the address they were sent to; a team always keeps an admin;
a label brings people onto its artists' teams but never speaks for the artist (see
`invitation_create`). The team's admins are told of every change someone else makes.

Lock order: the artist's row (the team), then the invitation. Every write to a team
takes the artist's row first, so two admins demoting each other at once queue rather
than leave the team without an admin, and a double click accepts an invitation once.
"""

import secrets
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, LabelManager
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.teams.models import ROLE_NOUN, Invitation, TeamEvent, token_hash
from portal.teams.selectors import keeps_an_admin

Role = ArtistMembership.Role
SentAs = Invitation.SentAs


class TeamError(Exception):
    """A team change that cannot be made; the message is for the person who tried.

    `field` names the form field the message belongs to, for the views that show it."""

    field = "email"


class RoleRefused(TeamError):
    """The inviter may not give this role to this team now."""

    field = "role"


class NotEntitled(TeamError):
    """The inviter does not hold the capacity they claim to act in."""

    field = "email"


class InvitationUnusable(TeamError):
    """The invitation cannot be accepted: unknown, already used, revoked or expired."""

    MESSAGES = {
        None: "This invitation link is not valid. Check that you copied the whole link.",
        Invitation.State.ACCEPTED: "This invitation has already been used. Each link works once.",
        Invitation.State.REVOKED: "This invitation was withdrawn by the person who sent it.",
        Invitation.State.EXPIRED: "This invitation has expired.",
    }

    def __init__(self, state: Invitation.State | None) -> None:
        self.state = state
        super().__init__(self.MESSAGES.get(state, self.MESSAGES[None]))


class WrongAccount(TeamError):
    """The invitation was sent to another address than the signed-in user's."""


def email_normalise(email: str) -> str:
    # allauth stores addresses lower-case too, so one spelling matches everywhere.
    return email.strip().lower()


def _lock_team(artist_id: int) -> None:
    # FOR NO KEY UPDATE: serialises team writes without blocking works being added
    # for the artist (their foreign keys take only a key-share lock).
    list(
        Artist.objects.select_for_update(no_key=True)
        .filter(pk=artist_id)
        .order_by()
        .values_list("pk")
    )


def _event(
    *,
    artist: Artist,
    actor: User | None,
    kind: TeamEvent.Kind,
    subject: str,
    role: str = "",
    previous_role: str = "",
    at: datetime | None = None,
    actor_name: str = "",
) -> TeamEvent:
    return TeamEvent.objects.create(
        artist=artist,
        at=at or timezone.now(),
        actor=actor,
        actor_name=actor_name or (actor.display_name if actor else ""),
        kind=kind,
        subject=subject,
        role=role,
        previous_role=previous_role,
    )


def _admins(artist_id: int) -> list[User]:
    return list(
        User.objects.filter(
            artistmembership__artist_id=artist_id, artistmembership__role=Role.ADMIN
        )
    )


def _tell_admins(
    *,
    artist: Artist,
    actor: User | None,
    message: str,
    kind: str = Notification.Kind.TEAM,
    admins: list[User] | None = None,
    also: tuple[User, ...] = (),
) -> None:
    """Tell the team's admins (and `also`) what someone else did to the team.

    The safeguard against a team changed behind its admins' backs: whoever acts, as the
    label, as staff or as another admin, the admins hear of it. The actor is not told of
    their own act. In the caller's transaction; emails leave after commit."""
    users = [*(admins if admins is not None else _admins(artist.pk)), *also]
    notify(
        users=[u for u in users if actor is None or u.pk != actor.pk],
        kind=kind,
        message=message,
        url=reverse("team", args=[artist.pk]),
    )


def _acting(actor: User | None, artist: Artist, capacity: str = "") -> str:
    """The actor's name and capacity for a change other than an invitation: the
    `capacity` the caller names (staff, from admin), else a member acts as themselves and
    anyone else here is the label's manager or staff."""
    if actor is None:
        return _who(None)
    if capacity:
        return _who(actor, capacity, artist)
    if ArtistMembership.objects.filter(artist=artist, user=actor).exists():
        return actor.display_name
    if (
        artist.label_id is not None
        and LabelManager.objects.filter(label_id=artist.label_id, user=actor).exists()
    ):
        return _who(actor, SentAs.LABEL, artist)
    return _who(actor, SentAs.STAFF if actor.is_staff else "", artist)


def _who(actor: User | None, sent_as: str = "", artist: Artist | None = None) -> str:
    """The actor as the team history and notifications name them, with the capacity they
    acted in when it was not as a member of the team."""
    if actor is None:
        return "Platform staff"
    if sent_as == SentAs.LABEL and artist is not None and artist.label is not None:
        return f"{actor.display_name} (for {artist.label.name})"
    if sent_as == SentAs.STAFF:
        return f"{actor.display_name} (platform staff)"
    return actor.display_name


def invitation_url(token: str) -> str:
    """The absolute link that goes in the email; the one place the raw token appears."""
    base = settings.PORTAL_BASE_URL
    return base.rstrip("/") + reverse("invitation_accept", args=[token])


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "artist": invitation.artist,
        "inviter": invitation.invited_by,
        "url": invitation_url(token),
    }
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
    subject = render_to_string("teams/email/invitation_subject.txt", context).strip()
    body = render_to_string("teams/email/invitation_message.txt", context)
    send_mail(prefix + subject, body, None, [invitation.email])


def _check_entitled(*, inviter: User, artist: Artist, sent_as: str) -> None:
    if sent_as == SentAs.TEAM_ADMIN:
        entitled = ArtistMembership.objects.filter(
            artist=artist, user=inviter, role=Role.ADMIN
        ).exists()
    elif sent_as == SentAs.LABEL:
        entitled = (
            artist.label_id is not None
            and LabelManager.objects.filter(label_id=artist.label_id, user=inviter).exists()
        )
    else:
        entitled = inviter.is_staff
    if not entitled:
        why = {
            SentAs.TEAM_ADMIN: "only its admins invite as the team",
            SentAs.LABEL: "only the managers of the artist's label invite as the label",
            SentAs.STAFF: "only platform staff invite as staff",
        }[SentAs(sent_as)]
        raise NotEntitled(f"You cannot invite people to {artist.name}'s team: {why}.")


def _label_managers_address(*, artist: Artist, email: str) -> bool:
    """Whether `email` is an address of one of the managers of the artist's label: their
    login, or any other address on their account."""
    if artist.label_id is None:
        return False
    return (
        User.objects.filter(labelmanager__label_id=artist.label_id)
        .filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email))
        .exists()
    )


def _check_label_invitation(
    *, artist: Artist, email: str, role: str, user: User | None = None
) -> None:
    """What a label may invite: editors and readers, and the first admin of a team that has
    none; never one of its own managers, who would then answer for the artist without the
    artist's delegation. Checked when sending and again when accepting (`user`), since an
    address may become a manager's, or the team gain an admin, in between. Team locked."""
    label = artist.label.name if artist.label else "the label"
    manager = (
        (
            artist.label_id is not None
            and LabelManager.objects.filter(label_id=artist.label_id, user=user).exists()
        )
        if user is not None
        else _label_managers_address(artist=artist, email=email)
    )
    if manager:
        raise TeamError(
            f"{email} belongs to a manager of {label}. The label decides for "
            f"{artist.name} only where {artist.name} delegates to it, never as a team member."
        )
    if role != Role.ADMIN:
        return
    if ArtistMembership.objects.filter(artist=artist, role=Role.ADMIN).exists():
        raise RoleRefused(
            f"{artist.name}'s team has an admin, and only the team's admins make someone "
            f"an admin. {label} can invite editors and readers."
        )
    if user is not None:
        return
    other_admin_invitation = (
        Invitation.objects.pending()
        .filter(artist=artist, role=Role.ADMIN)
        .exclude(email=email)
        .values_list("email", flat=True)
        .first()
    )
    if other_admin_invitation:
        # One first admin at a time: the label may correct an address, but by withdrawing
        # the invitation it sent, which the history and the team page then show.
        raise RoleRefused(
            f"An invitation to be the first admin of {artist.name}'s team is already "
            f"waiting for {other_admin_invitation}. Withdraw it to invite someone else."
        )


@transaction.atomic
def invitation_create(
    *, inviter: User, artist: Artist, email: str, role: str, sent_as: str
) -> tuple[Invitation, str]:
    """Invite `email` to `artist`'s team as `role`. Returns the invitation and its token.

    `sent_as` is the capacity the inviter acts in, and must be theirs (`NotEntitled`
    otherwise): an admin of the team (any role), the artist's label (editors and readers,
    and the first admin of a team that has none, never one of the label's own managers;
    `RoleRefused` or `TeamError` otherwise), or platform staff (any role). It is recorded
    on the invitation, and the label's rule is checked again on acceptance.

    The token is returned and emailed, never stored: the database holds its SHA-256.
    An open invitation to the same address for this team is replaced (revoked), so a
    second invitation doubles as "send again". Refuses an address already on the team.
    The team's admins are notified. The email leaves after commit.
    """
    email = email_normalise(email)
    role = Role(role)
    sent_as = SentAs(sent_as)
    _lock_team(artist.pk)
    _check_entitled(inviter=inviter, artist=artist, sent_as=sent_as)
    if ArtistMembership.objects.filter(artist=artist, user__email__iexact=email).exists():
        raise TeamError(
            f"{email} is already on {artist.name}'s team. "
            "To give them other rights, change their role on the team page."
        )
    if sent_as == SentAs.LABEL:
        _check_label_invitation(artist=artist, email=email, role=role)
    now = timezone.now()
    Invitation.objects.open().filter(artist=artist, email=email).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        artist=artist,
        role=role,
        invited_by=inviter,
        sent_as=sent_as,
        token_hash=token_hash(token),
        created_at=now,
    )
    who = _who(inviter, sent_as, artist)
    _event(
        artist=artist,
        actor=inviter,
        actor_name=who,
        kind=TeamEvent.Kind.INVITED,
        subject=email,
        role=role,
        at=now,
    )
    _tell_admins(
        artist=artist,
        actor=inviter,
        kind=Notification.Kind.INVITATION,
        message=f"{who} invited {email} to {artist.name}'s team as {ROLE_NOUN[role]}.",
    )
    # robust: the invitation stands even if the mail server is down; it can be sent again.
    transaction.on_commit(lambda: _send_invitation(invitation, token), robust=True)
    return invitation, token


def invitation_accept(*, token: str, user: User) -> ArtistMembership:
    """Accept the invitation the token names, for the signed-in `user`.

    See `invitation_accept_hashed`.
    """
    return invitation_accept_hashed(token_hash=token_hash(token), user=user)


@transaction.atomic
def invitation_accept_hashed(*, token_hash: str, user: User) -> ArtistMembership:
    """Accept the invitation with this token hash for `user`, and return the membership.

    Works once: the invitation must be unused, unrevoked and unexpired, and it is marked
    accepted in the same transaction, under a row lock, so a double click or two tabs
    accept it once. The user's email must be the invited address (in any case): raises
    `WrongAccount` otherwise, `InvitationUnusable` when the link is spent. An invitation
    the label sent is held to the label's rule again, as things stand now (`TeamError`,
    `RoleRefused`): the team may have gained an admin, or the user become a manager of
    the label, since it was sent. Someone already on the team keeps their role. The
    team's admins are told who joined.
    """
    artist_id = (
        Invitation.objects.filter(token_hash=token_hash).values_list("artist_id", flat=True).first()
    )
    if artist_id is None:
        raise InvitationUnusable(None)
    _lock_team(artist_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("artist__label", "invited_by")
        .get(token_hash=token_hash)
    )
    now = timezone.now()
    state = invitation.state_at(now)
    if state != Invitation.State.PENDING:
        raise InvitationUnusable(state)
    if email_normalise(user.email) != invitation.email:
        raise WrongAccount(
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{user.email}. Sign out and open the link again to accept it with the invited "
            "address, or ask for an invitation to this one."
        )
    if invitation.sent_as == SentAs.LABEL:
        _check_label_invitation(
            artist=invitation.artist,
            email=invitation.email,
            role=invitation.role,
            user=user,
        )
    membership, created = ArtistMembership.objects.get_or_create(
        artist=invitation.artist, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    if created:
        _event(
            artist=invitation.artist,
            actor=user,
            kind=TeamEvent.Kind.JOINED,
            subject=invitation.email,
            role=invitation.role,
            at=now,
        )
        _tell_admins(
            artist=invitation.artist,
            actor=user,
            message=(
                f"{user.display_name} ({invitation.email}) joined {invitation.artist.name}'s "
                f"team as {ROLE_NOUN[Role(invitation.role)]}, invited by "
                f"{_who(invitation.invited_by, invitation.sent_as, invitation.artist)}."
            ),
        )
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Withdraw an invitation so its link no longer works. Revoking twice changes nothing;
    an invitation already accepted cannot be withdrawn (remove the member instead)."""
    _lock_team(invitation.artist_id)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("artist__label")
        .get(pk=invitation.pk)
    )
    if invitation.accepted_at is not None:
        raise TeamError(
            f"{invitation.email} has already accepted this invitation. "
            "To take away their access, remove them from the team."
        )
    if invitation.revoked_at is not None:
        return invitation
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    who = _acting(actor, invitation.artist)
    _event(
        artist=invitation.artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.INVITATION_REVOKED,
        subject=invitation.email,
        role=invitation.role,
        at=invitation.revoked_at,
    )
    _tell_admins(
        artist=invitation.artist,
        actor=actor,
        kind=Notification.Kind.INVITATION,
        message=(
            f"{who} withdrew the invitation for {invitation.email} to join "
            f"{invitation.artist.name}'s team as {ROLE_NOUN[Role(invitation.role)]}."
        ),
    )
    return invitation


def _locked_membership(membership: ArtistMembership) -> ArtistMembership:
    _lock_team(membership.artist_id)
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
    admins = _admins(membership.artist_id)
    membership.role = role
    membership.save(update_fields=["role"])
    who = _acting(actor, membership.artist, capacity)
    _event(
        artist=membership.artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.ROLE_CHANGED,
        subject=membership.user.email,
        role=role,
        previous_role=previous,
    )
    _tell_admins(
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
    who = _acting(actor, membership.artist, capacity)
    membership.delete()
    _event(
        artist=membership.artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.REMOVED,
        subject=membership.user.email,
        previous_role=membership.role,
    )
    leaving = actor is not None and actor.pk == membership.user_id
    _tell_admins(
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
    _lock_team(artist.pk)
    if ArtistMembership.objects.filter(artist=artist, user=user).exists():
        raise TeamError(
            f"{user.email} is already on {artist.name}'s team. To give them other rights, "
            "change their role."
        )
    admins = _admins(artist.pk)
    membership = ArtistMembership.objects.create(artist=artist, user=user, role=role)
    who = _who(actor, SentAs.STAFF, artist)
    _event(
        artist=artist,
        actor=actor,
        actor_name=who,
        kind=TeamEvent.Kind.ADDED,
        subject=user.email,
        role=role,
    )
    _tell_admins(
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
