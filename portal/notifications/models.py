from django.conf import settings
from django.db import models


class Notification(models.Model):
    """Something a user should know about: shown in the portal, emailed if they want.

    Written only by `portal.notifications.services.notify`. `emailed_at` records the
    outbound email, so a retried task never sends the same notification twice.
    """

    class Kind(models.TextChoices):
        # Extend freely: a new kind is one line here and a migration.
        ACTED_FOR_YOU = "acted_for_you", "Acted for you"
        NEW_PRODUCT = "new_product", "New product"
        INVITATION = "invitation", "Invitation"
        DELEGATION = "delegation", "Delegation"
        TEAM = "team", "Team change"
        CATALOGUE = "catalogue", "Catalogue grew"
        RECONSENT = "reconsent", "Asked again"
        TRAINING = "training", "A model trained on your works"
        UNPERMITTED_USE = "unpermitted_use", "Use without permission"
        DISPUTE = "dispute", "Dispute"
        MISUSE_REPORT = "misuse_report", "Misuse reported by a fan"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        # The composite indexes below start with the user; a second index would only cost.
        db_index=False,
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    message = models.TextField()
    url = models.CharField(
        max_length=500, blank=True, help_text="Where to look, as a path inside the portal."
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The unread count in every page's navigation.
            models.Index(fields=["user", "read_at"], name="notification_user_read"),
            # The notifications page, newest first.
            models.Index(fields=["user", "-created_at"], name="notification_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user_id}: {self.message[:60]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
