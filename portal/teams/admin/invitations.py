"""Invitations in admin: staff may invite (the invitation goes through `invitation_create`,
which emails the link) and withdraw invitations; nothing else about an invitation is
edited here. No token is ever shown: the database holds only its hash, and the hash is
not shown either.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from portal.accounts.http import user_of
from portal.teams import selectors
from portal.teams.models import Invitation
from portal.teams.services.common import TeamError, email_normalise
from portal.teams.services.invitations import invitation_create, invitation_revoke


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return list(Invitation.State.choices)

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Invitation]
    ) -> QuerySet[Invitation]:
        now = timezone.now()
        states: dict[str, Q] = {
            Invitation.State.PENDING: Q(
                accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            ),
            Invitation.State.ACCEPTED: Q(accepted_at__isnull=False),
            Invitation.State.REVOKED: Q(revoked_at__isnull=False),
            Invitation.State.EXPIRED: Q(
                accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now
            ),
        }
        value = self.value()
        if value in states:
            return queryset.filter(states[value])
        return queryset


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["artist", "email", "role"]

    def clean_email(self) -> str:
        return email_normalise(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        artist, email = data.get("artist"), data.get("email")
        if artist and email and selectors.is_member(artist=artist, email=email):
            self.add_error("email", f"{email} is already on {artist.name}'s team.")
        return data


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationAddForm  # for adding; an existing invitation is only viewed
    list_display = [
        "email",
        "artist",
        "role",
        "state_display",
        "invited_by",
        "created_at",
        "expires_at",
    ]
    list_select_related = ["artist", "invited_by"]
    list_filter = [InvitationStateFilter, "role"]
    search_fields = ["email", "artist__name"]
    autocomplete_fields = ["artist"]
    date_hierarchy = "created_at"
    actions = ["revoke"]
    readonly_fields = [
        "email",
        "artist",
        "role",
        "state_display",
        "invited_by",
        "sent_as",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]

    def get_fields(self, request: HttpRequest, obj: Invitation | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("artist", "email", "role")
        return tuple(self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Invitation | None = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewable, never edited: a state change goes through a service.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="state")
    def state_display(self, invitation: Invitation) -> str:
        return invitation.state.label

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        # Through the service, which stores only the token's hash and emails the link.
        invitation, _token = invitation_create(
            inviter=user_of(request),
            artist=obj.artist,
            email=obj.email,
            role=obj.role,
            sent_as=Invitation.SentAs.STAFF,
        )
        obj.pk = invitation.pk
        obj.refresh_from_db()

    @admin.action(description="Withdraw the selected invitations")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        withdrawn = 0
        for invitation in queryset:
            try:
                invitation_revoke(actor=user_of(request), invitation=invitation)
            except TeamError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                withdrawn += 1
        self.message_user(request, f"{withdrawn} invitation(s) withdrawn.", messages.SUCCESS)
