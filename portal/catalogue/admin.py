"""Admin for the catalogue: labels and their managers, artists, works; and, on the user's
page, the labels the user manages.

Artists' teams (memberships) are edited in `portal.teams.admin`, through the team
services, which adds them to the artist's page here and to the user's page."""

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from stdnum import isni, isrc

from portal.accounts.admin import UserAdmin
from portal.accounts.models import User
from portal.catalogue.forms import ArtistAdminForm, CreditAdminForm, WorkAdminForm
from portal.catalogue.models import Artist, Credit, Label, LabelManager, Work

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # Mixins for ModelAdmin classes derive from this: ModelAdmin to the type checker, so
    # what they call on self and super() is checked; object at run time.
    ModelAdminMixin = admin.ModelAdmin
else:
    ModelAdminMixin = object


class LabelCounts(TypedDict):
    roster_size: int
    works_count: int


class ArtistCounts(TypedDict):
    works_count: int


def _count_of(model: type[Any], field: str) -> Coalesce:
    """Rows of `model` pointing at the outer row: a subquery, so two counts never multiply."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _changelist_link(model: type[Any], filter_field: str, pk: int, text: str) -> str:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}={}">{}</a>', url, filter_field, pk, text)


class ReadOnlyMixin:
    """For records the portal's own services write (audit trails, deliveries, what
    products reported): staff read them here, and never add, edit or delete them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class IsrcSearchMixin(ModelAdminMixin):
    """Search also finds a work by its ISRC typed any way (`us-rc1-76-07839`).

    `isrc_lookup` is the path to the stored, normalised ISRC.
    """

    isrc_lookup = "isrc"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and isrc.is_valid(term):
            results = results | queryset.filter(**{self.isrc_lookup: isrc.compact(term)})
        return results, may_have_duplicates


class LabelManagerInline(admin.TabularInline):
    model = LabelManager
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["since"]
    verbose_name = "manager"
    verbose_name_plural = "managers (users who decide the rights-holder side)"


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "roster_size", "works_count"]
    search_fields = ["name"]
    readonly_fields = ["roster_link", "works_link"]
    fields = ["name", "roster_link", "works_link"]
    inlines = [LabelManagerInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Label]:
        labels: QuerySet[Label] = super().get_queryset(request)
        return labels.annotate(
            roster_size=_count_of(Artist, "label"), works_count=_count_of(Work, "label")
        )

    @admin.display(description="roster artists", ordering="roster_size")
    def roster_size(self, label: "WithAnnotations[Label, LabelCounts]") -> int:
        return label.roster_size

    @admin.display(description="works", ordering="works_count")
    def works_count(self, label: "WithAnnotations[Label, LabelCounts]") -> int:
        return label.works_count

    @admin.display(description="roster")
    def roster_link(self, label: Label) -> str:
        if label.pk is None:
            return "Add artists to the roster from each artist's page, once the label is saved."
        size = getattr(label, "roster_size", None)
        if size is None:
            size = label.roster.count()
        return _changelist_link(Artist, "label__id__exact", label.pk, f"{size} artists")

    @admin.display(description="works")
    def works_link(self, label: Label) -> str:
        if label.pk is None:
            return "-"
        count = getattr(label, "works_count", None)
        if count is None:
            count = label.works.count()
        return _changelist_link(Work, "label__id__exact", label.pk, f"{count} works")


class UserLabelsInline(admin.TabularInline):
    """The labels a user manages, on the user's page."""

    model = LabelManager
    extra = 0
    autocomplete_fields = ["label"]
    readonly_fields = ["since"]
    verbose_name = "label managed"
    verbose_name_plural = "labels managed"


admin.site.unregister(User)


@admin.register(User)
class UserWithLabelsAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, UserLabelsInline]


@admin.register(LabelManager)
class LabelManagerAdmin(admin.ModelAdmin):
    list_display = ["user", "label", "since"]
    list_select_related = ["user", "label"]
    list_filter = ["label"]
    search_fields = ["user__email", "user__name", "label__name"]
    autocomplete_fields = ["user", "label"]


@admin.register(Artist)
class ArtistAdmin(admin.ModelAdmin):
    form = ArtistAdminForm
    list_display = ["name", "isni", "label", "works_count"]
    list_select_related = ["label"]
    list_filter = ["label"]
    search_fields = ["name", "=isni"]
    autocomplete_fields = ["label"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Artist]:
        artists: QuerySet[Artist] = super().get_queryset(request)
        return artists.annotate(works_count=_count_of(Work, "primary_artist"))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Artist], search_term: str
    ) -> tuple[QuerySet[Artist], bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and isni.is_valid(term):  # typed with spaces, as printed
            results = results | queryset.filter(isni=isni.compact(term))
        return results, may_have_duplicates

    @admin.display(description="works", ordering="works_count")
    def works_count(self, artist: "WithAnnotations[Artist, ArtistCounts]") -> int:
        return artist.works_count


class CreditInline(admin.TabularInline):
    model = Credit
    form = CreditAdminForm
    extra = 0
    fields = ["position", "name", "role", "isni"]


@admin.register(Work)
class WorkAdmin(IsrcSearchMixin, admin.ModelAdmin):
    form = WorkAdminForm
    list_display = ["title", "isrc", "primary_artist", "label", "release_title", "release_date"]
    list_select_related = ["primary_artist", "label"]
    list_filter = ["label"]
    # ^isrc: a prefix of a stored ISRC in any case; IsrcSearchMixin adds the dashed forms.
    search_fields = ["^isrc", "title"]
    autocomplete_fields = ["primary_artist", "label"]
    show_full_result_count = False  # the catalogue runs to hundreds of thousands of works
    fieldsets = [
        (
            None,
            {
                "fields": ["isrc", "title", "primary_artist", "label"],
                "description": "Crediting the work to another artist, or moving it to another "
                "label, takes back the answers that artist or label gave for it: the one it "
                "moves to decides afresh.",
            },
        ),
        ("Release", {"fields": ["release_title", "release_date", "duration", "iswc"]}),
    ]
    inlines = [CreditInline]

    # Moving a work with answers to another artist or label is allowed: the answers of
    # the party it leaves are taken back as it moves (`consent.admin.works`), so nobody's
    # answer is handed to someone who never gave it.
