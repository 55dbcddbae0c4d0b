"""Parsing what people send from the notifications page."""

from django import forms


class EmailPreferenceForm(forms.Form):
    """The desired state of the preference: an unticked box means "do not email me"."""

    email_notifications = forms.BooleanField(required=False, label="Also email me notifications")


class BackForm(forms.Form):
    """Which page of the list to return to after a plain (non-htmx) post."""

    page = forms.IntegerField(required=False, min_value=1)
