"""Parsing a label policy from the label's Policies page: the kind in plain words, and the
one value that kind needs. Ids outside what the label may choose are form errors."""

from datetime import date
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet

from portal.licensing.models import Product, UseType


class PolicyKind(models.TextChoices):
    USE = "use", "Never for one use, whatever the product"
    PRODUCT = "product", "Never for one product, whatever the use"
    RELEASED = "released", "Only for works released before a date"


class PolicyForm(forms.Form):
    kind = forms.ChoiceField(
        choices=PolicyKind.choices, widget=forms.RadioSelect, label="What the policy stops"
    )
    use_type = forms.ModelChoiceField(
        queryset=UseType.objects.order_by("name"),
        required=False,
        label="The use",
        to_field_name="slug",
        empty_label="Choose a use",
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label="The product",
        to_field_name="slug",
        empty_label="Choose a product",
    )
    released_before = forms.DateField(
        required=False,
        label="Released before",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Works released on or after this day, and works without a release date, "
        "are not used.",
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        needed = {
            PolicyKind.USE: "use_type",
            PolicyKind.PRODUCT: "product",
            PolicyKind.RELEASED: "released_before",
        }
        if kind in needed:
            field = needed[PolicyKind(kind)]
            if not data.get(field) and field not in self.errors:
                self.add_error(field, "Choose one for this kind of policy.")
            # Only the chosen kind's value counts, whatever else the form carried.
            for other in needed.values():
                if other != field:
                    data[other] = None
        released = data.get("released_before")
        if isinstance(released, date) and released.year < 1900:
            self.add_error("released_before", "Give a date from 1900 on.")
        return data

    def conditions(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("use_type", "product", "released_before")
        }


class LiftForm(forms.Form):
    confirm = forms.BooleanField(required=False)
