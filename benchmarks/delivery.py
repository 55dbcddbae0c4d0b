"""Webhook delivery, end to end: one Celery worker, Redis, PostgreSQL and a receiver.

The receiver is `portal.delivery.receiver.Receiver` (what `manage.py demo_receiver`
serves) in a thread of this process, verifying every request's signature; the worker is
`celery -A config worker --beat --concurrency 1` in a process of its own, consuming this
run's webhook queue and `celery`, with production's delivery timings (benchmarks.settings).

- Propagation: a revocation (the artist's "no" after a "yes", on a work the label has
  granted) commits; how long until the receiver has the change, p50 and p99 over 50
  revocations, each on an idle system. Aim: p50 under 200 ms, p99 under 1 s.
- Throughput: the label approves its whole roster at once (100,000 works, every one
  granted by its artist), which records 100,000 permission changes in one commit; how
  long until the receiver has acknowledged the last, and so changes per second.

Both time from the commit itself (an on_commit hook registered before the service's own)
to the receiver's verified receipt, on one clock (this process's). Needs PostgreSQL and
Redis; without them the section says it was skipped and why.

Alone: `python -m benchmarks.delivery` (BENCH_SCALE as for `benchmarks.api`).
"""

import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.api import BIN, server_environment, server_skip_reason, start, stop, tail
from benchmarks.measure import duration, ms, once

REVOCATIONS = 50
WARM_UP = 3
# Bounds on every wait, so a broken pipeline costs minutes, not the night.
CATCH_UP_TIMEOUT = 180.0
CHANGE_TIMEOUT = 10.0
THROUGHPUT_TIMEOUT = 300.0
MAX_MISSES = 3


# ------------------------------------------------------------------------------
# The receiver: what arrived, when
# ------------------------------------------------------------------------------
class Arrivals:
    """A `Receiver` answering 200 to every verified request and noting, per seq, when it
    arrived (after the signature verified). Bodies are not kept: 100 batches of 1,000
    changes with their receipts would hold hundreds of MiB."""

    def __init__(self) -> None:
        from portal.delivery.receiver import Receiver

        self.at: dict[int, float] = {}
        self.highest = 0
        self.rejected = 0
        self.requests = 0
        # Seqs that arrived again (a retry after a lost answer, a sweep racing a send).
        self.repeats = 0
        self.changed = threading.Condition()
        self.receiver = Receiver(secret=None, reply=self._reply)

    def use_secret(self, secret: str) -> None:
        from standardwebhooks.webhooks import Webhook

        self.receiver.webhook = Webhook(secret)

    def _reply(self, received: Any) -> Any:
        from portal.delivery.receiver import standard_reply

        now = time.monotonic()
        seqs = received.seqs if received.verified else []
        with self.receiver.lock:
            self.receiver.received.clear()
        with self.changed:
            self.requests += 1
            self.rejected += 0 if received.verified else 1
            for seq in seqs:
                self.repeats += seq in self.at
                self.at.setdefault(seq, now)
            self.highest = max(self.highest, *seqs) if seqs else self.highest
            self.changed.notify_all()
        reply = standard_reply(received)
        received.payload, received.raw = None, ""
        return reply

    def wait_for(self, seq: int, timeout: float) -> float | None:
        """When `seq` arrived (monotonic), waiting up to `timeout`; None if it did not."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while seq not in self.at:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(min(left, 0.5))
            return self.at[seq]


@contextmanager
def receiving() -> Iterator[Arrivals]:
    arrivals = Arrivals()
    arrivals.receiver.start()
    try:
        yield arrivals
    finally:
        arrivals.receiver.stop()


@contextmanager
def celery_worker(workdir: Path) -> Iterator[None]:
    """One worker, concurrency 1, beat inside it, on this run's queue and `celery`."""
    from django.conf import settings

    log = workdir / "worker.log"
    queue = settings.WEBHOOK_QUEUE
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--beat",
        "--schedule",
        str(workdir / "beat-schedule"),
        "--queues",
        f"{queue},celery",
        "--concurrency",
        "1",
        "--hostname",
        f"bench-delivery-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    proc = start(command, log, server_environment())
    try:

        def ready() -> bool:
            return proc.poll() is not None or " ready." in tail(log, 100_000)

        if not _wait(ready, 60) or proc.poll() is not None:
            raise RuntimeError(f"the Celery worker did not start:\n{tail(log)}")
        yield
    finally:
        stop(proc)
        _drop_queue(queue)


def _wait(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def _drop_queue(queue: str) -> None:
    try:
        import redis

        redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"_kombu.binding.{queue}")
    except Exception as exc:
        print(f"  could not remove the queue {queue}: {exc}", file=sys.stderr)


# ------------------------------------------------------------------------------
# Committing, with the commit's own time
# ------------------------------------------------------------------------------
def committed(write: Callable[[], Any], product_id: int) -> tuple[Any, float, int, int]:
    """Run `write` in a transaction whose first on_commit hook notes the time, so the
    clock starts at the commit, before the service's own hooks publish anything.
    Returns what `write` returned, the commit time, and the product's seqs before/after."""
    from django.db import transaction

    from portal.consent.models import ChangeCounter

    def last() -> int:
        return int(
            ChangeCounter.objects.filter(product_id=product_id)
            .values_list("last", flat=True)
            .first()
            or 0
        )

    at: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: at.append(time.monotonic()))
        before = last()
        result = write()
        after = last()
    return result, at[0], before, after


