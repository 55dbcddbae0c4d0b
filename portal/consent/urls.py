from django.urls import path, register_converter

from portal.consent.access import PartyKind
from portal.consent.views import (
    artist,
    bulk,
    conditions,
    decisions,
    history,
    label,
    policies,
    undo,
    versions,
)


class PartyKindConverter:
    """The party segment of the pages every kind of party shares: artists, labels or
    delegations, as `PartyKind` names them."""

    regex = "|".join(PartyKind.values)

    def to_python(self, value: str) -> PartyKind:
        return PartyKind(value)

    def to_url(self, value: str) -> str:
        return PartyKind(value).value


register_converter(PartyKindConverter, "party")

urlpatterns = [
    path("", decisions.home, name="home"),
    path("artists/<int:artist_id>/", artist.artist_home, name="artist_home"),
    path("artists/<int:artist_id>/stop/", artist.stop_everything, name="stop_everything"),
    path("artists/<int:artist_id>/delegation/", artist.delegation, name="artist_delegation"),
    path("artists/<int:artist_id>/reach/", artist.artist_reach, name="artist_reach"),
    path("artists/<int:artist_id>/activity/", artist.artist_activity, name="artist_activity"),
    path("labels/<int:label_id>/", label.label_home, name="label_home"),
    path("labels/<int:label_id>/export.csv", label.label_export, name="label_export"),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/", decisions.matrix, name="matrix"
    ),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/works/<int:work_id>/decide/",
        decisions.decide,
        name="decide",
    ),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/keep/",
        versions.keep_answers,
        name="keep_answers",
    ),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/conditions/",
        conditions.product_conditions,
        name="product_conditions",
    ),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/works/<int:work_id>/conditions/",
        conditions.conditions,
        name="conditions",
    ),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/bulk/",
        bulk.bulk,
        name="bulk",
    ),
    path("works/<int:work_id>/history/", history.work_history, name="work_history"),
    path("works/<int:work_id>/dispute/", history.work_dispute, name="work_dispute"),
    path("labels/<int:label_id>/roster/", label.label_roster, name="label_roster"),
    path(
        "<party:kind>/<int:party_id>/products/<slug:product_slug>/bulk/<int:job_id>/",
        bulk.bulk_answer,
        name="bulk_answer",
    ),
    path("<party:kind>/<int:party_id>/undo/<int:batch_id>/", undo.undo, name="undo"),
    path("labels/<int:label_id>/policies/", policies.label_policies, name="label_policies"),
    path("labels/<int:label_id>/policies/add/", policies.label_policy_add, name="label_policy_add"),
    path(
        "labels/<int:label_id>/policies/<int:policy_id>/lift/",
        policies.label_policy_lift,
        name="label_policy_lift",
    ),
]
