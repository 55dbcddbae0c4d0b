"""The first demo artist's public page, published, with one fan's misuse report."""

from django.utils.text import slugify

from portal.accounts.models import User
from portal.catalogue.models import Artist
from portal.fans.guard import ip_hash
from portal.fans.models import FanPage, MisuseReport
from portal.fans.services import fan_page_publish, misuse_report_file


def fan_page_seed(*, artist: Artist, admin: User) -> FanPage:
    """Publish the artist's page (at the slug of their name, unless the team chose one)
    and file one report on it, once."""
    page = FanPage.objects.filter(artist=artist).first()
    slug = page.slug if page is not None else slugify(artist.name)
    page = fan_page_publish(actor=admin, artist=artist, slug=slug).page
    if not MisuseReport.objects.filter(artist=artist).exists():
        misuse_report_file(
            artist=artist,
            url=f"https://video.example/watch?v={slug}-ai-duet",
            kind=MisuseReport.Kind.VOICE_CLONE,
            description=f"A 'new duet' in {artist.name}'s voice that she never recorded.",
            contact="fan@demo.test",
            ip_hash=ip_hash("192.0.2.10"),  # a documentation address: no real fan
        )
    return page
