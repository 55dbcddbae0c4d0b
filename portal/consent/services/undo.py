"""Undoing a batch of answers (a bulk answer, "stop everything") within `UNDO_FOR`: each
answer goes back to what it was before, as new answers in the ledger; any answered again
since by anyone is left alone and listed."""

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.db import transaction

from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent.conditions import conditions_of
from portal.consent.ledger.append import head_lock
from portal.consent.models import UNDO_FOR, AnswerBatch
from portal.consent.selectors.batches import LeftAlone, Restore, batch_plan
from portal.consent.services.common import CHUNK, ConsentError, chunks, recorded_at
from portal.consent.services.decisions import WORK_ROW, Outcome, answers_record
from portal.consent.services.entitlement import entitlement_check
from portal.consent.services.locks import counters_lock
from portal.licensing.models import Product, UseType
from portal.words import day_words


@dataclass(frozen=True)
class Undone:
    outcome: Outcome
    left_alone: list[LeftAlone]


class _Given(NamedTuple):
    """What one write gives back: the same answer, terms and use for its works."""

    product_id: int
    use_type_id: int
    answer: str
    expires_at: datetime | None
    conditions: str  # as JSON, so it can be a key
    later_versions: bool


def _groups(restore: list[Restore]) -> dict[_Given, list[int]]:
    groups: dict[_Given, list[int]] = defaultdict(list)
    for item in restore:
        given = _Given(
            item.product_id,
            item.use_type_id,
            item.answer,
            item.expires_at,
            json.dumps(item.conditions, sort_keys=True),
            item.later_versions,
        )
        groups[given].append(item.work_id)
    return groups


@transaction.atomic
def batch_undo(*, actor: User, batch_id: int) -> Undone:
    """Give back the answers `batch` replaced, all in one transaction, as `actor`: each
    is a ledger entry ("Undo: …"), and the permissions it changes are announced. Answers
    given again since, yeses that have expired since and yeses for a version that has
    changed since are left alone. Once only, and within `UNDO_FOR` (`ConsentError`
    otherwise, as when `actor` may not answer for the batch's works any more)."""
    head = head_lock()
    batch = AnswerBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise ConsentError("There is no such batch of answers.")
    now = recorded_at(None)
    if batch.undone_at is not None:
        raise ConsentError(f"These answers were already restored on {day_words(batch.undone_at)}.")
    if batch.at < now - UNDO_FOR:
        raise ConsentError(f"Answers can be restored for {UNDO_FOR.days} days only.")
    plan = batch_plan(batch=batch, now=now)
    groups = _groups(plan.restore)
    counters = counters_lock(given.product_id for given in groups)
    works = Work.objects.filter(pk__in={item.work_id for item in plan.restore})
    entitlement_check(actor=actor, side=batch.side, works=works, delegation=None)
    products = Product.objects.in_bulk({given.product_id for given in groups})
    use_types = UseType.objects.in_bulk({given.use_type_id for given in groups})
    outcome = Outcome()
    for given, ids in groups.items():
        rows = Work.objects.filter(pk__in=ids).order_by("pk").values_list(*WORK_ROW)
        for chunk in chunks(rows.iterator(CHUNK)):
            outcome += answers_record(
                head=head,
                counter=counters[given.product_id],
                actor=actor,
                product=products[given.product_id],
                use_type=use_types[given.use_type_id],
                side=batch.side,
                answer=given.answer,
                expires_at=given.expires_at,
                note=f"Undo: {batch.summary}"[:500],
                works=chunk,
                now=now,
                conditions=conditions_of(json.loads(given.conditions)),
                later_versions=given.later_versions,
            )
    batch.undone_at, batch.undone_by = now, actor
    batch.restored, batch.left_alone = outcome.changed, len(plan.left_alone)
    batch.save(update_fields=["undone_at", "undone_by", "restored", "left_alone"])
    return Undone(outcome, plan.left_alone)
