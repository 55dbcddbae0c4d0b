"""Reads: a product's obligations, paged like the changes feed, and the models a work
went into, for its history."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery

from portal.catalogue.models import Work
from portal.consent.changes import timestamp_json
from portal.consent.models import PermissionChange
from portal.training.models import Manifest, ManifestItem, ObligationOutcome

OPEN = "open"
STATUSES = (OPEN, *ObligationOutcome.Outcome.values)


def manifest_of(*, product_id: int, manifest_id: int) -> Manifest | None:
    return Manifest.objects.filter(product_id=product_id, pk=manifest_id).first()


def obligations_after(
    *, product_id: int, status: str, after: int, limit: int
) -> list[dict[str, Any]]:
    """The product's obligations in this status, opened after change `after`, oldest
    first: each withdrawal of a use that must reach the next model (one query). Open
    ones leave out what was permitted again since, which no longer binds."""
    outcome = ObligationOutcome.objects.filter(change=OuterRef("pk"))
    rows = PermissionChange.objects.filter(
        product_id=product_id,
        permitted=False,
        use_type__obliges_exclusion=True,
        seq__gt=after,
    ).annotate(
        outcome=Subquery(outcome.values("outcome")[:1]),
        model=Subquery(outcome.values("manifest__model")[:1]),
        version=Subquery(outcome.values("manifest__version")[:1]),
    )
    if status == OPEN:
        again = PermissionChange.objects.filter(
            product_id=product_id,
            work_id=OuterRef("work_id"),
            use_type_id=OuterRef("use_type_id"),
            permitted=True,
            seq__gt=OuterRef("seq"),
        )
        rows = rows.filter(outcome__isnull=True).exclude(Exists(again))
    else:
        rows = rows.filter(outcome=status)
    found = []
    for seq, isrc, use, at, settled, model, version in rows.order_by("seq").values_list(
        "seq", "work__isrc", "use_type__slug", "at", "outcome", "model", "version"
    )[:limit]:
        obligation: dict[str, Any] = {
            "seq": seq,
            "isrc": isrc,
            "use": use,
            "withdrawn_at": timestamp_json(at),
            "status": settled or OPEN,
        }
        if settled:
            obligation["settled_by"] = {"model": model, "version": version}
        found.append(obligation)
    return found


def models_of(*, work: Work) -> list[dict[str, Any]]:
    """The completed manifests that included the work, newest training first, with
    whether each use was not permitted then, and breaches of its withdrawals (one
    query each)."""
    items = (
        ManifestItem.objects.filter(work=work, manifest__completed_at__isnull=False)
        .select_related("manifest__product", "use_type")
        .order_by("-manifest__trained_at", "use_type__position")
    )
    breached = set(
        ObligationOutcome.objects.filter(
            change__work=work, outcome=ObligationOutcome.Outcome.BREACHED
        ).values_list("manifest_id", "change__use_type_id")
    )
    return [
        {
            "manifest": item.manifest,
            "use": item.use_type,
            "unpermitted": item.unpermitted,
            "breach": (item.manifest_id, item.use_type_id) in breached,
        }
        for item in items
    ]


def breaches_by_product(*, artist_id: int) -> dict[int, int]:
    """How many withdrawals of the artist's works each product's models breached (one
    query)."""
    return dict(
        ObligationOutcome.objects.filter(
            outcome=ObligationOutcome.Outcome.BREACHED, change__work__primary_artist_id=artist_id
        )
        .values("change__product_id")
        .annotate(n=Count("pk"))
        .values_list("change__product_id", "n")
    )


def obligations_of(*, work: Work) -> list[dict[str, Any]]:
    """Every withdrawal of the work that a product's next model had to honour, newest
    first, with how it was settled, if it was (one query)."""
    outcome = ObligationOutcome.objects.filter(change=OuterRef("pk"))
    rows = (
        PermissionChange.objects.filter(
            work=work, permitted=False, use_type__obliges_exclusion=True
        )
        .annotate(
            outcome=Subquery(outcome.values("outcome")[:1]),
            model=Subquery(outcome.values("manifest__model")[:1]),
            version=Subquery(outcome.values("manifest__version")[:1]),
        )
        .order_by("-at", "-seq")
        .values_list("product__name", "use_type__name", "at", "outcome", "model", "version")
    )
    return [
        {
            "product": product,
            "use": use,
            "at": at,
            "breach": settled == ObligationOutcome.Outcome.BREACHED,
            "settled": _settled_words(product, settled, f"{model} {version}"),
        }
        for product, use, at, settled, model, version in rows
    ]


def _settled_words(product: str, outcome: str | None, model: str) -> str:
    match outcome:
        case ObligationOutcome.Outcome.HONOURED:
            return f"left out of {model}, as it had to be"
        case ObligationOutcome.Outcome.LAPSED:
            return f"permitted again before {model} was trained"
        case ObligationOutcome.Outcome.BREACHED:
            return f"still in {model}: a breach"
    return f"{product}'s next model must leave it out"
