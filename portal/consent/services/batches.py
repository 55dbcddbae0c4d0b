"""Answers given in one go (a bulk answer, "stop everything") are named as a batch, so
their party can undo them for a while (`consent.services.undo`)."""

from dataclasses import dataclass
from datetime import datetime

from portal.accounts.models import User
from portal.consent.access import Party
from portal.consent.models import Answer, AnswerBatch, LedgerHead, Side
from portal.licensing.models import Product, UseType


@dataclass(frozen=True)
class BatchOf:
    """Answers given in one go that their party can undo for a while (`AnswerBatch`):
    what was done, in words, and whose they are (the artist's, or the label's)."""

    summary: str
    artist_id: int | None = None
    label_id: int | None = None
    kind: str = AnswerBatch.Kind.BULK


def batch_record(
    *,
    batch: BatchOf,
    side: str,
    actor: User | None,
    at: datetime,
    first: int,
    head: LedgerHead,
    changed: int,
) -> AnswerBatch | None:
    """Name the ledger entries appended since position `first` as one batch, in the
    transaction that appended them (`head` is that transaction's, kept current)."""
    if not changed:
        return None
    return AnswerBatch.objects.create(
        kind=batch.kind,
        side=side,
        artist_id=batch.artist_id,
        label_id=batch.label_id,
        actor=actor,
        actor_name=actor.display_name if actor else "Consent Portal",
        at=at,
        summary=batch.summary[:300],
        changed=changed,
        first_position=first,
        last_position=head.position,
    )


def bulk_batch(*, party: Party, product: Product, use_type: UseType, answer: str) -> BatchOf:
    """A bulk answer's batch: "Yes to training on Tunesmith", for the party's side."""
    said = "Yes" if answer == Answer.GRANTED else "No"
    summary = f"{said} to {use_type.name.lower()} on {product.name}"
    if party.side == Side.ARTIST:
        artist_id = party.delegation.artist_id if party.delegation else party.pk
        return BatchOf(summary, artist_id=artist_id)
    assert party.label is not None
    return BatchOf(summary, label_id=party.label.pk)
