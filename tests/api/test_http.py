"""The API's manners: JSON for every failure, rate limits, idempotent retries, its documents."""

import json
import logging
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from portal.api.models import IdempotencyRecord
from portal.api.services import api_key_issue, idempotency_records_purge
from portal.earnings.models import UsageReport
from tests import factories as f
from tests.clock import fixed_today  # noqa: F401 (autouse: the tests report fixed months)
from tests.conftest import World

CHECK = "/api/v1/permissions/check"
REPORTS = "/api/v1/usage-reports"


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def api(raw: str, **kwargs: object) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"}, **kwargs)


def is_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


# --- never an HTML page --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v1/permissions/check/", "/api/v1/usage-reports/abc"]
)
def test_an_unknown_address_under_the_api_is_a_json_404(world, key, path):
    is_json_error(api(key).get(path), 404, "not_found")
    is_json_error(api(key).post(path), 404, "not_found")


def test_the_wrong_method_is_a_json_405_saying_what_is_allowed(world, key):
    response = api(key).delete(CHECK)
    is_json_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD, POST"
    is_json_error(api(key).put("/api/v1/permissions/changes"), 405, "method_not_allowed")


def test_a_crash_is_a_json_500_and_is_logged(world, key, monkeypatch, caplog):
    def broken(**kwargs: object) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr("portal.api.views.check_row", broken)
    with caplog.at_level(logging.ERROR, logger="portal.api.http"):
        response = api(key).get(CHECK, {"isrc": world.works[0].isrc, "use": "training"})
    is_json_error(response, 500, "server_error")
    assert "the database fell over" in caplog.text
    assert "fell over" not in response.content.decode()


def test_csrf_does_not_apply_to_bearer_requests(world, key):
    client = api(key, enforce_csrf_checks=True)
    response = client.post(CHECK, {"items": []}, content_type="application/json")
    assert response.status_code == 200


def test_answers_are_never_cached(world, key):
    response = api(key).get(CHECK, {"isrc": world.works[0].isrc, "use": "training"})
    assert response["Cache-Control"] == "no-store"


def test_an_oversized_body_is_a_json_413(world, key):
    body = json.dumps({"items": [], "padding": "x" * (1024 * 1024)})
    response = api(key).post(CHECK, body, content_type="application/json")
    is_json_error(response, 413, "payload_too_large")


# --- rate limits ---------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="2/hour")
def test_a_key_over_its_rate_limit_gets_429_with_retry_after(world, key):
    params = {"isrc": world.works[0].isrc, "use": "training"}
    assert api(key).get(CHECK, params).status_code == 200
    assert api(key).get(CHECK, params).status_code == 200
    response = api(key).get(CHECK, params)
    is_json_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 3600


@override_settings(API_RATE_LIMIT="1/hour")
def test_each_key_has_its_own_limit(world, key):
    other = api_key_issue(product=world.product)[1]
    params = {"isrc": world.works[0].isrc, "use": "training"}
    assert api(key).get(CHECK, params).status_code == 200
    assert api(key).get(CHECK, params).status_code == 429
    assert api(other).get(CHECK, params).status_code == 200


@override_settings(API_RATE_LIMIT="1/hour")
def test_the_rate_limit_adds_no_sql_query(world, key, django_assert_num_queries):
    params = {"isrc": world.works[0].isrc, "use": "training"}
    api(key).get(CHECK, params)
    with django_assert_num_queries(0):
        assert api(key).get(CHECK, params).status_code == 429


UNREACHABLE_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
    },
}


@override_settings(CACHES=UNREACHABLE_CACHE, API_RATE_LIMIT="1/hour")
def test_with_the_cache_down_checks_go_through_and_it_is_logged(world, key, caplog):
    params = {"isrc": world.works[0].isrc, "use": "training"}
    with caplog.at_level(logging.WARNING, logger="portal.api.ratelimit"):
        for _ in range(3):
            assert api(key).get(CHECK, params).status_code == 200
    assert "cache is unavailable" in caplog.text


# --- idempotency ---------------------------------------------------------------------------


