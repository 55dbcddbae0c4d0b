"""The access layer's own seams: the party kinds in URLs, and the roles other apps
register for the two-factor gate."""

import pytest
from django.conf import settings
from django.db.models import QuerySet
from django.test import RequestFactory
from django.urls import Resolver404, resolve, reverse

from portal.accounts import roles
from portal.accounts.middleware import must_set_up_mfa
from portal.catalogue.models import ArtistMembership
from portal.catalogue.selectors import label_managements
from portal.consent.access import PartyKind
from tests.conftest import World


def test_the_party_segment_of_a_url_is_exactly_a_party_kind(world: World) -> None:
    for kind in PartyKind:
        url = reverse("matrix", args=[kind, 1, "tunesmith"])
        assert url == f"/{kind.value}/1/products/tunesmith/"
        assert resolve(url).kwargs["kind"] is kind
    with pytest.raises(Resolver404):
        resolve("/teams/1/products/tunesmith/")


def test_label_managers_are_the_role_catalogue_registers() -> None:
    assert label_managements in roles.roles_requiring_second_factor()
    roles.second_factor_required_for(label_managements)
    assert roles.roles_requiring_second_factor().count(label_managements) == 1


def test_a_role_another_app_registers_requires_a_second_factor_in_one_query(
    world: World, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries
) -> None:
    request = RequestFactory().get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "session"
    request.user = world.artist_user
    assert not must_set_up_mfa(request)

    def team_memberships(user_id: int) -> QuerySet[ArtistMembership]:
        return ArtistMembership.objects.filter(user_id=user_id)

    monkeypatch.setattr(roles, "_roles", [label_managements, team_memberships])
    with django_assert_num_queries(1):
        assert must_set_up_mfa(request)
