"""Writes for consent. Each public service owns its transaction.

Lock order, the same everywhere so writers queue instead of deadlocking:
the ledger head (when decisions are written), then the products' change counters in
id order, then the delegation acted under, then the actor's rows that entitle them to
answer (memberships or label manager rows). Facts are read only after the locks are
held, so two parties answering the same work at once cannot both miss the other's
answer, and an answer cannot land for someone whose role was taken away meanwhile.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, LabelManager, Work
from portal.consent.bulk import insert_rows
from portal.consent.facts import requested_use_type_ids, verdicts_for
from portal.consent.ledger.append import entries_append, head_lock
from portal.consent.models import (
    Answer,
    Cause,
    ChangeCounter,
    Decision,
    Delegation,
    LedgerHead,
    Permission,
    PermissionChange,
    Side,
)
from portal.consent.selectors.products import use_types_of
from portal.consent.wording import delegation_scope
from portal.delivery.services import deliveries_schedule
from portal.licensing.models import Licence, Product, UseType
from portal.notifications.services import notify

CHUNK = 5000
T = TypeVar("T")


class ConsentError(Exception):
    """A decision that cannot be made; the message is for the person who tried."""


@dataclass(frozen=True)
class Outcome:
    """What a write did: answers changed, answers already so, and permissions flipped."""

    changed: int = 0
    unchanged: int = 0
    flipped: int = 0

    def __add__(self, other: "Outcome") -> "Outcome":
        return Outcome(
            self.changed + other.changed,
            self.unchanged + other.unchanged,
            self.flipped + other.flipped,
        )


def _chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _lock_counters(product_ids: Iterable[int]) -> dict[int, ChangeCounter]:
    ids = sorted(set(product_ids))
    ChangeCounter.objects.bulk_create(
        [ChangeCounter(product_id=pk) for pk in ids], ignore_conflicts=True
    )
    return {
        counter.product_id: counter
        for counter in ChangeCounter.objects.select_for_update()
        .filter(product_id__in=ids)
        .order_by("product_id")
    }


def _announce(
    *,
    counter: ChangeCounter,
    product: Product,
    pairs: Sequence[tuple[int, int]],
    use_type_ids: Sequence[int],
    cause: str,
    now: datetime,
) -> int:
    """Re-evaluate (work, use) for `pairs` of (work id, label id); record every flip.

    Called with the product's counter locked. Returns the number of changes recorded.
    Rows whose new state is the same are updated together, so a bulk answer costs a
    handful of statements, not one per work.
    """
    verdicts = verdicts_for(product=product, works=pairs, use_type_ids=use_type_ids, now=now)
    known = {
        (w, u): (permitted, reasons, lapses_at)
        for w, u, permitted, reasons, lapses_at in Permission.objects.filter(
            product=product, use_type_id__in=use_type_ids, work__any_of=[w for w, _ in pairs]
        ).values_list("work_id", "use_type_id", "permitted", "reasons", "lapses_at")
    }
    changes: list[dict[str, object]] = []
    created: list[dict[str, object]] = []
    updates: dict[tuple[int, bool, tuple[str, ...], datetime | None], list[int]] = {}
    for (work_id, use_id), verdict in verdicts.items():
        row = known.get((work_id, use_id))
        if row is None and not verdict.permitted:
            continue  # never permitted, still not: no row needed
        was_permitted = row[0] if row else False
        if verdict.permitted != was_permitted:
            counter.last += 1
            changes.append(
                {
                    "product_id": product.pk,
                    "seq": counter.last,
                    "work_id": work_id,
                    "use_type_id": use_id,
                    "permitted": verdict.permitted,
                    "reasons": list(verdict.reasons),
                    "cause": cause,
                    "at": now,
                }
            )
        elif row is not None and (list(verdict.reasons), verdict.lapses_at) == (row[1], row[2]):
            continue
        # Not a flip, or a flip: either way the row must not keep a stale reason or lapse
        # time, since readers show both.
        if row is None:
            created.append(
                {
                    "product_id": product.pk,
                    "work_id": work_id,
                    "use_type_id": use_id,
                    "permitted": verdict.permitted,
                    "reasons": list(verdict.reasons),
                    "lapses_at": verdict.lapses_at,
                }
            )
        else:
            key = (use_id, verdict.permitted, verdict.reasons, verdict.lapses_at)
            updates.setdefault(key, []).append(work_id)
    for (use_id, permitted, reasons, lapses_at), work_ids in updates.items():
        Permission.objects.filter(
            product=product, use_type_id=use_id, work__any_of=work_ids
        ).update(permitted=permitted, reasons=list(reasons), lapses_at=lapses_at)
    insert_rows(Permission, created)
    if changes:
        insert_rows(PermissionChange, changes)
        ChangeCounter.objects.filter(pk=counter.pk).update(last=counter.last)
        # After commit, workers push them to the product's webhook; the sweeper covers a
        # lost hook or a broker that is down.
        deliveries_schedule(product_ids=[product.pk])
    return len(changes)


# A work as the write path needs it: id, label id, artist name, label name.
WorkRow = tuple[int, int, str, str]
WORK_ROW = ("pk", "label_id", "primary_artist__name", "label__name")


def _record(
    *,
    head: LedgerHead,
    counter: ChangeCounter,
    actor: User | None,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    expires_at: datetime | None,
    note: str,
    works: list[WorkRow],
    now: datetime,
    delegation: Delegation | None = None,
) -> Outcome:
    """Write one party's answer for many works: decisions, ledger, announce. Locks held."""
    current = {
        work_id: (previous, previous_expiry)
        for work_id, previous, previous_expiry in Decision.objects.filter(
            product=product, use_type=use_type, side=side, work__any_of=[w[0] for w in works]
        ).values_list("work_id", "answer", "expires_at")
    }
    changed = [w for w in works if current.get(w[0]) != (answer, expires_at)]
    if not changed:
        return Outcome(unchanged=len(works))
    # Every changed work gets the same answer: one UPDATE for those answered before,
    # one insert for the rest.
    Decision.objects.filter(
        product=product,
        use_type=use_type,
        side=side,
        work__any_of=[w[0] for w in changed if w[0] in current],
    ).update(answer=answer, expires_at=expires_at, decided_by=actor, decided_at=now)
    insert_rows(
        Decision,
        [
            {
                "product_id": product.pk,
                "work_id": work_id,
                "use_type_id": use_type.pk,
                "side": side,
                "answer": answer,
                "expires_at": expires_at,
                "decided_by_id": actor.pk if actor else None,
                "decided_at": now,
            }
            for work_id, *_ in changed
            if work_id not in current
        ],
    )
    actor_name = actor.display_name if actor else "Consent Portal"
    entries_append(
        head=head,
        entries=(
            {
                "at": now,
                "actor_id": actor.pk if actor else None,
                "actor_name": actor_name,
                "side": side,
                "acting_for": artist_name if side == Side.ARTIST else label_name,
                "product_id": product.pk,
                "work_id": work_id,
                "use_type_id": use_type.pk,
                "previous": current.get(work_id, ("", None))[0],
                "answer": answer,
                "expires_at": expires_at,
                "note": note,
                "delegation_id": delegation.pk if delegation else None,
            }
            for work_id, _, artist_name, label_name in changed
        ),
    )
    flipped = _announce(
        counter=counter,
        product=product,
        pairs=[(w[0], w[1]) for w in changed],
        use_type_ids=[use_type.pk],
        cause=Cause.DECISION,
        now=now,
    )
    return Outcome(changed=len(changed), unchanged=len(works) - len(changed), flipped=flipped)


