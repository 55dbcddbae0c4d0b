"""Stop everything: an artist's every yes turned into a no, in one transaction."""

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Work
from portal.consent.ledger.append import head_lock
from portal.consent.models import Answer, AnswerBatch, Decision, Side
from portal.consent.services.batches import BatchOf, batch_record
from portal.consent.services.common import CHUNK, ConsentError, chunks
from portal.consent.services.decisions import WORK_ROW, Outcome, answers_record
from portal.consent.services.entitlement import actor_hold, entitling_rows
from portal.consent.services.locks import counters_lock
from portal.licensing.models import Product, UseType
from portal.words import counted


@transaction.atomic
def grants_withdraw_all(*, actor: User, artist: Artist, note: str = "") -> Outcome:
    """Stop everything: turn every artist-side yes of `artist` into a no, in one transaction.

    `actor` must be an admin or editor of the artist's team (`ConsentError` otherwise),
    checked and locked once the ledger head is held, as for `decisions_set`."""
    head = head_lock()
    actor_hold(actor)
    if not entitling_rows(
        ArtistMembership.objects.filter(
            artist=artist, user=actor, role__in=ArtistMembership.DECIDING_ROLES
        ),
        "artist_id",
    ):
        raise ConsentError(f"Only {artist.name}'s admins and editors can stop everything.")
    granted = Decision.objects.filter(
        side=Side.ARTIST, answer=Answer.GRANTED, work__primary_artist=artist
    )
    groups = sorted(set(granted.values_list("product_id", "use_type_id")))
    counters = counters_lock(product_id for product_id, _ in groups)
    products = Product.objects.in_bulk({p for p, _ in groups})
    use_types = UseType.objects.in_bulk({u for _, u in groups})
    now = timezone.now()
    outcome = Outcome()
    first = head.position + 1
    for product_id, use_type_id in groups:
        works = Work.objects.filter(
            pk__in=granted.filter(product_id=product_id, use_type_id=use_type_id).values("work_id")
        )
        rows = works.order_by("pk").values_list(*WORK_ROW).iterator(CHUNK)
        for chunk in chunks(rows):
            outcome += answers_record(
                head=head,
                counter=counters[product_id],
                actor=actor,
                product=products[product_id],
                use_type=use_types[use_type_id],
                side=Side.ARTIST,
                answer=Answer.DENIED,
                expires_at=None,
                note=note or "Stopped everything",
                works=chunk,
                now=now,
            )
    batch_record(
        batch=BatchOf(
            f"Stopped everything: {counted(outcome.changed, 'yes answer')} became no",
            artist_id=artist.pk,
            kind=AnswerBatch.Kind.STOP,
        ),
        side=Side.ARTIST,
        actor=actor,
        at=now,
        first=first,
        head=head,
        changed=outcome.changed,
    )
    return outcome
