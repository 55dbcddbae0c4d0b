"""Answers a web process keeps (`api.kept`): asked again, a check costs one read of the
stamps; after any change behind the answer, made by any path, the next check answers as
a fresh read would. Stamps are PostgreSQL's triggers, so these run there."""

import http.client
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.api.kept import kept_forget
from portal.api.models import ApiKey
from portal.api.services import api_key_issue
from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.consent.services import decision_set
from portal.consent.services.disputes import dispute_raise
from portal.consent.services.licences import licence_save
from portal.consent.services.policies import policy_add
from portal.consent.services.products import product_set_status
from portal.consent.services.works import works_withdraw
from portal.licensing.models import Product, ProductUse
from tests.conftest import World

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stamps are PostgreSQL's triggers"
)
CHECK = "/api/v1/permissions/check"


@pytest.fixture
def key(world: World) -> str:
    return api_key_issue(product=world.product)[1]


def asked(raw: str, work: Work, use: str = "training") -> Any:
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(
        CHECK, {"isrc": work.isrc, "use": use}
    )
    return response.status_code, response.json()


def fresh(raw: str, work: Work, use: str = "training") -> Any:
    kept_forget()
    return asked(raw, work, use)


def answer(world: World, work: Work, side: str, said: str = Answer.GRANTED, **more: Any) -> None:
    decision_set(
        actor=None,
        product=world.product,
        work=work,
        use_type=world.training,
        side=side,
        answer=said,
        **more,
    )


def both_yes(world: World, work: Work) -> None:
    answer(world, work, Side.ARTIST)
    answer(world, work, Side.RIGHTS_HOLDER)


def kept_then(raw: str, work: Work, change: Callable[[], object]) -> Any:
    """Ask twice (the answer is now kept), change something, ask again: the answer must
    be what a fresh read says, and differ from before (the change mattered)."""
    before = asked(raw, work)
    assert asked(raw, work) == before
    change()
    after = asked(raw, work)
    assert after == fresh(raw, work)
    assert after != before
    return after[1]


def test_asked_again_an_answer_costs_one_read_of_the_stamps(
    world: World, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    both_yes(world, world.works[0])
    first = asked(key, world.works[0])

    def not_again(**_: object) -> None:
        raise AssertionError("the check's statement ran again")

    monkeypatch.setattr("portal.api.views.check_row", not_again)
    with CaptureQueriesContext(connection) as queries:
        assert asked(key, world.works[0]) == first
    assert len(queries.captured_queries) == 1


def test_a_yes_given_since_is_answered_at_once(world: World, key: str) -> None:
    answer(world, world.works[0], Side.ARTIST)
    after = kept_then(
        key, world.works[0], lambda: answer(world, world.works[0], Side.RIGHTS_HOLDER)
    )
    assert after["permitted"] is True


def test_a_no_given_since_is_answered_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])
    after = kept_then(
        key, world.works[0], lambda: answer(world, world.works[0], Side.ARTIST, Answer.DENIED)
    )
    assert after["permitted"] is False and after["reasons"] == ["artist_denied"]


def test_reasons_that_change_without_a_flip_are_answered_at_once(world: World, key: str) -> None:
    """Never permitted before or after: only the reasons change, and nothing is announced."""
    after = kept_then(key, world.works[0], lambda: answer(world, world.works[0], Side.ARTIST))
    assert after["reasons"] == ["rights_holder_undecided"]


def test_a_withdrawal_is_answered_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])
    after = kept_then(key, world.works[0], lambda: works_withdraw(work_ids=[world.works[0].pk]))
    assert after["reasons"] == ["work_withdrawn"]


def test_a_dispute_is_answered_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])
    after = kept_then(
        key,
        world.works[0],
        lambda: dispute_raise(
            actor=world.manager, work=world.works[0], reason="wrong_credits", note="Not ours."
        ),
    )
    assert "work_disputed" in after["reasons"]


def test_a_label_policy_is_answered_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])
    after = kept_then(
        key,
        world.works[0],
        lambda: policy_add(actor=world.manager, label=world.label, use_type=world.training),
    )
    assert after["reasons"] == ["label_policy"]