def _when(now: datetime | None) -> datetime:
    """The time a write records: `now` when an import gives one, else the clock."""
    current = timezone.now()
    if now is None:
        return current
    if now > current:
        raise ConsentError("A decision cannot be recorded as of a time still to come.")
    return now


def _check_requested(product: Product, use_type: UseType) -> None:
    if use_type.pk not in requested_use_type_ids(product=product):
        raise ConsentError(f"{product.name} does not ask for {use_type.name.lower()}.")


@transaction.atomic
def decisions_set(
    *,
    actor: User | None,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    works: QuerySet[Work],
    expires_at: datetime | None = None,
    note: str = "",
    delegation: Delegation | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Record one party's answer for every work in `works` (already scoped by the caller).

    Idempotent: a work already so answered writes nothing. All or nothing: the
    decisions, their ledger entries and the permission changes they cause commit
    together. Works are handled in chunks, so memory stays flat for any catalogue.

    With `delegation`, a label manager answers the artist side for the artist; the
    delegation must still be in force and cover the product and use when the locks are
    held, and the artist's team is notified.

    Whoever calls it, `actor` must be entitled to the side for every work, or nothing is
    written (`ConsentError`): the artist side needs a deciding role (admin, editor) on
    each work's artist team, or a delegation in force from a label the actor manages
    whose artist and label match every work; the rights-holder side needs the actor to
    manage each work's label. `actor=None` is the portal itself (imports, the demo).

    `now` is for importing consents given before the portal (the demo's history); views
    never pass it. The decisions, ledger entries and permission changes are dated then,
    and the permissions judged then against today's licences and product status, so
    the caller gives times in order and only where those have not changed since.
    """
    if side not in Side.values or answer not in Answer.values:
        raise ConsentError("That is not an answer the portal knows.")
    _check_requested(product, use_type)
    if expires_at is not None and expires_at <= timezone.now():
        raise ConsentError("An expiry must be in the future.")
    if expires_at is not None and answer == Answer.DENIED:
        # A no stands until it is changed; a no that lapsed into nothing would still be no.
        raise ConsentError("Only a yes can have an expiry.")
    head = head_lock()
    counter = _lock_counters([product.pk])[product.pk]
    if delegation is not None:
        _check_delegation(delegation, product=product, use_type=use_type, side=side)
    _check_entitled(actor=actor, side=side, works=works, delegation=delegation)
    # The caller's instance may predate a suspension (or a change of its uses) that
    # committed while we waited for the lock; judging by it would announce a permit
    # on a suspended product.
    product.refresh_from_db()
    # Taken once the locks are held, so ledger times and change times follow their order.
    now = _when(now)
    outcome = Outcome()
    rows = works.order_by("pk").values_list(*WORK_ROW).iterator(CHUNK)
    for chunk in _chunks(rows):
        outcome += _record(
            head=head,
            counter=counter,
            actor=actor,
            product=product,
            use_type=use_type,
            side=side,
            answer=answer,
            expires_at=expires_at,
            note=note,
            works=chunk,
            now=now,
            delegation=delegation,
        )
    if delegation is not None and outcome.changed:
        _notify_acted_for(delegation, actor, product, use_type, answer, outcome.changed)
    return outcome


def _check_delegation(
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


def _hold_actor(actor: User) -> None:
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


def _entitling_rows(
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
    and the actor's row (`_hold_actor`). The team services (`portal.teams.services`: the
    artist's row, then the membership) and admin's edits of memberships and managers take
    none of the first three, and lock a user's row fully (an email change) only before
    these rows, never after; the key-share locks both sides take on users never conflict.
    So nothing holding one of these rows waits for a lock an answer took before it. Two
    answers by the same actor lock the same rows, but one after the other, once each holds
    the ledger head."""
    return list(
        queryset.select_for_update(no_key=True).order_by("pk").values_list(column, flat=True)
    )


def _check_entitled(
    *, actor: User | None, side: str, works: QuerySet[Work], delegation: Delegation | None
) -> None:
    """Refuse unless `actor` may answer `side` for every one of `works`: a few queries,
    whatever the number of works. Views scope the works already; this holds for every
    other path (and for a view that forgets). Called with the ledger head held; locks what
    it relies on (`_hold_actor`, `_entitling_rows`)."""
    if actor is not None:
        _hold_actor(actor)
    if delegation is not None:
        # Whoever acts, a delegation reaches only the artist's works on its own label.
        if works.exclude(
            primary_artist_id=delegation.artist_id, label_id=delegation.label_id
        ).exists():
            raise ConsentError(
                f"{delegation.artist.name}'s delegation covers only their works on "
                f"{delegation.label.name}."
            )
        if actor is not None and not _entitling_rows(
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
        deciding = _entitling_rows(
            ArtistMembership.objects.filter(user=actor, role__in=ArtistMembership.DECIDING_ROLES),
            "artist_id",
        )
        if works.exclude(primary_artist_id__in=deciding).exists():
            raise ConsentError(
                "You can answer for an artist only as an admin or editor of their team, "
                "or under their delegation."
            )
        return
    managed = _entitling_rows(LabelManager.objects.filter(user=actor), "label_id")
    if works.exclude(label_id__in=managed).exists():
        raise ConsentError("You can answer for a label only as one of its managers.")


def _notify_acted_for(
    delegation: Delegation,
    actor: User | None,
    product: Product,
    use_type: UseType,
    answer: str,
    count: int,
) -> None:
    who = actor.display_name if actor else "The portal"
    verb = "said yes to" if answer == Answer.GRANTED else "said no to"
    works = "1 work" if count == 1 else f"{count:,} works"
    notify(
        users=User.objects.filter(artistmembership__artist=delegation.artist),
        kind="acted_for_you",
        message=(
            f"{who} ({delegation.label.name}) {verb} {use_type.name.lower()} on "
            f"{product.name} for {works} of {delegation.artist.name}, under your delegation."
        ),
        url=reverse("artist_activity", args=[delegation.artist_id]),
    )


def decision_set(
    *,
    actor: User | None,
    product: Product,
    work: Work,
    use_type: UseType,
    side: str,
    answer: str,
    expires_at: datetime | None = None,
    note: str = "",
    delegation: Delegation | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Record one party's answer for one work. Idempotent; see `decisions_set` (and for
    `now`, which views never pass)."""
    return decisions_set(
        delegation=delegation,
        actor=actor,
        product=product,
        use_type=use_type,
        side=side,
        answer=answer,
        works=Work.objects.filter(pk=work.pk),
        expires_at=expires_at,
        note=note,
        now=now,
    )


@transaction.atomic
def grants_withdraw_all(*, actor: User, artist: Artist, note: str = "") -> Outcome:
    """Stop everything: turn every artist-side yes of `artist` into a no, in one transaction.

    `actor` must be an admin or editor of the artist's team (`ConsentError` otherwise),
    checked and locked once the ledger head is held, as for `decisions_set`."""
    head = head_lock()
    _hold_actor(actor)
    if not _entitling_rows(
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
    counters = _lock_counters(product_id for product_id, _ in groups)
    products = Product.objects.in_bulk({p for p, _ in groups})
    use_types = UseType.objects.in_bulk({u for _, u in groups})
    now = timezone.now()
    outcome = Outcome()
    for product_id, use_type_id in groups:
        works = Work.objects.filter(
            pk__in=granted.filter(product_id=product_id, use_type_id=use_type_id).values("work_id")
        )
        rows = works.order_by("pk").values_list(*WORK_ROW).iterator(CHUNK)
        for chunk in _chunks(rows):
            outcome += _record(
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
    return outcome


@transaction.atomic
def permissions_refresh(
    *,
    product: Product,
    cause: str,
    works: QuerySet[Work] | None = None,
    now: datetime | None = None,
) -> int:
    """Re-evaluate the product's permissions after something other than a decision changed
    (its status, a licence, the clock) and record every flip. Returns the number of flips.

    Only pairs someone has answered, or that were announced before, can be permitted, so
    those are the only ones evaluated. `now` as for `decisions_set`.
    """
    counter = _lock_counters([product.pk])[product.pk]
    product.refresh_from_db()
    now = _when(now)
    answered = Decision.objects.filter(product=product)
    announced = Permission.objects.filter(product=product)
    if works is not None:
        answered, announced = answered.filter(work__in=works), announced.filter(work__in=works)
    pairs = sorted(
        set(answered.values_list("work_id", "use_type_id"))
        | set(announced.values_list("work_id", "use_type_id"))
    )
    labels = dict(Work.objects.filter(pk__in={w for w, _ in pairs}).values_list("pk", "label_id"))
    flipped = 0
    by_use: dict[int, list[tuple[int, int]]] = {}
    for work_id, use_id in pairs:
        by_use.setdefault(use_id, []).append((work_id, labels[work_id]))
    for use_id, use_pairs in sorted(by_use.items()):
        for start in range(0, len(use_pairs), CHUNK):
            flipped += _announce(
                counter=counter,
                product=product,
                pairs=use_pairs[start : start + CHUNK],
                use_type_ids=[use_id],
                cause=cause,
                now=now,
            )
    return flipped


def product_set_status(*, product: Product, status: str, now: datetime | None = None) -> int:
    """Change a product's status (suspend, reactivate, retire) and announce what flips.

    `now` dates the change in the past, as for `decisions_set`; views never pass it.
    """
    if status not in Product.Status.values:
        raise ConsentError("That is not a product status the portal knows.")
    with transaction.atomic():
        # The counter first, as every writer does: decisions hold it while their inserts
        # take a key-share lock on the product row, so locking the product first deadlocks.
        _lock_counters([product.pk])
        now = _when(now)
        previous = Product.objects.values_list("status", flat=True).get(pk=product.pk)
        # Setting the status it already has keeps the time it really changed.
        Product.objects.filter(pk=product.pk).exclude(status=status).update(
            status=status, status_changed_at=now
        )
        product.refresh_from_db()
        if previous == Product.Status.DRAFT and status == Product.Status.ACTIVE:
            product_requests_notify(product=product)
        return permissions_refresh(product=product, cause=Cause.PRODUCT, now=now)


def product_requests_notify(*, product: Product, label_ids: Iterable[int] | None = None) -> None:
    """Tell every artist whose catalogue a product now asks for: it launched, or a new
    licence brought their label (`label_ids`) in."""
    if product.status != Product.Status.ACTIVE:
        return
    uses = ", ".join(use.name.lower() for use in use_types_of(product=product))
    artists = Artist.objects.filter(works__label__licences__licensee_id=product.licensee_id)
    if label_ids is not None:
        artists = artists.filter(works__label_id__in=label_ids)
    artists = artists.distinct()
    for artist in artists:
        notify(
            users=User.objects.filter(artistmembership__artist=artist),
            kind="new_product",
            message=(
                f"{product.name} by {product.licensee.name} asks to use {artist.name}'s "
                f"catalogue for {uses}. Nothing is used until you say yes."
            ),
            url=reverse(
                "matrix",
                kwargs={"kind": "artists", "party_id": artist.pk, "product_slug": product.slug},
            ),
        )


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


def lapses_announce() -> int:
    """Announce what stopped or started being permitted by the clock alone: grants and
    licences that expired, licences that began. Run every minute by beat; idempotent.

    Checks never wait for this: a permission past its `lapses_at` already reads as not
    permitted. This only tells the products.
    """
    now = timezone.now()
    lapsed = Permission.objects.filter(permitted=True, lapses_at__lte=now)
    starting = Licence.objects.filter(starts_on=now.date())
    flipped = 0
    for product in Product.objects.filter(
        Q(pk__in=lapsed.values("product_id"))
        | Q(licensee__in=starting.values("licensee_id"), status=Product.Status.ACTIVE)
    ).order_by("pk"):
        works = Work.objects.filter(
            Q(pk__in=lapsed.filter(product=product).values("work_id"))
            | Q(label__in=starting.filter(licensee_id=product.licensee_id).values("label_id"))
        )
        flipped += permissions_refresh(product=product, cause=Cause.EXPIRY, works=works)
    return flipped
