"""The suite's check that every answer is what the OpenAPI document declares can fail:
fed an answer that is not, it says why, and the test that asked fails."""

import json

import pytest
from django.http import HttpResponse
from django.test import Client

from portal.api.http import json_response
from portal.api.services import api_key_issue
from tests.conftest import World
from tests.openapi_contract import answer_check

CHECK = "/api/v1/permissions/check"
ANSWER = {
    "isrc": "USRC17607839",
    "use": "training",
    "permitted": False,
    "reasons": [],
    "conditions": [],
    "version": 0,
}


def response(body: object, status: int = 200, content_type: str = "application/json"):
    return HttpResponse(json.dumps(body), status=status, content_type=content_type)


def test_an_answer_as_declared_passes() -> None:
    answer_check("GET", CHECK, response(ANSWER))
    answer_check(
        "GET", "/api/v1/usage-reports/7", response({"error": {"code": "x", "message": "y"}}, 404)
    )


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (ANSWER | {"permitted": "no"}, "'no' is not of type 'boolean'"),
        ({k: v for k, v in ANSWER.items() if k != "version"}, "'version' is a required property"),
        (ANSWER | {"reasons": ["bored"]}, "'bored' is not valid"),
        (ANSWER | {"version": -1}, "-1 is less than the minimum of 0"),
        (ANSWER | {"conditions": [{"credit": "Ada Lane"}]}, "'code' is a required property"),
    ],
)
def test_a_body_not_matching_the_declared_schema_fails(body: object, said: str) -> None:
    with pytest.raises(AssertionError, match="not as declared") as failed:
        answer_check("GET", CHECK, response(body))
    assert said in str(failed.value)


def test_a_status_the_operation_does_not_declare_fails() -> None:
    with pytest.raises(AssertionError, match="does not declare"):
        answer_check("GET", CHECK, response({"error": {"code": "x", "message": "y"}}, 418))


def test_an_undeclared_content_type_fails() -> None:
    with pytest.raises(AssertionError, match="'text/html'"):
        answer_check("GET", CHECK, response(ANSWER, content_type="text/html"))


def test_an_address_with_no_operation_must_still_answer_the_error_envelope() -> None:
    answer_check("GET", "/api/v1/nothing", response({"error": {"code": "x", "message": "y"}}, 404))
    with pytest.raises(AssertionError, match="Error"):
        answer_check("GET", "/api/v1/nothing", response({"detail": "Not found"}, 404))


def test_an_error_without_its_message_fails() -> None:
    with pytest.raises(AssertionError, match="'message' is a required property"):
        answer_check("POST", CHECK, response({"error": {"code": "invalid_request"}}, 400))


def test_the_guide_and_the_document_are_not_operations() -> None:
    answer_check("GET", "/api/v1/", HttpResponse("<html>", content_type="text/html"))
    answer_check("GET", "/pages/elsewhere", HttpResponse("<html>", content_type="text/html"))


def test_a_view_answering_off_the_document_fails_the_test_that_asked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = api_key_issue(product=world.product)[1]
    monkeypatch.setattr("portal.api.views.answer", lambda model: json_response({"ok": True}))
    client = Client(headers={"Authorization": f"Bearer {key}"})
    with pytest.raises(AssertionError, match="not as declared"):
        client.get(CHECK, {"isrc": world.works[0].isrc, "use": "training"})
