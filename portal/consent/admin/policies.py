"""Staff's page for label policies. Adding and lifting go through
`portal.consent.services.policies`, which records each in the ledger and announces what it
flips; a policy is never edited or deleted here (lifting keeps it, for the record)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from portal.accounts.models import User
from portal.catalogue.admin import ReadOnlyMixin
from portal.consent.models import LabelPolicy, PolicyLedgerEntry
from portal.consent.services import ConsentError, policy_add, policy_lift
from portal.consent.wording import policy_cap, policy_words


def _flipped(flipped: dict[str, int]) -> str:
    if not flipped:
        return "No permission changed."
    return " ".join(
        f"{name}: {n:,} permission{'s' if n != 1 else ''} flipped." for name, n in flipped.items()
    )


@admin.register(LabelPolicy)
class LabelPolicyAdmin(admin.ModelAdmin):
    list_display = ["label", "does_not_allow", "added_by", "added_at", "lifted_by", "lifted_at"]
    list_select_related = ["label", "use_type", "product", "added_by", "lifted_by"]
    list_filter = ["label", ("lifted_at", admin.EmptyFieldListFilter)]
    search_fields = ["label__name"]
    fields = ["label", "use_type", "product", "released_before"]
    autocomplete_fields = ["label"]
    actions = ["lift"]

    @admin.display(description="does not allow")
    def does_not_allow(self, policy: LabelPolicy) -> str:
        return policy_words(policy_cap(policy))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: LabelPolicy, form: forms.ModelForm, change: bool
    ) -> None:
        """Added through the service, never saved directly: the ledger and the changes
        come with it."""
        assert isinstance(request.user, User)
        outcome = policy_add(
            actor=request.user,
            label=obj.label,
            use_type=obj.use_type,
            product=obj.product,
            released_before=obj.released_before,
        )
        obj.pk, obj.added_by, obj.added_at = (
            outcome.policy.pk,
            outcome.policy.added_by,
            outcome.policy.added_at,
        )
        messages.info(request, _flipped(outcome.flipped))

    @admin.action(description="Lift the selected policies (announces what flips)")
    def lift(self, request: HttpRequest, queryset: QuerySet[LabelPolicy]) -> None:
        assert isinstance(request.user, User)
        for policy in queryset.order_by("pk"):
            try:
                outcome = policy_lift(actor=request.user, policy=policy)
            except ConsentError as exc:
                messages.error(request, f"Policy #{policy.pk}: {exc}")
            else:
                messages.success(
                    request, f"Policy #{policy.pk} lifted. {_flipped(outcome.flipped)}"
                )


@admin.register(PolicyLedgerEntry)
class PolicyLedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The ledger's policy links, for audit (answers are under Ledger entries)."""

    list_display = ["position", "at", "actor_name", "event", "policy", "label"]
    list_select_related = ["policy", "label"]
    list_filter = ["event", "label"]
    search_fields = ["actor_name", "label__name"]
    ordering = ["-position"]
