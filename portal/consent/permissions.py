"""Who may see and decide what: the one place object permissions live.

Every view reaches artists, labels and works through these scoped querysets, so
"not yours" is a 404 from the lookup, never a leak.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Label, Work
from portal.consent.models import Side


def artists_of(user: User) -> QuerySet[Artist]:
    """Artist profiles the user belongs to, in any role."""
    return Artist.objects.filter(artistmembership__user=user).distinct()


def labels_of(user: User) -> QuerySet[Label]:
    """Labels the user manages."""
    return Label.objects.filter(labelmanager__user=user).distinct()


def works_visible_to(user: User) -> QuerySet[Work]:
    """Works of the user's artist profiles and of the labels they manage."""
    return Work.objects.filter(
        primary_artist__in=artists_of(user).values("pk")
    ) | Work.objects.filter(label__in=labels_of(user).values("pk"))


@dataclass(frozen=True)
class Party:
    """One side of the consent, as seen by a user acting for it."""

    side: Side
    artist: Artist | None = None
    label: Label | None = None
    can_decide: bool = False

    @property
    def name(self) -> str:
        return str(self.artist or self.label)

    @property
    def pk(self) -> int:
        party = self.artist or self.label
        assert party is not None
        return party.pk

    @property
    def kind(self) -> str:
        return "artist" if self.side == Side.ARTIST else "label"

    def works(self) -> QuerySet[Work]:
        if self.artist is not None:
            return Work.objects.filter(primary_artist=self.artist)
        return Work.objects.filter(label=self.label)


def artist_party(user: User, artist_id: int) -> Party:
    """The artist side of a profile the user belongs to; 404 for anyone else's."""
    membership = get_object_or_404(
        ArtistMembership.objects.select_related("artist__label"), artist_id=artist_id, user=user
    )
    return Party(
        side=Side.ARTIST,
        artist=membership.artist,
        can_decide=membership.role in ArtistMembership.DECIDING_ROLES,
    )


def label_party(user: User, label_id: int) -> Party:
    """The rights-holder side of a label the user manages; 404 for anyone else's."""
    label = get_object_or_404(labels_of(user), pk=label_id)
    return Party(side=Side.RIGHTS_HOLDER, label=label, can_decide=True)


def party_for(user: User, kind: str, pk: int) -> Party:
    if kind == "artist":
        return artist_party(user, pk)
    if kind == "label":
        return label_party(user, pk)
    raise ValueError(kind)
