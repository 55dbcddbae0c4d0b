"""Parsing and validation of what people send when they decide."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from portal.catalogue.models import Artist, Release
from portal.consent.conditions import Conditions, Given, countries
from portal.consent.models import NO_ANSWER, Answer
from portal.consent.selectors import filtering
from portal.consent.services.conditions import CREDIT_MAX
from portal.licensing.models import Condition, Product, UseType

COUNTRIES = countries()


class UseChoiceField(forms.ModelChoiceField):
    """A use type given by its slug, limited to what the product asks for."""

    def __init__(self, use_types: list[UseType], **kwargs: Any) -> None:
        super().__init__(
            queryset=UseType.objects.filter(pk__in=[u.pk for u in use_types]),
            to_field_name="slug",
            error_messages={"invalid_choice": "This product does not ask for that use."},
            **kwargs,
        )


# How a form says "take my answer back": no answer, as before one was given.
CLEAR = "none"


class DecisionForm(forms.Form):
    """One answer for one work and use: the desired state, never "toggle". `answer` is
    yes, no, or `CLEAR` (cleaned to `NO_ANSWER`)."""

    use = forms.CharField()
    answer = forms.ChoiceField(
        choices=[*Answer.choices, (CLEAR, "No answer")],
        error_messages={"invalid_choice": "Choose yes or no."},
    )

    def clean_answer(self) -> str:
        answer: str = self.cleaned_data["answer"]
        return NO_ANSWER if answer == CLEAR else answer

    def __init__(self, *args: Any, use_types: list[UseType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["use"] = UseChoiceField(use_types)


REACH = [
    ("this", "This version only: asked again if the product changes what it does"),
    ("later", "This and later versions, until I say otherwise"),
]


class ReachForm(forms.Form):
    """Whether a yes covers a product's later versions unless the artist says otherwise."""

    reach = forms.ChoiceField(choices=REACH, widget=forms.RadioSelect, label="A yes covers")


class ConditionsForm(forms.Form):
    """A yes with conditions, chosen from the vocabulary: one checkbox each, with the
    credit line and the countries for the conditions that take them. For one work's use
    (`use_types`), with the choice to make them the product's default too; without, the
    default alone."""

    def __init__(
        self,
        *args: Any,
        use_types: list[UseType] | None,
        vocabulary: list[Condition],
        cannot: set[str],
        own_defaults: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if use_types is not None:
            self.fields["use"] = UseChoiceField(use_types, widget=forms.HiddenInput)
            # Left out (an older page, a script): the party's own default.
            self.fields["reach"] = forms.ChoiceField(
                choices=REACH,
                widget=forms.RadioSelect,
                label="Which versions of the product",
                required=False,
            )
        if use_types is not None and own_defaults:
            self.fields["make_default"] = forms.BooleanField(
                required=False, label="Use these conditions for every yes to this product"
            )
        self.vocabulary = vocabulary
        for condition in vocabulary:
            help_text = condition.explanation
            if condition.code in cannot:
                help_text += " This product cannot honour it: a yes with it permits nothing."
            self.fields[condition.code] = forms.BooleanField(
                required=False, label=condition.name, help_text=help_text
            )
            if condition.parameter == Condition.Parameter.CREDIT:
                self.fields[f"{condition.code}__credit"] = forms.CharField(
                    required=False, max_length=CREDIT_MAX, label="Credit line"
                )
            elif condition.parameter == Condition.Parameter.TERRITORIES:
                self.fields[f"{condition.code}__allow"] = forms.MultipleChoiceField(
                    required=False, choices=COUNTRIES, label="Countries allowed"
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for condition in self.vocabulary:
            if not data.get(condition.code):
                continue
            if (
                condition.parameter == Condition.Parameter.CREDIT
                and not (data.get(f"{condition.code}__credit") or "").strip()
            ):
                self.add_error(f"{condition.code}__credit", "Give the credit line to show.")
            if condition.parameter == Condition.Parameter.TERRITORIES and not data.get(
                f"{condition.code}__allow"
            ):
                self.add_error(f"{condition.code}__allow", "Choose at least one country.")
        return data

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField | None]]:
        """Each condition's checkbox and the field of its parameter, if it takes one."""
        rows = []
        for condition in self.vocabulary:
            parameter = next(
                (self[name] for name in self.fields if name.startswith(f"{condition.code}__")),
                None,
            )
            rows.append((self[condition.code], parameter))
        return rows

    def conditions(self) -> Conditions:
        """The conditions ticked, with their parameters (once the form is valid)."""
        data = self.cleaned_data
        return tuple(
            sorted(
                Given(
                    condition.code,
                    (data.get(f"{condition.code}__credit") or "").strip(),
                    tuple(sorted(data.get(f"{condition.code}__allow") or ())),
                )
                for condition in self.vocabulary
                if data.get(condition.code)
            )
        )


class MatrixFilter(forms.Form):
    STATES = [
        ("", "All works"),
        ("waiting", "Waiting for you"),
        ("permitted", "Permitted for some use"),
        ("not_permitted", "Not permitted for some use"),
    ]

    q = forms.CharField(required=False, max_length=100, label="Search")
    state = forms.ChoiceField(choices=STATES, required=False, label="Show")


