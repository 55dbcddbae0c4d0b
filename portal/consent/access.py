"""Who may see and do what: the one place the portal answers it.

Every page reaches artists, labels, delegations, works and artists' teams through the
scoped lookups here, so "not yours" is a 404 from the lookup, never a leak. Views take
them through the decorators at the end (`party_view`, `product_view`, `work_view`,
`team_view`): each signs the user in first, then hands the view what its URL names and
the user may touch, in place of the ids.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from portal.accounts.http import AuthedRequest
from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Label, LabelManager, Work
from portal.consent.models import Delegation, Side
from portal.licensing.models import Product, UseType

Role = ArtistMembership.Role


class PartyKind(models.TextChoices):
    """How a user reaches a party, as the party's URLs name it (`/artists/7/…`), labelled
    with the singular the pages use."""

    ARTISTS = "artists", "artist"  # a member of the artist's team
    LABELS = "labels", "label"  # a manager of the label
    DELEGATIONS = "delegations", "delegation"  # a label's manager, under the artist's delegation

    @property
    def id_name(self) -> str:
        """The name of the party's id in the URLs of this kind's own pages: `artist_id`."""
        return f"{self.label}_id"


# --- what a user reaches -----------------------------------------------------------------


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


# --- parties: one side of the consent, as a user acts for it --------------------------------


@dataclass(frozen=True)
class Party:
    """One side of the consent, as seen by a user acting for it.

    `via` says how the user reaches it: as a member of the artist's team, as a manager of
    the label, or as a manager acting for an artist under the artist's delegation.
    """

    via: PartyKind
    side: Side
    artist: Artist | None = None
    label: Label | None = None
    delegation: Delegation | None = None
    can_decide: bool = False
    can_manage: bool = False

    @property
    def plural(self) -> str:
        """The URL segment: artists, labels or delegations."""
        return self.via.value

    @property
    def name(self) -> str:
        return str(self.artist or self.label)

    @property
    def pk(self) -> int:
        party = self.delegation or self.artist or self.label
        assert party is not None
        return party.pk

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

    def use_types_on(self, product: Product) -> list[UseType]:
        """The use types the product asks for that this party may decide, in display order
        (`product.uses` prefetched with their use types, as `products_requesting` gives
        them, costs no query)."""
        return self.use_types([product_use.use_type for product_use in product.uses.all()])

    def covers(self, product: Product) -> bool:
        """Whether the party has something to decide on the product: it may act on it, and
        on at least one use the product asks for (free when prefetched, as above)."""
        return self.allows(product) and bool(self.use_types_on(product))


# What a party that may see decisions but not make them is told when it tries.
READ_ONLY = "Your role on this team can see decisions but not make them."


def artist_party(user: User, artist_id: int) -> Party:
    """The artist side of a profile the user belongs to; 404 for anyone else's."""
    membership = get_object_or_404(
        ArtistMembership.objects.select_related("artist__label"), artist_id=artist_id, user=user
    )
    return Party(
        via=PartyKind.ARTISTS,
        side=Side.ARTIST,
        artist=membership.artist,
        can_decide=membership.role in ArtistMembership.DECIDING_ROLES,
        can_manage=membership.role == Role.ADMIN,
    )


def label_party(user: User, label_id: int) -> Party:
    """The rights-holder side of a label the user manages; 404 for anyone else's."""
    label = get_object_or_404(labels_of(user), pk=label_id)
    return Party(via=PartyKind.LABELS, side=Side.RIGHTS_HOLDER, label=label, can_decide=True)


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
        via=PartyKind.DELEGATIONS,
        side=Side.ARTIST,
        artist=delegation.artist,
        delegation=delegation,
        can_decide=True,
    )


def party_for(user: User, kind: str, pk: int) -> Party:
    """The party behind a URL's kind (artists, labels, delegations) and id; 404 for a party
    that is not the user's, or a kind there is not."""
    match kind:
        case PartyKind.ARTISTS:
            return artist_party(user, pk)
        case PartyKind.LABELS:
            return label_party(user, pk)
        case PartyKind.DELEGATIONS:
            return delegation_party(user, pk)
    raise Http404


def product_for(party: Party, product_slug: str) -> Product:
    """A product that asks for the party's catalogue and that the party may act on, its
    uses prefetched; 404 for any other."""
    # The consent selectors take a Party, so they build on this module: read on use.
    from portal.consent.selectors import products_requesting

    for product in products_requesting(works=party.works()):
        if product.slug == product_slug and party.allows(product):
            return product
    raise Http404


