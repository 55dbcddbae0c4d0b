import pgtrigger
from django.conf import settings
from django.db import models

from portal.catalogue.models import Artist, Label, Work
from portal.licensing.models import Product, UseType


def append_only(prefix: str) -> tuple[pgtrigger.Trigger, ...]:
    """PostgreSQL triggers that reject UPDATE, DELETE and TRUNCATE on a table."""
    return (
        pgtrigger.Protect(
            name=f"{prefix}_append_only", operation=pgtrigger.Update | pgtrigger.Delete
        ),
        pgtrigger.Trigger(
            name=f"{prefix}_no_truncate",
            operation=pgtrigger.Truncate,
            level=pgtrigger.Statement,
            when=pgtrigger.Before,
            func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;",
        ),
    )


class Side(models.TextChoices):
    ARTIST = "artist", "Artist"
    RIGHTS_HOLDER = "rights_holder", "Rights holder"


class Answer(models.TextChoices):
    GRANTED = "granted", "Yes"
    DENIED = "denied", "No"


class Cause(models.TextChoices):
    DECISION = "decision", "A decision"
    EXPIRY = "expiry", "An expiry"
    LICENCE = "licence", "A licence change"
    PRODUCT = "product", "A product status change"
    WITHDRAWAL = "withdrawal", "A recording withdrawn or released again"
    POLICY = "policy", "A label policy added or lifted"


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


class LabelPolicy(models.Model):
    """A label's standing rule that caps what any answer can do: no use of its works
    matching every condition set (a use type, a product, works released on or after a
    date) is permitted, whoever said yes. At least one condition; a work without a release
    date counts as released on or after any date (opt-in: unknown is not allowed).

    Written only by `portal.consent.services.policies`, which records adding and lifting in
    the ledger. Lifting keeps the row (who lifted it and when), as revoking a delegation does.
    """

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="policies")
    use_type = models.ForeignKey(
        UseType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_before = models.DateField(
        null=True, blank=True, help_text="Only works released before this day may be used."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at", "-pk"]
        verbose_name_plural = "label policies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(use_type__isnull=False)
                | models.Q(product__isnull=False)
                | models.Q(released_before__isnull=False),
                name="label_policy_has_a_condition",
                violation_error_message=(
                    "Choose what the policy stops: a use, a product, or works released from a date."
                ),
            )
        ]
        indexes = [
            models.Index(
                fields=["label"], condition=models.Q(lifted_at__isnull=True), name="policy_active"
            )
        ]

    def __str__(self) -> str:
        state = "lifted" if self.lifted_at else "in force"
        return f"{self.label} policy #{self.pk} ({state})"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class PolicyEvent(models.TextChoices):
    ADDED = "added", "Added"
    LIFTED = "lifted", "Lifted"


@pgtrigger.register(*append_only("policy_ledger"))
class PolicyLedgerEntry(models.Model):
    """A label policy added or lifted: a link of the ledger's one chain, as answers are.

    Its `position` is taken from the same head as `LedgerEntry`'s, so the two tables
    together hold the chain, every position once; its digest covers the policy's whole
    content (`ledger.digest.POLICY_HASHED`). Kept apart so every reader of answers keeps
    reading answers only.
    """

    position = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    event = models.CharField(max_length=10, choices=PolicyEvent.choices)
    policy = models.ForeignKey(LabelPolicy, on_delete=models.PROTECT, related_name="entries")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(
        UseType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_before = models.DateField(null=True, blank=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "policy ledger entries"

    def __str__(self) -> str:
        return f"#{self.position} {self.actor_name}: policy #{self.policy_id} {self.event}"


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
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "work", "use_type", "side"], name="one_decision_per_side"
            )
        ]
        indexes = [
            # Refusals are few; the label's overview counts works both sides refused.
            models.Index(
                fields=["product", "use_type", "side", "work"],
                condition=models.Q(answer="denied"),
                name="decision_denied",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.side} {self.answer}: {self.use_type_id} of {self.work_id} for {self.product_id}"
        )


@pgtrigger.register(*append_only("ledger"))
class LedgerEntry(models.Model):
    """The append-only, hash-chained history of every decision.

    `digest` is SHA-256 over the entry's canonical content and the previous entry's
    digest, so changing or removing any entry breaks every digest after it.
    """

    position = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    side = models.CharField(max_length=20, choices=Side.choices)
    acting_for = models.CharField(max_length=200, help_text="The artist or label decided for.")
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set when the label decided the artist side under the artist's delegation.",
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="ledger_entries")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    previous = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    answer = models.CharField(max_length=10, choices=Answer.choices)
    expires_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    previous_digest = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["work", "-position"], name="ledger_work_position")]

    def __str__(self) -> str:
        return f"#{self.position} {self.actor_name}: {self.previous or 'none'} → {self.answer}"


class LedgerHead(models.Model):
    """A single row: the chain's tip. Locking it serialises appends so the chain cannot fork."""

    position = models.PositiveBigIntegerField(default=0)
    digest = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"ledger head #{self.position}"


class AnnouncedPermission(models.Model):
    """The effective permission last announced for (product, work, use type): the state
    the products were told of, which the API's check answers from and each
    `PermissionChange` moved. (Not who may see what: that is the access rules; nor
    Django's auth permissions.)

    No row means never permitted. `lapses_at` is when a permitted row stops being
    permitted by itself (an expiry or a licence's end), so a check is exact even
    before the expiry sweep has announced it.
    """

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    permitted = models.BooleanField()
    reasons = models.JSONField(default=list)
    lapses_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "work", "use_type"], name="one_permission_per_product_work_use"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.work_id}/{self.use_type_id}: {self.permitted}"


class ChangeCounter(models.Model):
    """The last permission-change sequence number used for a product."""

    product = models.OneToOneField(Product, on_delete=models.PROTECT, primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.product_id} at {self.last}"


@pgtrigger.register(*append_only("changes"))
class PermissionChange(models.Model):
    """An effective permission flipped. Numbered per product, gapless; never changed."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="+")
    use_type = models.ForeignKey(UseType, on_delete=models.PROTECT, related_name="+")
    permitted = models.BooleanField()
    reasons = models.JSONField(default=list)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["product", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["product", "seq"], name="one_change_per_product_seq")
        ]
        # A work's permission history for a product: what usage reports are checked against.
        indexes = [
            models.Index(fields=["product", "work", "use_type", "at"], name="change_history")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}#{self.seq} {self.work_id}/{self.use_type_id} → {self.permitted}"
