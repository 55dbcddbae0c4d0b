"""Receiving a product's training manifests, and checking them on completion.

On completion every item is judged against the product's permission history at the
time the model was trained (the announced changes, the same record the API and the
webhooks carry), and every open obligation of the product from before then is
settled: a work left out honoured it, a work still in breached it, a work permitted
again in between lapsed it. The artists and labels concerned, and staff, are told of
every use that was not permitted and every breach, once per manifest.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from portal.catalogue.models import ArtistMembership, LabelManager
from portal.consent.bulk import insert_rows
from portal.consent.models import PermissionChange
from portal.consent.services.locks import counters_lock
from portal.licensing.models import Product
from portal.notifications.services import notify
from portal.training.models import Manifest, ManifestItem, ObligationOutcome
from portal.training.validation import ParsedItems, ParsedManifest
from portal.words import day_words

NEVER_PERMITTED = "never_permitted"
CHUNK = 5000


class ManifestConflict(Exception):
    """The product already sent a manifest for this model and version."""


class ManifestClosed(Exception):
    """The manifest was completed: it takes no more items."""


@dataclass(frozen=True)
class Checked:
    """What a completed manifest held that it should not have, read as it is iterated
    (a million items need not be held at once)."""

    manifest: Manifest
    unpermitted: Iterable[dict[str, Any]]
    breaches: Iterable[dict[str, Any]]


def _items_add(manifest: Manifest, items: ParsedItems) -> None:
    """Add the items the manifest does not hold yet (a part may repeat an earlier one's)."""
    held = set(
        ManifestItem.objects.filter(
            manifest=manifest, work__any_of=list({w for w, _ in items.pairs})
        ).values_list("work_id", "use_type_id")
    )
    new = [pair for pair in items.pairs if pair not in held]
    insert_rows(
        ManifestItem,
        [
            {"manifest_id": manifest.pk, "work_id": w, "use_type_id": u, "unpermitted": False}
            for w, u in new
        ],
    )
    Manifest.objects.filter(pk=manifest.pk).update(items=manifest.items + len(new))
    manifest.items += len(new)


@transaction.atomic
def manifest_receive(
    *, product: Product, parsed: ParsedManifest
) -> tuple[Manifest, Checked | None]:
    """Store a validated manifest (or its first part) and, when it is complete, check
    it. Raises ManifestConflict for a model version already received."""
    try:
        with transaction.atomic():
            manifest = Manifest.objects.create(
                product=product,
                model=parsed.model,
                version=parsed.version,
                trained_at=parsed.trained_at,
                received_at=timezone.now(),
            )
    except IntegrityError as exc:  # the model version's unique constraint, however close
        raise ManifestConflict(
            f"A manifest for {parsed.model} {parsed.version} was received already; send more "
            "items to it, or name the new version."
        ) from exc
    _items_add(manifest, parsed.items)
    return manifest, manifest_complete(manifest=manifest) if parsed.complete else None


@transaction.atomic
def manifest_items_add(*, manifest: Manifest, items: ParsedItems) -> Manifest:
    """More items of a manifest sent in parts. Raises ManifestClosed once completed."""
    manifest = Manifest.objects.select_for_update().get(pk=manifest.pk)
    if manifest.completed_at is not None:
        raise ManifestClosed("This manifest was completed: it takes no more items.")
    _items_add(manifest, items)
    return manifest


def _history(product_id: int, at: Any) -> Any:
    return PermissionChange.objects.filter(
        product_id=product_id,
        work_id=OuterRef("work_id"),
        use_type_id=OuterRef("use_type_id"),
        at__lte=at,
    ).order_by("-at", "-seq")


@transaction.atomic
def manifest_complete(*, manifest: Manifest) -> Checked:
    """Check a manifest once: mark each item not permitted when the model was trained,
    settle the product's open obligations from before then, and tell those concerned.
    Completing it again answers the same."""
    manifest = Manifest.objects.select_for_update().get(pk=manifest.pk)
    if manifest.completed_at is None:
        # One completion of the product's manifests at a time: two would settle the same
        # obligations. The change counter is the product's lock every answer takes too.
        counters_lock([manifest.product_id])
        history = _history(manifest.product_id, manifest.trained_at)
        was_permitted = Subquery(history.values("permitted")[:1])
        unpermitted = (
            ManifestItem.objects.filter(manifest=manifest)
            .annotate(was=was_permitted)
            .filter(Q(was=False) | Q(was__isnull=True))
        )
        count = ManifestItem.objects.filter(pk__in=unpermitted.values("pk")).update(
            unpermitted=True
        )
        breaches = _obligations_settle(manifest)
        manifest.completed_at = timezone.now()
        manifest.unpermitted, manifest.breaches = count, breaches
        manifest.save(update_fields=["completed_at", "unpermitted", "breaches"])
        if count or breaches:
            _tell(manifest)
    return manifest_checked(manifest=manifest)


def _obligations_settle(manifest: Manifest) -> int:
    """Settle every open obligation of the product opened before the model was trained;
    returns the breaches."""
    pair = {"work_id": OuterRef("work_id"), "use_type_id": OuterRef("use_type_id")}
    open_ = (
        PermissionChange.objects.filter(
            product_id=manifest.product_id,
            permitted=False,
            use_type__obliges_exclusion=True,
            # As the items are judged: a change at the very instant of training counts.
            at__lte=manifest.trained_at,
        )
        .exclude(pk__in=ObligationOutcome.objects.values("change_id"))
        .annotate(
            lapsed=Exists(
                PermissionChange.objects.filter(
                    product_id=manifest.product_id,
                    permitted=True,
                    seq__gt=OuterRef("seq"),
                    at__lte=manifest.trained_at,
                    **pair,
                )
            ),
            included=Exists(ManifestItem.objects.filter(manifest=manifest, **pair)),
        )
        .values_list("pk", "lapsed", "included")
    )
    now, outcomes, breaches = timezone.now(), [], 0
    for change_id, lapsed, included in open_.iterator(chunk_size=5000):
        if lapsed:
            outcome = ObligationOutcome.Outcome.LAPSED
        elif included:
            outcome, breaches = ObligationOutcome.Outcome.BREACHED, breaches + 1
        else:
            outcome = ObligationOutcome.Outcome.HONOURED
        outcomes.append(
            {"change_id": change_id, "manifest_id": manifest.pk, "outcome": outcome, "at": now}
        )
    insert_rows(ObligationOutcome, outcomes)
    return breaches


def manifest_checked(*, manifest: Manifest) -> Checked:
    """A completed manifest's findings, as stored: two queries, each read in chunks as
    the findings are iterated."""
    reasons = Subquery(_history(manifest.product_id, manifest.trained_at).values("reasons")[:1])
    unpermitted = (
        {"isrc": isrc, "use": use, "reasons": found or [NEVER_PERMITTED]}
        for isrc, use, found in ManifestItem.objects.filter(manifest=manifest, unpermitted=True)
        .annotate(found=reasons)
        .order_by("pk")
        .values_list("work__isrc", "use_type__slug", "found")
        .iterator(chunk_size=CHUNK)
    )
    breaches = (
        {"isrc": isrc, "use": use, "seq": seq, "withdrawn_at": at}
        for isrc, use, seq, at in ObligationOutcome.objects.filter(
            manifest=manifest, outcome=ObligationOutcome.Outcome.BREACHED
        )
        .order_by("change__seq")
        .values_list("change__work__isrc", "change__use_type__slug", "change__seq", "change__at")
        .iterator(chunk_size=CHUNK)
    )
    return Checked(manifest, unpermitted, breaches)


def _tell(manifest: Manifest) -> None:
    """One notification per person of each artist team and label whose works the model
    took without permission or against a withdrawal, and one to staff."""
    product = Product.objects.get(pk=manifest.product_id)
    flagged = ManifestItem.objects.filter(manifest=manifest, unpermitted=True)
    breached = ObligationOutcome.objects.filter(
        manifest=manifest, outcome=ObligationOutcome.Outcome.BREACHED
    )
    artists = set(flagged.values_list("work__primary_artist", flat=True).distinct()) | set(
        breached.values_list("change__work__primary_artist", flat=True).distinct()
    )
    labels = set(flagged.values_list("work__label", flat=True).distinct()) | set(
        breached.values_list("change__work__label", flat=True).distinct()
    )
    said = (
        f"{product.name} says its model {manifest.model} {manifest.version} (trained "
        f"{day_words(manifest.trained_at)}) included recordings it was not permitted to use"
    )
    for membership in ArtistMembership.objects.filter(artist__in=artists).select_related("user"):
        notify(
            users=[membership.user],
            kind="training",
            message=f"{said}, or that had been withdrawn from it. See each work's history.",
            url=reverse("artist_home", args=[membership.artist_id]),
        )
    for manager in LabelManager.objects.filter(label__in=labels).select_related("user"):
        notify(
            users=[manager.user],
            kind="training",
            message=f"{said}: {manifest.unpermitted} not permitted, {manifest.breaches} "
            "breaches of a withdrawal.",
            url=reverse("label_home", args=[manager.label_id]),
        )
    notify(
        users=get_user_model().objects.filter(is_staff=True, is_active=True),
        kind="training",
        message=f"{said}: {manifest.unpermitted} items not permitted, {manifest.breaches} "
        "breaches of a withdrawal.",
    )
