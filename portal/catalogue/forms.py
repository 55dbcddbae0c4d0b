"""Forms for the catalogue: identifiers accepted in any common spelling, stored normalised.

The identifier fields are longer than the stored columns on purpose: people paste
`US-RC1-76-07839` or `0000 0001 2150 090X`, and the clean methods store the compact form.
Each mistake is reported on its own field.
"""

from typing import Any

from django import forms

from portal.catalogue.identifiers import isni_normalise, isrc_normalise, iswc_normalise
from portal.catalogue.models import Artist, Credit, Work

PASTED_IDENTIFIER_LENGTH = 32


def _identifier_field(label: str, *, required: bool, example: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=PASTED_IDENTIFIER_LENGTH,
        help_text=f"Any common spelling, such as {example}; stored without separators.",
    )


def _isni(value: str) -> str:
    return isni_normalise(value) if value else ""


class WorkAdminForm(forms.ModelForm):
    isrc = _identifier_field("ISRC", required=True, example="US-RC1-76-07839")
    iswc = _identifier_field("ISWC", required=False, example="T-034.524.680-1")

    class Meta:
        model = Work
        fields = [
            "isrc",
            "title",
            "primary_artist",
            "label",
            "release_title",
            "release_date",
            "duration",
            "iswc",
        ]

    def clean_isrc(self) -> str:
        return isrc_normalise(self.cleaned_data["isrc"])

    def clean_iswc(self) -> str:
        value = self.cleaned_data["iswc"]
        return iswc_normalise(value) if value else ""


class ArtistAdminForm(forms.ModelForm):
    isni = _identifier_field("ISNI", required=False, example="0000 0001 2150 090X")

    class Meta:
        model = Artist
        fields = ["name", "isni", "label"]

    def clean_isni(self) -> str:
        return _isni(self.cleaned_data["isni"])


class CreditAdminForm(forms.ModelForm):
    isni = _identifier_field("ISNI", required=False, example="0000 0001 2150 090X")

    class Meta:
        model = Credit
        fields = ["position", "name", "role", "isni"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["isni"].help_text = ""  # one row of a table: the header says enough

    def clean_isni(self) -> str:
        return _isni(self.cleaned_data["isni"])
