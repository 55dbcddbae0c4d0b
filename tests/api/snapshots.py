"""Reading a permissions snapshot, and what the check API says, for the snapshot's tests."""

import gzip
import json
from collections.abc import Iterable
from typing import Any

from django.test import Client

from portal.catalogue.models import Work

SNAPSHOT = "/api/v1/permissions/snapshot"
CHANGES = "/api/v1/permissions/changes"
CHECK = "/api/v1/permissions/check"
# (ISRC, use) -> the conditions it is permitted under: a replica of a product's state.
Replica = dict[tuple[str, str], list[dict[str, Any]]]


def api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def lines_of(body: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The head and the rows of a whole gzip'd snapshot."""
    head, *rows = (json.loads(line) for line in gzip.decompress(body).splitlines())
    return head, rows


def replica_of(rows: Iterable[dict[str, Any]]) -> Replica:
    return {(row["isrc"], row["use"]): row["conditions"] for row in rows}


def snapshot_taken(raw: str, **params: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    response = api(raw).get(SNAPSHOT, params)
    assert response.status_code == 200, response.content
    return lines_of(b"".join(response.streaming_content))


def changes_applied(raw: str, replica: Replica, after: int) -> int:
    """Apply every change after `after` to `replica`; the last seq applied."""
    while True:
        page = api(raw).get(CHANGES, {"after": after, "limit": 1000}).json()
        for change in page["changes"]:
            pair = (change["isrc"], change["use"])
            if change["permitted"]:
                replica[pair] = change["conditions"]
            else:
                replica.pop(pair, None)
        if not page["changes"]:
            return after
        after = page["next"]


def checked(raw: str, works: Iterable[Work], uses: Iterable[str]) -> Replica:
    """What the check API permits of every (work, use), as a replica would hold it."""
    items = [{"isrc": work.isrc, "use": use} for work in works for use in uses]
    permitted: Replica = {}
    for start in range(0, len(items), 1000):
        body = {"items": items[start : start + 1000]}
        response = api(raw).post(CHECK, body, content_type="application/json")
        assert response.status_code == 200, response.content
        for result in response.json()["results"]:
            if result["permitted"]:
                permitted[result["isrc"], result["use"]] = result["conditions"]
    return permitted
