"""What undoing a batch of answers would do, read from the ledger: for each entry of the
batch, the answer its work had before (the entry before it for the same work, use and
side, or none), unless someone answered it again since."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from portal.catalogue.models import Work
from portal.consent.access import Party
from portal.consent.models import NO_ANSWER, UNDO_FOR, Answer, AnswerBatch, LedgerEntry, Side
from portal.licensing.models import Product, UseType
from portal.words import day_words

# How many answers left alone the preview names; the rest are counted.
NAMED = 50


@dataclass(frozen=True)
class Restore:
    """One answer to give back: the state the entry before the batch recorded."""

    product_id: int
    use_type_id: int
    work_id: int
    answer: str
    expires_at: datetime | None
    conditions: list[dict[str, Any]]
    later_versions: bool


@dataclass(frozen=True)
class LeftAlone:
    work_id: int
    product_id: int
    use_type_id: int
    why: str


@dataclass(frozen=True)
class Plan:
    restore: list[Restore]
    left_alone: list[LeftAlone]

    def counts(self) -> list[tuple[str, int]]:
        """How many of each answer come back, in words: [("yes", 120), ("no", 24)]."""
        words = {Answer.GRANTED: "yes", Answer.DENIED: "no", NO_ANSWER: "with no answer, as before"}
        found: dict[str, int] = {}
        for item in self.restore:
            found[words[item.answer]] = found.get(words[item.answer], 0) + 1
        return sorted(found.items(), key=lambda pair: -pair[1])


def batches_of(*, party: Party, now: datetime) -> QuerySet[AnswerBatch]:
    """The party's batches of the last `UNDO_FOR`, newest first, undone ones included."""
    recent = AnswerBatch.objects.filter(at__gte=now - UNDO_FOR, side=party.side)
    if party.side == Side.ARTIST:
        artist_id = party.delegation.artist_id if party.delegation else party.pk
        return recent.filter(artist_id=artist_id)
    assert party.label is not None
    return recent.filter(label_id=party.label.pk)


def batch_plan(*, batch: AnswerBatch, now: datetime) -> Plan:
    """What undoing `batch` restores, and what it leaves alone and why: answered again
    since (by whom, when), a yes that has expired since, or a yes for a version of the
    product that has changed what it does (which only a new yes may renew). Three
    queries, whatever the size of the batch."""
    entries = LedgerEntry.objects.filter(
        position__range=(batch.first_position, batch.last_position), side=batch.side
    )
    same = LedgerEntry.objects.filter(
        work_id=OuterRef("work_id"),
        product_id=OuterRef("product_id"),
        use_type_id=OuterRef("use_type_id"),
        side=OuterRef("side"),
    )
    later = same.filter(position__gt=OuterRef("position")).order_by("-position")
    earlier = same.filter(position__lt=OuterRef("position")).order_by("-position")
    rows = list(
        entries.annotate(
            since_by=Subquery(later.values("actor_name")[:1]),
            since_at=Subquery(later.values("at")[:1]),
            before=Subquery(earlier.values("position")[:1]),
        )
        .order_by("position")
        .values_list("product_id", "use_type_id", "work_id", "since_by", "since_at", "before")
    )
    befores = {
        entry["position"]: entry
        for entry in LedgerEntry.objects.filter(
            position__in=[row[5] for row in rows if row[5] is not None]
        ).values("position", "answer", "expires_at", "conditions", "for_version", "later_versions")
    }
    versions = dict(
        Product.objects.filter(pk__in={row[0] for row in rows}).values_list(
            "pk", "material_version"
        )
    )
    restore, left = [], []
    for product_id, use_type_id, work_id, since_by, since_at, before in rows:
        key = (work_id, product_id, use_type_id)
        if since_by is not None:
            left.append(LeftAlone(*key, f"answered again by {since_by} on {day_words(since_at)}"))
            continue
        was = befores.get(before) if before is not None else None
        if was is None:
            restore.append(Restore(product_id, use_type_id, work_id, NO_ANSWER, None, [], False))
            continue
        if was["answer"] == Answer.GRANTED:
            if was["expires_at"] is not None and was["expires_at"] <= now:
                left.append(LeftAlone(*key, "the yes it had has expired since"))
                continue
            if not was["later_versions"] and was["for_version"] < versions[product_id]:
                left.append(
                    LeftAlone(*key, "the yes it had was for a version that has changed since")
                )
                continue
        restore.append(
            Restore(
                product_id,
                use_type_id,
                work_id,
                was["answer"],
                was["expires_at"],
                was["conditions"],
                was["later_versions"],
            )
        )
    return Plan(restore, left)


@dataclass(frozen=True)
class Named:
    title: str
    use: str
    product: str
    why: str


def left_alone_named(left: Sequence[LeftAlone]) -> list[Named]:
    """The first `NAMED` answers left alone, with the names people read (three queries)."""
    shown = left[:NAMED]
    titles = dict(Work.objects.filter(pk__in={x.work_id for x in shown}).values_list("pk", "title"))
    uses = dict(
        UseType.objects.filter(pk__in={x.use_type_id for x in shown}).values_list("pk", "name")
    )
    products = dict(
        Product.objects.filter(pk__in={x.product_id for x in shown}).values_list("pk", "name")
    )
    return [
        Named(titles[x.work_id], uses[x.use_type_id], products[x.product_id], x.why) for x in shown
    ]