def latest_seq(product_id: int) -> int:
    from portal.consent.models import ChangeCounter

    return int(
        ChangeCounter.objects.filter(product_id=product_id).values_list("last", flat=True).first()
        or 0
    )


def endpoint_idle(endpoint_id: int, seq: int) -> bool:
    """The worker has recorded `seq` as acknowledged and let go of the endpoint."""
    from portal.delivery.models import Endpoint

    return Endpoint.objects.filter(
        pk=endpoint_id, delivered_seq__gte=seq, lease_until__isnull=True
    ).exists()


# ------------------------------------------------------------------------------
# The stage
# ------------------------------------------------------------------------------
@dataclass
class DeliveryFigures:
    skipped: str = ""
    worker: str = ""
    catch_up: tuple[int, float] | None = None
    revocations: list[float] = field(default_factory=list)
    grants: list[float] = field(default_factory=list)
    misses: int = 0
    setup: list[Any] = field(default_factory=list)
    bulk: tuple[int, float, float, float] | None = None  # changes, write, first, last
    rejected: int = 0


def propagation(figures: DeliveryFigures, demo: Any, arrivals: Arrivals, endpoint_id: int) -> None:
    from portal.consent.models import Answer, Decision, Side
    from portal.consent.services import decision_set

    product_id = demo.product.pk
    work = demo.artist.works.order_by("pk").first()
    # The label's side granted (a no-op if it is), so the artist's answer flips the permission.
    decision_set(
        actor=demo.manager,
        product=demo.product,
        work=work,
        use_type=demo.use_type,
        side=Side.RIGHTS_HOLDER,
        answer=Answer.GRANTED,
    )

    def say(answer: str) -> float | None:
        def write() -> Any:
            return decision_set(
                actor=demo.artist_user,
                product=demo.product,
                work=work,
                use_type=demo.use_type,
                side=Side.ARTIST,
                answer=answer,
            )

        # Start from an idle system: the last change acknowledged, the worker let go.
        _wait(lambda: endpoint_idle(endpoint_id, latest_seq(product_id)), CHANGE_TIMEOUT, 0.005)
        outcome, at, _, seq = committed(write, product_id)
        if outcome.flipped != 1:
            raise RuntimeError(f"{answer} flipped {outcome.flipped} permissions, not 1")
        arrived = arrivals.wait_for(seq, CHANGE_TIMEOUT)
        return None if arrived is None else arrived - at

    # Whatever the artist said last, start each round from "yes".
    current = (
        Decision.objects.filter(
            product=demo.product, work=work, use_type=demo.use_type, side=Side.ARTIST
        )
        .values_list("answer", flat=True)
        .first()
    )
    if current == Answer.GRANTED:
        say(Answer.DENIED)
    for i in range(WARM_UP + REVOCATIONS):
        granted = say(Answer.GRANTED)
        revoked = say(Answer.DENIED)
        if granted is None or revoked is None:
            figures.misses += 1
            if figures.misses >= MAX_MISSES:
                raise RuntimeError(f"{figures.misses} changes did not arrive in {CHANGE_TIMEOUT} s")
            continue
        if i >= WARM_UP:
            figures.grants.append(granted)
            figures.revocations.append(revoked)


def throughput(figures: DeliveryFigures, demo: Any, arrivals: Arrivals, endpoint_id: int) -> None:
    """The label's bulk approval of its whole roster, after every artist said yes."""
    from portal.accounts.models import User
    from portal.catalogue.models import Artist
    from portal.consent.models import Answer, Side
    from portal.consent.services import decisions_set

    product_id = demo.product.pk
    works = demo.label.works.all()
    count = works.count()

    def decide(actor: Any, side: str, answer: str, scope: Any) -> Callable[[], str]:
        def run() -> str:
            outcome = decisions_set(
                actor=actor,
                product=demo.product,
                use_type=demo.use_type,
                side=side,
                answer=answer,
                works=scope,
            )
            return f"{outcome.changed:,} changed, {outcome.flipped:,} flipped"

        return run

    # Set-up, not measured: the label's side to "no" and every artist's to "yes", so the
    # approval flips every work. Each artist answers for their own works.
    figures.setup.append(
        once(
            "set-up: label side no, whole roster",
            count,
            decide(demo.manager, Side.RIGHTS_HOLDER, Answer.DENIED, works),
        )
    )
    for artist in Artist.objects.filter(works__label=demo.label).distinct().order_by("pk"):
        actor = User.objects.filter(artistmembership__artist=artist).order_by("pk").first()
        mine = works.filter(primary_artist=artist)
        figures.setup.append(
            once(
                f"set-up: {artist.name} says yes to all their works",
                mine.count(),
                decide(actor, Side.ARTIST, Answer.GRANTED, mine),
            )
        )
    backlog = latest_seq(product_id)
    if not _wait(lambda: endpoint_idle(endpoint_id, backlog), CATCH_UP_TIMEOUT):
        raise RuntimeError(f"delivery did not catch up with seq {backlog} before the approval")

    begin = time.monotonic()
    _, at, before, after = committed(
        decide(demo.manager, Side.RIGHTS_HOLDER, Answer.GRANTED, works), product_id
    )
    written = at - begin
    changes = after - before
    if changes <= 0:
        raise RuntimeError("the bulk approval recorded no permission changes")
    last = arrivals.wait_for(after, THROUGHPUT_TIMEOUT)
    if last is None:
        raise RuntimeError(
            f"{arrivals.highest - before:,} of {changes:,} changes arrived "
            f"in {THROUGHPUT_TIMEOUT:.0f} s"
        )
    first = arrivals.at[before + 1]
    missing = [seq for seq in range(before + 1, after + 1) if seq not in arrivals.at]
    if missing:
        raise RuntimeError(f"{len(missing):,} changes never arrived, first {missing[0]}")
    figures.bulk = (changes, written, first - at, last - at)


