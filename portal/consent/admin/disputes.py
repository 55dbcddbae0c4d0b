"""Staff resolve disputes here. A dispute is raised by a work's artist's team or label
(on the work's history page) and closed only through
`portal.consent.services.disputes.dispute_close`, which records it in the ledger and
announces what flips: upheld (correct the work first, on its own page, or withdraw it)
or rejected (it was right). Nothing here adds, edits or deletes a dispute otherwise."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portal.accounts.models import User
from portal.catalogue.admin import IsrcSearchMixin, ReadOnlyMixin
from portal.consent.models import Dispute, DisputeLedgerEntry
from portal.consent.services import ConsentError, dispute_close
from portal.consent.services.disputes import note_problem
from portal.words import counted

RESOLUTIONS = [
    ("upheld", "Uphold: the work was wrong, and I have corrected or withdrawn it"),
    ("rejected", "Reject: the work was right; back to the answers as they were"),
]


class CloseForm(forms.ModelForm):
    resolution = forms.ChoiceField(
        choices=RESOLUTIONS,
        widget=forms.RadioSelect,
        help_text="Either way every use of the work is judged by its answers again, at once.",
    )

    class Meta:
        model = Dispute
        fields = ["closing_note"]
        labels = {"closing_note": "Note for the artist's team and the label"}

    def clean_closing_note(self) -> str:
        note: str = (self.cleaned_data.get("closing_note") or "").strip()
        if note and (problem := note_problem(note)) is not None:
            raise forms.ValidationError(problem)
        return note


def _close(
    request: HttpRequest, admin_site: admin.ModelAdmin, dispute: Dispute, upheld: bool, note: str
) -> None:
    assert isinstance(request.user, User)
    try:
        outcome = dispute_close(actor=request.user, dispute=dispute, upheld=upheld, note=note)
    except ConsentError as exc:
        admin_site.message_user(request, f"Dispute #{dispute.pk}: {exc}", messages.ERROR)
        return
    admin_site.message_user(
        request,
        f"Dispute #{dispute.pk} {outcome.dispute.get_status_display().lower()}: "
        f"{counted(outcome.flipped, 'permission')} changed.",
        messages.SUCCESS,
    )


@admin.register(Dispute)
class DisputeAdmin(IsrcSearchMixin, admin.ModelAdmin):
    form = CloseForm
    isrc_lookup = "work__isrc"
    list_display = ["work", "reason", "side", "raised_by", "raised_at", "status", "closed_at"]
    list_select_related = ["work", "raised_by"]
    list_filter = ["status", "reason"]
    search_fields = ["^work__isrc", "work__title"]
    actions = ["uphold", "reject"]
    readonly_fields = [
        "work",
        "correct_the_work",
        "reason",
        "note",
        "side",
        "raised_by",
        "raised_at",
        "status",
        "closed_by",
        "closed_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An open dispute's page closes it; a closed one is for reading.
        if obj is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="correct it")
    def correct_the_work(self, dispute: Dispute) -> SafeString:
        url = reverse("admin:catalogue_work_change", args=[dispute.work_id])
        return format_html(
            '<a href="{}">Edit the work (artist, label, credits) or withdraw it</a>', url
        )

    def save_model(
        self, request: HttpRequest, obj: Dispute, form: forms.ModelForm, change: bool
    ) -> None:
        """Closed through the service, never saved directly: the ledger and the changes
        come with it."""
        _close(
            request,
            self,
            obj,
            upheld=form.cleaned_data["resolution"] == "upheld",
            note=form.cleaned_data["closing_note"],
        )

    @admin.action(description="Uphold the selected disputes (works already corrected)")
    def uphold(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        for dispute in queryset.order_by("pk"):
            _close(request, self, dispute, upheld=True, note="")

    @admin.action(description="Reject the selected disputes (works were right)")
    def reject(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        for dispute in queryset.order_by("pk"):
            _close(request, self, dispute, upheld=False, note="")


@admin.register(DisputeLedgerEntry)
class DisputeLedgerEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The ledger's dispute links, for audit (answers are under Ledger entries)."""

    list_display = ["position", "at", "actor_name", "acting_for", "event", "dispute", "work"]
    list_select_related = ["dispute", "work"]
    list_filter = ["event"]
    search_fields = ["actor_name", "work__isrc"]
    ordering = ["-position"]
