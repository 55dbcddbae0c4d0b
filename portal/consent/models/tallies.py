"""Counts the label pages read, kept by the write path."""

from django.db import models

from portal.catalogue.models import Artist, Label
from portal.licensing.models import Product, UseType

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
