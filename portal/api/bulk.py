"""The bulk check: up to 1,000 (ISRC, use) pairs answered as the single check answers
each, in a constant number of queries whatever their number.

On PostgreSQL, two statements prepared once per connection (`prepared`): one reads each
pair's work, its announced permission and, where that row does not answer (a use never
permitted, or a permitted one past its lapse), both sides' answers; the other, only when
some pair is left to the rule, what the rule needs once for all of them (the uses the
product asks for, the conditions it honours, its licensee's licences with the works'
labels and those labels' policies in force). The rule then judges each distinct set of
facts once: under opt-in most pairs nobody has answered, and their verdicts are one.

SQLite (`make run`) reads through `consent.facts`, as the single check's fallback does.
Tests hold both to the single check's answers.
"""

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connection

from portal.api.pair_facts import fact_day, fact_start
from portal.api.prepared import prepared_cursor
from portal.api.schemas import NOT_IN_CATALOGUE, Check
from portal.api.selectors import (
    Announced,
    KeyContext,
    answer_from_row,
    check_of,
    reasons_by_rule,
)
from portal.catalogue.models import Work
from portal.consent.conditions import conditions_of
from portal.consent.facts import verdicts_for_pairs
from portal.consent.models import AnnouncedPermission, Decision, LabelPolicy, Side
from portal.consent.rules import Cap, SideAnswer, Term, Verdict, evaluate
from portal.licensing.models import Condition, Licence, Product, ProductUse, UseType

Pair = tuple[int, int]  # (work id, use type id)


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def checks_bulk(
    *, key: KeyContext, items: Sequence[tuple[str, str]], use_ids: dict[str, int], now: datetime
) -> list[Check]:
    """Answers for (normalised ISRC, known use slug) pairs, in order: one or two
    statements on PostgreSQL, five to nine queries on SQLite, whatever the number."""
    if connection.vendor == "postgresql":
        return _checks_folded(key=key, items=items, use_ids=use_ids, now=now)
    return _checks_by_facts(key=key, items=items, use_ids=use_ids, now=now)


@contextmanager
def collections_paused() -> Iterator[None]:
    """No cyclic garbage collection while a bulk answer is built.

    A thousand items keep thousands of containers alive at once (items, rows, answers).
    Every 700 new ones start a collection, which scans them and moves the survivors to
    an older generation; enough of those start a full one, which scans the whole
    process: 80 to 100 ms in one bulk check out of ten, measured, the whole gap between
    the median and p95. Reference counting frees the answer's objects once it is
    serialised, before collections resume. Process-wide, so with threads another
    request may resume them early: that costs a pause, never an object.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# --- PostgreSQL: two prepared statements ---------------------------------------------------


@cache
def _pairs_sql() -> str:
    """Each distinct pair's work, announced permission and, for a pair that row does not
    answer (as `selectors.answer_from_row` sees it), each side's answer. The test of the
    row sits in a lateral subquery (kept one by its LIMIT) so that it gates the index
    scan; in a join's condition it would only filter what the scan found."""
    # Table names come from the models' own metadata; every value is a parameter.
    side = (
        "LEFT JOIN LATERAL (SELECT d.answer, d.expires_at, "  # noqa: S608
        "NULLIF(d.conditions, '[]'), d.for_version, d.later_versions "
        f"FROM {_t(Decision)} d WHERE (p.permitted IS NULL OR (p.permitted AND "
        "p.lapses_at <= %(now)s)) AND d.product_id = %(product)s AND d.work_id = w.id "
        "AND d.use_type_id = i.use_id AND d.side = %({side})s LIMIT 1) {side} ON TRUE "
    )
    return (
        "SELECT i.isrc, i.use_id, w.id, w.label_id, "  # noqa: S608
        "w.withdrawn_at IS NOT NULL, w.disputed_at IS NOT NULL, w.release_date, "
        # A lapse still to come does not change the answer: only one past is read.
        "p.permitted, p.reasons, CASE WHEN p.lapses_at <= %(now)s THEN p.lapses_at END, "
        "p.conditions, artist.*, rights_holder.* "
        "FROM unnest(%(isrcs)s::text[], %(uses)s::bigint[]) AS i(isrc, use_id) "
        f"LEFT JOIN {_t(Work)} w ON w.isrc = i.isrc "
        f"LEFT JOIN {_t(AnnouncedPermission)} p ON p.product_id = %(product)s "
        "AND p.work_id = w.id AND p.use_type_id = i.use_id "
        f"{side.format(side=Side.ARTIST)}{side.format(side=Side.RIGHTS_HOLDER)}"
    )


