"""Real concurrency on PostgreSQL: writers on their own connections, started together.

What must hold whatever the interleaving: no write skew between the two sides, no lost
decision, one unbroken ledger chain, gapless per-product sequences, no deadlock, and
announced permissions that match the facts.
"""

import threading
import time
from collections import defaultdict
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent import ledger
from portal.consent.facts import verdicts_for
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Cause,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.services import (
    decision_set,
    decisions_set,
    grants_withdraw_all,
    permissions_refresh,
    product_set_status,
    works_withdraw,
)
from portal.consent.services import works as works_services
from portal.licensing.models import Product
from tests import factories as f
from tests.conftest import World

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

FIRST_ISRC = 70000


def together(*jobs: Callable[[], object]) -> None:
    """Run each job on its own thread (so its own connection), all released at once."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            job()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # this thread's connection; the test's own stays open

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    assert errors == []


def many_works(world: World, n: int, start: int = FIRST_ISRC) -> list[Work]:
    works = f.bulk_works(label=world.label, n=n, start=start)
    # Ada's user is on the new artist's team too, so answers the artist side for it.
    f.ArtistMembershipFactory(artist=works[0].primary_artist, user=world.artist_user)
    return works


def second_product(world: World) -> Product:
    product = f.ProductFactory(slug="stemify", name="Stemify")
    f.ProductUseFactory(product=product, use_type=world.training)
    f.LicenceFactory(licensee=product.licensee, label=world.label, use_types=[world.training])
    return product


def answer(
    world: World,
    side: str,
    work: Work,
    *,
    product: Product | None = None,
    granted: bool = True,
) -> Callable[[], object]:
    return lambda: decision_set(
        actor=world.artist_user if side == Side.ARTIST else world.manager,
        product=product or Product.objects.get(pk=world.product.pk),
        work=work,
        use_type=world.training,
        side=side,
        answer=Answer.GRANTED if granted else Answer.DENIED,
    )


def assert_chain_and_sequences_hold() -> None:
    entries = LedgerEntry.objects.count()
    assert ledger.verify() == (entries, None)
    assert list(LedgerEntry.objects.values_list("position", flat=True)) == list(
        range(1, entries + 1)
    )
    by_product: dict[int, list[int]] = defaultdict(list)
    for product_id, seq in PermissionChange.objects.order_by("product", "seq").values_list(
        "product_id", "seq"
    ):
        by_product[product_id].append(seq)
    for seqs in by_product.values():
        assert seqs == list(range(1, len(seqs) + 1))


def assert_announced_matches_the_facts(product: Product) -> None:
    """Every pair's row equals a fresh evaluation, and its changes alternate up to it."""
    product.refresh_from_db()
    pairs = set(
        Decision.objects.filter(product=product).values_list(
            "work_id", "work__label_id", "use_type_id"
        )
    )
    use_ids = sorted({u for _, _, u in pairs})
    works = sorted({(w, lb) for w, lb, _ in pairs})
    verdicts = verdicts_for(product=product, works=works, use_type_ids=use_ids, now=timezone.now())
    rows = {
        (p.work_id, p.use_type_id): p.permitted
        for p in AnnouncedPermission.objects.filter(product=product)
    }
    changes: dict[tuple[int, int], list[bool]] = defaultdict(list)
    for work_id, use_id, permitted in (
        PermissionChange.objects.filter(product=product)
        .order_by("seq")
        .values_list("work_id", "use_type_id", "permitted")
    ):
        changes[(work_id, use_id)].append(permitted)
    for key, verdict in verdicts.items():
        assert rows.get(key, False) is verdict.permitted, key
        history = changes.get(key, [])
        assert history == [i % 2 == 0 for i in range(len(history))], key  # True, False, ...
        assert (history[-1] if history else False) is verdict.permitted, key


def test_both_sides_granting_at_the_same_moment_permit_once(world: World) -> None:
    works = [*world.works, *many_works(world, 5)]
    for work in works:
        together(answer(world, Side.ARTIST, work), answer(world, Side.RIGHTS_HOLDER, work))

    for work in works:
        assert AnnouncedPermission.objects.get(work=work).permitted is True
        assert PermissionChange.objects.filter(work=work).count() == 1
    assert_chain_and_sequences_hold()


def test_both_sides_refusing_at_the_same_moment_leave_it_not_permitted(world: World) -> None:
    works = many_works(world, 5)
    for work in works:
        decision_set(
            actor=world.artist_user,
            product=world.product,
            work=work,
            use_type=world.training,
            side=Side.ARTIST,
            answer=Answer.GRANTED,
        )
    for work in works:
        together(
            answer(world, Side.ARTIST, work, granted=False),
            answer(world, Side.RIGHTS_HOLDER, work),
        )

    assert not AnnouncedPermission.objects.filter(permitted=True).exists()
    assert Decision.objects.filter(side=Side.ARTIST, answer=Answer.DENIED).count() == 5
    assert_announced_matches_the_facts(world.product)


def test_eight_writers_keep_one_chain_and_gapless_sequences(world: World) -> None:
    stemify = second_product(world)
    works = many_works(world, 80)

    def writer(index: int) -> Callable[[], None]:
        product = world.product if index % 2 else stemify

        def run() -> None:
            for work in works[index * 10 : (index + 1) * 10]:
                answer(world, Side.ARTIST, work, product=product)()
                answer(world, Side.RIGHTS_HOLDER, work, product=product)()

        return run

    together(*(writer(i) for i in range(8)))

    assert ledger.verify() == (160, None)
    assert_chain_and_sequences_hold()
    for product in (world.product, stemify):
        assert list(
            PermissionChange.objects.filter(product=product)
            .order_by("seq")
            .values_list("seq", flat=True)
        ) == list(range(1, 41))
        assert AnnouncedPermission.objects.filter(product=product, permitted=True).count() == 40


