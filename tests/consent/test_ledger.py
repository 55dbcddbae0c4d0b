"""The ledger: a hash chain that verifies, shows where it was tampered with, and on
PostgreSQL cannot be changed at all."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pgtrigger
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent import ledger
from portal.consent.models import Answer, LedgerEntry, LedgerHead, PermissionChange, Side
from portal.consent.services import decision_set, decisions_set, grants_withdraw_all
from tests.conftest import World

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's"
)


@contextmanager
def triggers_bypassed() -> Iterator[None]:
    """What an attacker with the database password could do: write past the triggers."""
    if connection.vendor == "postgresql":
        with pgtrigger.ignore("consent.LedgerEntry:ledger_append_only"):
            yield
    else:
        yield


def tamper(sql: str, params: list[object]) -> None:
    with triggers_bypassed(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def many_decisions(world: World) -> int:
    """A busy history: singles, bulks, expiries, notes, a change of mind and a stop."""
    later = timezone.now() + timedelta(days=30)
    for work in world.works:
        for use in (world.training, world.style):
            decision_set(
                actor=world.artist_user,
                product=world.product,
                work=work,
                use_type=use,
                side=Side.ARTIST,
                answer=Answer.GRANTED,
                expires_at=later if use == world.style else None,
                note="Oui, avec plaisir ✓",
            )
    for answer in (Answer.GRANTED, Answer.DENIED, Answer.GRANTED):
        decisions_set(
            actor=world.manager,
            product=world.product,
            use_type=world.training,
            side=Side.RIGHTS_HOLDER,
            answer=answer,
            works=Work.objects.filter(label=world.label),
        )
    grants_withdraw_all(actor=world.artist_user, artist=world.artist)
    return LedgerEntry.objects.count()


@pytest.fixture
def history(world: World) -> int:
    return many_decisions(world)


def test_an_empty_ledger_verifies(db: None) -> None:
    assert ledger.verify() == (0, None)


def test_the_chain_verifies_after_many_decisions(history: int) -> None:
    assert history == 24
    assert ledger.verify() == (history, None)
    head = LedgerHead.objects.get()
    assert head.position == history
    assert head.digest == LedgerEntry.objects.get(position=history).digest


def test_the_first_decision_creates_the_ledger_head_if_it_is_missing(world: World) -> None:
    LedgerHead.objects.all().delete()  # as after a flush of every table

    many_decisions(world)

    assert LedgerHead.objects.get().position == LedgerEntry.objects.count()
    assert ledger.verify() == (LedgerEntry.objects.count(), None)


def test_the_first_entry_links_to_the_genesis_digest(history: int) -> None:
    assert LedgerEntry.objects.get(position=1).previous_digest == ledger.GENESIS


def test_the_chain_verifies_in_small_chunks(history: int) -> None:
    assert ledger.verify(chunk_size=5) == (history, None)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("answer", Answer.DENIED),
        ("previous", Answer.DENIED),
        ("note", "Forged"),
        ("actor_name", "Someone else"),
        ("acting_for", "Someone else"),
        ("side", Side.RIGHTS_HOLDER),
        ("expires_at", None),
    ],
)
def test_a_changed_entry_is_found_at_its_position(history: int, column: str, value: object) -> None:
    tamper(f"UPDATE consent_ledgerentry SET {column} = %s WHERE position = %s", [value, 6])  # noqa: S608

    checked, problem = ledger.verify()

    assert problem is not None
    assert (checked, problem.position) == (5, 6)
    assert "does not match its digest" in problem.problem


def test_a_changed_time_is_found_at_its_position(history: int) -> None:
    entry = LedgerEntry.objects.get(position=7)
    tamper(
        "UPDATE consent_ledgerentry SET at = %s WHERE position = %s",
        [entry.at - timedelta(days=1), 7],
    )

    assert ledger.verify()[1] == ledger.Break(7, "its content does not match its digest")


def test_an_entry_moved_to_another_work_is_found(world: World, history: int) -> None:
    tamper(
        "UPDATE consent_ledgerentry SET work_id = %s WHERE position = %s",
        [world.outsider_works[0].pk, 3],
    )

    assert ledger.verify()[1].position == 3  # type: ignore[union-attr]


def test_an_entry_rewritten_with_a_fresh_digest_is_found_where_the_next_one_links(
    history: int,
) -> None:
    row = LedgerEntry.objects.filter(position=5).values(*ledger.HASHED, "previous_digest").get()
    row["answer"] = Answer.DENIED if row["answer"] == Answer.GRANTED else Answer.GRANTED
    forged = ledger.digest(row, str(row["previous_digest"]))
    tamper(
        "UPDATE consent_ledgerentry SET answer = %s, digest = %s WHERE position = %s",
        [row["answer"], forged, 5],
    )

    checked, problem = ledger.verify()

    assert problem == ledger.Break(6, "does not link to the entry before it")
    assert checked == 5


def test_the_last_entry_rewritten_with_a_fresh_digest_is_found_by_the_head(
    history: int,
) -> None:
    row = (
        LedgerEntry.objects.filter(position=history).values(*ledger.HASHED, "previous_digest").get()
    )
    row["note"] = "Forged"
    forged = ledger.digest(row, str(row["previous_digest"]))
    tamper(
        "UPDATE consent_ledgerentry SET note = %s, digest = %s WHERE position = %s",
        ["Forged", forged, history],
    )

    assert ledger.verify() == (history, ledger.Break(history, "does not match the recorded head"))


def test_a_deleted_entry_is_found_at_its_position(history: int) -> None:
    tamper("DELETE FROM consent_ledgerentry WHERE position = %s", [3])

    checked, problem = ledger.verify()

    assert checked == 2
    assert problem is not None
    assert problem.position == 3
    assert "missing" in problem.problem


def test_deleted_last_entries_are_found_by_the_head(history: int) -> None:
    tamper("DELETE FROM consent_ledgerentry WHERE position > %s", [history - 2])

    checked, problem = ledger.verify()

    assert checked == history - 2
    assert problem is not None
    assert problem.position == history - 1
    assert "missing" in problem.problem


def test_verify_ledger_says_how_many_entries_verified(history: int) -> None:
    out = StringIO()

    call_command("verify_ledger", stdout=out)

    assert f"{history} ledger entries verified" in out.getvalue()


def test_verify_ledger_on_an_empty_ledger_succeeds(db: None) -> None:
    out = StringIO()

    call_command("verify_ledger", stdout=out)

    assert "0 ledger entries verified" in out.getvalue()


def test_verify_ledger_fails_naming_the_first_bad_entry(history: int) -> None:
    tamper("UPDATE consent_ledgerentry SET note = %s WHERE position = %s", ["Forged", 9])
    tamper("UPDATE consent_ledgerentry SET note = %s WHERE position = %s", ["Forged", 12])

    with pytest.raises(CommandError, match=r"#9 .*content does not match") as failure:
        call_command("verify_ledger", stdout=StringIO())

    assert failure.value.returncode == 1
    assert "8 ledger entries verified before it" in str(failure.value)


APPEND_ONLY: list[tuple[type[Model], str]] = [
    (LedgerEntry, "consent_ledgerentry"),
    (PermissionChange, "consent_permissionchange"),
]


@postgresql_only
@pytest.mark.parametrize(("model", "table"), APPEND_ONLY)
def test_postgresql_rejects_updating_an_append_only_row(
    history: int, model: type[Model], table: str
) -> None:
    before = list(model.objects.values())  # type: ignore[attr-defined]

    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        model.objects.filter(pk=model.objects.first().pk).update(at=timezone.now())  # type: ignore[attr-defined,union-attr]
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        obj = model.objects.last()  # type: ignore[attr-defined]
        obj.save()
    with (
        pytest.raises(DatabaseError, match="pgtrigger"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET at = now()")  # noqa: S608

    assert list(model.objects.values()) == before  # type: ignore[attr-defined]


@postgresql_only
@pytest.mark.parametrize(("model", "table"), APPEND_ONLY)
def test_postgresql_rejects_deleting_an_append_only_row(
    history: int, model: type[Model], table: str
) -> None:
    count = model.objects.count()  # type: ignore[attr-defined]

    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        model.objects.first().delete()  # type: ignore[attr-defined,union-attr]
    with (
        pytest.raises(DatabaseError, match="pgtrigger"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608

    assert model.objects.count() == count  # type: ignore[attr-defined]


@postgresql_only
@pytest.mark.parametrize(("model", "table"), APPEND_ONLY)
def test_postgresql_rejects_truncating_an_append_only_table(
    history: int, model: type[Model], table: str
) -> None:
    count = model.objects.count()  # type: ignore[attr-defined]

    with (
        pytest.raises(DatabaseError, match="Cannot truncate"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Check the rows' deferred foreign keys now: PostgreSQL refuses to truncate a table
        # with pending trigger events, which would hide whether our trigger fired.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table} CASCADE")

    assert model.objects.count() == count  # type: ignore[attr-defined]
    assert ledger.verify() == (history, None)
