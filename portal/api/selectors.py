"""Reads for the machine API. The single check is the hottest path in the system: one
SQL statement that authenticates the key and reads the answer together."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from django.db import connection
from django.utils.dateparse import parse_datetime

from portal.api.models import AnswerStamp, ApiKey, IdempotencyRecord
from portal.api.pair_facts import changes_at, facts_column, verdict_of
from portal.api.prepared import prepared_cursor
from portal.api.schemas import Check, CheckReason, GrantCondition
from portal.catalogue.models import Work
from portal.consent.facts import verdicts_for_pairs
from portal.consent.models import AnnouncedPermission, ChangeCounter
from portal.consent.rules import Verdict
from portal.licensing.models import Product, UseType


@dataclass(frozen=True, slots=True)
class KeyContext:
    """A valid key, its product and the product's current version (change sequence)."""

    key_id: int
    last_used_at: datetime | None
    product_id: int
    product_status: str
    licensee_id: int
    version: int
    material_version: int = 1
    # The answer stamps of the product and of every product (`AnswerStamp`).
    product_stamp: int = 0
    every_stamp: int = 0

    @property
    def stamp(self) -> tuple[int, int, int]:
        """What the product's answers were read under (`api.kept`)."""
        return (self.version, self.product_stamp, self.every_stamp)

    def product(self) -> Product:
        # Enough of the product for the rule; its requested uses are read when needed.
        return Product(
            pk=self.product_id,
            status=self.product_status,
            licensee_id=self.licensee_id,
            material_version=self.material_version,
        )


# An announced permission: permitted, reasons, lapses at, conditions (JSON).
Row = tuple[bool, list[str], datetime | None, list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class CheckRow:
    """What the single check's one statement found; None ids mean "not found"."""

    key: KeyContext
    work_id: int | None
    label_id: int | None
    use_type_id: int | None
    permission: "Row | None"
    # On PostgreSQL, when the announced row does not answer: the rule's facts
    # (`pair_facts`), so the rule judges without another query.
    facts: Any = None


def _datetime(value: Any) -> datetime | None:
    """Raw cursors skip Django's converters: SQLite hands datetimes back as text."""
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)
    parsed = parse_datetime(value)
    assert parsed is not None, value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _key_columns() -> str:
    return (
        "k.id, k.last_used_at, k.product_id, pr.status, pr.licensee_id, COALESCE(c.last, 0), "
        "pr.material_version, COALESCE(s.n, 0), COALESCE(g.n, 0)"
    )


def _key_joins() -> str:
    return (
        f"FROM {_table(ApiKey)} k "
        f"JOIN {_table(Product)} pr ON pr.id = k.product_id "
        f"LEFT JOIN {_table(ChangeCounter)} c ON c.product_id = k.product_id "
        f"LEFT JOIN {_table(AnswerStamp)} s ON s.scope = k.product_id "
        f"LEFT JOIN {_table(AnswerStamp)} g ON g.scope = {AnswerStamp.EVERY_PRODUCT} "
    )


def _key_context(row: Sequence[Any]) -> KeyContext:
    key_id, last_used_at, product_id, status, licensee_id, version, material = row[:7]
    return KeyContext(
        key_id,
        _datetime(last_used_at),
        product_id,
        status,
        licensee_id,
        version,
        material,
        product_stamp=row[7],
        every_stamp=row[8],
    )


@cache
def _key_sql() -> str:
    return f"SELECT {_key_columns()} {_key_joins()}WHERE k.hashed = %s AND k.revoked_at IS NULL"


@dataclass(frozen=True, slots=True)
class KeyStamp:
    """A valid key and the stamps its product's answers are read under now (`api.kept`)."""

    key_id: int
    last_used_at: datetime | None
    stamp: tuple[int, int, int]


@cache
def _stamp_sql() -> str:
    # The stamps as KeyContext.stamp reads them, without the product's row: a kept answer
    # needs only to know that nothing behind it moved. Table names come from the models'
    # metadata; the hash is a parameter.
    return (
        "SELECT k.id, k.last_used_at, "  # noqa: S608
        f"COALESCE((SELECT c.last FROM {_table(ChangeCounter)} c "
        "WHERE c.product_id = k.product_id), 0), "
        f"COALESCE((SELECT s.n FROM {_table(AnswerStamp)} s WHERE s.scope = k.product_id), 0), "
        f"COALESCE((SELECT g.n FROM {_table(AnswerStamp)} g "
        f"WHERE g.scope = {AnswerStamp.EVERY_PRODUCT}), 0) "
        f"FROM {_table(ApiKey)} k WHERE k.hashed = %s AND k.revoked_at IS NULL"
    )