def measure(report: Any, demo: Any) -> None:
    from portal.delivery.services.endpoints import endpoint_create

    figures = DeliveryFigures(skipped=server_skip_reason() or "")
    if figures.skipped:
        report.sections.append(section(figures))
        return
    figures.worker = (
        "1 Celery worker (prefork, --concurrency 1, beat inside: sweep every 10 s), "
        "production delivery timings; receiver in a thread here, verifying signatures"
    )
    try:
        with (
            tempfile.TemporaryDirectory(prefix="consent-bench-worker-") as workdir,
            receiving() as arrivals,
        ):
            endpoint, secret = endpoint_create(product=demo.product, url=arrivals.receiver.url)
            arrivals.use_secret(secret)
            existing = latest_seq(demo.product.pk)
            begin = time.monotonic()
            with celery_worker(Path(workdir)):
                # Every change the product already had goes out first, from seq 1.
                if existing:
                    arrived = arrivals.wait_for(existing, CATCH_UP_TIMEOUT)
                    if arrived is None:
                        raise RuntimeError(f"the first {existing:,} changes did not arrive")
                    figures.catch_up = (existing, arrived - begin)
                report.attempt(
                    "delivery propagation",
                    lambda: propagation(figures, demo, arrivals, endpoint.pk),
                )
                report.attempt(
                    "delivery throughput",
                    lambda: throughput(figures, demo, arrivals, endpoint.pk),
                )
            figures.rejected = arrivals.rejected
    finally:
        report.sections.append(section(figures))


# ------------------------------------------------------------------------------
# The printed section
# ------------------------------------------------------------------------------
def _percentile(values: list[float], p: float) -> float:
    """Nearest rank, as `Series.p95`: of 50 samples, p99 is the largest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _aim(met: bool) -> str:
    return "met" if met else "MISSED"


def section(figures: DeliveryFigures) -> str:
    lines = ["", "Webhook delivery (tunesmith's endpoint)"]
    if figures.skipped:
        lines.append(f"  skipped: {figures.skipped}.")
        return "\n".join(lines)
    lines.append(f"  set-up     {figures.worker}")
    if figures.catch_up:
        existing, seconds = figures.catch_up
        lines.append(
            f"  catch-up   the product's {existing:,} earlier changes, from seq 1, delivered "
            f"{duration(seconds)} after the worker was started (its start-up included)"
        )
    for name, values in (
        ("revocation", figures.revocations),
        ("grant", figures.grants),
    ):
        if not values:
            continue
        lines.append(
            f"  {name:<10} commit -> receiver: n {len(values)}, p50 "
            f"{ms(statistics.median(values))}, p99 {ms(_percentile(values, 0.99))}, "
            f"max {ms(max(values))}"
        )
    if figures.revocations:
        p50 = statistics.median(figures.revocations)
        p99 = _percentile(figures.revocations, 0.99)
        lines.append(
            f"  revocation p50 {ms(p50)} ({_aim(p50 < 0.2)}: under 200 ms), "
            f"p99 {ms(p99)} ({_aim(p99 < 1.0)}: under 1 s)"
        )
    if figures.misses:
        lines.append(f"  {figures.misses} change(s) did not arrive within {CHANGE_TIMEOUT:.0f} s")
    for wall in figures.setup:
        lines.append(f"  {wall.name}: {duration(wall.seconds)} ({wall.note})")
    if figures.bulk:
        changes, written, first, last = figures.bulk
        lines.append(
            f"  bulk approval, whole roster: {changes:,} changes committed in one "
            f"transaction ({duration(written)} to write)"
        )
        lines.append(
            f"  throughput commit -> last acknowledged: {duration(last)} "
            f"= {changes / last:,.0f} changes/s delivered (first batch after {ms(first)})"
        )
    if figures.rejected:
        lines.append(f"  {figures.rejected} request(s) the receiver could not verify")
    return "\n".join(lines)


if __name__ == "__main__":
    from benchmarks.api import standalone

    sys.exit(standalone(measure))