@cache
def _shared_sql() -> str:
    uses = _t(Licence.use_types.through)
    honoured = _t(Product.conditions_honoured.through)
    # Table names come from the models' own metadata; every value is a parameter.
    return (
        f"SELECT ARRAY(SELECT pu.use_type_id FROM {_t(ProductUse)} pu "  # noqa: S608
        "WHERE pu.product_id = %(product)s), "
        f"ARRAY(SELECT c.code FROM {honoured} ch JOIN {_t(Condition)} c "
        "ON c.id = ch.condition_id WHERE ch.product_id = %(product)s), "
        "(SELECT json_agg(json_build_array(l.label_id, l.starts_on, l.ends_on, "
        f"ARRAY(SELECT lu.usetype_id FROM {uses} lu WHERE lu.licence_id = l.id))) "
        f"FROM {_t(Licence)} l WHERE l.licensee_id = %(licensee)s "
        "AND l.label_id = ANY(%(labels)s::bigint[])), "
        "(SELECT json_agg(json_build_array(lp.label_id, lp.use_type_id, lp.product_id, "
        "lp.released_before, ut.name, pp.name) ORDER BY lp.added_at, lp.id) "
        f"FROM {_t(LabelPolicy)} lp LEFT JOIN {_t(UseType)} ut ON ut.id = lp.use_type_id "
        f"LEFT JOIN {_t(Product)} pp ON pp.id = lp.product_id "
        "WHERE lp.label_id = ANY(%(labels)s::bigint[]) AND lp.lifted_at IS NULL)"
    )


class _Shared:
    """What the rule reads once for every pair of one request: the product's requested
    uses and honoured conditions, the licence terms and policies of each label."""

    def __init__(self, *, key: KeyContext, label_ids: list[int]) -> None:
        with prepared_cursor() as cursor:
            cursor.execute(
                _shared_sql(),
                {"product": key.product_id, "licensee": key.licensee_id, "labels": label_ids},
            )
            requested, honoured, licences, policies = cursor.fetchone()
        self.requested = frozenset(requested)
        self.honoured = frozenset(honoured)
        self.terms: dict[int, list[Term]] = {}
        for label_id, starts, ends, covered in licences or ():
            self.terms.setdefault(label_id, []).append(
                Term(fact_start(starts), fact_day(ends), frozenset(covered))
            )
        self.policies: dict[int, list[Cap]] = {}
        for label_id, use_id, product_id, before, use_name, product_name in policies or ():
            self.policies.setdefault(label_id, []).append(
                Cap(use_id, product_id, fact_day(before), use_name or "", product_name or "")
            )
        self.dated = {
            label_id
            for label_id, caps in self.policies.items()
            if any(cap.released_before for cap in caps)
        }


# Where `_pairs_sql`'s columns are: the pair (ISRC, use type id); the work (id, label id,
# withdrawn, disputed, release date); its announced permission (permitted, reasons,
# lapses at, conditions); then each side's answer (answer, expires at, conditions, for
# version, later versions), all null when the row answers or the side has not.
WORK, PERMISSION = slice(2, 7), slice(7, 11)
ARTIST, RIGHTS_HOLDER, ANSWERS = slice(11, 16), slice(16, 21), slice(11, 21)


def _side(columns: Sequence[Any]) -> SideAnswer | None:
    answer, expires_at, conditions, for_version, later_versions = columns
    if answer is None:
        return None
    given = conditions_of(json.loads(conditions)) if conditions is not None else ()
    return SideAnswer(answer, expires_at, given, for_version, later_versions)


