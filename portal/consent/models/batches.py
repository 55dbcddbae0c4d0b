from datetime import timedelta

from django.conf import settings
from django.db import models

from portal.catalogue.models import Artist, Label
from portal.consent.models.common import Side

# How long a party can take back a bulk action or "stop everything".
UNDO_FOR = timedelta(days=30)


class AnswerBatch(models.Model):
    """Answers given in one go (a bulk answer, "stop everything"), as the ledger holds
    them: the entries from `first_position` to `last_position`, contiguous because they
    were appended in one transaction under the ledger head's lock. What undoing them
    restores is read from the ledger itself (the entries before each), so this row only
    names the range, who gave them, and whether they were undone.

    Written only by `consent.services` (the write path and `batch_undo`)."""

    class Kind(models.TextChoices):
        BULK = "bulk", "Bulk answer"
        STOP = "stop", "Stop everything"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    side = models.CharField(max_length=20, choices=Side.choices)
    # The party answered for: the artist for the artist side, the label for the other.
    artist = models.ForeignKey(
        Artist, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=254)
    at = models.DateTimeField()
    summary = models.CharField(max_length=300, help_text="What was done, in words.")
    changed = models.PositiveIntegerField()
    first_position = models.PositiveBigIntegerField()
    last_position = models.PositiveBigIntegerField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    restored = models.PositiveIntegerField(default=0)
    left_alone = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["artist", "-at"], name="batch_artist_at"),
            models.Index(fields=["label", "-at"], name="batch_label_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_position__lte=models.F("last_position")),
                name="batch_range_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(side=Side.ARTIST, artist__isnull=False, label__isnull=True)
                | models.Q(side=Side.RIGHTS_HOLDER, label__isnull=False, artist__isnull=True),
                name="batch_party_of_its_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary} ({self.at:%Y-%m-%d %H:%M})"
