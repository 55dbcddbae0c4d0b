"""Whether an actor may answer a side for some works, checked and locked inside the write.

Views scope the works already; these checks hold for every other path (and for a view
that forgets). They run with the ledger head held and lock what they rely on until the
answer commits.
"""

from django.db import connection
from django.db.models import QuerySet

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, LabelManager, Work
from portal.consent.models import Delegation, Side
from portal.consent.services.common import ConsentError
from portal.licensing.models import Product, UseType


def delegation_check(
    delegation: Delegation, *, product: Product, use_type: UseType, side: str
) -> None:
    # Locked, so a revocation committing now either happens before (and we refuse)
    # or waits for this answer to commit.
    current = (
        Delegation.objects.select_for_update()
        .filter(pk=delegation.pk, revoked_at__isnull=True)
        .first()
    )
    if current is None:
        raise ConsentError(
            f"{delegation.artist.name} has withdrawn the delegation: only they can decide now."
        )
    if side != Side.ARTIST:
        raise ConsentError("A delegation covers the artist side only.")
    products = set(current.products.values_list("pk", flat=True))
    use_types = set(current.use_types.values_list("pk", flat=True))
    if (products and product.pk not in products) or (use_types and use_type.pk not in use_types):
        raise ConsentError(
            f"{delegation.artist.name}'s delegation does not cover "
            f"{use_type.name.lower()} for {product.name}."
        )


def actor_hold(actor: User) -> None:
    """Take the key-share lock on the actor's row that the decisions' `decided_by` takes
    anyway, but before the entitling rows: admin saves a user's row (an email change locks
    it fully) and then their memberships and manager rows, and an answer locking those
    first and the user's row second could deadlock with it. Django has no FOR KEY SHARE;
    SQLite has no row locks."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE", [actor.pk])  # noqa: S608


def entitling_rows(
    queryset: QuerySet[ArtistMembership] | QuerySet[LabelManager], column: str
) -> list[int]:
    """Lock the rows the entitlement check relies on until the answer commits, and return
    `column` of each: the ids the works are then checked against.

    FOR NO KEY UPDATE: a removal (DELETE) or a demotion (UPDATE of the role) of one of
    them that committed first is seen here, since a locked read sees the latest version;
    one that comes later waits for this answer to commit, so no answer lands for someone
    whose role was taken away before it committed. Inserts pointing at the rows take only
    key-share locks, which this does not block.

    No deadlock: these are taken last, after the ledger head, the counters, the delegation
    and the actor's row (`actor_hold`). The team services (`portal.teams.services`: the
    artist's row, then the membership) and admin's edits of memberships and managers take
    none of the first three, and lock a user's row fully (an email change) only before
    these rows, never after; the key-share locks both sides take on users never conflict.
    So nothing holding one of these rows waits for a lock an answer took before it. Two
    answers by the same actor lock the same rows, but one after the other, once each holds
    the ledger head."""
    return list(
        queryset.select_for_update(no_key=True).order_by("pk").values_list(column, flat=True)
    )


def entitlement_check(
    *, actor: User | None, side: str, works: QuerySet[Work], delegation: Delegation | None
) -> None:
    """Refuse unless `actor` may answer `side` for every one of `works`: a few queries,
    whatever the number of works. Views scope the works already; this holds for every
    other path (and for a view that forgets). Called with the ledger head held; locks what
    it relies on (`actor_hold`, `entitling_rows`)."""
    if actor is not None:
        actor_hold(actor)
    if delegation is not None:
        # Whoever acts, a delegation reaches only the artist's works on its own label.
        if works.exclude(
            primary_artist_id=delegation.artist_id, label_id=delegation.label_id
        ).exists():
            raise ConsentError(
                f"{delegation.artist.name}'s delegation covers only their works on "
                f"{delegation.label.name}."
            )
        if actor is not None and not entitling_rows(
            LabelManager.objects.filter(label_id=delegation.label_id, user=actor), "label_id"
        ):
            raise ConsentError(
                f"Only the managers of {delegation.label.name} decide under "
                f"{delegation.artist.name}'s delegation."
            )
        return
    if actor is None:
        return
    if side == Side.ARTIST:
        deciding = entitling_rows(
            ArtistMembership.objects.filter(user=actor, role__in=ArtistMembership.DECIDING_ROLES),
            "artist_id",
        )
        if works.exclude(primary_artist_id__in=deciding).exists():
            raise ConsentError(
                "You can answer for an artist only as an admin or editor of their team, "
                "or under their delegation."
            )
        return
    managed = entitling_rows(LabelManager.objects.filter(user=actor), "label_id")
    if works.exclude(label_id__in=managed).exists():
        raise ConsentError("You can answer for a label only as one of its managers.")
