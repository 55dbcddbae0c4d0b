"""Outbound webhooks: where each product's permission changes go, and what happened.

The database is the record of every delivery: which changes a product has acknowledged
(`Endpoint.delivered_seq`), what is still to go, every attempt and when the next one is
due. Celery only carries "look at this product now"; losing that message delays a
delivery until the sweeper notices, it never loses one. Written only by
`portal.delivery.services`.
"""

from django.conf import settings
from django.db import models

from portal.delivery.destinations import validate_webhook_url
from portal.licensing.models import Product


class Endpoint(models.Model):
    """A product's webhook receiver and the cursor of what it has acknowledged.

    Changes go out strictly in sequence: `delivered_seq` is the highest seq the receiver
    answered 2xx for (every lower one too), and moves only forwards. `lease_until` and
    `lease_token` are a worker's claim on the endpoint while it sends, so two workers
    never send for one product at once, and a crashed worker's claim lapses by itself.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FAILING = "failing", "Failing"
        DISABLED = "disabled", "Disabled"

    product = models.OneToOneField(
        Product, on_delete=models.PROTECT, related_name="webhook_endpoint"
    )
    url = models.URLField(
        max_length=500,
        validators=[validate_webhook_url],
        help_text="HTTPS to a public address in production; redirects are not followed.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    delivered_seq = models.PositiveBigIntegerField(
        default=0, help_text="Every change up to this sequence number has been acknowledged."
    )
    failures = models.PositiveIntegerField(
        default=0, help_text="Failed attempts since the last success: the place in the schedule."
    )
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Backing off: no attempt before this."
    )
    failing_since = models.DateTimeField(null=True, blank=True)
    alerted = models.CharField(
        max_length=10,
        choices=Status.choices,
        blank=True,
        help_text="The status staff were last alerted about, so each is emailed once.",
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweeper last queued a send no worker has run."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["product__name"]

    def __str__(self) -> str:
        return f"{self.product} → {self.url}"


class EndpointSecret(models.Model):
    """A signing secret, encrypted at rest. Requests are signed with every current
    secret, so after a rotation the old one keeps verifying until `expires_at`."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="secrets")
    encrypted = models.TextField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"secret of {self.endpoint_id} from {self.created_at:%Y-%m-%d %H:%M}"


class Delivery(models.Model):
    """One batch of consecutive changes (`first_seq`..`last_seq`, at most 1,000), sent
    with the same `webhook_id` on every attempt, so a receiver can de-duplicate.

    An endpoint's open deliveries go out one at a time, oldest first; one that fails is
    retried until it succeeds (nothing behind it overtakes it). A replay is a staff
    request to send a range again, as a new delivery with a new id.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        FAILED = "failed", "Failed, will retry"
        DELIVERED = "delivered", "Delivered"

    class Kind(models.TextChoices):
        STREAM = "stream", "Changes"
        REPLAY = "replay", "Replay"

    OPEN = (Status.PENDING, Status.FAILED)

    endpoint = models.ForeignKey(Endpoint, on_delete=models.PROTECT, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STREAM)
    first_seq = models.PositiveBigIntegerField()
    last_seq = models.PositiveBigIntegerField()
    webhook_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who asked for a replay.",
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_seq__gte=1, last_seq__gte=models.F("first_seq")),
                name="delivery_range_valid",
            ),
            # At most one live-stream delivery per range: two workers racing after a lease
            # lapsed cannot both open the same batch.
            models.UniqueConstraint(
                fields=["endpoint", "first_seq"],
                condition=models.Q(kind="stream"),
                name="one_stream_delivery_per_range",
            ),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "id"],
                condition=models.Q(status__in=["pending", "failed"]),
                name="delivery_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id} ({self.first_seq}–{self.last_seq})"

    @property
    def size(self) -> int:
        return self.last_seq - self.first_seq + 1


class Attempt(models.Model):
    """One POST of a delivery: its answer (or the error instead of one) and how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.TextField(blank=True)
    url = models.URLField(max_length=500)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
        )

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
