"""A permission change is one JSON shape, whether the changes API serves it or a webhook
carries it (the webhook adds the decision's receipt, nothing else)."""

from portal.consent.changes import changes_after
from portal.consent.models import Answer, PermissionChange, Side
from portal.delivery.selectors import changes_json
from tests.conftest import World, say


def test_the_feed_and_the_webhook_carry_each_change_alike(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.DENIED)

    feed = changes_after(product_id=world.product.pk, after=0, limit=10)
    carried = changes_json(product_id=world.product.pk, first_seq=1, last_seq=2)

    assert [{k: v for k, v in change.items() if k != "receipt"} for change in carried] == feed
    change = PermissionChange.objects.get(product=world.product, seq=1)
    assert feed[0] == {
        "seq": 1,
        "isrc": world.works[0].isrc,
        "use": "training",
        "permitted": True,
        "conditions": [],
        "at": change.at.isoformat().replace("+00:00", "Z"),
        "opens_obligation": False,
    }
    assert feed[1]["permitted"] is False
