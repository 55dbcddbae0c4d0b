"""Checking the ledger: walk the chain and the head, name the first bad entry.

The chain runs through three tables, answers (`LedgerEntry`), label policies
(`PolicyLedgerEntry`) and disputes (`DisputeLedgerEntry`), merged by position; then every
label policy must read as its entries say (added with that content, lifted only by its
lift entry), and every dispute too (raised and closed as its entries say, and its work
marked disputed exactly while it is open).
"""

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from portal.catalogue.models import Work
from portal.consent.ledger.digest import (
    DISPUTE_HASHED,
    GENESIS,
    HASHED,
    HASHED_IF_GIVEN,
    POLICY_HASHED,
    digest,
    dispute_digest,
    policy_digest,
)
from portal.consent.models import (
    Dispute,
    DisputeEvent,
    DisputeLedgerEntry,
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


Digest = Callable[[dict[str, object], str], str]


def _rows(
    model: Any, fields: tuple[str, ...], digest_of: Digest, chunk_size: int
) -> Iterator[tuple[int, Digest, dict[str, Any]]]:
    for row in (
        model.objects.order_by("position")
        .values(*fields, "previous_digest", "digest")
        .iterator(chunk_size=chunk_size)
    ):
        yield int(row["position"]), digest_of, row


def verify(chunk_size: int = 5000) -> tuple[int, Break | None]:
    """Walk the whole chain in order; return how many entries verified and the first break."""
    expected_previous = GENESIS
    checked = 0
    rows = heapq.merge(
        _rows(LedgerEntry, (*HASHED, *HASHED_IF_GIVEN), digest, chunk_size),
        _rows(PolicyLedgerEntry, POLICY_HASHED, policy_digest, chunk_size),
        _rows(DisputeLedgerEntry, DISPUTE_HASHED, dispute_digest, chunk_size),
        key=lambda r: r[0],
    )
    for position, digest_of, row in rows:
        if position != checked + 1:
            # The missing entry is the first bad one, not the entry after the gap.
            if position == checked:
                return checked, Break(position, "appears twice")
            return checked, Break(checked + 1, f"is missing (the next entry is {position})")
        if row["previous_digest"] != expected_previous:
            return checked, Break(position, "does not link to the entry before it")
        computed = digest_of(row, expected_previous)
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
    return checked, policies_check(checked) or disputes_check(checked)


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


def disputes_check(checked: int) -> Break | None:
    """Every dispute as its verified entries record it: raised by whom, when, for which
    work, why and with what note; closed (upheld or rejected) only if an entry says so,
    by whom and when it says; and a work marked disputed exactly while its dispute is
    open. Disputes are few, so this reads them whole."""
    entries: dict[tuple[int, str], dict[str, Any]] = {
        (row["dispute_id"], row["event"]): row
        for row in DisputeLedgerEntry.objects.values(*DISPUTE_HASHED)
    }
    open_since: dict[int, Any] = {}
    for dispute in Dispute.objects.order_by("pk").values(
        "pk",
        "work_id",
        "reason",
        "note",
        "raised_by_id",
        "raised_at",
        "status",
        "closed_by_id",
        "closed_at",
    ):
        raised = entries.get((dispute["pk"], DisputeEvent.RAISED))
        if raised is None:
            return Break(checked + 1, f"is missing: dispute #{dispute['pk']} has none")
        said = (raised["work_id"], raised["reason"], raised["note"])
        by = (raised["actor_id"], raised["at"])
        if said != (dispute["work_id"], dispute["reason"], dispute["note"]) or by != (
            dispute["raised_by_id"],
            dispute["raised_at"],
        ):
            return Break(
                int(raised["position"]),
                f"does not match dispute #{dispute['pk']}, which was changed since",
            )
        closing = [
            entries[(dispute["pk"], event)]
            for event in (DisputeEvent.UPHELD, DisputeEvent.REJECTED)
            if (dispute["pk"], event) in entries
        ]
        recorded = (
            (closing[0]["event"], closing[0]["actor_id"], closing[0]["at"])
            if closing
            else (Dispute.Status.OPEN, None, None)
        )
        if recorded != (dispute["status"], dispute["closed_by_id"], dispute["closed_at"]):
            position = int(closing[0]["position"]) if closing else int(raised["position"])
            return Break(
                position, f"does not match dispute #{dispute['pk']}, closed or reopened outside it"
            )
        if not closing:
            open_since[dispute["work_id"]] = dispute["raised_at"]
    marked = dict(Work.objects.filter(disputed_at__isnull=False).values_list("pk", "disputed_at"))
    if marked != open_since:
        return Break(checked + 1, "is missing: a work is marked disputed without its dispute")
    return None
