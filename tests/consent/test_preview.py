"""A bulk answer's preview counts exactly the permissions the answer flips, where a label's
policy caps some of the works too."""

from datetime import date

from django.utils import timezone

from portal.catalogue.models import Work
from portal.consent.models import Answer, Side
from portal.consent.selectors import flips_if
from portal.consent.services import decisions_set, policy_add
from tests import factories as f
from tests.conftest import World, say


def test_the_preview_leaves_out_what_a_policy_caps(world: World) -> None:
    recent = [
        f.WorkFactory(primary_artist=world.artist, title=f"New {i}", release_date=date(2024, 1, 1))
        for i in range(3)
    ]
    works = [*world.works, *recent]  # the world's works have no release date: capped too
    older = [
        f.WorkFactory(primary_artist=world.artist, title=f"Old {i}", release_date=date(2010, 1, 1))
        for i in range(2)
    ]
    for work in [*works, *older]:
        say(world, Side.ARTIST, Answer.GRANTED, work)
    policy_add(actor=world.manager, label=world.label, released_before=date(2020, 1, 1))
    scope = Work.objects.filter(pk__in=[w.pk for w in [*works, *older]])

    previewed = flips_if(
        product=world.product,
        use_type=world.training,
        side=Side.RIGHTS_HOLDER,
        answer=Answer.GRANTED,
        works=scope,
        now=timezone.now(),
    )
    outcome = decisions_set(
        actor=world.manager,
        product=world.product,
        use_type=world.training,
        side=Side.RIGHTS_HOLDER,
        answer=Answer.GRANTED,
        works=scope,
    )

    assert previewed == outcome.flipped == len(older)
