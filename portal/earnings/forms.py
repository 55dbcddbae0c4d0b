"""Forms for the earnings pages."""

from django import forms

from portal.text import validate_line


class CreditsSearch(forms.Form):
    """The credits page's search: part of a title or an ISRC, on one line."""

    q = forms.CharField(required=False, max_length=100, validators=[validate_line])
