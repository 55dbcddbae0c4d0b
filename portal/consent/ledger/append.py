"""Appending to the ledger: the only writer of `LedgerEntry`, `PolicyLedgerEntry`,
`DisputeLedgerEntry` and `LedgerHead`.

The head is the first lock every consent write takes (see `portal.consent.services`),
so appends are serialised and the chain cannot fork.
"""

from collections.abc import Iterable

from portal.consent.bulk import insert_rows
from portal.consent.ledger.digest import GENESIS, digest, dispute_digest, policy_digest
from portal.consent.models import DisputeLedgerEntry, LedgerEntry, LedgerHead, PolicyLedgerEntry


def head_lock() -> LedgerHead:
    """Lock the chain's tip until the transaction ends, creating it on an empty database."""
    head = LedgerHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # an empty database; the row is created once and then only locked
        LedgerHead.objects.bulk_create(
            [LedgerHead(pk=1, position=0, digest=GENESIS)], ignore_conflicts=True
        )
        head = LedgerHead.objects.select_for_update().get(pk=1)
    return head


def entries_append(*, head: LedgerHead, entries: Iterable[dict[str, object]]) -> None:
    """Chain `entries` after `head`, in order, and move the head past them.

    Each entry is given as its content: every field of `digest.HASHED` but `position`,
    by attribute name (`work_id`). The position and both digests are set here. `head`
    must be the one `head_lock` returned in this transaction; it is kept current, so
    the caller can append again with it.
    """
    rows = []
    for content in entries:
        chained: dict[str, object] = {"position": head.position + 1, **content}
        entry_digest = digest(chained, head.digest)
        rows.append({**chained, "previous_digest": head.digest, "digest": entry_digest})
        head.position, head.digest = head.position + 1, entry_digest
    if not rows:
        return
    insert_rows(LedgerEntry, rows)
    LedgerHead.objects.filter(pk=head.pk).update(position=head.position, digest=head.digest)


def policy_entry_append(*, head: LedgerHead, content: dict[str, object]) -> PolicyLedgerEntry:
    """Chain one label policy's entry (added or lifted) after `head`, as `entries_append`
    does answers: `content` is every field of `digest.POLICY_HASHED` but `position`."""
    chained: dict[str, object] = {"position": head.position + 1, **content}
    entry_digest = policy_digest(chained, head.digest)
    entry = PolicyLedgerEntry.objects.create(
        **chained, previous_digest=head.digest, digest=entry_digest
    )
    head.position, head.digest = head.position + 1, entry_digest
    LedgerHead.objects.filter(pk=head.pk).update(position=head.position, digest=head.digest)
    return entry


def dispute_entry_append(*, head: LedgerHead, content: dict[str, object]) -> DisputeLedgerEntry:
    """Chain one step of a dispute (raised, upheld, rejected) after `head`: `content` is
    every field of `digest.DISPUTE_HASHED` but `position`."""
    chained: dict[str, object] = {"position": head.position + 1, **content}
    entry_digest = dispute_digest(chained, head.digest)
    entry = DisputeLedgerEntry.objects.create(
        **chained, previous_digest=head.digest, digest=entry_digest
    )
    head.position, head.digest = head.position + 1, entry_digest
    LedgerHead.objects.filter(pk=head.pk).update(position=head.position, digest=head.digest)
    return entry
