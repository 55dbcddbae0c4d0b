"""What the fans tests share: a published page, a permitted use, a report's form data."""

import time
from typing import Any

from portal.catalogue.models import Artist, Work
from portal.consent.models import Answer, Side
from portal.fans.guard import form_token
from portal.fans.models import FanPage
from portal.fans.services import fan_page_publish
from portal.licensing.models import UseType
from tests.conftest import World, say


def published(world: World, slug: str = "ada-lane", artist: Artist | None = None) -> FanPage:
    return fan_page_publish(actor=world.artist_user, artist=artist or world.artist, slug=slug).page


def permitted(
    world: World, work: Work | None = None, use: UseType | None = None, **kw: Any
) -> None:
    """Both sides say yes: the use of the work is permitted (announced)."""
    say(world, Side.ARTIST, Answer.GRANTED, work=work, use=use, **kw)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED, work=work, use=use)


def report_data(artist: Artist, *, age: float = 10, **fields: str) -> dict[str, str]:
    """A report a person would send: its form shown `age` seconds ago."""
    return {
        "url": "https://video.example/watch?v=fake-ada",
        "kind": "voice_clone",
        "description": "A song in Ada's voice she never sang.",
        "contact": "fan@example.test",
        "website": "",
        "started": form_token(artist_id=artist.pk, now=time.time() - age),
        **fields,
    }
