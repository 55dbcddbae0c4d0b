"""Disputes of a work: an admin of its artist's team or a manager of its label says the
recording is wrong (not theirs, wrong artist, label or credits), and staff resolve it.

While a dispute is open every use of the work is not permitted (`work_disputed`). Each
step is one transaction, as an answer is: the ledger head, then every product's change
counter (in id order, as a withdrawal takes them: a product's first answers committing
meanwhile either come first and are judged here, or wait and read the work disputed),
then the actor's rows that entitle them. The dispute, `Work.disputed_at`, its ledger
entry, the permission changes (cause `dispute`) and the notifications commit together;
deliveries and emails leave after commit.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import ArtistMembership, LabelManager, Work
from portal.consent.ledger.append import dispute_entry_append, head_lock
from portal.consent.models import (
    AnnouncedPermission,
    Cause,
    Decision,
    Dispute,
    DisputeEvent,
    DisputeReason,
    LedgerHead,
    Side,
)
from portal.consent.models.disputes import NOTE_MAX
from portal.consent.services.announce import permissions_refresh
from portal.consent.services.common import ConsentError
from portal.consent.services.entitlement import actor_hold, entitling_rows
from portal.consent.services.locks import counters_lock
from portal.licensing.models import Product
from portal.notifications.models import Notification
from portal.notifications.services import notify
from portal.text import code_point, control_in
from portal.words import day_words

PLATFORM = "the platform"


@dataclass(frozen=True)
class DisputeOutcome:
    dispute: Dispute
    # Effective permissions that flipped, over every product.
    flipped: int


def note_problem(note: str) -> str | None:
    """What is wrong with a dispute's note, in words, or None: it says what is wrong with
    the recording, in at most `NOTE_MAX` characters, and may hold line breaks but no
    control characters."""
    if not note.strip():
        return "Say what is wrong with the recording, so staff can check it."
    if len(note) > NOTE_MAX:
        return f"Keep the note to {NOTE_MAX:,} characters (it has {len(note):,})."
    if (char := control_in(note, multiline=True)) is not None:
        return f"The note holds a control character ({code_point(char)})."
    return None


def _products_touching(work: Work) -> list[Product]:
    """Products with an answer or an announced permission on the work: the only ones
    whose permissions can flip. Read with every counter held."""
    return list(
        Product.objects.filter(
            Q(pk__in=Decision.objects.filter(work=work).values("product_id"))
            | Q(pk__in=AnnouncedPermission.objects.filter(work=work).values("product_id"))
        ).order_by("pk")
    )


def _locks() -> LedgerHead:
    head = head_lock()
    counters_lock(Product.objects.values_list("pk", flat=True))
    return head


def _announce(work: Work) -> int:
    works = Work.objects.filter(pk=work.pk)
    return sum(
        permissions_refresh(product=product, cause=Cause.DISPUTE, works=works)
        for product in _products_touching(work)
    )


def _raising_side(*, actor: User, work: Work) -> tuple[str, str]:
    """The side the actor raises it for, and its name: as an admin of the artist's team,
    else as a manager of the label. Locked (`entitling_rows`) until the dispute commits."""
    actor_hold(actor)
    if entitling_rows(
        ArtistMembership.objects.filter(
            artist_id=work.primary_artist_id, user=actor, role=ArtistMembership.Role.ADMIN
        ),
        "artist_id",
    ):
        return Side.ARTIST, work.primary_artist.name
    if entitling_rows(LabelManager.objects.filter(label_id=work.label_id, user=actor), "label_id"):
        return Side.RIGHTS_HOLDER, work.label.name
    raise ConsentError(
        f"Only the admins of {work.primary_artist.name}'s team and the managers of "
        f"{work.label.name} can dispute this recording."
    )


def parties_of(work: Work) -> QuerySet[User]:
    """Who speaks for the work: its artist's team, every role, and its label's managers."""
    return User.objects.filter(
        Q(artistmembership__artist_id=work.primary_artist_id)
        | Q(labelmanager__label_id=work.label_id),
        is_active=True,
    ).distinct()


def _history_url(work: Work) -> str:
    return reverse("work_history", args=[work.pk])


def _content(
    *, dispute: Dispute, event: str, actor: User, acting_for: str, at: datetime, note: str
) -> dict[str, object]:
    return {
        "at": at,
        "actor_id": actor.pk,
        "actor_name": actor.display_name,
        "acting_for": acting_for,
        "event": event,
        "dispute_id": dispute.pk,
        "work_id": dispute.work_id,
        "reason": dispute.reason,
        "note": note,
    }


@transaction.atomic
def dispute_raise(*, actor: User, work: Work, reason: str, note: str) -> DisputeOutcome:
    """Dispute the work: every use of it becomes not permitted (`work_disputed`) until
    staff close the dispute, and every flip is announced (cause `dispute`).

    `actor` must be an admin of the work's artist's team or a manager of its label
    (checked and locked under the ledger head); `reason` a `DisputeReason`; `note` says
    what is wrong (`note_problem`). A work has at most one open dispute: a second is
    refused. Recorded in the ledger; the artist's team, the label's managers and staff
    are notified, each once. Raises `ConsentError`, having written nothing.
    """
    if reason not in DisputeReason.values:
        raise ConsentError("Choose what is wrong with the recording.")
    note = note.strip()
    if (problem := note_problem(note)) is not None:
        raise ConsentError(problem)
    head = _locks()
    work = Work.objects.select_related("primary_artist", "label").get(pk=work.pk)
    side, acting_for = _raising_side(actor=actor, work=work)
    already = Dispute.objects.filter(work=work, status=Dispute.Status.OPEN).first()
    if already is not None:
        raise ConsentError(
            f"This recording is under dispute already, since {day_words(already.raised_at)}: "
            "staff will resolve that one first."
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                work=work, reason=reason, note=note, side=side, raised_by=actor, raised_at=now
            )
    except IntegrityError as exc:  # only a path that skipped the head could race here
        raise ConsentError("This recording is under dispute already.") from exc
    Work.objects.filter(pk=work.pk).update(disputed_at=now)
    dispute_entry_append(
        head=head,
        content=_content(
            dispute=dispute,
            event=DisputeEvent.RAISED,
            actor=actor,
            acting_for=acting_for,
            at=now,
            note=note,
        ),
    )
    flipped = _announce(work)
    words = DisputeReason(reason).label.lower()
    notify(
        users=[*parties_of(work), *User.objects.filter(is_staff=True, is_active=True)],
        kind=Notification.Kind.DISPUTE,
        message=(
            f"{actor.display_name} ({acting_for}) disputes “{work.title}” ({work.isrc}): "
            f"{words}. Every use of it is stopped until staff resolve it."
        ),
        url=_history_url(work),
    )
    return DisputeOutcome(dispute, flipped)


@transaction.atomic
def dispute_close(*, actor: User, dispute: Dispute, upheld: bool, note: str = "") -> DisputeOutcome:
    """Close an open dispute, as staff: `upheld` (the work was wrong, and staff have
    corrected it or withdrawn it first) or rejected (it was right). Either way the
    `work_disputed` reason is lifted: the work is judged as it is now, the answers given
    before count again, and every flip is announced (cause `dispute`). Recorded in the
    ledger; the work's parties and whoever raised it are notified. Raises
    `ConsentError`, having written nothing."""
    if not actor.is_staff:
        raise ConsentError("Only staff resolve disputes.")
    note = note.strip()
    if note and (problem := note_problem(note)) is not None:
        raise ConsentError(problem)
    head = _locks()
    # Locked: two closings at once cannot both record one.
    current = (
        Dispute.objects.select_for_update()
        .select_related("work", "raised_by")
        .filter(pk=dispute.pk)
        .first()
    )
    if current is None:
        raise ConsentError("That dispute does not exist.")
    if not current.is_open:
        raise ConsentError(f"That dispute was {current.get_status_display().lower()} already.")
    now = timezone.now()
    status = Dispute.Status.UPHELD if upheld else Dispute.Status.REJECTED
    Dispute.objects.filter(pk=current.pk).update(
        status=status, closed_by=actor, closed_at=now, closing_note=note
    )
    current.status, current.closed_by, current.closed_at, current.closing_note = (
        status,
        actor,
        now,
        note,
    )
    work = current.work
    Work.objects.filter(pk=work.pk).update(disputed_at=None)
    dispute_entry_append(
        head=head,
        content=_content(
            dispute=current,
            event=DisputeEvent.UPHELD if upheld else DisputeEvent.REJECTED,
            actor=actor,
            acting_for=PLATFORM,
            at=now,
            note=note,
        ),
    )
    flipped = _announce(work)
    outcome = (
        "upheld: the recording's details were corrected"
        if upheld
        else "rejected: the recording's details were right"
    )
    notify(
        users=[*parties_of(work), current.raised_by],
        kind=Notification.Kind.DISPUTE,
        message=(
            f"The dispute of “{work.title}” ({work.isrc}) was {outcome}. Its uses are "
            "judged by the answers again."
        ),
        url=_history_url(work),
    )
    return DisputeOutcome(current, flipped)
