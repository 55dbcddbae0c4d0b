"""The `label_policy` reason is part of the published contract: the OpenAPI document's
enum and the guide for people name it."""

from django.test import Client


def test_the_openapi_document_lists_label_policy_among_the_reasons(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    reason = document["components"]["schemas"]["Reason"]
    assert "label_policy" in reason["enum"]
    assert "label_policy" in reason["description"]


def test_the_api_guide_names_label_policy(db: None, client: Client) -> None:
    page = client.get("/api/v1/").content.decode()
    assert "<code>label_policy</code> (the label does not allow this use" in page
