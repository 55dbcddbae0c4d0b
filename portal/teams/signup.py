"""How an invitation carries a visitor through allauth's sign-up.

Opening an invitation link while signed out remembers the invitation in the session
(its token's hash, never the token). While a still-valid invitation is remembered, the
account adapter opens sign-up for the invited address, and the new account joins the
team as it is created, its address verified by the invitation itself.
"""

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership
from portal.teams.models import Invitation
from portal.teams.services import TeamError, email_normalise, invitation_accept_hashed

SESSION_KEY = "teams_invitation"
JOINED_KEY = "teams_joined_artist"


def invitation_remember(request: HttpRequest, invitation: Invitation) -> None:
    request.session[SESSION_KEY] = invitation.token_hash


def invitation_forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def invitation_remembered(request: HttpRequest) -> Invitation | None:
    """The invitation this visitor opened, if it can still be accepted."""
    session = getattr(request, "session", None)
    hashed = session.get(SESSION_KEY) if session is not None else None
    if not hashed:
        return None
    return Invitation.objects.pending().select_related("artist").filter(token_hash=hashed).first()


def join_on_signup(request: HttpRequest, user: User) -> ArtistMembership | None:
    """Accept the remembered invitation for a user who has just signed up with the
    invited address. Returns the membership, or None when there is nothing to accept.
    An invitation spent in the meantime leaves the account without a team, and says so."""
    invitation = invitation_remembered(request)
    if invitation is None or email_normalise(user.email) != invitation.email:
        return None
    try:
        membership = invitation_accept_hashed(token_hash=invitation.token_hash, user=user)
    except TeamError as exc:
        messages.error(request, f"{exc} Ask for a new invitation.")
        return None
    invitation_forget(request)
    request.session[JOINED_KEY] = invitation.artist_id
    messages.success(
        request,
        f"Welcome to {invitation.artist.name}'s team. "
        f"You are {invitation.role_noun}: you {invitation.role_help}.",
    )
    return membership


def joined_redirect(request: HttpRequest) -> str | None:
    """Where to land right after a sign-up that joined a team: that artist's home."""
    artist_id = request.session.pop(JOINED_KEY, None)
    return reverse("artist_home", args=[artist_id]) if artist_id else None
