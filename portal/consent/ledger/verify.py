"""Checking the ledger: walk the chain and the head, name the first bad entry.

The chain runs through two tables, answers (`LedgerEntry`) and label policies
(`PolicyLedgerEntry`), merged by position; then every label policy must read as its
entries say (added with that content, lifted only by its lift entry).
"""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from portal.consent.ledger.digest import (
    GENESIS,
    HASHED,
    HASHED_IF_GIVEN,
    POLICY_HASHED,
    digest,
    policy_digest,
)
from portal.consent.models import (
    LabelPolicy,
    LedgerEntry,
    LedgerHead,
    PolicyEvent,
    PolicyLedgerEntry,
)


@dataclass(frozen=True)
class Break:
    position: int
    problem: str


def _answers(chunk_size: int) -> Iterator[tuple[int, bool, dict[str, Any]]]:
    for row in (
        LedgerEntry.objects.order_by("position")
        .values(*HASHED, *HASHED_IF_GIVEN, "previous_digest", "digest")
        .iterator(chunk_size=chunk_size)
    ):
        yield int(row["position"]), False, row


def _policies(chunk_size: int) -> Iterator[tuple[int, bool, dict[str, Any]]]:
    for row in (
        PolicyLedgerEntry.objects.order_by("position")
        .values(*POLICY_HASHED, "previous_digest", "digest")
        .iterator(chunk_size=chunk_size)
    ):
        yield int(row["position"]), True, row


def verify(chunk_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the whole chain in order; return how many entries verified and the first break."""
    expected_previous = GENESIS
    checked = 0
    rows = heapq.merge(_answers(chunk_size), _policies(chunk_size), key=lambda r: r[0])
    for position, is_policy, row in rows:
        if position != checked + 1:
            # The missing entry is the first bad one, not the entry after the gap.
            if position == checked:
                return checked, Break(position, "appears twice")
            return checked, Break(checked + 1, f"is missing (the next entry is {position})")
        if row["previous_digest"] != expected_previous:
            return checked, Break(position, "does not link to the entry before it")
        computed = (policy_digest if is_policy else digest)(row, expected_previous)
        if computed != row["digest"]:
            return checked, Break(position, "its content does not match its digest")
        expected_previous = str(row["digest"])
        checked += 1

    # The head catches what the walk cannot: entries removed from the end, or the last
    # entry rewritten together with its digest.
    head = LedgerHead.objects.filter(pk=1).first()
    if head is not None and head.position > checked:
        return checked, Break(checked + 1, f"is missing (the head is at {head.position})")
    if head is not None and (head.position, head.digest) != (checked, expected_previous):
        return checked, Break(head.position, "does not match the recorded head")
    return checked, policies_check(checked)


def policies_check(checked: int) -> Break | None:
    """Every label policy as its verified entries record it: the same label and
    conditions, added and lifted by whom and when they say, and lifted only if an entry
    says so. Policies are few (a handful per label), so this reads them whole."""
    entries: dict[tuple[int, str], dict[str, Any]] = {
        (row["policy_id"], row["event"]): row
        for row in PolicyLedgerEntry.objects.values(*POLICY_HASHED)
    }
    fields = ("label_id", "use_type_id", "product_id", "released_before")
    for policy in LabelPolicy.objects.order_by("pk").values(
        "pk", *fields, "added_by_id", "added_at", "lifted_by_id", "lifted_at"
    ):
        added = entries.get((policy["pk"], PolicyEvent.ADDED))
        if added is None:
            return Break(checked + 1, f"is missing: label policy #{policy['pk']} has none")
        if any(added[f] != policy[f] for f in fields) or (
            added["actor_id"],
            added["at"],
        ) != (policy["added_by_id"], policy["added_at"]):
            return Break(
                int(added["position"]),
                f"does not match label policy #{policy['pk']}, which was changed since",
            )
        lifted = entries.get((policy["pk"], PolicyEvent.LIFTED))
        recorded = (lifted["actor_id"], lifted["at"]) if lifted else (None, None)
        if recorded != (policy["lifted_by_id"], policy["lifted_at"]):
            position = int(lifted["position"]) if lifted else int(added["position"])
            return Break(
                position,
                f"does not match label policy #{policy['pk']}, lifted or restored outside it",
            )
    return None