def key_stamp(*, key_hash: str) -> KeyStamp | None:
    """The key with this hash, if it is valid, with its product's stamps. One query, the
    cheapest a kept answer can be given again after."""
    with prepared_cursor() as cursor:
        cursor.execute(_stamp_sql(), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    key_id, last_used_at, version, product_stamp, every_stamp = row
    return KeyStamp(key_id, _datetime(last_used_at), (version, product_stamp, every_stamp))


def key_context(*, key_hash: str) -> KeyContext | None:
    """The key with this hash, if it is valid, with its product's version. One query."""
    with prepared_cursor() as cursor:
        cursor.execute(_key_sql(), [key_hash])
        row = cursor.fetchone()
    return _key_context(row) if row else None


@cache
def _check_sql(folded: bool) -> str:
    return (
        f"SELECT {_key_columns()}, w.id, w.label_id, u.id, "
        "p.permitted, p.reasons, p.lapses_at, p.conditions"
        f"{', ' + facts_column() if folded else ''} "
        f"{_key_joins()}"
        f"LEFT JOIN {_table(Work)} w ON w.isrc = %s "
        f"LEFT JOIN {_table(UseType)} u ON u.slug = %s "
        f"LEFT JOIN {_table(AnnouncedPermission)} p ON p.product_id = k.product_id "
        "AND p.work_id = w.id AND p.use_type_id = u.id "
        "WHERE k.hashed = %s AND k.revoked_at IS NULL"
    )


def check_row(*, key_hash: str, isrc: str, use: str, now: datetime) -> CheckRow | None:
    """The key, the work, the use type and the announced permission, in one statement;
    on PostgreSQL, when that row does not answer (a use never permitted, or lapsed), the
    rule's facts for the pair too, so the common "no" costs the same one statement.

    None when the key is unknown or revoked. Table names come from the models' own
    metadata; every value is a parameter.
    """
    folded = connection.vendor == "postgresql"
    sql = _check_sql(folded)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [now, isrc, use, key_hash] if folded else [isrc, use, key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    work_id, label_id, use_type_id, permitted, reasons, lapses_at, conditions = row[9:16]
    permission = None
    if permitted is not None:
        permission = (
            bool(permitted),
            list(_json(reasons)),
            _datetime(lapses_at),
            list(_json(conditions)),
        )
    facts = row[16] if folded else None
    return CheckRow(_key_context(row), work_id, label_id, use_type_id, permission, facts)


# (permitted, reasons, conditions) as the announced row states them.
Announced = tuple[bool, list[str], list[dict[str, Any]]]


def answer_from_row(permission: Row | None, now: datetime) -> Announced | None:
    """What the announced row says, or None when the rule must say it: there is no row
    (never permitted), or a permitted row has lapsed."""
    if permission is None:
        return None
    permitted, reasons, lapses_at, conditions = permission
    if not permitted:
        return False, list(reasons), []
    if lapses_at is None or lapses_at > now:
        return True, [], conditions
    return None


def reasons_by_rule(verdict: Verdict) -> list[str]:
    # The announced state is the truth the version and the changes feed describe: a pair
    # without a permitted row is not permitted, even in the instant before the clock's
    # start of a licence is announced, when the rule may already say yes.
    return list(verdict.reasons)


def check_of(isrc: str, use: str, answer: Announced, version: int) -> Check:
    permitted, reasons, conditions = answer
    # Reasons are Reason values wherever they come from; the model checks them again.
    return Check(
        isrc=isrc,
        use=use,
        permitted=permitted,
        reasons=cast(list[CheckReason], reasons),
        conditions=[GrantCondition(**given) for given in conditions],
        version=version,
    )


def check_one(*, row: CheckRow, isrc: str, use: str, now: datetime) -> Check:
    """The answer for a found work and use type: no further query when the announced row
    says it, nor on PostgreSQL when it does not (never permitted, or lapsed) and the rule
    names why from the facts the statement read; a few on SQLite."""
    assert row.work_id is not None and row.use_type_id is not None
    version = row.key.version
    answer = answer_from_row(row.permission, now)
    if answer is not None:
        return check_of(isrc, use, answer, version)
    if row.facts is not None:
        verdict = verdict_of(
            row.facts,
            product_status=row.key.product_status,
            material_version=row.key.material_version,
            product_id=row.key.product_id,
            use_type_id=row.use_type_id,
            now=now,
        )
        return check_of(isrc, use, (False, reasons_by_rule(verdict), []), version)
    pair = (row.work_id, row.use_type_id)
    verdict = verdicts_for_pairs(
        product=row.key.product(),
        pairs=[pair],
        labels={row.work_id: row.label_id},  # type: ignore[dict-item]
        now=now,
    )[pair]
    return check_of(isrc, use, (False, reasons_by_rule(verdict), []), version)


def answer_until(*, row: CheckRow, now: datetime) -> datetime | None:
    """Until when the clock alone leaves the answer `check_one` gave for `row` as it is
    (`api.kept`): a permitted row's lapse; never, for a row that says no (only an
    announcement changes it); for the rule's answer, the facts' next licence start or
    end or answer expiry."""
    if answer_from_row(row.permission, now) is not None:
        assert row.permission is not None
        permitted, _, lapses_at, _ = row.permission
        return lapses_at if permitted else None
    return changes_at(row.facts, now=now) if row.facts is not None else now


def use_type_ids(*, slugs: set[str]) -> dict[str, int]:
    return dict(UseType.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def idempotency_find(*, product_id: int, key: str, since: datetime) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(
        product_id=product_id, key=key, created_at__gte=since
    ).first()
