"""Memberships in admin: edited on their own list, on the artist's page and on the user's
page, and every add, role change and removal goes through the team services, as on the
team page: the team history records it as staff's, the team's admins are told, and a team
always keeps an admin. A change the rule refuses is a form error and saves nothing.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from portal.accounts.http import user_of
from portal.accounts.models import User
from portal.catalogue.admin import ArtistAdmin, ModelAdminMixin, UserWithLabelsAdmin
from portal.catalogue.models import Artist, ArtistMembership, LabelManager
from portal.teams import selectors
from portal.teams.services.common import TeamError
from portal.teams.services.memberships import LAST_ADMIN, memberships_apply

Role = ArtistMembership.Role

MOVED = "A membership stays with its artist and its person. To move it, delete it and add another."


@dataclass(frozen=True)
class RoleChange:
    """What saving one membership form does to its team's admins."""

    membership: ArtistMembership
    before: str | None  # None: a new membership
    after: str | None  # None: removed


def change_of(form: forms.ModelForm, *, deleted: bool = False) -> RoleChange:
    # `initial` keeps the stored role: the form has written the new one on the instance.
    before = form.initial.get("role") if form.instance.pk is not None else None
    after = None if deleted else form.cleaned_data.get("role")
    return RoleChange(form.instance, before, after)


def last_admin_refusal(changes: Iterable[RoleChange]) -> str | None:
    """Why these changes, saved together, are refused: a team they leave without an
    admin. Admins added or promoted count, since `memberships_apply` makes them first."""
    by_team: dict[int, list[RoleChange]] = defaultdict(list)
    for change in changes:
        by_team[change.membership.artist_id].append(change)
    for artist_id, team in sorted(by_team.items()):
        leaving = [c for c in team if c.before == Role.ADMIN and c.after != Role.ADMIN]
        arriving = [c for c in team if c.after == Role.ADMIN and c.before != Role.ADMIN]
        if not leaving or arriving:
            continue
        if not selectors.keeps_an_admin(
            artist_id=artist_id, without=[c.membership.pk for c in leaving]
        ):
            membership = leaving[-1].membership
            return LAST_ADMIN.format(
                name=membership.user.display_name, artist=membership.artist.name
            )
    return None


class MembershipForm(forms.ModelForm):
    """A membership as staff edit it: only its role changes once it exists."""

    class Meta:
        model = ArtistMembership
        fields = ["artist", "user", "role"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk is not None:
            for field in ("artist", "user"):
                if field in self.changed_data:
                    self.add_error(field, MOVED)
        return data


class MembershipChangeForm(MembershipForm):
    """One membership on its own page: the team-keeps-an-admin rule for its role."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.instance.pk is not None and "role" in data:
            refusal = last_admin_refusal([change_of(self)])
            if refusal:
                self.add_error("role", refusal)
        return data


class MembershipFormSet(BaseInlineFormSet):
    """Every membership on an artist's or a user's page, judged together: a team must
    keep an admin after all of them are saved."""

    def clean(self) -> None:
        super().clean()
        changes = []
        for form in self.forms:
            deleted = self.can_delete and self._should_delete_form(form)  # type: ignore[attr-defined]  # Django's; not in its stubs
            if form.instance.pk is None and (deleted or not form.has_changed()):
                continue  # an empty or discarded new row
            if form.errors and not deleted:
                return  # the row's own error is shown; the team is judged once it is fixed
            changes.append(change_of(form, deleted=deleted))
        refusal = last_admin_refusal(changes)
        if refusal:
            raise ValidationError(refusal)


class TeamRefusalShown(ModelAdminMixin):
    """A refusal the forms could not foresee (someone changed the team meanwhile) is
    shown as an error message, and the whole save is rolled back with it."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except TeamError as exc:
            return self._refused(request, exc)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except TeamError as exc:
            opts = self.opts
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            return self._refused(request, exc, change)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        try:
            # Admin's bulk delete logs the deletions before making them: both or neither.
            with transaction.atomic():
                return super().response_action(request, queryset)
        except TeamError as exc:
            return self._refused(request, exc)

    def _refused(self, request: HttpRequest, exc: TeamError, to: str = "") -> HttpResponse:
        self.message_user(request, f"Nothing was saved. {exc}", messages.ERROR)
        return HttpResponseRedirect(to or request.get_full_path())


class MembershipsInParent(TeamRefusalShown):
    """For the artist's and the user's pages: their membership rows go through the
    team services."""

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is not ArtistMembership:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        memberships_apply(
            actor=user_of(request),
            added=formset.new_objects,
            changed=[membership for membership, _ in formset.changed_objects],
            removed=formset.deleted_objects,
        )


class HeldByLabelManagerFilter(admin.SimpleListFilter):
    """Memberships whose user manages the artist's own label. Legitimate when the artist
    asked them on; otherwise a label speaking for the artist without a delegation, as a
    manager could arrange before invitations recorded who sent them. For staff to review."""

    title = "held by a manager of the artist's label"
    parameter_name = "label_manager"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ArtistMembership]
    ) -> QuerySet[ArtistMembership]:
        manager = Exists(
            LabelManager.objects.filter(
                label_id=OuterRef("artist__label_id"), user_id=OuterRef("user_id")
            )
        )
        if self.value() == "yes":
            return queryset.filter(manager)
        if self.value() == "no":
            return queryset.filter(~manager)
        return queryset


@admin.register(ArtistMembership)
class ArtistMembershipAdmin(TeamRefusalShown, admin.ModelAdmin):
    form = MembershipChangeForm
    list_display = ["user", "artist", "role", "since"]
    list_select_related = ["user", "artist"]
    list_filter = ["role", HeldByLabelManagerFilter]
    search_fields = ["user__email", "user__name", "artist__name"]
    autocomplete_fields = ["user", "artist"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: ArtistMembership | None = None
    ) -> list[str]:
        return ["artist", "user", "since"] if obj is not None else ["since"]

    def save_model(
        self, request: HttpRequest, obj: ArtistMembership, form: Any, change: bool
    ) -> None:
        actor = user_of(request)
        if change:
            memberships_apply(actor=actor, changed=[obj])
        else:
            memberships_apply(actor=actor, added=[obj])

    def delete_model(self, request: HttpRequest, obj: ArtistMembership) -> None:
        memberships_apply(actor=user_of(request), removed=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ArtistMembership]) -> None:
        memberships_apply(
            actor=user_of(request),
            removed=queryset.select_related("user", "artist"),
        )


class ArtistTeamInline(admin.TabularInline):
    """The artist's team, on the artist's page."""

    model = ArtistMembership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ["user", "role", "since"]
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["since"]
    verbose_name = "team member"
    verbose_name_plural = "team (users who act for the artist)"


class UserTeamsInline(admin.TabularInline):
    """The teams a user is on, on the user's page."""

    model = ArtistMembership
    form = MembershipForm
    formset = MembershipFormSet
    fields = ["artist", "role", "since"]
    extra = 0
    autocomplete_fields = ["artist"]
    readonly_fields = ["since"]
    verbose_name = "artist team membership"


admin.site.unregister(Artist)


@admin.register(Artist)
class ArtistWithTeamAdmin(MembershipsInParent, ArtistAdmin):
    inlines = [*ArtistAdmin.inlines, ArtistTeamInline]


admin.site.unregister(User)


@admin.register(User)
class UserWithTeamsAdmin(MembershipsInParent, UserWithLabelsAdmin):
    inlines = [UserTeamsInline, *UserWithLabelsAdmin.inlines]
