"""Checking the ledger: walk the chain and the head, name the first bad entry."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from portal.consent.ledger.digest import GENESIS, HASHED, digest
from portal.consent.models import LedgerEntry, LedgerHead


@dataclass(frozen=True)
class Break:
    position: int
    problem: str


def verify(chunk_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the whole chain in order; return how many entries verified and the first break."""
    expected_previous = GENESIS
    checked = 0
    rows: Iterator[dict[str, Any]] = (
        LedgerEntry.objects.order_by("position")
        .values(*HASHED, "previous_digest", "digest")
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        position = int(row["position"])
        if position != checked + 1:
            # The missing entry is the first bad one, not the entry after the gap.
            return checked, Break(checked + 1, f"is missing (the next entry is {position})")
        if row["previous_digest"] != expected_previous:
            return checked, Break(position, "does not link to the entry before it")
        if digest(row, expected_previous) != row["digest"]:
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
    return checked, None
