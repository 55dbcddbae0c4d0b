"""Staff's forms in delivery's admin: an endpoint's URL, and a range of changes to replay."""

from typing import Any

from django import forms

from portal.delivery.models import Endpoint


# Typed without a scheme, a receiver's address is meant as https.
def _url_field() -> forms.URLField:
    return forms.URLField(max_length=500, assume_scheme="https", label="URL")


class EndpointAddForm(forms.ModelForm):
    url = _url_field()

    class Meta:
        model = Endpoint
        fields = ["product", "url"]


class EndpointChangeForm(forms.ModelForm):
    url = _url_field()

    class Meta:
        model = Endpoint
        fields = ["url"]


class ReplayForm(forms.Form):
    first_seq = forms.IntegerField(min_value=1, label="From change")
    last_seq = forms.IntegerField(min_value=1, label="To change (inclusive)")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_seq"), data.get("last_seq")
        if first is not None and last is not None and last < first:
            raise forms.ValidationError("The range must not end before it starts.")
        return data
