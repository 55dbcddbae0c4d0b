"""The site-wide documents crawlers read: robots.txt, TDMRep's rules and its policy."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example"


def rules(text: str) -> list[tuple[str, str]]:
    """robots.txt's rules, as (field, value), comments and blank lines left out."""
    found = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            field, _, value = line.partition(":")
            found.append((field.strip(), value.strip()))
    return found


def test_robots_txt_lets_crawlers_read_the_public_pages_only(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    found = rules(response.content.decode())
    assert found[0] == ("User-Agent", "*")
    allowed = {value for field, value in found if field == "Allow"}
    disallowed = {value for field, value in found if field == "Disallow"}
    assert {"/w/", "/a/", "/.well-known/", "/tdm/"} <= allowed
    assert {"/admin/", "/accounts/", "/api/", "/"} <= disallowed


def test_robots_txt_says_search_yes_and_ai_no_in_both_vocabularies(client: Client) -> None:
    text = client.get("/robots.txt").content.decode()
    found = rules(text)
    assert ("Content-Usage", "train-ai=n, search=y") in found
    assert ("Content-Signal", "search=yes, ai-input=no, ai-train=no") in found
    # Each in the group every crawler reads.
    assert [field for field, _ in found].count("User-Agent") == 1
    # People reading it learn where the exceptions are.
    assert "https://consent.example/w/<ISRC>" in text
    assert "Article 4 of Directive (EU) 2019/790" in text


def test_tdmrep_json_reserves_tdm_on_the_work_pages_with_the_policy(client: Client) -> None:
    response = client.get("/.well-known/tdmrep.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == [
        {
            "location": "/w/*",
            "tdm-reservation": 1,
            "tdm-policy": "https://consent.example/tdm/policy.json",
        }
    ]


def test_the_tdm_policy_is_tdmreps_odrl_offer(client: Client) -> None:
    response = client.get("/tdm/policy.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    policy = response.json()
    assert policy["@context"] == [
        "http://www.w3.org/ns/odrl.jsonld",
        "http://www.w3.org/ns/tdmrep.jsonld",
    ]
    assert policy["@type"] == "Offer"
    assert policy["profile"] == "http://www.w3.org/ns/tdmrep"
    assert policy["uid"] == "https://consent.example/tdm/policy.json"
    assert policy["assigner"]["uid"] == "https://consent.example"
    assert policy["assigner"]["vcard:fn"] == "Consent Portal"
    [permission] = policy["permission"]
    assert permission["action"] == "tdm:mine"
    assert permission["target"] == "https://consent.example/w/"
    assert {"action": "obtainConsent"} in permission["duty"]
    assert "obligation" not in policy and "prohibition" not in policy


@pytest.mark.parametrize("path", ["/robots.txt", "/.well-known/tdmrep.json", "/tdm/policy.json"])
def test_the_documents_are_public_and_cacheable_and_read_nothing(
    client: Client, path: str, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get(path)
    assert response["Cache-Control"] == "public, max-age=3600"
    assert client.post(path).status_code == 405
