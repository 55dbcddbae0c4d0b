"""Parsing and validation of what people send when they decide."""

from typing import Any

from django import forms

from portal.consent.models import Answer
from portal.licensing.models import Product, UseType


class UseChoiceField(forms.ModelChoiceField):
    """A use type given by its slug, limited to what the product asks for."""

    def __init__(self, use_types: list[UseType], **kwargs: Any) -> None:
        super().__init__(
            queryset=UseType.objects.filter(pk__in=[u.pk for u in use_types]),
            to_field_name="slug",
            error_messages={"invalid_choice": "This product does not ask for that use."},
            **kwargs,
        )


class DecisionForm(forms.Form):
    """One answer for one work and use: the desired state, never "toggle"."""

    use = forms.CharField()
    answer = forms.ChoiceField(
        choices=Answer.choices,
        error_messages={"invalid_choice": "Choose yes or no."},
    )

    def __init__(self, *args: Any, use_types: list[UseType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["use"] = UseChoiceField(use_types)


class MatrixFilter(forms.Form):
    STATES = [
        ("", "All works"),
        ("waiting", "Waiting for you"),
        ("permitted", "Permitted for some use"),
        ("not_permitted", "Not permitted for some use"),
    ]

    q = forms.CharField(required=False, max_length=100, label="Search")
    state = forms.ChoiceField(choices=STATES, required=False, label="Show")


class IdsField(forms.Field):
    """A list of ids from checkboxes or hidden inputs."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError("Some selected works could not be read.") from exc


class BulkForm(forms.Form):
    """One answer for one use across many works. Previewed before it is applied."""

    SCOPES = [
        ("all", "All works"),
        ("filtered", "Works matching the search and filter"),
        ("selected", "Selected works"),
        ("artists", "Works of chosen artists"),
    ]

    use = forms.CharField()
    answer = forms.ChoiceField(choices=Answer.choices)
    scope = forms.ChoiceField(choices=SCOPES, initial="all")
    works = IdsField(required=False)
    artists = IdsField(required=False)
    other_granted = forms.BooleanField(
        required=False, label="Only where the other side has already said yes"
    )
    q = forms.CharField(required=False, max_length=100)
    state = forms.ChoiceField(choices=MatrixFilter.STATES, required=False)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args: Any, use_types: list[UseType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["use"] = UseChoiceField(use_types, label="Use")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("scope") == "selected" and not data.get("works"):
            raise forms.ValidationError("Select at least one work, or choose all works.")
        if data.get("scope") == "artists" and not data.get("artists"):
            raise forms.ValidationError("Choose at least one artist, or choose all works.")
        return data


class DelegationForm(forms.Form):
    """What an artist lets their label decide for them. Nothing ticked means everything."""

    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Products",
        help_text="Leave all unticked for every product, including future ones.",
    )
    use_types = forms.ModelMultipleChoiceField(
        queryset=UseType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Uses",
        help_text="Leave all unticked for every use.",
    )

    def __init__(
        self, *args: Any, products: list[Product], use_types: list[UseType], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        products_field, use_types_field = self.fields["products"], self.fields["use_types"]
        assert isinstance(products_field, forms.ModelMultipleChoiceField)
        assert isinstance(use_types_field, forms.ModelMultipleChoiceField)
        products_field.queryset = Product.objects.filter(pk__in=[p.pk for p in products])
        use_types_field.queryset = UseType.objects.filter(pk__in=[u.pk for u in use_types])


class ExportFilter(forms.Form):
    """The CSV export's filters, as on the page. Unknown values are errors, not ignored."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, to_field_name="slug"
    )
    use = forms.ModelChoiceField(
        queryset=UseType.objects.all(), required=False, to_field_name="slug"
    )
    q = forms.CharField(required=False, max_length=100)
    state = forms.ChoiceField(choices=MatrixFilter.STATES, required=False)

    def __init__(self, *args: Any, products: list[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.ModelChoiceField)
        product_field.queryset = Product.objects.filter(pk__in=[p.pk for p in products])
