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
            ),
            # Yes answers with an expiry are few; counting a filter from the tallies
            # corrects for the expired ones among them.
            models.Index(
                fields=["product", "use_type", "expires_at"],
                include=["work", "answer"],
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


# Tallies: how a label's catalogue stands, kept by the write path so the label's pages
# read a few hundred rows instead of grouping millions of answers per request.

# The cells of a tally: the artist's answer, then the label's; "none" is no answer yet,
# and an expired yes is a yes (an answer given). none/none is the works less the rest.
TALLY_CELLS = ("yes_yes", "yes_no", "yes_none", "no_yes", "no_no", "no_none", "none_yes", "none_no")


class Tally(models.Model):
    """How the works a label holds of one artist stand for one use of one product: how
    many in each cell of (artist's answer) x (label's answer), and how many are permitted
    as last announced (`AnnouncedPermission`: a yes past its expiry counts until the lapse
    sweep, run every minute, announces it).

    Derived data: written only by `consent.services.tallies`, in the transaction of the
    answers and announcements it counts; `manage.py verify_tallies` recounts it.
    """

    # No foreign key constraints in the database: checking one would share-lock the label's
    # row, which an import holds for a whole file, and queue every answer of the label
    # behind it. Derived rows; `verify_tallies` is their check.
    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    artist = models.ForeignKey(
        Artist, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    use_type = models.ForeignKey(
        UseType, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    yes_yes = models.IntegerField(default=0)
    yes_no = models.IntegerField(default=0)
    yes_none = models.IntegerField(default=0)
    no_yes = models.IntegerField(default=0)
    no_no = models.IntegerField(default=0)
    no_none = models.IntegerField(default=0)
    none_yes = models.IntegerField(default=0)
    none_no = models.IntegerField(default=0)
    permitted = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["label", "artist", "product", "use_type"], name="one_tally_per_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label_id}/{self.artist_id}: {self.product_id}/{self.use_type_id}"


class WorkCount(models.Model):
    """How many works a label holds of one artist: the works a tally's cells are out of.
    Kept by whatever creates, moves or deletes works (`consent.services.tallies`)."""

    # Without database constraints, as for `Tally`.
    label = models.ForeignKey(
        Label, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    artist = models.ForeignKey(
        Artist, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    works = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["label", "artist"], name="one_work_count_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.label_id}/{self.artist_id}: {self.works} works"
