"""Delegations: an artist lets their label decide the artist side for them, or stops it."""

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist
from portal.consent.models import Delegation
from portal.consent.services.common import ConsentError
from portal.consent.wording import delegation_scope
from portal.licensing.models import Product, UseType
from portal.notifications.services import notify


@transaction.atomic
def delegation_grant(
    *,
    actor: User,
    artist: Artist,
    products: Sequence[Product] = (),
    use_types: Sequence[UseType] = (),
) -> Delegation:
    """Let the artist's label decide the artist side for them, for the given products and
    uses (empty: all). Replaces any delegation already in force."""
    if artist.label is None:
        raise ConsentError(
            f"{artist.name} is not on a label's roster, so there is no one to delegate to."
        )
    now = timezone.now()
    Delegation.objects.filter(artist=artist, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    delegation = Delegation.objects.create(
        artist=artist, label=artist.label, granted_by=actor, granted_at=now
    )
    delegation.products.set(products)
    delegation.use_types.set(use_types)
    notify(
        users=User.objects.filter(labelmanager__label=artist.label),
        kind="delegation",
        message=(
            f"{artist.name} now lets {artist.label.name} decide for them "
            f"({delegation_scope(delegation)})."
        ),
        url=reverse("label_home", args=[artist.label.pk]),
    )
    return delegation


@transaction.atomic
def delegation_revoke(*, actor: User, delegation: Delegation) -> None:
    """Take the label's power to decide for the artist away, at once. Answers already
    given under it stand (the artist can change them); the ledger says who gave them."""
    revoked = Delegation.objects.filter(pk=delegation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    if revoked:
        notify(
            users=User.objects.filter(labelmanager__label_id=delegation.label_id),
            kind="delegation",
            message=(
                f"{delegation.artist.name} no longer lets {delegation.label.name} decide for them."
            ),
            url=reverse("label_home", args=[delegation.label_id]),
        )
