"""What the ledger's digest covers: every id an entry points at, in a canonical form that
never changes, so a rewrite by someone with database access is named by verify_ledger."""

from datetime import UTC, datetime, timedelta, timezone
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.consent import ledger
from portal.consent.models import LedgerEntry
from portal.consent.services import delegation_grant
from tests import factories as f
from tests.conftest import World
from tests.consent.test_ledger import many_decisions, tamper

# Position 6 is the artist's own answer for Night Drive 2 and style generation, given
# without a delegation: each rewrite below points it at something else.
REWRITTEN = 6


@pytest.fixture
def history(world: World) -> int:
    return many_decisions(world)


def rewrite(column: str, value: object) -> None:
    tamper(
        f"UPDATE consent_ledgerentry SET {column} = %s WHERE position = %s",  # noqa: S608
        [value, REWRITTEN],
    )


def assert_verify_ledger_names_the_rewritten_entry() -> None:
    with pytest.raises(CommandError, match=rf"#{REWRITTEN} .*content does not match") as failure:
        call_command("verify_ledger", stdout=StringIO())
    assert failure.value.returncode == 1
    assert f"{REWRITTEN - 1} ledger entries verified before it" in str(failure.value)


def test_the_rewritten_entry_is_what_the_tests_below_expect(world: World, history: int) -> None:
    entry = LedgerEntry.objects.get(position=REWRITTEN)
    assert (entry.work, entry.use_type, entry.actor, entry.delegation) == (
        world.works[2],
        world.style,
        world.artist_user,
        None,
    )


def test_an_entry_moved_to_another_product_is_named_by_verify_ledger(history: int) -> None:
    rewrite("product_id", f.ProductFactory().pk)

    assert_verify_ledger_names_the_rewritten_entry()


def test_an_entry_moved_to_another_use_is_named_by_verify_ledger(
    world: World, history: int
) -> None:
    rewrite("use_type_id", world.training.pk)

    assert_verify_ledger_names_the_rewritten_entry()


def test_an_entry_given_to_another_actor_is_named_by_verify_ledger(
    world: World, history: int
) -> None:
    rewrite("actor_id", world.manager.pk)

    assert_verify_ledger_names_the_rewritten_entry()


def test_an_entry_claimed_for_a_delegation_is_named_by_verify_ledger(
    world: World, history: int
) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)

    rewrite("delegation_id", delegation.pk)

    assert_verify_ledger_names_the_rewritten_entry()


# A fixed entry and its digest, worked out once. Entries already written keep the digest
# they were given, so any change to the canonical form (a field added, dropped or
# reordered, another time format, escaped text) would break every existing chain: this
# catches such a change before it ships.
KNOWN_ENTRY: dict[str, object] = {
    "position": 42,
    # Not in UTC on purpose: the canonical form is the UTC time.
    "at": datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1))),
    "actor_id": 7,
    "actor_name": "Sam Øster",
    "side": "artist",
    "acting_for": "Ada Lane",
    "product_id": 3,
    "work_id": 11,
    "use_type_id": 2,
    "previous": "denied",
    "answer": "granted",
    "expires_at": datetime(2027, 1, 1, tzinfo=UTC),
    "note": "Oui, avec plaisir ✓",
    "delegation_id": 5,
}
KNOWN_PREVIOUS = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
# The payload hashed: the previous digest, then the fields in order, as compact JSON
# with text as it is:
# ["9f86…0a08",[42,"2026-03-01T08:30:15.123456+00:00",7,"Sam Øster","artist","Ada Lane",
#  3,11,2,"denied","granted","2027-01-01T00:00:00+00:00","Oui, avec plaisir ✓",5]]
KNOWN_DIGEST = "02f57fcf8e57671a7faa68e53996f0d9f718001f0ede7fadf79420e465d1d090"
# The first entry of a chain, without a previous answer or a delegation (nulls).
KNOWN_FIRST_DIGEST = "cecc23a63375a8a9edb9f48ab8499edc13ed61a0da6a3f79dfc7f4e76da6b28c"


def test_the_digest_of_a_known_entry_never_changes() -> None:
    assert ledger.digest(KNOWN_ENTRY, KNOWN_PREVIOUS) == KNOWN_DIGEST


def test_the_digest_of_the_first_entry_links_to_the_genesis_digest() -> None:
    first = {**KNOWN_ENTRY, "position": 1, "previous": "", "delegation_id": None}
    assert ledger.digest(first, ledger.GENESIS) == KNOWN_FIRST_DIGEST
