"""The permissions snapshot: a product's whole permitted state, read in one consistent
transaction, row by row, so that neither memory nor the time to the first byte grows
with the catalogue.

Consistency. The snapshot names the sequence number it is consistent with: every change
numbered up to it is in the rows, none after it is. The write path moves a product's
`ChangeCounter` and its `AnnouncedPermission` rows in one transaction, so reading both in
one REPEATABLE READ transaction (on PostgreSQL, one MVCC snapshot, taken at its first
statement) sees all of a write or none of it, however long the rows take to stream.

The transaction runs on a database connection of its own, opened here and closed by
`close()`: the request's own connection stays in Django's hands (and in autocommit), and
the snapshot's isolation level, read-only mode and server-side cursor never leak into
it. SQLite (`make run`, one process) reads on the request's own connection instead: a
second connection to SQLite waits on the request's own locks, and there a write may
commit between the sequence and the rows, so the snapshot is not guaranteed consistent.
"""

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils.dateparse import parse_datetime

from portal.catalogue.models import Work
from portal.consent.models import AnnouncedPermission, ChangeCounter
from portal.licensing.models import Product, UseType

# Rows fetched from the server-side cursor at a time: what the process holds at most.
BATCH = 5000
# A stalled client must not hold a snapshot (and PostgreSQL's vacuum horizon) for ever:
# the server ends the transaction after this long without a fetch.
IDLE_LIMIT = "5min"


@dataclass(frozen=True, slots=True)
class SnapshotPoint:
    seq: int
    generated_at: datetime


def product_slug(*, product_id: int) -> str:
    return str(Product.objects.values_list("slug", flat=True).get(pk=product_id))


class PermissionsSnapshot:
    """One open snapshot of a product's permitted (ISRC, use) pairs, in (ISRC, use)
    order, from `from_isrc` on when given. Read `point`, then `lines()`; always
    `close()` it, read or not (a client that goes away mid-stream included)."""

    def __init__(self, *, product_id: int, from_isrc: str | None = None) -> None:
        default = connections[DEFAULT_DB_ALIAS]
        # PostgreSQL: a connection of our own. SQLite: the request's (see above).
        self._own = default.vendor == "postgresql"
        self._db: BaseDatabaseWrapper = (
            connections.create_connection(DEFAULT_DB_ALIAS) if self._own else default
        )
        if self._own:
            # The body may be read on another thread than the view ran on (an ASGI
            # server's).
            self._db.inc_thread_sharing()
        self._rows: Any = None
        try:
            self.point = self._open(product_id, from_isrc)
        except BaseException:
            self.close()
            raise

    def _table(self, model: type[Model]) -> str:
        return str(self._db.ops.quote_name(model._meta.db_table))

    def _open(self, product_id: int, from_isrc: str | None) -> SnapshotPoint:
        db, table = self._db, self._table
        postgres = db.vendor == "postgresql"
        db.ensure_connection()
        if postgres:
            db.set_autocommit(False)
        with db.cursor() as cursor:
            if postgres:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(f"SET LOCAL idle_in_transaction_session_timeout = '{IDLE_LIMIT}'")
            # The transaction's first read fixes what every later one sees.
            cursor.execute(
                f"SELECT COALESCE(MAX(last), 0), CURRENT_TIMESTAMP FROM {table(ChangeCounter)} "  # noqa: S608
                "WHERE product_id = %s",
                [product_id],
            )
            seq, now = cursor.fetchone()
            cursor.execute(f"SELECT id, slug FROM {table(UseType)}")  # noqa: S608
            # Slugs are escaped once each, not once per row.
            self._uses = {pk: json.dumps(slug) for pk, slug in cursor.fetchall()}
        generated_at = _aware(now)
        # Table names from the models' metadata; every value a parameter. A lapsed yes
        # the clock has not announced yet is not permitted, as the check answers it.
        # `conditions` as stored text: the JSON the write path wrote, never parsed here.
        conditions = "p.conditions::text" if postgres else "p.conditions"
        sql = (
            f"SELECT w.isrc, p.use_type_id, {conditions} "  # noqa: S608
            f"FROM {table(AnnouncedPermission)} p "
            f"JOIN {table(Work)} w ON w.id = p.work_id "
            f"JOIN {table(UseType)} u ON u.id = p.use_type_id "
            "WHERE p.product_id = %s AND p.permitted "
            "AND (p.lapses_at IS NULL OR p.lapses_at > %s)"
            + (" AND w.isrc >= %s" if from_isrc else "")
            + " ORDER BY w.isrc, u.slug"
        )
        cutoff = db.ops.adapt_datetimefield_value(generated_at)
        params: list[Any] = [product_id, cutoff] + ([from_isrc] if from_isrc else [])
        self._declare(sql, params)
        return SnapshotPoint(seq=int(seq), generated_at=generated_at)

    def _declare(self, sql: str, params: list[Any]) -> None:
        # A named (server-side) cursor on PostgreSQL: rows come BATCH at a time. Under
        # READ COMMITTED it would see whatever committed since the seq was read; in this
        # transaction it sees what the seq's read saw.
        self._rows = self._db.chunked_cursor()
        self._rows.execute(sql, params)

    def lines(self) -> Iterator[list[str]]:
        """The rows as NDJSON lines (without their newline), a batch at a time.

        ISRCs are stored normalised (a check constraint holds them to [A-Z0-9]), so they
        need no escaping; use slugs were escaped once; conditions are stored JSON."""
        uses = self._uses
        while batch := self._rows.fetchmany(BATCH):
            yield [
                f'{{"isrc":"{isrc}","use":{uses[use_id]},"conditions":{conditions}}}'
                for isrc, use_id, conditions in batch
            ]

    def close(self) -> None:
        """End the transaction and close the connection of our own (on SQLite, only the
        cursor); safe to call more than once."""
        db, rows, self._rows = self._db, self._rows, None
        # Closing what may already be broken (the server ended an idle transaction, the
        # connection dropped): the connection is closed whatever happens before.
        with contextlib.suppress(Error):
            if rows is not None:
                rows.close()
        if not self._own:
            return  # the request's connection, which Django closes
        with contextlib.suppress(Error):
            if db.connection is not None:
                db.connection.rollback()
        db.close()


def _aware(value: Any) -> datetime:
    """The database's clock: SQLite hands CURRENT_TIMESTAMP back as UTC text."""
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    assert parsed is not None, value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
