"""A factory for every model. Defaults make a valid, permitted-capable world."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.models import Artist, ArtistMembership, Credit, Label, LabelManager, Work
from portal.consent.models import Answer, Decision, Side
from portal.consent.services.tallies import groups_recount, works_added
from portal.licensing.models import Licence, Licensee, Product, ProductUse, UseType


def isrc_for(n: int) -> str:
    """A valid, normalised ISRC: country ZZ, registrant TST, year 26, designation n."""
    return f"ZZTST26{n:05d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()
            from allauth.account.models import EmailAddress

            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Label {n}")


class LabelManagerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabelManager

    label = factory.SubFactory(LabelFactory)
    user = factory.SubFactory(UserFactory)


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist

    name = factory.Sequence(lambda n: f"Artist {n}")
    label = factory.SubFactory(LabelFactory)


class ArtistMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArtistMembership

    artist = factory.SubFactory(ArtistFactory)
    user = factory.SubFactory(UserFactory)
    role = ArtistMembership.Role.ADMIN


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work

    isrc = factory.Sequence(isrc_for)
    title = factory.Sequence(lambda n: f"Song {n:05d}")
    primary_artist = factory.SubFactory(ArtistFactory)
    label = factory.SelfAttribute("primary_artist.label")
    release_title = "First Light"
    release_date = date(2024, 5, 17)
    duration = timedelta(minutes=3, seconds=42)

    @classmethod
    def _create(cls, model_class: type[Work], *args: object, **kwargs: object) -> Work:
        # Counted, as every path that creates works counts them for the label's pages.
        work: Work = super()._create(model_class, *args, **kwargs)
        works_added([work])
        return work


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    work = factory.SubFactory(WorkFactory)
    name = factory.Faker("name")
    role = Credit.Role.COMPOSER


USE_TYPE_ORDER = ["training", "voice_likeness", "style_generation", "stems_remix", "lyrics"]


class UseTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseType
        django_get_or_create = ("slug",)

    slug = "training"
    name = factory.LazyAttribute(lambda o: o.slug.replace("_", " ").capitalize())
    explanation = "What this use means in practice."
    obliges_exclusion = factory.LazyAttribute(lambda o: o.slug == "training")
    # The order the initial migration gives them, whichever test made them first.
    position = factory.LazyAttribute(
        lambda o: USE_TYPE_ORDER.index(o.slug) if o.slug in USE_TYPE_ORDER else 99
    )


class LicenseeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licensee

    name = factory.Sequence(lambda n: f"Licensee {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    licensee = factory.SubFactory(LicenseeFactory)
    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    summary = "Makes new music from licensed recordings."
    status = Product.Status.ACTIVE


class ProductUseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductUse

    product = factory.SubFactory(ProductFactory)
    use_type = factory.SubFactory(UseTypeFactory)
    purpose = "Uses it to make music."


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence
        skip_postgeneration_save = True

    licensee = factory.SubFactory(LicenseeFactory)
    label = factory.SubFactory(LabelFactory)
    starts_on = factory.LazyFunction(lambda: timezone.now().date() - timedelta(days=30))
    ends_on = None
    artist_share = Decimal("50.00")
    label_share = Decimal("30.00")
    platform_share = Decimal("20.00")

    @factory.post_generation
    def use_types(
        obj: Licence, create: bool, extracted: list[UseType] | None, **kw: object
    ) -> None:
        if create and extracted:
            obj.use_types.set(extracted)


class DecisionFactory(factory.django.DjangoModelFactory):
    """Only for setting up reads; writes in tests go through the consent services."""

    class Meta:
        model = Decision

    product = factory.SubFactory(ProductFactory)
    work = factory.SubFactory(WorkFactory)
    use_type = factory.SubFactory(UseTypeFactory)
    side = Side.ARTIST
    answer = Answer.GRANTED
    decided_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class: type[Decision], *args: object, **kwargs: object) -> Decision:
        # Written past the write path, so its group's tallies are recounted.
        decision: Decision = super()._create(model_class, *args, **kwargs)
        work = decision.work
        groups_recount(groups=[(work.label_id, work.primary_artist_id)])
        return decision


def bulk_works(*, label: Label, n: int, start: int) -> list[Work]:
    """`n` works of a new artist on `label`, in one insert. ISRCs from `start` on, so they
    stay clear of the factories' own sequence."""
    artist = ArtistFactory(label=label)
    works = Work.objects.bulk_create(
        Work(isrc=isrc_for(start + i), title=f"Take {i}", primary_artist=artist, label=label)
        for i in range(n)
    )
    works_added(works)
    return works