# --- artists' teams -------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamAccess:
    """An artist's team as one user reaches it: as a member, as the label's manager, or both."""

    artist: Artist
    role: Role | None  # the user's own role on the team; None if not a member
    manages_label: bool

    @property
    def can_manage_members(self) -> bool:
        """Change roles and remove members: the team's admins only. The label does not
        decide who speaks for the artist."""
        return self.role == Role.ADMIN

    @property
    def can_invite(self) -> bool:
        """Invite and revoke invitations: the team's admins, and the label's managers
        (who onboard the artists on their roster, within what `invitation_create` lets
        a label invite)."""
        return self.role == Role.ADMIN or self.manages_label


def team_access(*, user: User, artist_id: int) -> TeamAccess:
    """The team of an artist the user belongs to or whose label they manage; 404 otherwise."""
    artist = get_object_or_404(Artist.objects.select_related("label"), pk=artist_id)
    role = (
        ArtistMembership.objects.filter(artist=artist, user=user)
        .values_list("role", flat=True)
        .first()
    )
    manages_label = (
        artist.label_id is not None
        and LabelManager.objects.filter(label_id=artist.label_id, user=user).exists()
    )
    if role is None and not manages_label:
        raise Http404
    return TeamAccess(artist=artist, role=Role(role) if role else None, manages_label=manages_label)


# --- the decorators views start from -----------------------------------------------------------

View = Callable[..., HttpResponseBase]


def party_view(kind: PartyKind | None = None) -> Callable[[View], View]:
    """Sign in, then call the view with `party` in place of the ids its URL names: by
    `<kind>_id` (`artist_id`, `label_id`) for a kind's own pages, by `kind` and `party_id`
    without one. A party that is not the user's is a 404 before the view runs."""

    def decorate(view: View) -> View:
        @wraps(view)
        def scoped(request: AuthedRequest, **kwargs: Any) -> HttpResponseBase:
            if kind is None:
                party = party_for(request.user, kwargs.pop("kind"), kwargs.pop("party_id"))
            else:
                party = party_for(request.user, kind, kwargs.pop(kind.id_name))
            return view(request, party=party, **kwargs)

        return login_required(scoped)

    return decorate


def product_view(view: View) -> View:
    """For a party's pages on one product (`kind`, `party_id`, `product_slug`): `party` as
    `party_view` finds it, the `product` as `product_for` does, and the `use_types` of the
    product the party may decide."""

    @party_view()
    @wraps(view)
    def scoped(
        request: AuthedRequest, *, party: Party, product_slug: str, **kwargs: Any
    ) -> HttpResponseBase:
        product = product_for(party, product_slug)
        use_types = party.use_types_on(product)
        return view(request, party=party, product=product, use_types=use_types, **kwargs)

    return scoped


def work_view(view: View) -> View:
    """Sign in, then call the view with `work` (its artist and label at hand) in place of
    `work_id`: one of the user's artists' or labels' works, a 404 for any other."""

    @wraps(view)
    def scoped(request: AuthedRequest, *, work_id: int, **kwargs: Any) -> HttpResponseBase:
        works = works_visible_to(request.user).select_related("primary_artist", "label")
        return view(request, work=get_object_or_404(works, pk=work_id), **kwargs)

    return login_required(scoped)


def team_view(view: View) -> View:
    """Sign in, then call the view with `team` (a `TeamAccess`) in place of `artist_id`: the
    team of an artist the user belongs to or whose label they manage, a 404 for any other."""

    @wraps(view)
    def scoped(request: AuthedRequest, *, artist_id: int, **kwargs: Any) -> HttpResponseBase:
        return view(request, team=team_access(user=request.user, artist_id=artist_id), **kwargs)

    return login_required(scoped)


def later_by_default(party: Party) -> bool:
    """Whether the party's yes covers later versions unless it says otherwise: the
    artist's setting for the artist side; a label's yes is for the version it was given."""
    return party.side == Side.ARTIST and bool(
        party.artist and party.artist.yes_covers_later_versions
    )


def party_key(party: Party) -> dict[str, Any]:
    """The side and the one artist or label whose defaults a party's answers follow: the
    artist (also under a delegation) for the artist side, the label for its own."""
    if party.side == Side.ARTIST:
        assert party.artist is not None
        return {"side": party.side, "artist_id": party.artist.pk, "label_id": None}
    assert party.label is not None
    return {"side": party.side, "artist_id": None, "label_id": party.label.pk}
