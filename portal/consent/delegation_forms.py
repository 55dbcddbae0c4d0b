"""What an artist lets their label decide for them, parsed and validated."""

from typing import Any

from django import forms

from portal.licensing.models import Product, UseType

SCOPE_CHOSEN, SCOPE_ALL = "chosen", "all"


class DelegationForm(forms.Form):
    """What an artist lets their label decide for them: products and uses, each either
    the ones ticked or every one, including those that come later. Both must be chosen:
    "everything" is never what ticking nothing means. `confirmed` is the second step,
    after the page has said what the delegation covers."""

    product_scope = forms.ChoiceField(
        choices=[
            (SCOPE_CHOSEN, "Only the products I tick"),
            (SCOPE_ALL, "Every product, including products that ask in the future"),
        ],
        widget=forms.RadioSelect,
        label="Products",
        error_messages={"required": "Choose which products your label may decide."},
    )
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The products I tick",
    )
    use_scope = forms.ChoiceField(
        choices=[
            (SCOPE_CHOSEN, "Only the uses I tick"),
            (SCOPE_ALL, "Every use, including uses added in the future"),
        ],
        widget=forms.RadioSelect,
        label="Uses",
        error_messages={"required": "Choose which uses your label may decide."},
    )
    use_types = forms.ModelMultipleChoiceField(
        queryset=UseType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="The uses I tick",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, products: list[Product], use_types: list[UseType], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        products_field, use_types_field = self.fields["products"], self.fields["use_types"]
        assert isinstance(products_field, forms.ModelMultipleChoiceField)
        assert isinstance(use_types_field, forms.ModelMultipleChoiceField)
        products_field.queryset = Product.objects.filter(pk__in=[p.pk for p in products])
        use_types_field.queryset = UseType.objects.filter(pk__in=[u.pk for u in use_types])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for scope, field, what in (
            ("product_scope", "products", "product"),
            ("use_scope", "use_types", "use"),
        ):
            if data.get(scope) == SCOPE_ALL:
                # Every one: what is ticked does not narrow it.
                data[field] = []
            elif data.get(scope) == SCOPE_CHOSEN and not data.get(field):
                self.add_error(field, f"Tick at least one {what}, or choose every {what}.")
        return data
