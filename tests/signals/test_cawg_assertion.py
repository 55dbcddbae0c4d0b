"""/w/<ISRC>/cawg-training-mining.json: the work's CAWG training and data mining
assertion, never granting more than the portal licenses."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from portal.consent.models import Answer, Side
from portal.signals.cawg import ENTRIES, USES
from tests import factories as f
from tests.conftest import World, say
from tests.fans.helpers import permitted

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "cawg-training-mining-1.1.schema.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA)
NOTHING = {entry: {"use": "notAllowed"} for entry in ENTRIES}


@pytest.fixture(autouse=True)
def _base_url(settings) -> None:
    settings.PORTAL_BASE_URL = "https://consent.example"


def assertion(client, isrc: str) -> dict:
    response = client.get(f"/w/{isrc}/cawg-training-mining.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    body = response.json()
    VALIDATOR.validate(body)
    return body


def test_a_work_with_nothing_licensed_allows_nothing(world: World, client) -> None:
    body = assertion(client, world.works[0].isrc)
    assert body == {"label": "cawg.training-mining", "data": {"entries": NOTHING}}


def test_licensed_training_constrains_training_and_points_at_the_work_page(
    world: World, client
) -> None:
    isrc = world.works[0].isrc
    permitted(world)
    entries = assertion(client, isrc)["data"]["entries"]
    constrained = {"use": "constrained", "constraint_info": f"https://consent.example/w/{isrc}"}
    assert entries == {
        "cawg.ai_generative_training": constrained,
        "cawg.ai_training": constrained,
        "cawg.ai_inference": {"use": "notAllowed"},
        "cawg.data_mining": {"use": "notAllowed"},
    }


def test_licensed_style_generation_constrains_generative_training_and_inference(
    world: World, client
) -> None:
    permitted(world, use=world.style)
    entries = assertion(client, world.works[0].isrc)["data"]["entries"]
    assert {k for k, v in entries.items() if v["use"] == "constrained"} == {
        "cawg.ai_generative_training",
        "cawg.ai_inference",
    }


def test_a_use_answered_by_one_side_only_stays_not_allowed(world: World, client) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    assert assertion(client, world.works[0].isrc)["data"]["entries"] == NOTHING


def test_every_use_type_the_portal_starts_with_has_its_cawg_entries() -> None:
    assert set(USES) == {"training", "style_generation", "voice_likeness", "stems_remix", "lyrics"}
    assert all(set(entries) <= set(ENTRIES) for entries in USES.values())


def test_the_schema_refuses_what_the_spec_does() -> None:
    """The transcribed schema has teeth: a wrong choice or label is refused."""
    wrong = {"label": "cawg.training-mining", "data": {"entries": {"cawg.ai_training": {}}}}
    assert list(VALIDATOR.iter_errors(wrong))
    wrong_use = {
        "label": "cawg.training-mining",
        "data": {"entries": {"cawg.ai_training": {"use": "maybe"}}},
    }
    assert list(VALIDATOR.iter_errors(wrong_use))
    assert list(VALIDATOR.iter_errors({"label": "c2pa.training-mining", "data": {"entries": {}}}))


def test_an_unknown_work_is_a_json_404(world: World, client) -> None:
    f.WorkFactory(primary_artist=world.artist)
    response = client.get("/w/USRC17607839/cawg-training-mining.json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get("/w/nonsense/cawg-training-mining.json").json()["error"]["code"] == (
        "not_found"
    )
