"""Parsing what people send to dispute a work."""

from typing import Any

from django import forms

from portal.consent.models import DisputeReason
from portal.consent.models.disputes import NOTE_MAX
from portal.consent.services.disputes import note_problem


class DisputeForm(forms.Form):
    """What is wrong with the recording, and a note saying how staff can tell."""

    reason = forms.ChoiceField(
        choices=[("", "Choose…"), *DisputeReason.choices],
        label="What is wrong",
        error_messages={
            "required": "Choose what is wrong with the recording.",
            "invalid_choice": "Choose what is wrong with the recording.",
        },
    )
    note = forms.CharField(
        label="Note for staff",
        help_text=(
            f"What is wrong, and where the right details are (up to {NOTE_MAX:,} characters). "
            "Its artist's team, its label and the platform's staff will read it."
        ),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX}),
        # Checked by `note_problem`, so the page and the service say the same.
        strip=True,
        required=False,
    )

    def clean_note(self) -> str:
        note: str = self.cleaned_data.get("note") or ""
        if (problem := note_problem(note)) is not None:
            raise forms.ValidationError(problem)
        return note

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget.attrs["aria-describedby"] = "id_note_helptext"
