from django.db import models

from portal.licensing.models import Product


class ApiKey(models.Model):
    """A product's bearer key for the machine API. Only its SHA-256 is stored: the key
    itself is shown once, when it is issued. Revoked keys are kept, for the record."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, help_text="What the key is for.")
    prefix = models.CharField(
        max_length=16, help_text="The key's start, to tell keys apart; not enough to use it."
    )
    hashed = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.product_id})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The response to a POST sent with an `Idempotency-Key`, replayed when the same
    request comes again (a retry after a timeout) within the retention period."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "key"], name="one_record_per_product_key")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.key} → {self.status}"


class AnswerStamp(models.Model):
    """A count of the changes to what a product's answers are made of (`scope`: the
    product's id), or to what every product's are (scope 0: licences, label policies,
    products and their uses, use types, and a work's label, release date, withdrawal or
    dispute). Web processes keep the answers they gave with the stamps they were read
    under (`api.kept`), and one cheap read of the stamps says whether they still hold.

    Only PostgreSQL's triggers write it (migration 0002), in the transaction of the
    change itself, so nothing that writes those tables can forget it: decisions and
    announced permissions count for their product, the rest for every product."""

    EVERY_PRODUCT = 0

    scope = models.BigIntegerField(primary_key=True)
    n = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.scope}: {self.n}"
