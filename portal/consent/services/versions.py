"""Products change, consent follows: publishing a product's version, and keeping one's
yes answers for it.

A material version (a new use, a changed purpose, a new model generation) makes every
yes given for an earlier version only stop permitting (`reconsent_needed`): the flips
are announced and delivered like any other, and each artist team and label with such
answers is asked once, whatever the number of works. Keeping the answers renews them
for the new version, one ledger entry each, with their conditions and expiry as they
were.
"""

from datetime import datetime
from itertools import groupby

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, LabelManager, Work
from portal.consent.conditions import conditions_of
from portal.consent.ledger.append import head_lock
from portal.consent.models import Answer, Cause, Delegation, Side
from portal.consent.selectors.versions import needing_renewal
from portal.consent.services.announce import permissions_refresh
from portal.consent.services.common import ConsentError
from portal.consent.services.decisions import Outcome, decisions_set
from portal.consent.services.locks import counters_lock
from portal.licensing.models import Product, ProductVersion, UseType
from portal.notifications.services import notify
from portal.words import day_words

KEPT_NOTE = "Kept for version {name}"


@transaction.atomic
def version_publish(
    *,
    actor: User | None,
    product: Product,
    name: str,
    summary: str,
    material: bool,
    model: str = "",
    now: datetime | None = None,
) -> tuple[ProductVersion, int]:
    """Publish the product's next version as it is now (its uses and the conditions it
    honours). A material one makes yes answers for earlier versions only stop permitting,
    announces every flip and asks each artist team and label concerned once. Returns the
    version and the number of permission changes."""
    if not name.strip() or not summary.strip():
        raise ConsentError("A version needs a name and a summary of what changed.")
    # The counter first, as every answer takes it: none commits between the version and
    # the judgement of the answers it concerns.
    counters_lock([product.pk])
    product = Product.objects.select_for_update().get(pk=product.pk)
    now = now or timezone.now()
    version = ProductVersion.objects.create(
        product=product,
        number=product.version + 1,
        name=name.strip(),
        model=model.strip(),
        summary=summary.strip(),
        material=material,
        uses=sorted(product.uses.values_list("use_type__slug", flat=True)),
        conditions=sorted(product.conditions_honoured.values_list("code", flat=True)),
        published_at=now,
        published_by=actor,
    )
    product.version = version.number
    fields = ["version"]
    if material:
        product.material_version = version.number
        fields.append("material_version")
    product.save(update_fields=fields)
    if not material:
        return version, 0
    flipped = permissions_refresh(product=product, cause=Cause.VERSION)
    _ask_again(product, version)
    return version, flipped


def _ask_again(product: Product, version: ProductVersion) -> None:
    """One notification per person of each artist team and label whose yes answers were
    for an earlier version only (and an email, as each prefers)."""
    said = f"{product.name} changed what it does on {day_words(version.published_at)} "
    said += f"(version {version.name}): {version.summary}"
    artists = needing_renewal(product=product, side=Side.ARTIST).values("work__primary_artist")
    for membership in ArtistMembership.objects.filter(artist__in=artists).select_related(
        "user", "artist"
    ):
        url = reverse("keep_answers", args=["artists", membership.artist_id, product.slug])
        notify(
            users=[membership.user],
            kind="reconsent",
            message=f"{said} Your yes for the earlier version no longer lets it use "
            f"{membership.artist.name}'s recordings: keep your answers, or change them.",
            url=url,
        )
    labels = needing_renewal(product=product, side=Side.RIGHTS_HOLDER).values("work__label")
    for manager in LabelManager.objects.filter(label__in=labels).select_related("user"):
        notify(
            users=[manager.user],
            kind="reconsent",
            message=f"{said} The label's yes for the earlier version no longer lets it use "
            "the recordings: keep the answers, or change them.",
            url=reverse("keep_answers", args=["labels", manager.label_id, product.slug]),
        )


@transaction.atomic
def answers_keep(
    *,
    actor: User,
    product: Product,
    side: str,
    works: QuerySet[Work],
    use_type_ids: list[int],
    delegation: Delegation | None = None,
) -> Outcome:
    """Keep the side's yes answers for these works and uses (the party's), given for an
    earlier version only, for the product's current one: each with its own conditions
    and expiry, one ledger entry each, all or nothing. Entitlement as for
    `decisions_set`. The answers are read under the ledger head every answer takes, so a
    no committing meanwhile is either read here (and left alone) or waits."""
    head_lock()
    product.refresh_from_db()
    name = (
        ProductVersion.objects.filter(product=product, number=product.material_version)
        .values_list("name", flat=True)
        .first()
    ) or str(product.material_version)
    rows = (
        needing_renewal(product=product, side=side)
        # The party's uses that the product still asks for.
        .filter(work__in=works, use_type_id__in=use_type_ids, use_type__in=product.use_types.all())
        .order_by("use_type_id", "expires_at", "conditions", "pk")
        .values_list("use_type_id", "expires_at", "conditions", "work_id")
    )
    outcome = Outcome()
    for (use_id, expires_at, _), grouped in groupby(
        rows, key=lambda row: (row[0], row[1], str(row[2]))
    ):
        group = list(grouped)
        outcome += decisions_set(
            actor=actor,
            product=product,
            use_type=UseType.objects.get(pk=use_id),
            side=side,
            answer=Answer.GRANTED,
            works=Work.objects.filter(pk__in=[row[3] for row in group]),
            expires_at=expires_at,
            note=KEPT_NOTE.format(name=name),
            delegation=delegation,
            conditions=conditions_of(group[0][2]),
        )
    return outcome
