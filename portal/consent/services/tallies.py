"""Tallies: how a label's works stand per artist, product and use, kept as they change.

The write path adds what it changed, in the transaction that changed it, under the locks
it already holds: `answers_record` (decisions) moves works between cells of (artist's answer) x
(label's answer), `changes_announce` counts what became or stopped being permitted.
Whatever creates or deletes works adds to the work counts (`work_counts_add`); whatever
moves works to another artist or label recounts the groups they left and joined
(`groups_recount`). Every write is an increment, `n = n + k`, so two writers of one row add
up rather than overwrite.

`tallies_rewrite` replaces them by a recount (`selectors.tallies`): what `manage.py
verify_tallies --repair` does.
"""

from collections import Counter
from collections.abc import Collection, Iterable, Mapping

from django.db import connection, transaction
from django.db.models import Q

from portal.catalogue.models import Label, Work
from portal.consent.ledger.append import head_lock
from portal.consent.models import Tally, WorkCount
from portal.consent.selectors.tallies import COUNTS, Counted, Group, Key, tallies_recount
from portal.consent.services.locks import counters_lock
from portal.licensing.models import Product

# Rows per statement: 13 parameters a row stays well under SQLite's limit.
BATCH = 500


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def tallies_add(deltas: Mapping[Key, Mapping[str, int]]) -> None:
    """Add `deltas` (field -> change) to the tallies of these keys, creating missing rows.

    One upsert per `BATCH` keys: `INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`
    (PostgreSQL and SQLite alike). Keys in order, so two writers lock rows in one order.
    """
    rows = [
        (*key, *(changes.get(name, 0) for name in COUNTS))
        for key, changes in sorted(deltas.items())
        if any(changes.values())
    ]
    table = _quote(Tally._meta.db_table)
    keys = ("label_id", "artist_id", "product_id", "use_type_id")
    columns = ", ".join(_quote(name) for name in (*keys, *COUNTS))
    sets = ", ".join(f"{_quote(n)} = {table}.{_quote(n)} + excluded.{_quote(n)}" for n in COUNTS)
    placeholder = "(" + ", ".join(["%s"] * (len(keys) + len(COUNTS))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            # Table and column names are the models' own, quoted; values are parameters.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([placeholder] * len(batch))} "
                f"ON CONFLICT ({', '.join(_quote(k) for k in keys)}) DO UPDATE SET {sets}",
                [value for row in batch for value in row],
            )


def work_counts_add(deltas: Mapping[Group, int]) -> None:
    """Add to the works a label holds of each artist: `{(label id, artist id): n}`."""
    rows = sorted((label, artist, n) for (label, artist), n in deltas.items() if n)
    table = _quote(WorkCount._meta.db_table)
    works = _quote("works")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({_quote('label_id')}, {_quote('artist_id')}, {works}) "  # noqa: S608
                f"VALUES {', '.join(['(%s, %s, %s)'] * len(batch))} "
                f"ON CONFLICT ({_quote('label_id')}, {_quote('artist_id')}) "
                f"DO UPDATE SET {works} = {table}.{works} + excluded.{works}",
                [value for row in batch for value in row],
            )


def works_added(works: Iterable[Work], *, sign: int = 1) -> None:
    """Count works just created (`sign=-1`: just deleted), from their label and artist."""
    counted = Counter((w.label_id, w.primary_artist_id) for w in works)
    work_counts_add({group: sign * n for group, n in counted.items()})


def _rewrite(recount: Counted, label_id: int | None, groups: Collection[Group] | None) -> None:
    tallies, counts = Tally.objects.all(), WorkCount.objects.all()
    if groups is not None:
        scope = Q()
        for label, artist in groups:
            scope |= Q(label_id=label, artist_id=artist)
        tallies, counts = tallies.filter(scope), counts.filter(scope)
    elif label_id is not None:
        tallies, counts = tallies.filter(label_id=label_id), counts.filter(label_id=label_id)
    tallies.delete()
    counts.delete()
    tallies_add(recount.tallies)
    work_counts_add(recount.works)


def writers_hold(*, label_ids: Collection[int] | None) -> None:
    """Hold every writer of tallies off until the transaction ends: the labels' rows
    (imports, which hold their label's for a whole file), the ledger head (answers), then
    every product's counter (announcements), in the order those writers take them. Taken
    before a work's row changes, it keeps that order for whoever moves works."""
    labels = Label.objects.order_by("pk")
    if label_ids is not None:
        labels = labels.filter(pk__in=label_ids)
    list(labels.select_for_update().values_list("pk", flat=True))
    head_lock()
    counters_lock(Product.objects.values_list("pk", flat=True))


@transaction.atomic
def tallies_rewrite(*, label_id: int | None = None) -> None:
    """Replace the stored tallies and work counts (of one label, or all) by a recount."""
    writers_hold(label_ids=None if label_id is None else [label_id])
    _rewrite(tallies_recount(label_id=label_id), label_id, None)


@transaction.atomic
def groups_recount(*, groups: Collection[Group]) -> None:
    """Recount these (label, artist) groups: for works that changed artist or label, the
    groups they left and joined. Call after the works' rows changed, in the same
    transaction; it waits for the answers and announcements being written to finish and
    holds the next off, so none is counted for a group a work no longer belongs to."""
    groups = sorted(set(groups))
    if not groups:
        return
    writers_hold(label_ids={label for label, _ in groups})
    _rewrite(tallies_recount(groups=groups), None, groups)
