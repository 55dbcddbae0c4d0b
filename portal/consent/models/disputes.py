"""Disputes of a work: its artist's team or its label says the recording is wrong, and
staff resolve it. While one is open no use of the work is permitted (`work_disputed`).
Each step is a link of the ledger's one chain."""

import pgtrigger
from django.conf import settings
from django.db import models

from portal.catalogue.models import Work
from portal.consent.models.common import Side, append_only

# How long a dispute's note may be: room for what is wrong and where the right
# details are, not for a document.
NOTE_MAX = 1000


class DisputeReason(models.TextChoices):
    NOT_MY_RECORDING = "not_my_recording", "Not my recording"
    WRONG_ARTIST = "wrong_artist", "Wrong artist"
    WRONG_LABEL = "wrong_label", "Wrong label"
    WRONG_CREDITS = "wrong_credits", "Wrong credits"


class DisputeEvent(models.TextChoices):
    """A step of a dispute, as the ledger records it."""

    RAISED = "raised", "Raised"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"


class Dispute(models.Model):
    """A work disputed by its artist's team (an admin) or its label (a manager).

    Open until staff close it, upheld (the work was wrong and has been corrected or
    withdrawn) or rejected (it was right). Written only by
    `portal.consent.services.disputes`, which keeps `Work.disputed_at` with it and records
    every step in the ledger. At most one open dispute per work.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        REJECTED = "rejected", "Rejected"

    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="disputes")
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    note = models.TextField(max_length=NOTE_MAX)
    side = models.CharField(
        max_length=20, choices=Side.choices, help_text="The party that raised it."
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True, max_length=NOTE_MAX)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["work"],
                condition=models.Q(status="open"),
                name="one_open_dispute_per_work",
                violation_error_message="This recording is under dispute already.",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="dispute_closed_when_not_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute #{self.pk} of {self.work_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


@pgtrigger.register(*append_only("dispute_ledger"))
class DisputeLedgerEntry(models.Model):
    """A dispute raised, upheld or rejected: a link of the ledger's one chain, positions
    from the same head as answers and label policies (`ledger.digest.DISPUTE_HASHED`)."""

    position = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    acting_for = models.CharField(
        max_length=200, help_text="The artist or label that raised it, or the platform."
    )
    event = models.CharField(max_length=10, choices=DisputeEvent.choices)
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="entries")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    note = models.TextField(blank=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "dispute ledger entries"
        indexes = [models.Index(fields=["work", "-position"], name="dispute_ledger_work")]

    def __str__(self) -> str:
        return f"#{self.position} {self.actor_name}: dispute #{self.dispute_id} {self.event}"
