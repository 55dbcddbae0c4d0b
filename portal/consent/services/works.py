"""Works their label withdraws, and releases again: every use of a withdrawn work is not
permitted (`work_withdrawn`), so both go through here and announce what flips.

Withdrawals are not decisions: nobody answered anything, the answers stand and count
again when the work is live again, so the ledger is not written. The permission
changes are numbered and delivered like any other (cause `withdrawal`).
"""

from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from portal.catalogue.models import Work
from portal.consent.models import AnnouncedPermission, Cause, Decision
from portal.consent.services.announce import counters_lock, permissions_refresh
from portal.consent.services.common import CHUNK, chunks, recorded_at
from portal.licensing.models import Product


def _products_touching(work_ids: list[int]) -> list[Product]:
    """Products with an answer or an announced permission on these works: the only ones
    whose permissions can flip (nothing else was ever permitted)."""
    return list(
        Product.objects.filter(
            Q(pk__in=Decision.objects.filter(work_id__in=work_ids).values("product_id"))
            | Q(
                pk__in=AnnouncedPermission.objects.filter(work_id__in=work_ids).values("product_id")
            )
        ).order_by("pk")
    )


def _flip(*, work_ids: list[int], withdrawn_at: datetime | None) -> int:
    """Set or clear `withdrawn_at` on these works, then announce what flips; one
    transaction. Every product's counter is locked before the works change (in the
    decisions' lock order), and only then are the products with answers on these works
    read: an answer being written meanwhile, for any product, either commits first and is
    re-evaluated here, or waits and reads the new state. (Locking only the products found
    first would let a product's first two answers, both committing in between, announce
    a yes for a withdrawn work.) The lock is held for one chunk's refresh."""
    with transaction.atomic():
        counters_lock(Product.objects.values_list("pk", flat=True))
        products = _products_touching(work_ids)
        Work.objects.filter(pk__in=work_ids, withdrawn_at__isnull=withdrawn_at is not None).update(
            withdrawn_at=withdrawn_at
        )
        works = Work.objects.filter(pk__in=work_ids)
        return sum(
            permissions_refresh(product=product, cause=Cause.WITHDRAWAL, works=works)
            for product in products
        )


def _in_state(work_ids: Collection[int], *, withdrawn: bool) -> list[int]:
    """Those of these works that are withdrawn (or live), in id order."""
    return sorted(
        Work.objects.filter(pk__in=list(work_ids), withdrawn_at__isnull=not withdrawn).values_list(
            "pk", flat=True
        )
    )


def works_withdraw(*, work_ids: Collection[int], at: datetime | None = None) -> list[int]:
    """Withdraw these works as of `at` (now by default; the changes it announces are
    dated when they are recorded): every use of them becomes not permitted with the
    reason `work_withdrawn`, and every flip is announced.

    Works already withdrawn keep the time they were. In transactions of `CHUNK` works,
    so a label's whole catalogue never holds the counters for long. Returns the ids of
    the works it withdrew.
    """
    when = recorded_at(at)
    done: list[int] = []
    for chunk in chunks(_in_state(work_ids, withdrawn=False), CHUNK):
        _flip(work_ids=chunk, withdrawn_at=when)
        done.extend(chunk)
    return done


def works_reinstate(*, work_ids: Collection[int]) -> list[int]:
    """Make withdrawn works live again: the answers given before count again, and every
    use they permit is announced. Returns the ids of the works that were withdrawn."""
    done: list[int] = []
    for chunk in chunks(_in_state(work_ids, withdrawn=True), CHUNK):
        _flip(work_ids=chunk, withdrawn_at=None)
        done.extend(chunk)
    return done