class ProductPageFilter(forms.Form):
    """The product page's filters, as its URL carries them. An id that is not the party's
    (another label's artist, a release none of its works are on) is an error, never
    quietly dropped: a bulk answer "for everything the filter matches" must not widen."""

    q = forms.CharField(required=False, max_length=100, label="Title or ISRC")
    artist = forms.ModelChoiceField(
        queryset=Artist.objects.none(),
        required=False,
        label="Artist",
        empty_label="Every artist",
        error_messages={"invalid_choice": "That artist is not on this roster."},
    )
    use = forms.CharField(required=False)
    artist_answer = forms.ChoiceField(
        choices=[("", "any answer"), *filtering.ARTIST_ANSWERS],
        required=False,
        label="The artist",
    )
    label_answer = forms.ChoiceField(
        choices=[("", "any answer"), *filtering.LABEL_ANSWERS],
        required=False,
        label="The label",
    )
    state = forms.ChoiceField(
        choices=[("", "any state"), *filtering.STATES], required=False, label="State"
    )
    release = forms.ModelChoiceField(
        queryset=Release.objects.none(),
        required=False,
        label="Release",
        error_messages={"invalid_choice": "None of these works is on that release."},
    )
    sort = forms.ChoiceField(
        choices=[
            ("title", "Title, A to Z"),
            ("-title", "Title, Z to A"),
            ("artist", "Artist, A to Z"),
            ("-artist", "Artist, Z to A"),
            ("release_date", "Release date, oldest first"),
            ("-release_date", "Release date, newest first"),
        ],
        required=False,
        label="Sort by",
    )
    per_page = forms.TypedChoiceField(
        choices=[(50, "50"), (100, "100"), (200, "200")],
        coerce=int,
        required=False,
        empty_value=None,
        label="Per page",
    )

    # A bulk answer sends the filter with its own fields (`use` among them): there, the
    # filter's are prefixed, `filter-use`.
    BULK_PREFIX = "filter"
    # The parameters a link to another page of the same list keeps, in this order.
    KEPT = ("q", "artist", "use", "artist_answer", "label_answer", "state", "release", "sort")

    def __init__(
        self,
        *args: Any,
        use_types: list[UseType],
        artists: QuerySet[Artist],
        releases: QuerySet[Release],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["use"] = UseChoiceField(use_types, required=False, label="Use")
        artist_field, release_field = self.fields["artist"], self.fields["release"]
        assert isinstance(artist_field, forms.ModelChoiceField)
        assert isinstance(release_field, forms.ModelChoiceField)
        artist_field.queryset = artists
        release_field.queryset = releases

    def work_filter(self) -> filtering.WorkFilter:
        data = self.cleaned_data
        return filtering.WorkFilter(
            q=data.get("q") or "",
            artist_id=data["artist"].pk if data.get("artist") else None,
            use_type_id=data["use"].pk if data.get("use") else None,
            artist_answer=data.get("artist_answer") or "",
            label_answer=data.get("label_answer") or "",
            state=data.get("state") or "",
            release_id=data["release"].pk if data.get("release") else None,
        )

    def kept(self) -> list[tuple[str, str]]:
        """The filter as URL parameters, the empty ones left out (raw, as sent)."""
        sent = [(name, self.data.get(self.add_prefix(name))) for name in self.KEPT]
        return [(name, str(value)) for name, value in sent if value]

    def describe(self, *, label_name: str) -> str:
        """The filter in words, for "Answer the 12,480 works by Ada Lane where the artist
        said yes for training"."""
        data = self.cleaned_data
        use = f" for {data['use'].name.lower()}" if data.get("use") else ""
        parts = []
        if data.get("artist"):
            parts.append(f"by {data['artist'].name}")
        if data.get("release"):
            parts.append(f"on {data['release'].title}")
        if data.get("q"):
            parts.append(f"matching “{data['q']}”")
        artist_words = {
            filtering.YES: f"where the artist said yes{use}",
            filtering.NO: f"where the artist said no{use}",
            filtering.NONE: f"where the artist has not answered{use}",
            filtering.EXPIRED: f"where the artist's yes{use} has expired",
        }
        label_words = {
            filtering.YES: f"where {label_name} said yes{use}",
            filtering.NO: f"where {label_name} said no{use}",
            filtering.NONE: f"waiting for {label_name}{use}",
        }
        state_words = {
            "waiting": f"waiting for your answer{use}",
            "permitted": f"permitted{use}",
            "not_permitted": f"not permitted{use}",
        }
        for value, wording in (
            (data.get("artist_answer"), artist_words),
            (data.get("label_answer"), label_words),
            (data.get("state"), state_words),
        ):
            if value:
                parts.append(wording[value])
        return ", ".join(parts)

    def filtered(self) -> bool:
        """Whether anything narrows the list (sorting and page size do not)."""
        return any(self.data.get(self.add_prefix(name)) for name in self.KEPT if name != "sort")


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
    """One answer for one use across many works: every work the page's filter matches
    (sent alongside, as `ProductPageFilter` reads it), or the works selected on the page.
    Previewed before it is applied; the preview's `token` makes a second confirmation
    of the same preview harmless."""

    SCOPES = [
        ("filtered", "Every work the filter matches"),
        ("selected", "The works selected on this page"),
    ]

    use = forms.CharField()
    answer = forms.ChoiceField(choices=Answer.choices)
    # "all" is what older pages sent: every work, which is what an empty filter matches.
    scope = forms.TypedChoiceField(
        choices=[*SCOPES, ("all", "All works")],
        coerce=lambda value: "filtered" if value == "all" else value,
        initial="filtered",
    )
    works = IdsField(required=False)
    other_granted = forms.BooleanField(
        required=False, label="Only where the other side has already said yes"
    )
    confirm = forms.BooleanField(required=False)
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False)

    def __init__(self, *args: Any, use_types: list[UseType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["use"] = UseChoiceField(use_types, label="Use")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("scope") == "selected" and not data.get("works"):
            raise forms.ValidationError("Select at least one work, or answer every work shown.")
        return data


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
