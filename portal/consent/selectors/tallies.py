"""Tallies read two ways: as stored, and recounted from the answers, the announced
permissions and the works themselves; and the first difference between the two, which
`manage.py verify_tallies` reports."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q

from portal.catalogue.models import Work
from portal.consent.models import (
    TALLY_CELLS,
    AnnouncedPermission,
    Answer,
    Decision,
    Side,
    Tally,
    WorkCount,
)

# (label id, artist id, product id, use type id)
Key = tuple[int, int, int, int]
# (label id, artist id)
Group = tuple[int, int]
COUNTS = (*TALLY_CELLS, "permitted")
WORD: dict[str | None, str] = {Answer.GRANTED: "yes", Answer.DENIED: "no", None: "none"}


def cell(artist: str | None, label: str | None) -> str | None:
    """The tally field for a work whose artist answered `artist` and label `label`
    (`Answer` values or None); None for none/none, which is derived from the works."""
    a, b = WORD[artist], WORD[label]
    return None if a == b == "none" else f"{a}_{b}"


@dataclass(frozen=True)
class Counted:
    """Tallies (key -> non-zero fields) and work counts (group -> works), zeros left out."""

    tallies: dict[Key, dict[str, int]]
    works: dict[Group, int]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _scope_q(prefix: str, label_id: int | None, groups: Collection[Group] | None) -> Q:
    """The works of a label or of some groups (a superset: callers keep the groups)."""
    if groups is not None:
        return Q(
            **{
                f"{prefix}label_id__in": {g[0] for g in groups},
                f"{prefix}primary_artist_id__in": {g[1] for g in groups},
            }
        )
    if label_id is not None:
        return Q(**{f"{prefix}label_id": label_id})
    return Q()


def _scope(label_id: int | None, groups: Collection[Group] | None) -> tuple[str, list[int]]:
    """A WHERE clause on the work table (alias w) for a label or some groups."""
    if groups is not None:
        labels = sorted({g[0] for g in groups}) or [0]
        artists = sorted({g[1] for g in groups}) or [0]
        return (
            f"w.label_id IN ({', '.join(['%s'] * len(labels))}) "
            f"AND w.primary_artist_id IN ({', '.join(['%s'] * len(artists))})",
            [*labels, *artists],
        )
    if label_id is not None:
        return "w.label_id = %s", [label_id]
    return "1 = 1", []


def tallies_recount(
    *, label_id: int | None = None, groups: Collection[Group] | None = None
) -> Counted:
    """The tallies and work counts as the answers, permissions and works say now: of one
    label, of some (label, artist) groups, or of everything. Three grouped queries."""
    where, params = _scope(label_id, groups)
    wanted = set(groups) if groups is not None else None
    work = _quote(Work._meta.db_table)
    decision = _quote(Decision._meta.db_table)
    # Each (work, product, use) answered once per side: pair the two, then count the pairs.
    # Table names are the models' own, quoted; values are parameters.
    sql = f"""
        SELECT label_id, artist_id, product_id, use_type_id, artist_answer, label_answer,
               COUNT(*)
        FROM (
            SELECT w.label_id AS label_id, w.primary_artist_id AS artist_id,
                   d.product_id AS product_id, d.use_type_id AS use_type_id,
                   MAX(CASE WHEN d.side = %s THEN d.answer END) AS artist_answer,
                   MAX(CASE WHEN d.side = %s THEN d.answer END) AS label_answer
            FROM {decision} d JOIN {work} w ON w.id = d.work_id
            WHERE {where}
            GROUP BY w.label_id, w.primary_artist_id, d.product_id, d.use_type_id, d.work_id
        ) cells
        GROUP BY label_id, artist_id, product_id, use_type_id, artist_answer, label_answer
    """  # noqa: S608
    tallies: dict[Key, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [Side.ARTIST, Side.RIGHTS_HOLDER, *params])
        for label, artist, product, use, artist_answer, label_answer, n in cursor.fetchall():
            if wanted is not None and (label, artist) not in wanted:
                continue
            name = cell(artist_answer, label_answer)
            if name is not None:
                tallies[(label, artist, product, use)][name] = n
    permitted = (
        AnnouncedPermission.objects.filter(permitted=True)
        .filter(_scope_q("work__", label_id, groups))
        .values_list("work__label_id", "work__primary_artist_id", "product_id", "use_type_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for label, artist, product, use, n in permitted:
        if wanted is None or (label, artist) in wanted:
            tallies[(label, artist, product, use)]["permitted"] = n
    works = {
        (label, artist): n
        for label, artist, n in Work.objects.filter(_scope_q("", label_id, groups))
        .values_list("label_id", "primary_artist_id")
        .annotate(n=Count("pk"))
        .order_by()
        if wanted is None or (label, artist) in wanted
    }
    return Counted(dict(tallies), works)


def tallies_stored(*, label_id: int | None = None) -> Counted:
    """The tallies and work counts as stored: of one label, or all. Two queries."""
    tallies = Tally.objects.all()
    counts = WorkCount.objects.all()
    if label_id is not None:
        tallies, counts = tallies.filter(label_id=label_id), counts.filter(label_id=label_id)
    rows = {
        (t.label_id, t.artist_id, t.product_id, t.use_type_id): {
            name: getattr(t, name) for name in COUNTS if getattr(t, name)
        }
        for t in tallies
    }
    works = {(c.label_id, c.artist_id): c.works for c in counts if c.works}
    return Counted({k: v for k, v in rows.items() if v}, works)


def tallies_compare(*, label_id: int | None = None) -> str | None:
    """The first difference between the stored tallies and a recount, in words; None when
    they agree. Both are read in one snapshot on PostgreSQL (when called outside a
    transaction), so writers meanwhile do not show as differences."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # Only a transaction of its own can choose how it sees the others (inside a caller's,
        # the caller's view stands).
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        stored = tallies_stored(label_id=label_id)
        recount = tallies_recount(label_id=label_id)
    for group in sorted(set(stored.works) | set(recount.works)):
        have, want = stored.works.get(group, 0), recount.works.get(group, 0)
        if have != want:
            return f"label {group[0]}, artist {group[1]}: {have} works counted, {want} held"
    for key in sorted(set(stored.tallies) | set(recount.tallies)):
        have_row, want_row = stored.tallies.get(key, {}), recount.tallies.get(key, {})
        for name in COUNTS:
            have, want = have_row.get(name, 0), want_row.get(name, 0)
            if have != want:
                label, artist, product, use = key
                return (
                    f"label {label}, artist {artist}, product {product}, use type {use}: "
                    f"{name} is {have}, recounted {want}"
                )
    return None
