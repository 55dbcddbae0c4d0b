"""The upload forms: one or more catalogue files, and for staff the label they are for."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from portal.catalogue.models import Label
from portal.imports.services.start import upload_refusal

ACCEPT = ".xml,.csv,text/xml,application/xml,text/csv"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type="file" multiple>`, as Django's docs build it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class ImportUploadForm(forms.Form):
    uploads = MultipleFileField(
        label="Catalogue files",
        help_text="DDEX ERN 3.8 or 4.x messages (XML), or the CSV of the template. "
        "Choose several at once to import them together, in the order chosen.",
        error_messages={"required": "Choose at least one file to import."},
    )

    def clean_uploads(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["uploads"]
        refusals = [r for f in files if (r := upload_refusal(f)) is not None]
        if refusals:
            raise forms.ValidationError(refusals)
        return files


class ImportAddForm(ImportUploadForm):
    """Staff's: the same files, for a label they choose."""

    label = forms.ModelChoiceField(queryset=Label.objects.order_by("name"), label="Label")
    field_order = ["label", "uploads"]
