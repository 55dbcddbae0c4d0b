"""Works credited to another artist, or moved to another label (staff correcting a work,
an upheld dispute, a re-import): the answers of the party that no longer holds the work
were never that of the party that does, so they are taken back. Opt-in holds: the new
party's silence is a no until it answers."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.ledger.append import head_lock
from portal.consent.models import NO_ANSWER, Decision, Side
from portal.consent.services.common import CHUNK, chunks
from portal.consent.services.decisions import WORK_ROW, Outcome, answers_record
from portal.consent.services.locks import counters_lock
from portal.consent.services.tallies import writers_hold
from portal.licensing.models import Product, UseType

# (artist id, label id) before the move, and after.
Move = tuple[tuple[int, int], tuple[int, int]]

NOTES = {
    Side.ARTIST: "The recording is now credited to another artist: this answer was the "
    "previous artist's, so it no longer counts.",
    Side.RIGHTS_HOLDER: "The recording moved to another label: this answer was the previous "
    "label's, so it no longer counts.",
}


@transaction.atomic
def answers_of_moved_clear(*, moves: Mapping[int, Move]) -> Outcome:
    """Take back the answers of the parties that no longer hold these works (work id ->
    (artist, label) before and after): the artist side where the artist changed, the
    rights-holder side where the label changed. Each is a ledger entry by the portal with
    a note saying why, and every flip is announced. Call it after the works moved, in
    the transaction that moved them."""
    # Every writer held off in the one order they all take (labels, the ledger head, then
    # every product's counter): withdrawals lock all counters without the head.
    writers_hold(label_ids={label for was, now in moves.values() for label in (was[1], now[1])})
    head = head_lock()
    moved = {
        Side.ARTIST: [pk for pk, (was, now) in moves.items() if was[0] != now[0]],
        Side.RIGHTS_HOLDER: [pk for pk, (was, now) in moves.items() if was[1] != now[1]],
    }
    answered = {
        side: Decision.objects.filter(side=side, work_id__in=work_ids)
        for side, work_ids in moved.items()
        if work_ids
    }
    groups = {
        side: sorted(set(decisions.values_list("product_id", "use_type_id")))
        for side, decisions in answered.items()
    }
    product_ids = {product_id for found in groups.values() for product_id, _ in found}
    counters = counters_lock(product_ids)
    products = Product.objects.in_bulk(product_ids)
    use_types = UseType.objects.in_bulk({u for found in groups.values() for _, u in found})
    now = timezone.now()
    outcome = Outcome()
    for side, found in groups.items():
        for product_id, use_type_id in found:
            works = Work.objects.filter(
                pk__in=answered[side]
                .filter(product_id=product_id, use_type_id=use_type_id)
                .values("work_id")
            )
            for chunk in chunks(works.order_by("pk").values_list(*WORK_ROW).iterator(CHUNK)):
                outcome += answers_record(
                    head=head,
                    counter=counters[product_id],
                    actor=None,
                    product=products[product_id],
                    use_type=use_types[use_type_id],
                    side=side,
                    answer=NO_ANSWER,
                    expires_at=None,
                    note=NOTES[side],
                    works=chunk,
                    now=now,
                )
    return outcome
