"""Who may see and decide what: the one place access to artists, labels and works is decided.

Every view reaches artists, labels and works through these scoped querysets, so
"not yours" is a 404 from the lookup, never a leak.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Label, Work
from portal.consent.models import Delegation, Side
from portal.licensing.models import Product, UseType


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


def delegations_to(user: User) -> QuerySet[Delegation]:
    """Delegations in force that let the user, as a label manager, decide for an artist."""
    return Delegation.objects.filter(
        revoked_at__isnull=True, label__in=labels_of(user).values("pk")
    ).select_related("artist", "label")


@dataclass(frozen=True)
class Party:
    """One side of the consent, as seen by a user acting for it.

    `kind` says how the user reaches it: as a member of the artist's team ("artist"),
    as a manager of the label ("label"), or as a manager acting for an artist under
    the artist's delegation ("delegation").
    """

    kind: str
    side: Side
    artist: Artist | None = None
    label: Label | None = None
    delegation: Delegation | None = None
    can_decide: bool = False
    can_manage: bool = False

    @property
    def name(self) -> str:
        return str(self.artist or self.label)

    @property
    def pk(self) -> int:
        party = self.delegation or self.artist or self.label
        assert party is not None
        return party.pk

    @property
    def plural(self) -> str:
        """The URL segment: artists, labels or delegations."""
        return self.kind + "s"

    def works(self) -> QuerySet[Work]:
        if self.delegation is not None:
            # A label decides only for the artist's works it holds the rights to.
            return Work.objects.filter(
                primary_artist_id=self.delegation.artist_id, label_id=self.delegation.label_id
            )
        if self.artist is not None:
            return Work.objects.filter(primary_artist=self.artist)
        return Work.objects.filter(label=self.label)

    def allows(self, product: Product) -> bool:
        """Whether this party may act on the product at all (a delegation may be narrower)."""
        if self.delegation is None:
            return True
        products = {p.pk for p in self.delegation.products.all()}
        return not products or product.pk in products

    def use_types(self, use_types: list[UseType]) -> list[UseType]:
        """The product's use types this party may decide (a delegation may be narrower)."""
        if self.delegation is None:
            return use_types
        allowed = {u.pk for u in self.delegation.use_types.all()}
        return [u for u in use_types if not allowed or u.pk in allowed]

    def covers(self, product: Product) -> bool:
        """Whether the party has something to decide on the product: it may act on it, and
        on at least one use the product asks for (`product.uses` prefetched with their use
        types, as `products_requesting` gives them, costs no query)."""
        requested = [product_use.use_type for product_use in product.uses.all()]
        return self.allows(product) and bool(self.use_types(requested))


def artist_party(user: User, artist_id: int) -> Party:
    """The artist side of a profile the user belongs to; 404 for anyone else's."""
    membership = get_object_or_404(
        ArtistMembership.objects.select_related("artist__label"), artist_id=artist_id, user=user
    )
    return Party(
        kind="artist",
        side=Side.ARTIST,
        artist=membership.artist,
        can_decide=membership.role in ArtistMembership.DECIDING_ROLES,
        can_manage=membership.role == ArtistMembership.Role.ADMIN,
    )


def label_party(user: User, label_id: int) -> Party:
    """The rights-holder side of a label the user manages; 404 for anyone else's."""
    label = get_object_or_404(labels_of(user), pk=label_id)
    return Party(kind="label", side=Side.RIGHTS_HOLDER, label=label, can_decide=True)


def delegation_party(user: User, delegation_id: int) -> Party:
    """The artist side, decided by a manager of the label the artist delegated to. Without
    a delegation in force (never given, revoked, another label's) it is a 404."""
    delegation = get_object_or_404(
        delegations_to(user).prefetch_related("products", "use_types"), pk=delegation_id
    )
    return delegation_party_of(delegation)


def delegation_party_of(delegation: Delegation) -> Party:
    """The artist side as a delegation in force lets its label's managers decide it; the
    caller has found the delegation through `delegations_to`."""
    return Party(
        kind="delegation",
        side=Side.ARTIST,
        artist=delegation.artist,
        delegation=delegation,
        can_decide=True,
    )


def party_for(user: User, kind: str, pk: int) -> Party:
    """The party behind a URL's kind (artists, labels, delegations) and id."""
    parties = {"artists": artist_party, "labels": label_party, "delegations": delegation_party}
    if kind not in parties:
        raise Http404
    return parties[kind](user, pk)
