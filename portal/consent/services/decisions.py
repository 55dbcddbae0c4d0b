"""Answers: one party's yes or no, for one work or many, and stopping everything.

An answer locks the ledger head, then the product's change counter, checks the actor is
entitled (`entitlement`), writes the decisions, appends to the ledger and announces what
flipped (`announce`), all in one transaction.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent.bulk import insert_rows
from portal.consent.conditions import Conditions, conditions_json
from portal.consent.facts import requested_use_type_ids
from portal.consent.ledger.append import entries_append, head_lock
from portal.consent.models import (
    NO_ANSWER,
    Answer,
    Cause,
    ChangeCounter,
    Decision,
    Delegation,
    LedgerHead,
    Side,
)
from portal.consent.selectors.tallies import Key, cell
from portal.consent.services.announce import changes_announce
from portal.consent.services.batches import BatchOf, batch_record
from portal.consent.services.common import CHUNK, ConsentError, chunks, recorded_at
from portal.consent.services.conditions import conditions_check
from portal.consent.services.entitlement import (
    delegation_check,
    entitlement_check,
)
from portal.consent.services.locks import counters_lock
from portal.consent.services.tallies import tallies_add
from portal.licensing.models import Product, UseType
from portal.notifications.services import notify


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


# A work as the write path needs it: id, label id, artist name, label name, artist id.
WorkRow = tuple[int, int, str, str, int]
WORK_ROW = ("pk", "label_id", "primary_artist__name", "label__name", "primary_artist_id")


def _tallies_move(
    *,
    product: Product,
    use_type: UseType,
    side: str,
    answer: str,
    changed: list[WorkRow],
    previous: dict[int, str],
) -> None:
    """Move the changed works between the cells of their tallies: from (previous answer,
    other side's answer) to (new answer, other side's answer). The other side's answers
    are read under the same locks, so they are the ones the tally holds."""
    other = Side.RIGHTS_HOLDER if side == Side.ARTIST else Side.ARTIST
    others = dict(
        Decision.objects.filter(
            product=product, use_type=use_type, side=other, work__any_of=[w[0] for w in changed]
        ).values_list("work_id", "answer")
    )
    deltas: dict[Key, Counter[str]] = defaultdict(Counter)
    for work_id, label_id, _, _, artist_id in changed:
        before, after, theirs = previous.get(work_id), answer or None, others.get(work_id)
        if side == Side.ARTIST:
            old, new = cell(before, theirs), cell(after, theirs)
        else:
            old, new = cell(theirs, before), cell(theirs, after)
        if old == new:
            continue  # a yes given again with another expiry
        counts = deltas[(label_id, artist_id, product.pk, use_type.pk)]
        if old is not None:
            counts[old] -= 1
        if new is not None:
            counts[new] += 1
    tallies_add(deltas)


def _differs(current: tuple[Any, ...] | None, wanted: tuple[Any, ...]) -> bool:
    """Whether an answer changes what is recorded: another answer, expiry, conditions or
    reach, or a yes for "this version" given again after a material change (a no is the
    same no whatever version it was given under)."""
    if current is None:
        return bool(wanted[0] != NO_ANSWER)
    if current[:4] != wanted[:4]:
        return True
    answer, later = wanted[0], wanted[3]
    return answer == Answer.GRANTED and not later and current[4] < wanted[4]


def answers_record(
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
    conditions: Conditions = (),
    later_versions: bool = False,
) -> Outcome:
    """Write one party's answer for many works: decisions, ledger, announce. Locks held."""
    given = conditions_json(conditions)
    later = later_versions and answer == Answer.GRANTED
    # A yes given again for "this version" renews one given for an earlier version.
    wanted = (answer, expires_at, given, later, product.material_version)
    current = {
        work_id: (previous, expiry, previous_conditions, was_later, version)
        for work_id, previous, expiry, previous_conditions, was_later, version in (
            Decision.objects.filter(
                product=product, use_type=use_type, side=side, work__any_of=[w[0] for w in works]
            ).values_list(
                "work_id", "answer", "expires_at", "conditions", "later_versions", "for_version"
            )
        )
    }
    changed = [w for w in works if _differs(current.get(w[0]), wanted)]
    if not changed:
        return Outcome(unchanged=len(works))
    if answer == NO_ANSWER:
        # Taken back: no decision is kept, as before the party ever answered.
        Decision.objects.filter(
            product=product, use_type=use_type, side=side, work__any_of=[w[0] for w in changed]
        ).delete()
    else:
        # Every changed work gets the same answer: one UPDATE for those answered before,
        # one insert for the rest.
        Decision.objects.filter(
            product=product,
            use_type=use_type,
            side=side,
            work__any_of=[w[0] for w in changed if w[0] in current],
        ).update(
            answer=answer,
            expires_at=expires_at,
            conditions=given,
            for_version=product.material_version,
            later_versions=later,
            decided_by=actor,
            decided_at=now,
        )
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
                    "conditions": given,
                    "for_version": product.material_version,
                    "later_versions": later,
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
                "previous": current.get(work_id, ("",))[0],
                "answer": answer,
                "expires_at": expires_at,
                "conditions": given,
                "for_version": product.material_version,
                "later_versions": later,
                "note": note,
                "delegation_id": delegation.pk if delegation else None,
            }
            for work_id, _, artist_name, label_name, _ in changed
        ),
    )
    _tallies_move(
        product=product,
        use_type=use_type,
        side=side,
        answer=answer,
        changed=changed,
        previous={work_id: row[0] for work_id, row in current.items()},
    )
    flipped = changes_announce(
        counter=counter,
        product=product,
        pairs=[(w[0], w[1]) for w in changed],
        use_type_ids=[use_type.pk],
        cause=Cause.DECISION,
        now=now,
    )
    return Outcome(changed=len(changed), unchanged=len(works) - len(changed), flipped=flipped)


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
    conditions: Conditions = (),
    later_versions: bool = False,
    batch: BatchOf | None = None,
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

    `answer` may be `NO_ANSWER`: the party takes its answer back ("clear"), which keeps
    no decision and is a ledger entry like any other.

    `conditions` go with a yes ("yes, if it credits me"): codes of the vocabulary, each
    with its parameter. The same yes with other conditions is a change. A yes is for the
    product's current material version only, or with `later_versions` for later ones
    too; given again after a material change, it is kept for the new version.

    With `batch`, the answers that changed are recorded as one `AnswerBatch`, which the
    party can undo (`batches.batch_undo`).

    `now` is for importing consents given before the portal (the demo's history); views
    never pass it. The decisions, ledger entries and permission changes are dated then,
    and the permissions judged then against today's licences and product status, so
    the caller gives times in order and only where those have not changed since.
    """
    if side not in Side.values or answer not in (*Answer.values, NO_ANSWER):
        raise ConsentError("That is not an answer the portal knows.")
    _check_requested(product, use_type)
    if expires_at is not None and expires_at <= timezone.now():
        raise ConsentError("An expiry must be in the future.")
    if expires_at is not None and answer != Answer.GRANTED:
        # A no stands until it is changed; a no that lapsed into nothing would still be no.
        raise ConsentError("Only a yes can have an expiry.")
    conditions_check(answer, conditions)
    head = head_lock()
    counter = counters_lock([product.pk])[product.pk]
    if delegation is not None:
        delegation_check(delegation, product=product, use_type=use_type, side=side)
    entitlement_check(actor=actor, side=side, works=works, delegation=delegation)
    # The caller's instance may predate a suspension (or a change of its uses) that
    # committed while we waited for the lock; judging by it would announce a permit
    # on a suspended product.
    product.refresh_from_db()
    # Taken once the locks are held, so ledger times and change times follow their order.
    now = recorded_at(now)
    outcome = Outcome()
    first = head.position + 1
    rows = works.order_by("pk").values_list(*WORK_ROW).iterator(CHUNK)
    for chunk in chunks(rows):
        outcome += answers_record(
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
            conditions=conditions,
            later_versions=later_versions,
        )
    if batch is not None:
        batch_record(
            batch=batch,
            side=side,
            actor=actor,
            at=now,
            first=first,
            head=head,
            changed=outcome.changed,
        )
    if delegation is not None and outcome.changed:
        _notify_acted_for(delegation, actor, product, use_type, answer, outcome.changed)
    return outcome


def _notify_acted_for(
    delegation: Delegation,
    actor: User | None,
    product: Product,
    use_type: UseType,
    answer: str,
    count: int,
) -> None:
    who = actor.display_name if actor else "The portal"
    verbs: dict[str, str] = {Answer.GRANTED: "said yes to", Answer.DENIED: "said no to"}
    verb = verbs.get(answer, "took back the answer on")
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
    conditions: Conditions = (),
    later_versions: bool = False,
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
        conditions=conditions,
        later_versions=later_versions,
    )
