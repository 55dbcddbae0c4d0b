"""The team page, the label's invite page, and the invitation link.

Teams and labels are reached through `portal.consent.access` (`team_view`, `party_view`),
so anyone else's team or label is a 404 from a scoped lookup.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.http import AuthedRequest
from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership
from portal.consent.access import Party, PartyKind, TeamAccess, party_view, team_view
from portal.teams import selectors
from portal.teams.forms import InvitationForm, LabelInvitationForm, RoleForm
from portal.teams.models import ROLE_HELP, ROLE_NOUN, Invitation
from portal.teams.services import (
    InvitationUnusable,
    TeamError,
    WrongAccount,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_set_role,
)
from portal.teams.signup import invitation_forget, invitation_remember
from portal.words import moment_words

Role = ArtistMembership.Role
SentAs = Invitation.SentAs

NOT_ADMIN = "Only the team's admins can change who is on the team and what they may do."
NOT_INVITER = "Only the team's admins and the label's managers can invite people."


# For the forms: each role's value, short name, full label and what it may do.
ROLES = [
    {"value": r.value, "name": r.value.capitalize(), "label": r.label, "help": ROLE_HELP[r]}
    for r in Role
]


def _render_team(
    request: AuthedRequest, team: TeamAccess, *, invite_form: InvitationForm, status: int = 200
) -> HttpResponse:
    artist = team.artist
    members = selectors.members_of(artist)
    context: dict[str, Any] = {
        "team": team,
        "artist": artist,
        "members": members,
        "admins": [m for m in members if m.role == Role.ADMIN],
        "invitations": selectors.invitations_pending(artists=[artist]),
        "events": selectors.team_events(artist=artist),
        "invite_form": invite_form,
        "roles": ROLES,
    }
    return render(request, "teams/team.html", context, status=status)


@require_GET
@team_view
def team(request: AuthedRequest, team: TeamAccess) -> HttpResponse:
    return _render_team(request, team, invite_form=InvitationForm())


@require_POST
@team_view
def team_invite(request: AuthedRequest, team: TeamAccess) -> HttpResponse:
    if not team.can_invite:
        messages.error(request, NOT_INVITER)
        return redirect("team", artist_id=team.artist.pk)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _render_team(request, team, invite_form=form, status=422)
    # A label manager who is not one of the team's admins invites as the label, whose
    # rules are narrower: the service holds them.
    sent_as = SentAs.TEAM_ADMIN if team.role == Role.ADMIN else SentAs.LABEL
    try:
        invitation, _token = invitation_create(
            inviter=request.user, artist=team.artist, sent_as=sent_as, **form.cleaned_data
        )
    except TeamError as exc:
        form.add_error(exc.field, str(exc))
        return _render_team(request, team, invite_form=form, status=422)
    messages.success(request, _sent(invitation))
    return redirect("team", artist_id=team.artist.pk)


def _sent(invitation: Invitation) -> str:
    return (
        f"Invitation sent to {invitation.email} to join {invitation.artist.name}'s team as "
        f"{invitation.role_noun}. The link works once, until "
        f"{moment_words(invitation.expires_at)}."
    )


@require_POST
@team_view
def team_member_role(request: AuthedRequest, team: TeamAccess, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        ArtistMembership.objects.select_related("user"), artist=team.artist, pk=membership_id
    )
    back = redirect("team", artist_id=team.artist.pk)
    if not team.can_manage_members:
        messages.error(request, NOT_ADMIN)
        return back
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["role"]))
        return back
    role = Role(form.cleaned_data["role"])
    try:
        membership_set_role(actor=request.user, membership=membership, role=role)
    except TeamError as exc:
        messages.error(request, str(exc))
        return back
    who = "you are" if membership.user_id == request.user.pk else f"{membership.user} is"
    messages.success(request, f"Saved: {who} now {ROLE_NOUN[role]}, who {ROLE_HELP[role]}.")
    return back


@require_POST
@team_view
def team_member_remove(
    request: AuthedRequest, team: TeamAccess, membership_id: int
) -> HttpResponse:
    membership = get_object_or_404(
        ArtistMembership.objects.select_related("user"), artist=team.artist, pk=membership_id
    )
    leaving = membership.user_id == request.user.pk
    # Anyone may leave a team; only its admins take others off it.
    if not (team.can_manage_members or leaving):
        messages.error(request, NOT_ADMIN)
        return redirect("team", artist_id=team.artist.pk)
    try:
        membership_remove(actor=request.user, membership=membership)
    except TeamError as exc:
        messages.error(request, str(exc))
        return redirect("team", artist_id=team.artist.pk)
    if leaving:
        messages.success(request, f"You have left {team.artist.name}'s team.")
        if not team.manages_label:
            return redirect("home")
    else:
        messages.success(request, f"{membership.user} is no longer on {team.artist.name}'s team.")
    return redirect("team", artist_id=team.artist.pk)


@require_POST
@team_view
def team_invitation_revoke(
    request: AuthedRequest, team: TeamAccess, invitation_id: int
) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.filter(artist=team.artist), pk=invitation_id)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("team", args=[team.artist.pk])
    if not team.can_invite:
        messages.error(request, NOT_INVITER)
        return redirect(back)
    try:
        invitation_revoke(actor=request.user, invitation=invitation)
    except TeamError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(
        request, f"Invitation for {invitation.email} withdrawn: its link no longer works."
    )
    return redirect(back)


@require_http_methods(["GET", "POST"])
@party_view(PartyKind.LABELS)
def label_invite(request: AuthedRequest, party: Party) -> HttpResponse:
    label = party.label
    assert label is not None
    roster = selectors.roster_of(label)
    data = request.POST if request.method == "POST" else None
    initial = {"artist": request.GET.get("artist")} if request.GET.get("artist") else {}
    form = LabelInvitationForm(data, roster=roster, label_name=label.name, initial=initial)
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                invitation, _token = invitation_create(
                    inviter=request.user, sent_as=SentAs.LABEL, **form.cleaned_data
                )
            except TeamError as exc:
                form.add_error(exc.field, str(exc))
            else:
                messages.success(request, _sent(invitation))
                return redirect("label_invite", label_id=label.pk)
        status = 422
    context = {
        "label": label,
        "form": form,
        "roster": roster,
        "invitations": selectors.invitations_pending(artists=roster),
        "roles": ROLES,
    }
    return render(request, "teams/label_invite.html", context, status=status)


@never_cache
@require_GET
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email. Signed in with the invited address: join at once. Signed
    out: remember the invitation and offer sign-up or sign-in. Spent links say so."""
    invitation = selectors.invitation_by_token(token)
    if invitation is None:
        return _problem(request, None, status=404)
    state = invitation.state
    if state != Invitation.State.PENDING:
        return _problem(request, invitation, state=state, status=410)
    if not request.user.is_authenticated:
        invitation_remember(request, invitation)
        signup_url = reverse("account_signup") + "?" + urlencode({"email": invitation.email})
        login_url = reverse("account_login") + "?" + urlencode({"next": request.path})
        context = {"invitation": invitation, "signup_url": signup_url, "login_url": login_url}
        return render(request, "teams/invitation.html", context)
    user: User = request.user
    try:
        membership = invitation_accept(token=token, user=user)
    except WrongAccount as exc:
        return _problem(request, invitation, status=403, message=str(exc))
    except InvitationUnusable as exc:
        return _problem(request, invitation, state=exc.state, status=410)
    except TeamError as exc:
        # The label's rule, checked again now: the team gained an admin since, say.
        return _problem(request, invitation, status=409, message=str(exc))
    invitation_forget(request)
    if membership.role == invitation.role:
        messages.success(
            request,
            f"Welcome to {invitation.artist.name}'s team. "
            f"You are {invitation.role_noun}: you {invitation.role_help}.",
        )
    else:
        messages.info(
            request,
            f"You were already on {invitation.artist.name}'s team, as "
            f"{ROLE_NOUN[Role(membership.role)]}; that has not changed.",
        )
    return redirect("artist_home", artist_id=invitation.artist_id)


def _problem(
    request: HttpRequest,
    invitation: Invitation | None,
    *,
    status: int,
    state: Invitation.State | None = None,
    message: str = "",
) -> HttpResponse:
    context = {
        "invitation": invitation,
        "state": state,
        "message": message or str(InvitationUnusable(state)),
        "wrong_account": status == 403,
        "refused": status == 409,
        "States": Invitation.State,
    }
    return render(request, "teams/invitation_problem.html", context, status=status)