def usage_report(world: World, gross: str = "12.00") -> dict:
    return {
        "reference": "2026-10",
        "period": {"start": "2026-10-01", "end": "2026-10-31"},
        "currency": "EUR",
        "lines": [{"isrc": world.works[0].isrc, "use": "training", "units": 1, "gross": gross}],
    }


def post(raw: str, path: str, body: dict, idempotency_key: str | None = None):
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    return api(raw).post(path, body, content_type="application/json", headers=headers)


def test_a_retry_with_the_same_idempotency_key_replays_the_first_response(world, key):
    first = post(key, REPORTS, usage_report(world), "retry-1")
    assert first.status_code == 201
    again = post(key, REPORTS, usage_report(world), "retry-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert UsageReport.objects.count() == 1
    assert "Idempotent-Replayed" not in first


def test_the_same_idempotency_key_with_another_body_is_422(world, key):
    post(key, REPORTS, usage_report(world), "retry-2")
    response = post(key, REPORTS, usage_report(world, gross="13.00"), "retry-2")
    is_json_error(response, 422, "idempotency_key_reused")


def test_a_bulk_check_replays_too(world, key):
    items = {"items": [{"isrc": world.works[0].isrc, "use": "training"}]}
    first = post(key, CHECK, items, "check-1")
    again = post(key, CHECK, items, "check-1")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    is_json_error(post(key, CHECK, {"items": []}, "check-1"), 422, "idempotency_key_reused")


def test_idempotency_keys_are_per_product(world, key):
    other = api_key_issue(product=f.ProductFactory())[1]
    items = {"items": [{"isrc": world.works[0].isrc, "use": "training"}]}
    post(key, CHECK, items, "shared")
    assert "Idempotent-Replayed" not in post(other, CHECK, {"items": []}, "shared")


def test_an_idempotency_key_is_forgotten_after_24_hours(world, key):
    post(key, REPORTS, usage_report(world), "old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = post(key, REPORTS, usage_report(world, gross="13.00"), "old")
    assert response.status_code == 409  # run afresh: the reference is taken by another report
    assert idempotency_records_purge(now=timezone.now() + timedelta(hours=25)) == 1


def test_a_refused_request_is_not_kept_so_the_fixed_one_may_reuse_the_key(world, key):
    bad = usage_report(world, gross="1.001")
    assert post(key, REPORTS, bad, "fix-and-retry").status_code == 400
    assert post(key, REPORTS, usage_report(world), "fix-and-retry").status_code == 201


def test_a_malformed_idempotency_key_is_400(world, key):
    response = post(key, CHECK, {"items": []}, "x" * 256)
    is_json_error(response, 400, "invalid_request")


# --- Django's own error handlers -----------------------------------------------------------


@pytest.mark.parametrize("handler", ["handler400", "handler403", "handler404", "handler500"])
def test_django_error_handlers_answer_json_under_the_api_and_html_elsewhere(world, handler):
    from django.test import RequestFactory

    from portal.api import views

    view = getattr(views, handler)
    args = () if handler == "handler500" else (None,)
    api_response = view(RequestFactory().get("/api/v2/anything"), *args)
    assert api_response["Content-Type"] == "application/json"
    assert api_response.status_code == int(handler[-3:])
    page = view(RequestFactory().get("/artists/1/"), *args)
    assert page["Content-Type"].startswith("text/html")


# --- documents -----------------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_3_1_and_describes_every_endpoint(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/permissions/check",
        "/permissions/changes",
        "/permissions/snapshot",
        "/usage-reports",
        "/usage-reports/{id}",
        "/training-manifests",
        "/training-manifests/{id}/items",
        "/training-manifests/{id}/complete",
        "/obligations",
    }
    for operations in document["paths"].values():
        for operation in operations.values():
            assert "401" in operation["responses"] and "429" in operation["responses"]


def test_the_api_guide_is_a_page_for_people(world, client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for words in (
        "Authorization: Bearer",
        "/permissions/check",
        "/permissions/changes",
        "/permissions/snapshot",
        "/usage-reports",
        "Idempotency-Key",
        "Retry-After",
        "Standard Webhooks",
        "600 per minute",
    ):
        assert words in page
    assert " style=" not in page and "<script>" not in page
