"""The `work_disputed` reason is part of the published contract: the OpenAPI document's
enum and the guide for people name it."""

from django.test import Client


def test_the_openapi_document_lists_work_disputed_among_the_reasons(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    reason = document["components"]["schemas"]["Reason"]
    assert "work_disputed" in reason["enum"]
    assert "work_disputed" in reason["description"]


def test_the_api_guide_names_work_disputed(db: None, client: Client) -> None:
    page = client.get("/api/v1/").content.decode()
    assert "<code>work_disputed</code> (this recording is under dispute" in page