def test_a_bulk_answer_and_single_answers_on_the_same_works_lose_nothing(
    world: World,
) -> None:
    works = many_works(world, 30)
    ids = [w.pk for w in works]

    def bulk() -> None:
        decisions_set(
            actor=world.manager,
            product=Product.objects.get(pk=world.product.pk),
            use_type=world.training,
            side=Side.RIGHTS_HOLDER,
            answer=Answer.GRANTED,
            works=Work.objects.filter(pk__in=ids),
        )

    def singles(part: list[Work]) -> Callable[[], None]:
        def run() -> None:
            for work in part:
                answer(world, Side.ARTIST, work)()

        return run

    together(bulk, singles(works[:10]), singles(works[10:20]), singles(works[20:]))

    assert Decision.objects.filter(answer=Answer.GRANTED).count() == 60
    assert LedgerEntry.objects.count() == 60
    assert AnnouncedPermission.objects.filter(permitted=True).count() == 30
    assert PermissionChange.objects.filter(permitted=True).count() == 30
    assert_chain_and_sequences_hold()
    assert_announced_matches_the_facts(world.product)


def test_a_suspension_racing_grants_never_leaves_a_suspended_product_permitted(
    world: World,
) -> None:
    works = many_works(world, 12)
    for work in works:
        decision_set(
            actor=world.manager,
            product=world.product,
            work=work,
            use_type=world.training,
            side=Side.RIGHTS_HOLDER,
            answer=Answer.GRANTED,
        )
    # Instances loaded before the suspension, as a view would hold them.
    stale = Product.objects.get(pk=world.product.pk)

    def grants(part: list[Work]) -> Callable[[], None]:
        def run() -> None:
            for work in part:
                answer(world, Side.ARTIST, work, product=stale)()

        return run

    def suspend() -> None:
        product_set_status(
            product=Product.objects.get(pk=world.product.pk), status=Product.Status.SUSPENDED
        )

    together(grants(works[:6]), grants(works[6:]), suspend)

    assert not AnnouncedPermission.objects.filter(permitted=True).exists()
    assert_chain_and_sequences_hold()
    assert_announced_matches_the_facts(world.product)


def test_every_kind_of_writer_at_once_neither_deadlocks_nor_drifts(world: World) -> None:
    stemify = second_product(world)
    works = many_works(world, 24)
    for work in works[:12]:
        for product in (world.product, stemify):
            decision_set(
                actor=world.artist_user,
                product=product,
                work=work,
                use_type=world.training,
                side=Side.ARTIST,
                answer=Answer.GRANTED,
            )
    artist = works[0].primary_artist

    def label_bulk(product: Product, qs: QuerySet[Work]) -> Callable[[], None]:
        def run() -> None:
            decisions_set(
                actor=world.manager,
                product=Product.objects.get(pk=product.pk),
                use_type=world.training,
                side=Side.RIGHTS_HOLDER,
                answer=Answer.GRANTED,
                works=qs,
            )

        return run

    def artist_singles(product: Product) -> Callable[[], None]:
        def run() -> None:
            for work in works[12:]:
                answer(world, Side.ARTIST, work, product=product)()

        return run

    def stop_everything() -> None:
        grants_withdraw_all(actor=world.artist_user, artist=artist)

    def flap() -> None:
        for status in (Product.Status.SUSPENDED, Product.Status.ACTIVE):
            product_set_status(product=Product.objects.get(pk=stemify.pk), status=status)

    def refresh() -> None:
        permissions_refresh(product=Product.objects.get(pk=world.product.pk), cause=Cause.EXPIRY)

    everything = Work.objects.filter(pk__in=[w.pk for w in works])
    together(
        label_bulk(world.product, everything),
        label_bulk(stemify, everything),
        artist_singles(world.product),
        artist_singles(stemify),
        stop_everything,
        flap,
        refresh,
    )

    assert Decision.objects.filter(side=Side.RIGHTS_HOLDER, answer=Answer.GRANTED).count() == 48
    assert_chain_and_sequences_hold()
    for product in (world.product, stemify):
        assert_announced_matches_the_facts(product)


def test_a_withdrawal_racing_a_products_first_answers_never_leaves_the_work_permitted(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The withdrawal reads which products have answers on the work, then announces for
    those. Both first answers of a product committing in between must not announce a yes
    the withdrawal then misses: they wait for it, and read the work withdrawn."""
    work = world.works[0]
    read = threading.Event()
    products_touching = works_services._products_touching

    def slow_products_touching(work_ids: list[int]) -> list[Product]:
        found = products_touching(work_ids)
        read.set()
        time.sleep(1.5)  # the answers below try to commit now
        return found

    monkeypatch.setattr(works_services, "_products_touching", slow_products_touching)

    def both_answer() -> None:
        assert read.wait(timeout=10)
        answer(world, Side.ARTIST, work)()
        answer(world, Side.RIGHTS_HOLDER, work)()

    together(lambda: works_withdraw(work_ids=[work.pk]), both_answer)

    work.refresh_from_db()
    assert work.withdrawn_at is not None
    announced = AnnouncedPermission.objects.filter(product=world.product, work=work).first()
    assert announced is None or not announced.permitted
    assert_announced_matches_the_facts(world.product)
    assert_chain_and_sequences_hold()
