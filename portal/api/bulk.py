"""The bulk check: up to 1,000 (ISRC, use) pairs answered as the single check answers
each, in a constant number of queries whatever their number."""

from collections.abc import Sequence
from datetime import datetime

from portal.api.schemas import NOT_IN_CATALOGUE, Check
from portal.api.selectors import (
    Announced,
    KeyContext,
    _answer_from_row,
    _check,
    _reasons_by_rule,
)
from portal.catalogue.models import Work
from portal.consent.facts import verdicts_for_pairs
from portal.consent.models import AnnouncedPermission


def checks_bulk(
    *, key: KeyContext, items: Sequence[tuple[str, str]], use_ids: dict[str, int], now: datetime
) -> list[Check]:
    """Answers for (normalised ISRC, known use slug) pairs, in order. A constant number
    of queries whatever the number of items: works, permissions, then the rule's facts
    for the pairs the rows do not answer."""
    works: dict[str, tuple[int, int]] = {}
    withdrawn: set[int] = set()
    disputed: set[int] = set()
    for isrc, pk, label_id, withdrawn_at, disputed_at in (
        Work.objects.filter(isrc__in={isrc for isrc, _ in items})
        .order_by()
        .values_list("isrc", "pk", "label_id", "withdrawn_at", "disputed_at")
    ):
        works[isrc] = (pk, label_id)
        if withdrawn_at is not None:
            withdrawn.add(pk)
        if disputed_at is not None:
            disputed.add(pk)
    work_ids = {pk for pk, _ in works.values()}
    rows = {
        (work_id, use_id): (bool(permitted), reasons, lapses_at, conditions)
        for work_id, use_id, permitted, reasons, lapses_at, conditions in (
            AnnouncedPermission.objects.filter(
                product_id=key.product_id,
                work_id__in=work_ids,
                use_type_id__in={use_ids[use] for _, use in items},
            ).values_list(
                "work_id", "use_type_id", "permitted", "reasons", "lapses_at", "conditions"
            )
        )
    }
    answered: dict[tuple[int, int], Announced | None] = {}
    for isrc, use in items:
        if isrc in works:
            pair = (works[isrc][0], use_ids[use])
            answered[pair] = _answer_from_row(rows.get(pair), now)
    unanswered = [pair for pair, answer in answered.items() if answer is None]
    verdicts = verdicts_for_pairs(
        product=key.product(),
        pairs=unanswered,
        labels=dict(works.values()),
        now=now,
        withdrawn=withdrawn,
        disputed=disputed,
    )
    results: list[Check] = []
    for isrc, use in items:
        if isrc not in works:
            results.append(_check(isrc, use, (False, [NOT_IN_CATALOGUE], []), key.version))
            continue
        pair = (works[isrc][0], use_ids[use])
        answer = answered[pair] or (False, _reasons_by_rule(verdicts[pair]), [])
        results.append(_check(isrc, use, answer, key.version))
    return results
