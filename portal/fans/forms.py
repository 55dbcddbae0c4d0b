"""Parsing and validation of the page's settings and of a fan's report."""

from typing import Any

from django import forms
from django.core.validators import URLValidator

from portal.fans.models import SLUG_MAX_LENGTH, SLUG_PATTERN, MisuseReport
from portal.text import code_point, control_in, validate_line

DESCRIPTION_MAX_LENGTH = 2000
URL_MAX_LENGTH = 500


class FanPageForm(forms.Form):
    """The page's address, /a/<slug>/."""

    slug = forms.RegexField(
        label="Address",
        regex=SLUG_PATTERN,
        min_length=2,
        max_length=SLUG_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": "Choose the page's address.",
            "invalid": "Use lower-case letters, digits and single hyphens between words, "
            "like ada-lane.",
        },
    )


class MisuseReportForm(forms.Form):
    """A fan's report. `website` is the honeypot: hidden from people, so anything in it
    came from a machine filling every field it finds. `started` is the form token
    (`guard.form_token`), checked by the view."""

    url = forms.URLField(
        label="Where you found it (its web address)",
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        # http and https only: no javascript:, data: or ftp: link lands in a team's inbox.
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={
            "required": "Give the web address where you found it.",
            "invalid": "Give a web address starting with http:// or https://.",
        },
    )
    kind = forms.ChoiceField(
        label="What it is",
        choices=MisuseReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say what it is.", "invalid_choice": "Say what it is."},
    )
    description = forms.CharField(
        label="What makes you think it is not authorised (optional)",
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact = forms.EmailField(
        label="Your email, if the team may reply (optional)",
        required=False,
        max_length=254,
        validators=[validate_line],
    )
    website = forms.CharField(label="Leave this empty", required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        # Django's URLField adds a scheme to "example.com/x"; anything that named another
        # scheme is refused by the validator above.
        if control_in(url) is not None:
            raise forms.ValidationError("A web address cannot hold control characters.")
        return url

    def clean_description(self) -> str:
        text: str = self.cleaned_data["description"]
        if (char := control_in(text, multiline=True)) is not None:
            raise forms.ValidationError(
                "This cannot hold control characters (%(char)s).",
                params={"char": code_point(char)},
            )
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("website"):
            raise forms.ValidationError(
                "This report looks automated, so it was not sent. If you are a person, "
                "leave the last field empty and send it again."
            )
        return cleaned