def _checks_folded(
    *, key: KeyContext, items: Sequence[tuple[str, str]], use_ids: dict[str, int], now: datetime
) -> list[Check]:
    pairs = list(dict.fromkeys((isrc, use_ids[use]) for isrc, use in items))
    with prepared_cursor() as cursor:
        cursor.execute(
            _pairs_sql(),
            {
                "isrcs": [isrc for isrc, _ in pairs],
                "uses": [use_id for _, use_id in pairs],
                "product": key.product_id,
                "now": now,
                Side.ARTIST: Side.ARTIST.value,
                Side.RIGHTS_HOLDER: Side.RIGHTS_HOLDER.value,
            },
        )
        rows = cursor.fetchall()
    answers: dict[tuple[str, int], Announced] = {}
    left: list[Sequence[Any]] = []
    parsed: dict[str, Any] = {}

    def loaded(text: str) -> Any:
        # Most rows carry one of a few JSON texts (`[]` above all): each is decoded once.
        if text not in parsed:
            parsed[text] = json.loads(text)
        return parsed[text]

    for row in rows:
        pair, work_id = (row[0], row[1]), row[2]
        if work_id is None:
            answers[pair] = (False, [NOT_IN_CATALOGUE], [])
            continue
        permitted, reasons, lapses_at, conditions = row[PERMISSION]
        permission = None
        if permitted is not None:
            permission = (permitted, loaded(reasons), lapses_at, loaded(conditions))
        answer = answer_from_row(permission, now)
        if answer is None:
            left.append(row)
        else:
            answers[pair] = answer
    if left:
        answers.update(_judged(left, key=key, now=now))
    return [check_of(isrc, use, answers[isrc, use_ids[use]], key.version) for isrc, use in items]


def _judged(
    rows: list[Sequence[Any]], *, key: KeyContext, now: datetime
) -> Iterator[tuple[tuple[str, int], Announced]]:
    """The rule's answer for each pair no announced row answers, with the reasons it
    names. Pairs whose facts are the same have the same verdict: the rule runs once for
    each distinct set (the use, the label, the work's state, both sides' answers)."""
    shared = _Shared(key=key, label_ids=sorted({row[3] for row in rows}))
    verdicts: dict[tuple[Any, ...], Verdict] = {}
    for row in rows:
        _, label_id, withdrawn, disputed, released = row[WORK]
        # A release date matters only to a label's policy on dates.
        dated = label_id in shared.dated and released
        facts = (row[1], label_id, withdrawn, disputed, dated, *row[ANSWERS])
        verdict = verdicts.get(facts)
        if verdict is None:
            verdict = verdicts[facts] = _judge(row, shared=shared, key=key, now=now)
        yield (row[0], row[1]), (False, reasons_by_rule(verdict), [])


def _judge(row: Sequence[Any], *, shared: _Shared, key: KeyContext, now: datetime) -> Verdict:
    use_id = row[1]
    _, label_id, withdrawn, disputed, released = row[WORK]
    return evaluate(
        product_status=key.product_status,
        requested=use_id in shared.requested,
        terms=shared.terms.get(label_id, ()),
        use_type_id=use_id,
        artist=_side(row[ARTIST]),
        rights_holder=_side(row[RIGHTS_HOLDER]),
        now=now,
        live=not withdrawn,
        disputed=disputed,
        policies=shared.policies.get(label_id, ()),
        product_id=key.product_id,
        release_date=released,
        honoured=shared.honoured,
        material_version=key.material_version,
    )


# --- elsewhere: through the facts layer ---------------------------------------------------


def _checks_by_facts(
    *, key: KeyContext, items: Sequence[tuple[str, str]], use_ids: dict[str, int], now: datetime
) -> list[Check]:
    """Works, permissions, then the rule's facts for the pairs the rows do not answer."""
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
    answered: dict[Pair, Announced | None] = {}
    for isrc, use in items:
        if isrc in works:
            pair = (works[isrc][0], use_ids[use])
            answered[pair] = answer_from_row(rows.get(pair), now)
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
            results.append(check_of(isrc, use, (False, [NOT_IN_CATALOGUE], []), key.version))
            continue
        pair = (works[isrc][0], use_ids[use])
        answer = answered[pair] or (False, reasons_by_rule(verdicts[pair]), [])
        results.append(check_of(isrc, use, answer, key.version))
    return results