def test_a_release_date_changed_anyhow_is_answered_at_once(world: World, key: str) -> None:
    """A policy on works released from a date, then the work's date set by a plain
    update, as no service would: the database's trigger still stamps it."""
    policy_add(
        actor=world.manager, label=world.label, released_before=timezone.now().date().replace(day=1)
    )
    work = world.works[0]
    Work.objects.filter(pk=work.pk).update(release_date=date(2001, 5, 1))
    after = kept_then(
        key, work, lambda: Work.objects.filter(pk=work.pk).update(release_date=timezone.now())
    )
    assert "label_policy" in after["reasons"]


def test_a_licence_ended_since_is_answered_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])

    def end() -> None:
        world.licence.ends_on = timezone.now().date() - timedelta(days=1)
        licence_save(licence=world.licence, use_types=[world.training, world.style])

    after = kept_then(key, world.works[0], end)
    assert after["reasons"] == ["licence_ended"]


def test_a_suspended_product_is_answered_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])
    suspend = lambda: product_set_status(product=world.product, status=Product.Status.SUSPENDED)  # noqa: E731
    after = kept_then(key, world.works[0], suspend)
    assert after["reasons"] == ["product_suspended"]


def test_a_use_the_product_no_longer_asks_for_is_answered_at_once(world: World, key: str) -> None:
    """Removed by a plain delete, as no service would: the trigger stamps it."""
    after = kept_then(
        key,
        world.works[0],
        lambda: ProductUse.objects.filter(product=world.product, use_type=world.training).delete(),
    )
    assert "use_not_requested" in after["reasons"]


def test_a_revoked_key_is_refused_at_once(world: World, key: str) -> None:
    both_yes(world, world.works[0])
    assert asked(key, world.works[0])[0] == 200
    assert asked(key, world.works[0])[0] == 200
    ApiKey.objects.update(revoked_at=timezone.now())
    assert asked(key, world.works[0])[0] == 401


def test_a_yes_that_expires_is_not_kept_past_its_expiry(world: World, key: str) -> None:
    """The clock stamps nothing: a kept answer ends when its yes does."""
    expiry = timezone.now() + timedelta(hours=1)
    answer(world, world.works[0], Side.ARTIST, expires_at=expiry)
    answer(world, world.works[0], Side.RIGHTS_HOLDER)
    assert asked(key, world.works[0])[1]["permitted"] is True
    with time_machine.travel(expiry + timedelta(seconds=1), tick=False):
        after = asked(key, world.works[0])
        assert after == fresh(key, world.works[0])
    assert after[1]["permitted"] is False


def test_reasons_that_wait_for_a_licence_to_start_are_not_kept_past_its_start(
    world: World, key: str
) -> None:
    start = timezone.now().date() + timedelta(days=2)
    world.licence.starts_on = start
    licence_save(licence=world.licence, use_types=[world.training, world.style])
    before = asked(key, world.works[0])
    assert before[1]["reasons"][0] == "licence_not_started"
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        after = asked(key, world.works[0])
        assert after == fresh(key, world.works[0])
    assert "licence_not_started" not in after[1]["reasons"]


# --- across processes --------------------------------------------------------------------


def over_http(port: int, raw: str, work: Work) -> dict[str, Any]:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection_.request(
        "GET", f"{CHECK}?isrc={work.isrc}&use=training", headers={"Authorization": f"Bearer {raw}"}
    )
    response = connection_.getresponse()
    assert response.status == 200, response.read()
    return dict(json.loads(response.read()))


def test_an_answer_committed_here_is_what_the_server_answers_next(
    gunicorn: int, world: World
) -> None:
    """A yes, a no, a yes again, committed by this process; after each, the server's next
    answer (from its own process, which keeps answers) is the new one, every time."""
    raw = api_key_issue(product=world.product)[1]
    work = world.works[0]
    both_yes(world, work)
    for _ in range(4):
        assert over_http(gunicorn, raw, work)["permitted"] is True
    for i in range(10):
        said = Answer.DENIED if i % 2 == 0 else Answer.GRANTED
        answer(world, work, Side.ARTIST, said)
        seen = over_http(gunicorn, raw, work)
        assert seen["permitted"] is (said == Answer.GRANTED), (i, seen)
        assert over_http(gunicorn, raw, work) == seen
