"""Label policies in the ledger: each add and lift is a link of the one chain, between the
answers; the chain still verifies, and tampering with a policy's entry or with the policy
itself is found."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from io import StringIO

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from portal.consent import ledger
from portal.consent.models import (
    Answer,
    LabelPolicy,
    LedgerEntry,
    PolicyEvent,
    PolicyLedgerEntry,
    Side,
)
from portal.consent.services import policy_add, policy_lift
from tests.conftest import World, say

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"
)


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    if connection.vendor == "postgresql":
        with pgtrigger.ignore("consent.PolicyLedgerEntry:policy_ledger_append_only"):
            yield
    else:
        yield


def tamper(sql: str, params: list[object]) -> None:
    with triggers_bypassed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(world: World) -> World:
    """Answers, a policy added, more answers, the policy lifted, a date policy added."""
    say(world, Side.ARTIST, Answer.GRANTED)  # 1
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)  # 2
    policy = policy_add(actor=world.manager, label=world.label, use_type=world.training).policy  # 3
    say(world, Side.ARTIST, Answer.GRANTED, world.works[1])  # 4
    policy_lift(actor=world.manager, policy=policy)  # 5
    policy_add(actor=world.staff, label=world.label, released_before=date(2020, 1, 1))  # 6
    say(world, Side.ARTIST, Answer.DENIED, world.works[2])  # 7
    return world


def test_policies_take_their_places_in_the_one_chain_and_it_verifies(chain: World) -> None:
    assert list(PolicyLedgerEntry.objects.values_list("position", "event")) == [
        (3, PolicyEvent.ADDED),
        (5, PolicyEvent.LIFTED),
        (6, PolicyEvent.ADDED),
    ]
    assert list(LedgerEntry.objects.values_list("position", flat=True)) == [1, 2, 4, 7]
    assert ledger.verify() == (7, None)
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "7 ledger entries verified" in out.getvalue()


def test_an_answer_after_a_policy_links_to_the_policys_digest(chain: World) -> None:
    policy_entry = PolicyLedgerEntry.objects.get(position=3)
    assert LedgerEntry.objects.get(position=4).previous_digest == policy_entry.digest


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("use_type_id", None),
        ("released_before", date(2030, 1, 1)),
        ("actor_name", "Someone else"),
        ("event", PolicyEvent.LIFTED),
    ],
)
def test_a_changed_policy_entry_is_found_at_its_position(
    chain: World, column: str, value: object
) -> None:
    position = 3 if column != "released_before" else 6
    tamper(
        f"UPDATE consent_policyledgerentry SET {column} = %s WHERE position = %s",  # noqa: S608
        [value, position],
    )

    checked, problem = ledger.verify()

    assert problem == ledger.Break(position, "its content does not match its digest")
    assert checked == position - 1


def test_a_deleted_policy_entry_is_found_at_its_position(chain: World) -> None:
    tamper("DELETE FROM consent_policyledgerentry WHERE position = %s", [5])

    assert ledger.verify()[1] == ledger.Break(5, "is missing (the next entry is 6)")


def test_a_policy_changed_behind_its_entries_is_found(chain: World) -> None:
    policy = LabelPolicy.objects.get(released_before__isnull=False)
    LabelPolicy.objects.filter(pk=policy.pk).update(released_before=date(2010, 1, 1))

    checked, problem = ledger.verify()

    assert checked == 7
    assert problem is not None and problem.position == 6
    assert f"label policy #{policy.pk}" in problem.problem


def test_a_policy_lifted_without_its_entry_is_found(chain: World) -> None:
    policy = LabelPolicy.objects.get(released_before__isnull=False)
    LabelPolicy.objects.filter(pk=policy.pk).update(
        lifted_at=policy.added_at + timedelta(hours=1), lifted_by=chain.manager
    )

    problem = ledger.verify()[1]

    assert problem is not None and problem.position == 6
    assert "lifted or restored outside it" in problem.problem


def test_a_lifted_policy_put_back_in_force_is_found(chain: World) -> None:
    lifted = LabelPolicy.objects.get(lifted_at__isnull=False)
    LabelPolicy.objects.filter(pk=lifted.pk).update(lifted_at=None, lifted_by=None)

    problem = ledger.verify()[1]

    assert problem is not None and problem.position == 5


def test_a_policy_without_any_entry_is_found(chain: World) -> None:
    LabelPolicy.objects.create(
        label=chain.label,
        use_type=chain.style,
        added_by=chain.manager,
        added_at=LabelPolicy.objects.first().added_at,  # type: ignore[union-attr]
    )

    problem = ledger.verify()[1]

    assert problem is not None and "has none" in problem.problem
    with pytest.raises(CommandError, match="Ledger entry #8 is missing"):
        call_command("verify_ledger")


@postgresql_only
def test_postgresql_rejects_changing_or_deleting_a_policy_entry(chain: World) -> None:
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        PolicyLedgerEntry.objects.filter(position=3).update(actor_name="x")
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        PolicyLedgerEntry.objects.filter(position=3).delete()
    with (
        pytest.raises(DatabaseError, match="Cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Deferred foreign keys checked now, or PostgreSQL refuses before our trigger fires.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE consent_policyledgerentry CASCADE")
    assert ledger.verify() == (7, None)
