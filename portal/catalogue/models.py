from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper

from portal.catalogue.identifiers import isni_normalise, isrc_normalise, iswc_normalise
from portal.text import validate_name

if TYPE_CHECKING:
    from portal.accounts.models import User


class Label(models.Model):
    """A rights holder owning master rights. Its managers decide the rights-holder side."""

    name = models.CharField(max_length=200, unique=True, validators=[validate_name])
    managers: "models.ManyToManyField[User, LabelManager]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="LabelManager", related_name="managed_labels"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LabelManager(models.Model):
    label = models.ForeignKey(Label, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["label", "user"], name="one_manager_row_per_label")
        ]

    def __str__(self) -> str:
        return f"{self.user} manages {self.label}"


class Artist(models.Model):
    """A performer profile. Users act for it through memberships."""

    name = models.CharField(max_length=200, validators=[validate_name])
    isni = models.CharField("ISNI", max_length=16, blank=True)
    label = models.ForeignKey(
        Label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster",
        help_text="The label whose roster the artist is on.",
    )
    created_by_import = models.BooleanField(
        default=False,
        help_text="Made by a catalogue import from a display artist no roster artist "
        "matched: for staff to review.",
    )
    yes_covers_later_versions = models.BooleanField(
        default=False,
        help_text="Whether a yes of the artist's covers a product's later versions until "
        "they say otherwise, or (the default) only the version it was given for.",
    )
    members: "models.ManyToManyField[User, ArtistMembership]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ArtistMembership", related_name="artists"
    )

    class Meta:
        ordering = ["name"]
        # A label's works sorted by artist are read artist by artist in this order.
        indexes = [models.Index(fields=["name", "id"], name="artist_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.isni:
            try:
                self.isni = isni_normalise(self.isni)
            except ValidationError as exc:
                raise ValidationError({"isni": exc}) from exc


class ArtistMembership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin (manages the team and decides)"
        EDITOR = "editor", "Editor (decides)"
        READER = "reader", "Reader (sees only)"

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ADMIN)
    since = models.DateTimeField(auto_now_add=True)

    DECIDING_ROLES = (Role.ADMIN, Role.EDITOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["artist", "user"], name="one_membership_per_artist")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) for {self.artist}"


class Work(models.Model):
    """A recording, identified by its ISRC (stored normalised: USRC17607839)."""

    isrc = models.CharField("ISRC", max_length=12, unique=True)
    title = models.CharField(max_length=300, validators=[validate_name])
    primary_artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="works")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="works")
    iswc = models.CharField("ISWC", max_length=11, blank=True)
    release_title = models.CharField(max_length=300, blank=True, validators=[validate_name])
    release_date = models.DateField(null=True, blank=True)
    duration = models.DurationField(null=True, blank=True)
    p_line_year = models.PositiveSmallIntegerField("℗ year", null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the label withdrew the recording: no use of it is permitted while set.",
    )
    # Since when a dispute of the work is open (`consent.Dispute`): no use of it is
    # permitted while set. Written only with the dispute, by consent's dispute services.
    disputed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the last import said of the work (title, artist, identifiers, credits), hashed:
    # a re-import that says the same is recognised without reading the credits back.
    import_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [
            models.Index(fields=["primary_artist", "title"], name="work_artist_title"),
            # With the id, a filter walks a label's works in title order from the index
            # alone, reading the rows of only the page it shows.
            models.Index(fields=["label", "title", "id"], name="work_label_title_id"),
            models.Index(Upper("title"), name="work_title_upper"),
            # The few withdrawn works: what imports and the rule ask about, found without
            # reading a catalogue of millions.
            models.Index(
                fields=["id"],
                condition=models.Q(withdrawn_at__isnull=False),
                name="work_withdrawn",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(disputed_at__isnull=False),
                name="work_disputed",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(isrc__regex=r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"),
                name="work_isrc_normalised",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.isrc})"

    def clean(self) -> None:
        # A blank ISRC is the required field's error to report, not this one's.
        errors = {}
        for field, normalise in (("isrc", isrc_normalise), ("iswc", iswc_normalise)):
            if value := getattr(self, field):
                try:
                    setattr(self, field, normalise(value))
                except ValidationError as exc:
                    errors[field] = exc
        if errors:
            raise ValidationError(errors)

    @property
    def duration_display(self) -> str:
        if self.duration is None:
            return ""
        seconds = int(self.duration / timedelta(seconds=1))
        return f"{seconds // 60}:{seconds % 60:02d}"


class Credit(models.Model):
    """A contributor to a work and their role, as it should be credited."""

    class Role(models.TextChoices):
        PERFORMER = "performer", "Performer"
        FEATURED = "featured", "Featured artist"
        COMPOSER = "composer", "Composer"
        LYRICIST = "lyricist", "Lyricist"
        PRODUCER = "producer", "Producer"
        ENGINEER = "engineer", "Engineer"
        MUSICIAN = "musician", "Session musician"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="credits")
    name = models.CharField(max_length=200, validators=[validate_name])
    role = models.CharField(max_length=20, choices=Role.choices)
    isni = models.CharField("ISNI", max_length=16, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.isni:
            try:
                self.isni = isni_normalise(self.isni)
            except ValidationError as exc:
                raise ValidationError({"isni": exc}) from exc


class Release(models.Model):
    """A product of the label carrying recordings (an album, a single), as its catalogue
    names it. Later messages may name it by any of its identifiers."""

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="releases")
    title = models.CharField(max_length=300, validators=[validate_name])
    release_date = models.DateField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the label took the release down."
    )
    works: "models.ManyToManyField[Work, Track]" = models.ManyToManyField(
        Work, through="Track", related_name="releases"
    )

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["label", "title"], name="release_label_title")]

    def __str__(self) -> str:
        return self.title


class ReleaseIdentifier(models.Model):
    """One identifier of a release: GRid, ICPN (UPC/EAN) or a proprietary id in the
    sender's namespace. Unique within the label."""

    class Kind(models.TextChoices):
        GRID = "grid", "GRid"
        ICPN = "icpn", "ICPN (UPC/EAN)"
        PROPRIETARY = "proprietary", "Proprietary"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="identifiers")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    namespace = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["label", "kind", "namespace", "value"], name="release_identifier_once"
            )
        ]

    def __str__(self) -> str:
        prefix = f"{self.namespace}:" if self.namespace else ""
        return f"{self.get_kind_display()} {prefix}{self.value}"


class Track(models.Model):
    """A recording on a release, where it sits."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tracks")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="tracks")
    disc = models.PositiveSmallIntegerField(default=1)
    number = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["release", "disc", "number", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["release", "work"], name="one_track_per_work")
        ]
        indexes = [models.Index(fields=["work"], name="track_work")]

    def __str__(self) -> str:
        return f"{self.release} {self.disc}-{self.number}: {self.work}"
