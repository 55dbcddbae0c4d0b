"""What a product page shows beside its cells: the roster to filter by, each row's
release, the delegations a label acts under, the bulk answer running. One query each."""

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from portal.catalogue.models import Artist, Label, Release, Track, Work
from portal.consent.delivered import received_at
from portal.consent.models import BulkAnswer, Delegation
from portal.consent.selectors.filtering import WorkFilter, works_filtered
from portal.consent.selectors.matrix import Row
from portal.consent.selectors.preview import works_where_other_side_granted
from portal.licensing.models import Product, UseType
from portal.words import moment_words


def artists_to_filter(*, works: QuerySet[Work], label: Label | None) -> QuerySet[Artist]:
    """The artists a party's product page can be filtered by: a label's roster, or the one
    artist of an artist's or a delegation's page."""
    if label is not None:
        return Artist.objects.filter(label=label).order_by("name", "pk")
    return Artist.objects.filter(pk__in=works.values("primary_artist_id")[:1])


def releases_to_filter(*, works: QuerySet[Work]) -> QuerySet[Release]:
    """Releases with at least one of the party's works on them: what `?release=` accepts."""
    return Release.objects.filter(
        Exists(Track.objects.filter(release=OuterRef("pk"), work__in=works))
    )


def rows_released(rows: list[Row]) -> list[Row]:
    """Each row with a release its work is on (the earliest): one query for a page."""
    found: dict[int, tuple[int, str]] = {}
    tracks = (
        Track.objects.filter(work_id__in=[row.work.pk for row in rows])
        .order_by("work_id", "release__release_date", "release_id")
        .values_list("work_id", "release_id", "release__title")
    )
    for work_id, release_id, title in tracks:
        found.setdefault(work_id, (release_id, title))
    return [
        replace(row, release_id=found[row.work.pk][0], release_title=found[row.work.pk][1])
        if row.work.pk in found
        else row
        for row in rows
    ]


def delegations_covering(*, label: Label, product: Product) -> dict[int, tuple[int, set[int]]]:
    """The label's delegations in force that cover `product`, by artist: (delegation id,
    the use type ids it covers, empty for every use). Two queries."""
    delegations = (
        Delegation.objects.filter(label=label, revoked_at__isnull=True)
        .prefetch_related("products", "use_types")
        .only("pk", "artist_id")
    )
    covering: dict[int, tuple[int, set[int]]] = {}
    for delegation in delegations:
        products = {p.pk for p in delegation.products.all()}
        if products and product.pk not in products:
            continue
        covering[delegation.artist_id] = (delegation.pk, {u.pk for u in delegation.use_types.all()})
    return covering


def bulk_answer_latest(*, product: Product, party_kind: str, party_id: int) -> BulkAnswer | None:
    """The party's latest bulk answer in the background on this product, if any."""
    return (
        BulkAnswer.objects.filter(product=product, party_kind=party_kind, party_id=party_id)
        .select_related("use_type")
        .order_by("-pk")
        .first()
    )


def bulk_works(
    *,
    works: QuerySet[Work],
    product: Product,
    side: str,
    use_type_ids: Sequence[int],
    f: WorkFilter,
    selected: Sequence[int] | None,
    other_granted_for: UseType | None,
    now: datetime,
) -> QuerySet[Work]:
    """The works a bulk answer covers: the party's `works` that the filter matches, or the
    `selected` ones among them, optionally only where the other side already said yes for
    the use answered. The preview counts this set and the answer writes it."""
    if selected is not None:
        works = works.filter(pk__in=list(selected))
    else:
        works = works_filtered(
            works=works, product_id=product.pk, side=side, use_type_ids=use_type_ids, f=f, now=now
        )
    if other_granted_for is not None:
        works = works_where_other_side_granted(
            works=works, product=product, use_type=other_granted_for, side=side, now=now
        )
    return works


def rows_delivered(product: Product, rows: list[Row]) -> list[Row]:
    """Say under each cell whether the product has received its latest change: the proof
    that a "no" was heard."""
    status = received_at(
        product_id=product.pk,
        pairs=[(cell.work.pk, cell.use_type.pk) for row in rows for cell in row.cells],
    )
    if not status:
        return rows
    for row in rows:
        for i, cell in enumerate(row.cells):
            key = (cell.work.pk, cell.use_type.pk)
            if key not in status:
                continue
            at = status[key]
            text = (
                f"Delivered to {product.name} {moment_words(at)}"
                if at
                else f"Sending to {product.name}…"
            )
            row.cells[i] = replace(cell, delivery=text)
    return rows


def rows_delegated(*, label: Label, product: Product, rows: list[Row]) -> list[Row]:
    """Link each cell whose artist delegated its use to the label to the page where the
    label answers for the artist, on that work and use."""
    covering = delegations_covering(label=label, product=product)
    if not covering:
        return rows
    for row in rows:
        found = covering.get(row.work.primary_artist_id)
        if found is None:
            continue
        delegation_id, use_type_ids = found
        url = reverse(
            "matrix",
            kwargs={"kind": "delegations", "party_id": delegation_id, "product_slug": product.slug},
        )
        for i, cell in enumerate(row.cells):
            if not use_type_ids or cell.use_type.pk in use_type_ids:
                query = urlencode({"q": row.work.isrc, "use": cell.use_type.slug})
                row.cells[i] = replace(cell, delegation_url=f"{url}?{query}")
    return rows
