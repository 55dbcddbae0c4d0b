"""The rule's facts for one (work, use) of the key's product, read inside the single
check's one statement on PostgreSQL, so a use that was never permitted (under opt-in,
the common answer) is judged and its reasons named without another round trip.

The SQL is a `CASE` that only runs its subqueries when the announced row does not
answer (no row, or a permitted row past its lapse), so the permitted path costs nothing
more. The same facts `consent.facts` reads, in the same shapes, go to the same pure rule
(`rules.evaluate`); tests hold the two to the same verdicts. SQLite (`make run`) keeps
the fallback of `consent.facts`.
"""

import json
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_date, parse_datetime

from portal.consent.conditions import conditions_of
from portal.consent.models import Decision, LabelPolicy, Side
from portal.consent.rules import Cap, SideAnswer, Term, Verdict, end_of, evaluate, start_of
from portal.licensing.models import Condition, Licence, Product, ProductUse, UseType


def _t(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def facts_column() -> str:
    """The select-list expression (one parameter: now), for a statement whose aliases are
    `k` (the key), `pr` (its product), `w` (the work), `u` (the use type) and `p` (the
    announced permission)."""
    uses = _t(Licence.use_types.through)
    honoured = _t(Product.conditions_honoured.through)
    # Table names come from the models' own metadata; the one value (now) is a parameter.
    return (
        "CASE WHEN w.id IS NOT NULL AND u.id IS NOT NULL AND (p.permitted IS NULL "  # noqa: S608
        "OR (p.permitted AND p.lapses_at <= %s)) THEN json_build_object("
        f"'requested', EXISTS (SELECT 1 FROM {_t(ProductUse)} pu "
        "WHERE pu.product_id = k.product_id AND pu.use_type_id = u.id), "
        "'terms', (SELECT json_agg(json_build_array(l.starts_on, l.ends_on, "
        f"EXISTS (SELECT 1 FROM {uses} lu WHERE lu.licence_id = l.id "
        "AND lu.usetype_id = u.id))) "
        f"FROM {_t(Licence)} l WHERE l.licensee_id = pr.licensee_id "
        "AND l.label_id = w.label_id), "
        "'answers', (SELECT json_agg(json_build_array(d.side, d.answer, d.expires_at, "
        f"d.conditions, d.for_version, d.later_versions)) FROM {_t(Decision)} d "
        "WHERE d.product_id = k.product_id AND d.work_id = w.id AND d.use_type_id = u.id), "
        "'withdrawn', w.withdrawn_at IS NOT NULL, "
        "'disputed', w.disputed_at IS NOT NULL, "
        "'released', w.release_date, "
        "'policies', (SELECT json_agg(json_build_array(lp.use_type_id, lp.product_id, "
        "lp.released_before, ut.name, pp.name) ORDER BY lp.added_at, lp.id) "
        f"FROM {_t(LabelPolicy)} lp LEFT JOIN {_t(UseType)} ut ON ut.id = lp.use_type_id "
        f"LEFT JOIN {_t(Product)} pp ON pp.id = lp.product_id "
        "WHERE lp.label_id = w.label_id AND lp.lifted_at IS NULL), "
        f"'honoured', (SELECT json_agg(c.code) FROM {honoured} ch "
        f"JOIN {_t(Condition)} c ON c.id = ch.condition_id "
        "WHERE ch.product_id = k.product_id)"
        ") END"
    )


def _moment(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def fact_day(value: str | None) -> date | None:
    return parse_date(value) if value else None


def fact_start(value: str) -> date:
    parsed = parse_date(value)
    assert parsed is not None, value  # a licence always has a start
    return parsed


def _answer(row: list[Any]) -> SideAnswer:
    _, answer, expires, conditions, version, later = row
    return SideAnswer(answer, _moment(expires), conditions_of(conditions), version, later)


def changes_at(raw: Any, *, now: datetime) -> datetime | None:
    """The first instant after `now` at which the clock alone could change the rule's
    verdict on these facts (`facts_column`): a licence starting or ending, or an answer
    expiring. None if nothing on them waits for the clock."""
    facts: dict[str, Any] = json.loads(raw) if isinstance(raw, str | bytes) else raw
    moments: list[datetime | None] = []
    for starts, ends, _ in facts["terms"] or ():
        ended = fact_day(ends)
        moments += [start_of(fact_start(starts)), end_of(ended) if ended else None]
    moments += [_moment(row[2]) for row in facts["answers"] or ()]
    return min((m for m in moments if m is not None and m > now), default=None)


def verdict_of(
    raw: Any,
    *,
    product_status: str,
    material_version: int,
    product_id: int,
    use_type_id: int,
    now: datetime,
) -> Verdict:
    """The rule's verdict from the statement's facts (`facts_column`)."""
    facts: dict[str, Any] = json.loads(raw) if isinstance(raw, str | bytes) else raw
    answers = {row[0]: _answer(row) for row in facts["answers"] or ()}
    # Each licence as the rule reads it for this one use: covering it, or nothing.
    terms = [
        Term(
            fact_start(starts), fact_day(ends), frozenset({use_type_id}) if covers else frozenset()
        )
        for starts, ends, covers in facts["terms"] or ()
    ]
    policies = [
        Cap(use_id, for_product, fact_day(before), use_name or "", product_name or "")
        for use_id, for_product, before, use_name, product_name in facts["policies"] or ()
    ]
    return evaluate(
        product_status=product_status,
        requested=bool(facts["requested"]),
        terms=terms,
        use_type_id=use_type_id,
        artist=answers.get(Side.ARTIST),
        rights_holder=answers.get(Side.RIGHTS_HOLDER),
        now=now,
        live=not facts["withdrawn"],
        disputed=bool(facts["disputed"]),
        policies=policies,
        product_id=product_id,
        release_date=fact_day(facts["released"]),
        honoured=frozenset(facts["honoured"] or ()),
        material_version=material_version,
    )
