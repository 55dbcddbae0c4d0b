"""Bulk answers too large for a request: recorded, then applied by a worker in one go.

Up to `INLINE_LIMIT` works the product page answers in its own request, through
`decisions_set`. Above it, `bulk_answer_start` records a `BulkAnswer` and queues it once
that has committed; the worker's `bulk_answer_run` answers, through the same
`decisions_set`, in ONE transaction: every decision, ledger entry and permission change
of the job commits together, or none does. The job's row is written outside that
transaction, so the page can say it is running and, at the end, how it went.
"""

import logging
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent.access import Party, party_for, product_for
from portal.consent.conditions import Conditions, conditions_json, conditions_of
from portal.consent.models import BulkAnswer
from portal.consent.selectors.filtering import WorkFilter
from portal.consent.selectors.product_page import bulk_works
from portal.consent.services.batches import bulk_batch
from portal.consent.services.common import ConsentError
from portal.consent.services.decisions import decisions_set
from portal.licensing.models import Product, UseType

log = logging.getLogger(__name__)

# Works a request answers itself; more go to a worker. A request answering 20,000 works
# takes a few seconds; a million would outlast any proxy's patience.
INLINE_LIMIT = 20_000
# How long a job may wait or run before its message is sent again, in case it was lost.
RESUME_AFTER = timedelta(minutes=5)


def bulk_scope(*, f: WorkFilter, selected: list[int] | None, other_granted: bool) -> dict[str, Any]:
    """What a job stores of its scope, to find the same works when it runs."""
    return {"filter": asdict(f), "selected": selected, "other_granted": other_granted}


@transaction.atomic
def bulk_answer_start(
    *,
    actor: User,
    party: Party,
    product: Product,
    use_type: UseType,
    answer: str,
    scope: dict[str, Any],
    expected: int,
    token: str,
    conditions: Conditions = (),
    later_versions: bool = False,
) -> BulkAnswer:
    """Record a bulk answer for a worker and queue it once committed.

    Idempotent by `token` (the preview's): the same confirmation sent twice finds the job
    the first made. Refused (`ConsentError`) while another bulk answer for the product is
    waiting or running: its answers would queue behind the same locks anyway, and two at
    once would make the page's progress say nothing useful.
    """
    existing = BulkAnswer.objects.filter(token=token).first()
    if existing is not None:
        if existing.requested_by_id != actor.pk or existing.product_id != product.pk:
            raise ConsentError("That confirmation is not yours to send again.")
        return existing
    try:
        with transaction.atomic():
            job = BulkAnswer.objects.create(
                product=product,
                use_type=use_type,
                party_kind=party.plural,
                party_id=party.pk,
                side=party.side,
                answer=answer,
                conditions=conditions_json(conditions),
                later_versions=later_versions,
                scope=scope,
                requested_by=actor,
                token=token,
                expected=expected,
                created_at=timezone.now(),
            )
    except IntegrityError as exc:
        raise ConsentError(
            f"Another answer for many works of {product.name} is still being applied. "
            "Wait for it to finish, then try again."
        ) from exc
    transaction.on_commit(lambda: _queue(job.pk), robust=True)
    return job


def _queue(job_id: int) -> None:
    # Imported here: tasks depend on services, not the other way round.
    from portal.consent.tasks import bulk_answer_apply

    bulk_answer_apply.delay(job_id)


def bulk_answers_unfinished_queue(*, older_than: timedelta = RESUME_AFTER) -> int:
    """Queue again every bulk answer waiting or running for longer than `older_than`:
    the record of truth is the job's row, so a message Redis lost delays a job by
    minutes, never loses it. Returns how many were queued."""
    since = timezone.now() - older_than
    jobs = list(
        BulkAnswer.objects.filter(status__in=BulkAnswer.ACTIVE, created_at__lte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in jobs:
        _queue(job_id)
    return len(jobs)


def bulk_answer_run(*, job_id: int) -> BulkAnswer | None:
    """Apply a recorded bulk answer, all of it or none of it. Returns the job, finished;
    None when there is no such job or it had already finished (a message delivered twice).

    The party, product and use are found again as the requester may reach them now: a
    manager who lost the label, or a delegation revoked meanwhile, fails the job and
    changes nothing. A worker that dies mid-way leaves the job running and nothing
    written; the task is delivered again and starts over.
    """
    with transaction.atomic():
        job = (
            BulkAnswer.objects.select_for_update()
            .select_related("requested_by", "product", "use_type")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.finished:
            return None
        job.status = BulkAnswer.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        outcome = _apply(job)
    except ConsentError as exc:
        return _finish(job, error=f"{exc} Nothing was changed.")
    except Exception:
        log.exception("bulk answer %s failed", job.pk)
        _finish(job, error="Something went wrong while applying it. Nothing was changed.")
        raise
    job.changed, job.unchanged, job.flipped = outcome
    return _finish(job)


def _apply(job: BulkAnswer) -> tuple[int, int, int]:
    try:
        party = party_for(job.requested_by, job.party_kind, job.party_id)
        product = product_for(party, job.product.slug)
    except Http404 as exc:
        raise ConsentError("You can no longer answer for this catalogue.") from exc
    use_types = party.use_types_on(product)
    if job.use_type_id not in {u.pk for u in use_types}:
        raise ConsentError(f"You can no longer answer {job.use_type.name.lower()}.")
    now = timezone.now()
    scope = job.scope
    works = bulk_works(
        works=party.works(),
        product=product,
        side=party.side,
        use_type_ids=[u.pk for u in use_types],
        f=WorkFilter(**scope["filter"]),
        selected=scope.get("selected"),
        other_granted_for=job.use_type if scope.get("other_granted") else None,
        now=now,
    )
    outcome = decisions_set(
        actor=job.requested_by,
        product=product,
        use_type=job.use_type,
        side=party.side,
        answer=job.answer,
        # By id: the entitlement check reads the works again, without the filter's joins.
        works=Work.objects.filter(pk__in=works.values("pk")),
        delegation=party.delegation,
        conditions=conditions_of(job.conditions),
        later_versions=job.later_versions,
        batch=bulk_batch(party=party, product=product, use_type=job.use_type, answer=job.answer),
    )
    return outcome.changed, outcome.unchanged, outcome.flipped


def _finish(job: BulkAnswer, *, error: str = "") -> BulkAnswer:
    job.status = BulkAnswer.Status.FAILED if error else BulkAnswer.Status.DONE
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "changed", "unchanged", "flipped"])
    return job
