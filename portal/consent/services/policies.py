"""Standing label policies: a label's managers (or staff) cap what any answer can do for
its works, and lift the cap again.

Each add or lift is one transaction, as an answer is: the ledger head, then the change
counters of the products it can touch (in id order), then the policy and the actor's
rows that entitle them; the policy and its ledger entry are written, and every
permission it flips is announced (cause `policy`) and delivered after commit.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Label, LabelManager
from portal.consent.ledger.append import head_lock, policy_entry_append
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    Decision,
    LabelPolicy,
    LedgerHead,
    PolicyEvent,
    Side,
)
from portal.consent.selectors.policies import policy_products, policy_works
from portal.consent.services.announce import counters_lock, pairs_refresh
from portal.consent.services.common import ConsentError
from portal.consent.services.entitlement import actor_hold, entitling_rows
from portal.licensing.models import Product, UseType


@dataclass(frozen=True)
class PolicyOutcome:
    policy: LabelPolicy
    # Effective permissions flipped, by product name.
    flipped: dict[str, int]


def _manager_check(*, actor: User, label: Label) -> None:
    """Refuse unless the actor manages the label or is staff. Taken with the ledger head
    held, locking the manager row as answers do, so a manager removed meanwhile cannot."""
    if actor.is_staff:
        return
    actor_hold(actor)
    if not entitling_rows(LabelManager.objects.filter(label=label, user=actor), "label_id"):
        raise ConsentError(f"Only the managers of {label.name} can set its policies.")


def _content(*, policy: LabelPolicy, event: str, actor: User, at: datetime) -> dict[str, object]:
    return {
        "at": at,
        "actor_id": actor.pk,
        "actor_name": actor.display_name,
        "event": event,
        "policy_id": policy.pk,
        "label_id": policy.label_id,
        "use_type_id": policy.use_type_id,
        "product_id": policy.product_id,
        "released_before": policy.released_before,
    }


def _candidates(*, policy: LabelPolicy, product: Product, event: str) -> set[tuple[int, int]]:
    """The (work, use) pairs of the product whose permission the event can flip, as its
    preview counts them: a policy added can only end permissions announced; one lifted
    can only permit where the label said yes. Every other pair stays as it is."""
    works = policy_works(label_id=policy.label_id, released_before=policy.released_before)
    use = {} if policy.use_type_id is None else {"use_type_id": policy.use_type_id}
    if event == PolicyEvent.ADDED:
        permitted = AnnouncedPermission.objects.filter(
            product=product, permitted=True, work__in=works, **use
        )
        return set(permitted.values_list("work_id", "use_type_id"))
    label_said_yes = Decision.objects.filter(
        Exists(works.filter(pk=OuterRef("work_id"))),
        product=product,
        side=Side.RIGHTS_HOLDER,
        answer=Answer.GRANTED,
        **use,
    )
    return set(label_said_yes.values_list("work_id", "use_type_id"))


def _announce(
    *, policy: LabelPolicy, products: list[Product], event: str, now: datetime
) -> dict[str, int]:
    flipped: dict[str, int] = {}
    for product in products:
        n = pairs_refresh(
            product=product,
            cause=Cause.POLICY,
            pairs=_candidates(policy=policy, product=product, event=event),
            now=now,
        )
        if n:
            flipped[product.name] = n
    return flipped


def _locks(*, label_id: int, product_id: int | None) -> tuple[LedgerHead, list[Product]]:
    head = head_lock()
    products = list(policy_products(label_id=label_id, product_id=product_id))
    counters_lock([p.pk for p in products])
    return head, products


@transaction.atomic
def policy_add(
    *,
    actor: User,
    label: Label,
    use_type: UseType | None = None,
    product: Product | None = None,
    released_before: date | None = None,
) -> PolicyOutcome:
    """Set a standing policy on the label: no use of its works matching every condition
    given (a use type, a product, works released on or after a date) is permitted,
    whatever anyone answered. At least one condition. Recorded in the ledger; the
    permissions it stops are announced with cause `policy`."""
    if use_type is None and product is None and released_before is None:
        raise ConsentError(
            "Choose what the policy stops: a use, a product, or works released from a date."
        )
    head, products = _locks(label_id=label.pk, product_id=product.pk if product else None)
    _manager_check(actor=actor, label=label)
    now = timezone.now()
    policy = LabelPolicy.objects.create(
        label=label,
        use_type=use_type,
        product=product,
        released_before=released_before,
        added_by=actor,
        added_at=now,
    )
    policy_entry_append(
        head=head, content=_content(policy=policy, event=PolicyEvent.ADDED, actor=actor, at=now)
    )
    return PolicyOutcome(
        policy, _announce(policy=policy, products=products, event=PolicyEvent.ADDED, now=now)
    )


@transaction.atomic
def policy_lift(*, actor: User, policy: LabelPolicy) -> PolicyOutcome:
    """Lift a policy in force: the answers it capped count again, and every permission
    that flips back is announced with cause `policy`. The policy is kept, with who lifted
    it and when, and the lift is recorded in the ledger."""
    head, products = _locks(label_id=policy.label_id, product_id=policy.product_id)
    # Locked: two lifts at once cannot both record one.
    current = LabelPolicy.objects.select_for_update().filter(pk=policy.pk).first()
    if current is None:
        raise ConsentError("That policy does not exist.")
    _manager_check(actor=actor, label=current.label)
    if current.lifted_at is not None:
        raise ConsentError("That policy was lifted already.")
    now = timezone.now()
    LabelPolicy.objects.filter(pk=current.pk).update(lifted_by=actor, lifted_at=now)
    current.lifted_by, current.lifted_at = actor, now
    policy_entry_append(
        head=head,
        content=_content(policy=current, event=PolicyEvent.LIFTED, actor=actor, at=now),
    )
    return PolicyOutcome(
        current,
        _announce(policy=current, products=products, event=PolicyEvent.LIFTED, now=now),
    )
