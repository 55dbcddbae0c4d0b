"""The snapshot under concurrent writes, on PostgreSQL: whatever commits while it streams,
it holds every change up to its seq and none after, so the changes feed continues it
exactly. Writers run on threads, each with its own connection."""

import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import RequestFactory

from portal.api.services import api_key_issue
from portal.api.snapshot import PermissionsSnapshot
from portal.api.views import snapshot as snapshot_views
from portal.catalogue.models import Work
from portal.consent.changes import changes_after
from portal.consent.conditions import Given
from portal.consent.models import Answer, Side
from portal.consent.services import decisions_set
from portal.licensing.models import Condition, Product, UseType
from tests import factories as f
from tests.api.snapshots import (
    SNAPSHOT,
    Replica,
    changes_applied,
    checked,
    lines_of,
    replica_of,
)
from tests.conftest import World

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

USES = ("training", "style_generation")
FIRST_ISRC = 81000


def catalogue(world: World, n: int) -> list[Work]:
    """`n` works of a new artist whose team Ada's user is on, for a product that can
    honour a credit and non-commercial use."""
    works = f.bulk_works(label=world.label, n=n, start=FIRST_ISRC)
    f.ArtistMembershipFactory(artist=works[0].primary_artist, user=world.artist_user)
    world.product.conditions_honoured.set(
        Condition.objects.filter(code__in=["credit_required", "non_commercial"])
    )
    return works


def answer(
    world: World,
    works: list[Work],
    use: str,
    side: str,
    granted: bool = True,
    conditions: tuple[Given, ...] = (),
) -> None:
    decisions_set(
        actor=world.artist_user if side == Side.ARTIST else world.manager,
        product=Product.objects.get(pk=world.product.pk),
        use_type=UseType.objects.get(slug=use),
        side=side,
        answer=Answer.GRANTED if granted else Answer.DENIED,
        works=Work.objects.filter(pk__in=[work.pk for work in works]),
        conditions=conditions,
    )


def permit(world: World, works: list[Work], use: str) -> None:
    answer(world, works, use, Side.ARTIST)
    answer(world, works, use, Side.RIGHTS_HOLDER)


def on_a_thread(job: Callable[[], None]) -> threading.Thread:
    """Start `job` on a thread of its own (so on a connection of its own); join it to
    know it committed."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's connection

    thread = threading.Thread(target=run)
    thread.errors = errors  # type: ignore[attr-defined]
    thread.start()
    return thread


def joined(thread: threading.Thread) -> None:
    thread.join(timeout=120)
    assert not thread.is_alive(), "a writer is stuck"
    assert thread.errors == []  # type: ignore[attr-defined]


def as_of(product: Product, seq: int) -> Replica:
    """The product's permitted state after exactly its changes 1..seq."""
    state: Replica = {}
    for change in changes_after(product_id=product.pk, after=0, limit=10**6):
        if change["seq"] > seq:  # type: ignore[operator]
            break
        pair = (str(change["isrc"]), str(change["use"]))
        if change["permitted"]:
            state[pair] = change["conditions"]  # type: ignore[assignment]
        else:
            state.pop(pair, None)
    return state


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two rows per fetch and a part sent per fetch: a stream of many parts, read while
    writers commit."""
    monkeypatch.setattr("portal.api.snapshot.BATCH", 2)
    monkeypatch.setattr(snapshot_views, "CHUNK", 0)


def opened(key: str):
    request = RequestFactory().get(SNAPSHOT, headers={"Authorization": f"Bearer {key}"})
    response = snapshot_views.snapshot_view(request)
    assert response.status_code == 200
    return response


def test_a_snapshot_paused_mid_stream_while_writes_commit_is_the_state_at_its_seq(
    world: World, small_parts: None
) -> None:
    key = api_key_issue(product=world.product)[1]
    works = catalogue(world, 30)
    permit(world, works, "training")
    permit(world, works[:10], "style_generation")
    before = checked(key, works, USES)

    response = opened(key)
    stream = iter(response.streaming_content)
    parts = [next(stream), next(stream), next(stream)]  # the head and two fetches

    def writes() -> None:
        # Behind the reader and ahead of it: a no, a new yes, new conditions.
        answer(world, [works[0], works[25]], "training", Side.ARTIST, granted=False)
        permit(world, works[20:25], "style_generation")
        answer(world, [works[15]], "training", Side.ARTIST, conditions=(Given("non_commercial"),))

    joined(on_a_thread(writes))
    parts += list(stream)
    response.close()

    head, rows = lines_of(b"".join(parts))
    assert head["seq"] == 40
    assert replica_of(rows) == before
    after = checked(key, works, USES)
    assert after != before
    replica = replica_of(rows)
    assert changes_applied(key, replica, head["seq"]) == 40 + 2 + 5 + 1
    assert replica == after


def test_snapshots_taken_while_writers_keep_committing_continue_exactly_into_the_feed(
    world: World, small_parts: None
) -> None:
    key = api_key_issue(product=world.product)[1]
    works = catalogue(world, 24)
    permit(world, works[::2], "training")
    stop = threading.Event()

    def writer(seed: int) -> Callable[[], None]:
        def run() -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                some = rng.sample(works, 3)
                use = rng.choice(USES)
                side = rng.choice((Side.ARTIST, Side.RIGHTS_HOLDER))
                conditions = (Given("credit_required", "Ada Lane"),) if rng.random() < 0.3 else ()
                granted = rng.random() < 0.6
                answer(world, some, use, side, granted, conditions if granted else ())

        return run

    writers = [on_a_thread(writer(seed)) for seed in (1, 2)]
    taken = []
    try:
        for _ in range(4):
            response = opened(key)
            parts = []
            for part in response.streaming_content:
                parts.append(part)
                time.sleep(0.01)  # a slow reader: writers commit between its fetches
            response.close()
            taken.append(lines_of(b"".join(parts)))
    finally:
        stop.set()
        for thread in writers:
            joined(thread)

    final = checked(key, works, USES)
    seqs = [head["seq"] for head, _ in taken]
    assert seqs == sorted(seqs) and seqs[-1] > seqs[0], "the writers were not writing"
    for head, rows in taken:
        # Every change up to its seq is in it, none after it...
        assert replica_of(rows) == as_of(world.product, head["seq"])
        # ...so the feed after its seq brings it to what the check says.
        replica = replica_of(rows)
        changes_applied(key, replica, head["seq"])
        assert replica == final


def test_a_write_that_commits_between_reading_the_seq_and_the_rows_is_left_for_the_feed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrowest window: the seq is read, a writer commits, then the rows are read.
    In one repeatable-read transaction the rows are still those of the seq."""
    key = api_key_issue(product=world.product)[1]
    works = catalogue(world, 6)
    permit(world, works[:3], "training")
    before = checked(key, works, USES)
    declare = PermissionsSnapshot._declare

    def after_a_write(snapshot: PermissionsSnapshot, sql: str, params: list) -> None:
        def writes() -> None:
            answer(world, [works[0]], "training", Side.RIGHTS_HOLDER, granted=False)
            permit(world, works[3:], "training")

        joined(on_a_thread(writes))
        declare(snapshot, sql, params)

    monkeypatch.setattr(PermissionsSnapshot, "_declare", after_a_write)
    head, rows = lines_of(b"".join(opened(key).streaming_content))
    assert head["seq"] == 3
    assert replica_of(rows) == before == as_of(world.product, 3)
    replica = replica_of(rows)
    changes_applied(key, replica, head["seq"])
    assert replica == checked(key, works, USES) != before
