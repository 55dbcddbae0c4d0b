from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from portal.catalogue.models import Artist

# Lower-case words joined by single hyphens: what slugify makes of a name, and nothing a
# reader could mistake for another address.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX_LENGTH = 80


class FanPage(models.Model):
    """An artist's public "AI and me" page, at /a/<slug>/ while published.

    Off until the team's admin publishes it. The slug stays the artist's while the page is
    unpublished, so nobody else takes an address the artist's fans may have bookmarked.
    """

    artist = models.OneToOneField(Artist, on_delete=models.CASCADE, related_name="fan_page")
    slug = models.CharField(
        max_length=SLUG_MAX_LENGTH,
        unique=True,
        validators=[RegexValidator(SLUG_PATTERN)],
        help_text="The page's address: /a/<slug>/.",
    )
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slug__regex=SLUG_PATTERN), name="fan_page_slug_form"
            )
        ]

    def __str__(self) -> str:
        return f"/a/{self.slug}/ ({'published' if self.published else 'unpublished'})"


class MisuseReport(models.Model):
    """A fan's report of something that claims to be the artist's AI use and may not be.

    Written only by `misuse_report_file`. The reporter's address is kept as a keyed hash
    (to tell repeat senders apart, never to find them), their email encrypted.
    """

    class Kind(models.TextChoices):
        SONG = "song", "A song"
        VIDEO = "video", "A video"
        VOICE_CLONE = "voice_clone", "A voice clone"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        HANDLED = "handled", "Handled"

    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="misuse_reports")
    url = models.URLField("where it was found", max_length=500)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    contact_encrypted = models.TextField(blank=True, editable=False)
    ip_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField()
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The team's inbox, newest first.
        indexes = [models.Index(fields=["artist", "-created_at"], name="misuse_artist_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.url} ({self.get_status_display()})"
