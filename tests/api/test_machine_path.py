"""The machine API's shorter middleware stack (`portal.api.middleware`): what every answer
needs still applies, what serves people does not, and the API's page for people keeps it."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.urls import reverse

from portal.api.middleware import API_PREFIX, INDEX
from portal.api.services import api_key_issue
from tests.conftest import World
from tests.ops.test_ops import scrape

CHECK = "/api/v1/permissions/check"


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def check(client: Client, world: World, key: str, **headers: str):
    return client.get(
        CHECK,
        {"isrc": world.works[0].isrc, "use": "training"},
        headers={"Authorization": f"Bearer {key}", **headers},
    )


def test_the_paths_it_names_are_the_apis(world: World) -> None:
    assert reverse("api_index") == INDEX
    assert reverse("api_check").startswith(API_PREFIX)


def test_an_answer_keeps_the_headers_every_answer_carries(world: World, key: str) -> None:
    response = check(Client(), world, key, **{"X-Request-ID": "probe-7"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "probe-7"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def test_an_answer_is_counted_in_the_metrics(world: World, key: str) -> None:
    labels = (("method", "GET"), ("status", "200"), ("view", "api_check"))
    before = scrape().get("portal_http_request_duration_seconds_count", {}).get(labels, 0)
    check(Client(), world, key)
    assert scrape()["portal_http_request_duration_seconds_count"][labels] == before + 1


def test_a_signed_in_persons_cookie_changes_nothing_and_gets_none(
    world: World, key: str, artist_client: Client
) -> None:
    anonymous = check(Client(), world, key)
    signed_in = check(artist_client, world, key)
    assert signed_in.status_code == anonymous.status_code == 200
    assert signed_in.json() == anonymous.json()
    # No session read, so no `Vary: Cookie`; no cookie set, no page policy on JSON.
    for response in (anonymous, signed_in):
        assert not response.cookies
        assert "Cookie" not in response.get("Vary", "")
        assert "Content-Security-Policy" not in response
    # Without a key, a session is no key.
    refused = artist_client.get(CHECK, {"isrc": world.works[0].isrc, "use": "training"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"


def test_the_apis_page_for_people_is_served_as_a_page(world: World) -> None:
    response = Client().get(INDEX)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    # Asked for without its slash, it is sent on to it, as any page is.
    assert Client().get(INDEX.rstrip("/"))["Location"] == INDEX


def test_plain_http_is_sent_to_https_under_the_api_too(world: World, key: str, settings) -> None:
    # Through the handler itself: the redirect is the server's, not in the API's document.
    settings.SECURE_SSL_REDIRECT = True
    asked = {"isrc": world.works[0].isrc, "use": "training"}
    plain = RequestFactory().get(CHECK, asked, headers={"Authorization": f"Bearer {key}"})
    response = WSGIHandler().get_response(plain)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{CHECK}?isrc={asked['isrc']}&use=training"
    secure = RequestFactory().get(
        CHECK, asked, secure=True, headers={"Authorization": f"Bearer {key}"}
    )
    assert WSGIHandler().get_response(secure).status_code == 200


def test_a_failure_outside_any_view_is_still_json(world: World, key: str, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the resolver broke")

    monkeypatch.setattr("django.core.handlers.base.BaseHandler.resolve_request", broken)
    response = Client(raise_request_exception=False).get(CHECK)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "server_error"
