"""Writes: publishing an artist's page, filing a fan's misuse report, handling reports."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist
from portal.fans.crypto import contact_encrypt
from portal.fans.models import FanPage, MisuseReport
from portal.notifications.models import Notification
from portal.notifications.services import notify


class FanPageError(ValueError):
    """A page that cannot be published as asked; the message says why, for people."""


@dataclass(frozen=True)
class Published:
    page: FanPage
    previous_slug: str  # the address it had before, if this moved it; "" otherwise


def fan_page_publish(*, actor: User, artist: Artist, slug: str) -> Published:
    """Publish the artist's page at /a/<slug>/, or move it there. Idempotent.

    The caller has checked that `actor` may manage the artist's team and that `slug` has
    the form of one (`FanPageForm`). Raises `FanPageError` when another artist has the slug.
    """
    if FanPage.objects.filter(slug=slug).exclude(artist=artist).exists():
        raise FanPageError(f"/a/{slug}/ is another artist's page: choose another address.")
    now = timezone.now()
    try:
        with transaction.atomic():
            page = FanPage.objects.select_for_update().filter(artist=artist).first()
            if page is None:
                page = FanPage.objects.create(
                    artist=artist,
                    slug=slug,
                    published=True,
                    published_at=now,
                    changed_at=now,
                    changed_by=actor,
                )
                return Published(page, "")
            previous = page.slug if page.published and page.slug != slug else ""
            if page.published and page.slug == slug:
                return Published(page, "")
            page.slug = slug
            if not page.published:
                page.published, page.published_at = True, now
            page.changed_at, page.changed_by = now, actor
            page.save()
            return Published(page, previous)
    except IntegrityError:
        # The database holds the slug unique, so of two teams asking at once one wins.
        raise FanPageError(
            f"/a/{slug}/ was taken a moment ago, or the page changed meanwhile: try again."
        ) from None


@transaction.atomic
def fan_page_unpublish(*, actor: User, artist: Artist) -> FanPage | None:
    """Take the artist's page down: /a/<slug>/ answers "not found" at once (and from
    caches within `FANS_PAGE_MAX_AGE`). The slug stays the artist's. Idempotent; None
    when the artist never had a page."""
    page = FanPage.objects.select_for_update().filter(artist=artist).first()
    if page is None or not page.published:
        return page
    page.published = False
    page.changed_at, page.changed_by = timezone.now(), actor
    page.save(update_fields=["published", "changed_at", "changed_by"])
    return page


@transaction.atomic
def misuse_report_file(
    *,
    artist: Artist,
    url: str,
    kind: str,
    description: str = "",
    contact: str = "",
    ip_hash: str,
) -> MisuseReport:
    """Store a fan's report (validated by `MisuseReportForm`) and tell each member of the
    artist's team once, in the same transaction: both or neither."""
    report = MisuseReport.objects.create(
        artist=artist,
        url=url,
        kind=kind,
        description=description,
        contact_encrypted=contact_encrypt(contact),
        ip_hash=ip_hash,
        created_at=timezone.now(),
    )
    notify(
        users=User.objects.filter(artistmembership__artist=artist),
        kind=Notification.Kind.MISUSE_REPORT,
        message=(
            f"A fan reported {report.get_kind_display().lower()} that may use {artist.name}'s "
            f"music or voice without permission: {url}"
        ),
        url=reverse("misuse_reports", kwargs={"artist_id": artist.pk}),
    )
    return report


@transaction.atomic
def misuse_reports_mark_handled(*, actor: User | None, reports: list[MisuseReport]) -> int:
    """Mark reports handled (by `actor`, None for staff in admin without a name to keep);
    those handled already keep who and when. Returns how many changed."""
    return MisuseReport.objects.filter(
        pk__in=[report.pk for report in reports], status=MisuseReport.Status.NEW
    ).update(status=MisuseReport.Status.HANDLED, handled_at=timezone.now(), handled_by=actor)
