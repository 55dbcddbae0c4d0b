"""Parsing and validation of what people send to manage a team."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from portal.catalogue.models import Artist, ArtistMembership

Role = ArtistMembership.Role

ROLE_ERRORS = {"invalid_choice": "Choose admin, editor or reader.", "required": "Choose a role."}


class InvitationForm(forms.Form):
    """Invite one person, by email, to the team in view."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter the email address to send the invitation to."},
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR, error_messages=ROLE_ERRORS)


class LabelInvitationForm(InvitationForm):
    """A label manager invites someone to the team of an artist on the label's roster."""

    field_order = ["artist", "email", "role"]

    def __init__(self, *args: Any, roster: QuerySet[Artist], label_name: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Only the roster is a valid choice, so a forged id from another label is a form
        # error and creates nothing.
        self.fields["artist"] = forms.ModelChoiceField(
            queryset=roster,
            label="Artist",
            empty_label="Choose an artist",
            error_messages={
                "invalid_choice": f"Choose an artist on the roster of {label_name}.",
                "required": "Choose the artist whose team they join.",
            },
        )
        self.order_fields(self.field_order)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, error_messages=ROLE_ERRORS)
