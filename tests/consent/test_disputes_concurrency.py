"""A dispute racing the other party's yes, on PostgreSQL, each on its own connection:
whatever the interleaving, the work ends not permitted, every flip is in the change log in
order, and the ledger's one chain holds answers and dispute steps alike."""

import threading
import time

import pytest
from django.db import connection

from portal.catalogue.models import Work
from portal.consent import ledger
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    DisputeLedgerEntry,
    DisputeReason,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.rules import Reason
from portal.consent.services import dispute_close, dispute_raise
from portal.consent.services import disputes as disputes_services
from portal.licensing.models import Product
from tests.conftest import World, say
from tests.consent.test_concurrency import answer, assert_announced_matches_the_facts, together

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def raise_dispute(world: World, work: Work) -> None:
    dispute_raise(
        actor=world.artist_user,
        work=work,
        reason=DisputeReason.NOT_MY_RECORDING,
        note="Not ours.",
    )


def assert_the_log_and_the_chain_hold(product: Product) -> None:
    seqs = list(
        PermissionChange.objects.filter(product=product)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    assert seqs == list(range(1, len(seqs) + 1))
    links = LedgerEntry.objects.count() + DisputeLedgerEntry.objects.count()
    assert ledger.verify() == (links, None)
    assert_announced_matches_the_facts(product)


def assert_not_permitted_for_the_dispute(world: World, work: Work) -> None:
    announced = AnnouncedPermission.objects.filter(product=world.product, work=work).first()
    assert announced is None or (
        not announced.permitted and Reason.WORK_DISPUTED in announced.reasons
    )


def test_a_dispute_and_the_labels_yes_at_the_same_moment_end_not_permitted(
    world: World,
) -> None:
    for work in world.works:
        say(world, Side.ARTIST, Answer.GRANTED, work=work)
    for work in world.works:
        together(
            lambda work=work: raise_dispute(world, work),
            answer(world, Side.RIGHTS_HOLDER, work),
        )

    for work in world.works:
        work.refresh_from_db()
        assert work.disputed_at is not None
        assert_not_permitted_for_the_dispute(world, work)
    assert_the_log_and_the_chain_hold(world.product)


def test_a_yes_committing_while_the_dispute_reads_the_products_waits_and_reads_it_disputed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dispute reads which products have answers on the work, then announces for
    those. A product's first answers committing in between must not announce a yes the
    dispute then misses: they wait for it, and read the work disputed."""
    work = world.works[0]
    read = threading.Event()
    products_touching = disputes_services._products_touching

    def slow_products_touching(work: Work) -> list[Product]:
        found = products_touching(work)
        read.set()
        time.sleep(1.5)  # the answers below try to commit now
        return found

    monkeypatch.setattr(disputes_services, "_products_touching", slow_products_touching)

    def both_answer() -> None:
        assert read.wait(timeout=10)
        answer(world, Side.ARTIST, work)()
        answer(world, Side.RIGHTS_HOLDER, work)()

    together(lambda: raise_dispute(world, work), both_answer)

    assert_not_permitted_for_the_dispute(world, work)
    assert_the_log_and_the_chain_hold(world.product)
    # Resolved, the answers given meanwhile count: permitted, announced once more.
    dispute_close(actor=world.staff, dispute=work.disputes.get(), upheld=False)
    assert AnnouncedPermission.objects.get(product=world.product, work=work).permitted
    assert_the_log_and_the_chain_hold(world.product)
