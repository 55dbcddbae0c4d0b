"""Answers: a party's current decision, an artist's delegation, a bulk answer a worker
applies."""

from django.conf import settings
from django.db import models

from portal.catalogue.models import Artist, Label, Work
from portal.consent.models.common import Answer, Side
from portal.licensing.models import Product, UseType


class Delegation(models.Model):
    """An artist's authorisation for their label to decide the artist side for them.

    Empty `products` or `use_types` mean all of them. Revocable; a revoked delegation is
    kept (with who revoked it and when) so the artist's activity log stays complete.
    """

    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="delegations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="delegations")
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    use_types = models.ManyToManyField(UseType, blank=True, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["artist", "label"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_delegation_per_artist_label",
            )
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"{self.artist} → {self.label} ({state})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Decision(models.Model):
    """One party's current answer for one (product, work, use type).

    Written only by `portal.consent.services`; every change also appends to the ledger.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT)
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="decisions")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT)
    side = models.CharField(max_length=20, choices=Side.choices)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    # A yes's conditions, as `portal.consent.conditions` writes them; empty for a bare yes
    # and for every no.
    conditions = models.JSONField(default=list, blank=True)
    # The product's material version the answer was given (or kept) for, and whether a
    # yes covers later versions too, until the party says otherwise.
    for_version = models.PositiveIntegerField(default=1)
    later_versions = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            # With the answer and its expiry, a filter's look-up of a work's answer (a
            # product page walks thousands) reads the index alone.
            models.UniqueConstraint(
                fields=["product", "work", "use_type", "side"],
                include=["answer", "expires_at"],
                name="one_decision_per_side",
            )
        ]
        indexes = [
            # Refusals are few; the label's overview counts works both sides refused.
            models.Index(
                fields=["product", "use_type", "side", "work"],
                condition=models.Q(answer="denied"),
                name="decision_denied",
            ),
            # Yes answers with an expiry are few; counting a filter from the tallies
            # corrects for the expired ones among them.
            models.Index(
                fields=["product", "use_type", "expires_at"],
                include=["work", "answer", "side"],
                condition=models.Q(expires_at__isnull=False),
                name="decision_expiring",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.side} {self.answer}: {self.use_type_id} of {self.work_id} for {self.product_id}"
        )


class BulkAnswer(models.Model):
    """One answer for more works than a request should hold, applied by a worker in one
    transaction. The row is the job's record: what was asked, by whom, and how it ended.

    `scope` holds the product page's filter as it was sent (`?artist_answer=yes&...`), so
    the worker answers what the filter matches when it runs, within what the party may
    touch then. One at a time per product: the answers lock the product's counter anyway.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Not applied"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    party_kind = models.CharField(max_length=20)
    party_id = models.PositiveBigIntegerField()
    side = models.CharField(max_length=20, choices=Side.choices)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    # A yes's conditions, and whether it covers later versions: the party's defaults when
    # it was confirmed.
    conditions = models.JSONField(default=list, blank=True)
    later_versions = models.BooleanField(default=False)
    scope = models.JSONField(default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The preview's token: a second submit of the same confirmation finds this job.
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    expected = models.PositiveIntegerField(default=0, help_text="Works matched at the preview.")
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    flipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_bulk_answer_running_per_product",
            )
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.answer} for {self.product_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in self.ACTIVE


class ConditionDefault(models.Model):
    """The conditions one party's yes to a product carries unless it sets others: those of
    the artist (artist side) or of the label (rights-holder side). A plain yes, on a cell
    not answered yes before or in bulk, carries them; a yes given again keeps its own."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=20, choices=Side.choices)
    artist = models.ForeignKey(
        Artist, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.ForeignKey(
        Label, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    conditions = models.JSONField(default=list)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "artist"],
                condition=models.Q(side=Side.ARTIST),
                name="one_condition_default_per_artist_product",
            ),
            models.UniqueConstraint(
                fields=["product", "label"],
                condition=models.Q(side=Side.RIGHTS_HOLDER),
                name="one_condition_default_per_label_product",
            ),
            models.CheckConstraint(
                condition=models.Q(side=Side.ARTIST, artist__isnull=False, label__isnull=True)
                | models.Q(side=Side.RIGHTS_HOLDER, artist__isnull=True, label__isnull=False),
                name="condition_default_of_its_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} default for {self.product_id}: {self.conditions}"
