"""Announcing: re-evaluate effective permissions, record every flip, number it.

The only writer of `AnnouncedPermission`, `PermissionChange` and `ChangeCounter`, and
of the tallies' permitted counts. Every cause
comes through here: a decision (`decisions`), a product's status or a licence
(`products`, `licences`), the clock (`lapses`).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from portal.catalogue.models import Work
from portal.consent.bulk import insert_rows
from portal.consent.conditions import conditions_json
from portal.consent.facts import verdicts_for
from portal.consent.models import AnnouncedPermission, ChangeCounter, Decision, PermissionChange
from portal.consent.selectors.tallies import Key
from portal.consent.services.common import CHUNK, recorded_at
from portal.consent.services.locks import counters_lock
from portal.consent.services.tallies import tallies_add
from portal.consent.signals import changes_recorded
from portal.licensing.models import Product


def changes_announce(
    *,
    counter: ChangeCounter,
    product: Product,
    pairs: Sequence[tuple[int, int]],
    use_type_ids: Sequence[int],
    cause: str,
    now: datetime,
) -> int:
    """Re-evaluate (work, use) for `pairs` of (work id, label id); record every flip, and
    every change of a permitted use's conditions.

    Called with the product's counter locked. Returns the number of changes recorded.
    Rows whose new state is the same are updated together, so a bulk answer costs a
    handful of statements, not one per work.
    """
    verdicts = verdicts_for(product=product, works=pairs, use_type_ids=use_type_ids, now=now)
    known = {
        (w, u): (permitted, reasons, lapses_at, conditions)
        for w, u, permitted, reasons, lapses_at, conditions in AnnouncedPermission.objects.filter(
            product=product, use_type_id__in=use_type_ids, work__any_of=[w for w, _ in pairs]
        ).values_list("work_id", "use_type_id", "permitted", "reasons", "lapses_at", "conditions")
    }
    changes: list[dict[str, Any]] = []
    flips: list[dict[str, Any]] = []
    created: list[dict[str, object]] = []
    updates: dict[tuple[int, bool, tuple[str, ...], datetime | None, Any], list[int]] = {}
    for (work_id, use_id), verdict in verdicts.items():
        row = known.get((work_id, use_id))
        if row is None and not verdict.permitted:
            continue  # never permitted, still not: no row needed
        was_permitted, conditions = (row[0], row[3]) if row else (False, [])
        now_conditions = conditions_json(verdict.conditions)
        if verdict.permitted != was_permitted or (
            verdict.permitted and now_conditions != conditions
        ):
            counter.last += 1
            change = {
                "product_id": product.pk,
                "seq": counter.last,
                "work_id": work_id,
                "use_type_id": use_id,
                "permitted": verdict.permitted,
                "reasons": list(verdict.reasons),
                "conditions": now_conditions,
                "cause": cause,
                "at": now,
            }
            changes.append(change)
            if verdict.permitted != was_permitted:
                flips.append(change)
        elif row is not None and (
            list(verdict.reasons),
            verdict.lapses_at,
            now_conditions,
        ) == (row[1], row[2], row[3]):
            continue
        # Not a flip, or a flip: either way the row must not keep a stale reason or lapse
        # time, since readers show both.
        if row is None:
            created.append(
                {
                    "product_id": product.pk,
                    "work_id": work_id,
                    "use_type_id": use_id,
                    "permitted": verdict.permitted,
                    "reasons": list(verdict.reasons),
                    "lapses_at": verdict.lapses_at,
                    "conditions": now_conditions,
                }
            )
        else:
            key = (
                use_id,
                verdict.permitted,
                verdict.reasons,
                verdict.lapses_at,
                verdict.conditions,
            )
            updates.setdefault(key, []).append(work_id)
    for (use_id, permitted, reasons, lapses_at, given), work_ids in updates.items():
        AnnouncedPermission.objects.filter(
            product=product, use_type_id=use_id, work__any_of=work_ids
        ).update(
            permitted=permitted,
            reasons=list(reasons),
            lapses_at=lapses_at,
            conditions=conditions_json(given),
        )
    insert_rows(AnnouncedPermission, created)
    if changes:
        if flips:
            _permitted_count(product=product, changes=flips)
        insert_rows(PermissionChange, changes)
        ChangeCounter.objects.filter(pk=counter.pk).update(last=counter.last)
        # Delivery listens and, after commit, has workers push them to the product's
        # webhook; its sweeper covers a lost hook or a broker that is down.
        changes_recorded.send(sender=PermissionChange, product_ids=[product.pk])
    return len(changes)


def _permitted_count(*, product: Product, changes: list[dict[str, Any]]) -> None:
    """Count the flips in the tallies of the works' label and artist, as they are now."""
    groups = dict(
        (pk, (label_id, artist_id))
        for pk, label_id, artist_id in Work.objects.filter(
            pk__any_of={change["work_id"] for change in changes}
        ).values_list("pk", "label_id", "primary_artist_id")
    )
    deltas: dict[Key, dict[str, int]] = {}
    for change in changes:
        key = (*groups[change["work_id"]], product.pk, change["use_type_id"])
        counts = deltas.setdefault(key, {"permitted": 0})
        counts["permitted"] += 1 if change["permitted"] else -1
    tallies_add(deltas)


@transaction.atomic
def permissions_refresh(
    *,
    product: Product,
    cause: str,
    works: QuerySet[Work] | None = None,
    now: datetime | None = None,
) -> int:
    """Re-evaluate the product's permissions after something other than a decision changed
    (its status, a licence, the clock) and record every flip. Returns the number of flips.

    Only pairs someone has answered, or that were announced before, can be permitted, so
    those are the only ones evaluated. `now` as for `decisions_set`.
    """
    # Locked before the pairs are read: an answer committing meanwhile is then either read
    # here or waits, and is judged after this change.
    counters_lock([product.pk])
    answered = Decision.objects.filter(product=product)
    announced = AnnouncedPermission.objects.filter(product=product)
    if works is not None:
        answered, announced = answered.filter(work__in=works), announced.filter(work__in=works)
    return pairs_refresh(
        product=product,
        cause=cause,
        pairs=set(answered.values_list("work_id", "use_type_id"))
        | set(announced.values_list("work_id", "use_type_id")),
        now=now,
    )


@transaction.atomic
def pairs_refresh(
    *,
    product: Product,
    cause: str,
    pairs: Iterable[tuple[int, int]],
    now: datetime | None = None,
) -> int:
    """Re-evaluate these (work, use) pairs of the product and record every flip: for a
    cause that knows which pairs it can flip (a policy), where `permissions_refresh`
    evaluates every pair answered or announced. Returns the number of flips. The caller
    holds the product's counter already (`counters_lock`) when it read the pairs, so no
    answer can commit between that read and this judgement."""
    counter = counters_lock([product.pk])[product.pk]
    product.refresh_from_db()
    now = recorded_at(now)
    pairs = sorted(set(pairs))
    labels = dict(
        Work.objects.filter(pk__any_of={w for w, _ in pairs}).values_list("pk", "label_id")
    )
    flipped = 0
    by_use: dict[int, list[tuple[int, int]]] = {}
    for work_id, use_id in pairs:
        by_use.setdefault(use_id, []).append((work_id, labels[work_id]))
    for use_id, use_pairs in sorted(by_use.items()):
        for start in range(0, len(use_pairs), CHUNK):
            flipped += changes_announce(
                counter=counter,
                product=product,
                pairs=use_pairs[start : start + CHUNK],
                use_type_ids=[use_id],
                cause=cause,
                now=now,
            )
    return flipped
