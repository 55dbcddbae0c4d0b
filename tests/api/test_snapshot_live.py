"""The reference replica of docs/api.md, run as written against a live server while
decisions are being made: it ends holding exactly what the check API permits."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from portal.api.services import api_key_issue
from portal.api.views import snapshot as snapshot_views
from portal.consent.conditions import Given
from portal.consent.models import Side
from tests.api.snapshots import checked
from tests.api.test_snapshot_consistency import USES, answer, catalogue, joined, on_a_thread
from tests.conftest import World

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="writers on their own threads"),
    pytest.mark.django_db(transaction=True),
]

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def reference_loop() -> str:
    """The Python block between the markers in docs/api.md."""
    found = re.search(
        r"<!-- reference-sync-loop -->\s*```python\n(.*?)```\s*<!-- /reference-sync-loop -->",
        DOC.read_text(),
        re.S,
    )
    assert found, "docs/api.md has lost its reference sync loop"
    return found.group(1)


def test_the_reference_sync_loop_is_about_thirty_lines():
    assert len([line for line in reference_loop().splitlines() if line.strip()]) <= 40


@override_settings(API_RATE_LIMIT="100000/minute")
def test_the_reference_sync_loop_ends_identical_to_the_check_api(
    world: World, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = api_key_issue(product=world.product)[1]
    works = catalogue(world, 40)
    for side in (Side.ARTIST, Side.RIGHTS_HOLDER):
        answer(world, works[::2], "training", side)
    # A snapshot of many small parts, so decisions commit while it streams.
    monkeypatch.setattr("portal.api.snapshot.BATCH", 2)
    monkeypatch.setattr(snapshot_views, "CHUNK", 0)

    def decisions() -> None:
        for i in range(30):
            some = works[i % 10 :: 7]
            use = USES[i % 2]
            side = (Side.ARTIST, Side.RIGHTS_HOLDER)[i % 3 % 2]
            granted = i % 5 != 0
            conditions = (Given("non_commercial"),) if granted and i % 4 == 0 else ()
            answer(world, some, use, side, granted=granted, conditions=conditions)

    loop: dict[str, Any] = {}
    exec(reference_loop(), loop)  # noqa: S102 (the documented code, run as written)
    loop["BASE"], loop["KEY"] = f"{live_server.url}/api/v1", key

    writer = on_a_thread(decisions)
    replica: dict[tuple[str, str], Any] = {}
    seq = loop["snapshot"](replica)
    while writer.is_alive():
        seq = loop["catch_up"](replica, seq)
    joined(writer)
    seq = loop["catch_up"](replica, seq)

    assert seq > 20
    assert replica == checked(key, works, USES)
    assert replica  # something is permitted: the comparison is not of two empty sets
