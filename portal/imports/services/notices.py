"""Telling artists their catalogue grew: one notification per import, not one per work."""

from collections import Counter

from django.urls import reverse

from portal.accounts.models import User
from portal.catalogue.models import Work
from portal.consent.selectors import products_requesting
from portal.licensing.models import Product
from portal.notifications.models import Notification
from portal.notifications.services import notify


def _plural(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def catalogue_grew_notify(*, label_id: int, grown: Counter[int]) -> int:
    """Notify the team of each artist with works created (`grown`: artist id -> count):
    "14 recordings were added to your catalogue; 2 AI products ask to use them".
    The products are the active ones the artist home lists for the label's catalogue.
    Call it inside the transaction that ends the import. Returns notifications made."""
    grown = Counter({pk: n for pk, n in grown.items() if n > 0})
    if not grown:
        return 0
    members: dict[int, list[User]] = {}
    rows = User.objects.filter(artistmembership__artist_id__in=list(grown)).values_list(
        "artistmembership__artist_id", "pk"
    )
    for artist_id, user_id in rows:
        members.setdefault(artist_id, []).append(User(pk=user_id))
    if not members:
        return 0
    products = products_requesting(works=Work.objects.filter(label_id=label_id))
    asking = sum(p.status == Product.Status.ACTIVE for p in products)
    made = 0
    for artist_id, users in sorted(members.items()):
        added = grown[artist_id]
        verb = "was" if added == 1 else "were"
        message = f"{_plural(added, 'recording', 'recordings')} {verb} added to your catalogue"
        if asking:
            ask = "asks" if asking == 1 else "ask"
            message += f"; {_plural(asking, 'AI product', 'AI products')} {ask} to use them"
        made += notify(
            users=users,
            kind=Notification.Kind.CATALOGUE,
            message=message + ".",
            url=reverse("artist_home", kwargs={"artist_id": artist_id}),
        )
    return made
