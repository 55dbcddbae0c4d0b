"""`manage.py seed_demo`: the demo contract in the brief, idempotence and scale."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from portal.catalogue.identifiers import isrc_normalise, iswc_normalise
from portal.catalogue.models import Artist, ArtistMembership, Credit, Label, LabelManager, Work
from portal.consent import ledger
from portal.consent.models import (
    AnnouncedPermission,
    Answer,
    Decision,
    LedgerEntry,
    PermissionChange,
    Side,
)
from portal.consent.services import decision_set
from portal.earnings.models import (
    Allocation,
    Compliance,
    MonthlyEarning,
    UsageLine,
    UsageReport,
    WorkMonthEarning,
)
from portal.licensing.models import Licence, Licensee, Product, ProductUse, UseType
from tests.seeded import use_types_seeded  # noqa: F401 (autouse: the demo uses them)

pytestmark = pytest.mark.django_db

PASSWORD = "listen-to-the-artists"
LOGINS = (
    "staff@demo.test",
    "manager@demo.test",
    "artist@demo.test",
    "artist2@demo.test",
    "outsider@demo.test",
)
NORTHERN = "Northern Lights Records"


def seed(scale: int = 1, password: str = PASSWORD) -> str:
    out = StringIO()
    call_command("seed_demo", password=password, scale=scale, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (
        User, EmailAddress, Label, LabelManager, Artist, ArtistMembership, Work, Credit,
        Licensee, Licence, Product, ProductUse, Decision, LedgerEntry, AnnouncedPermission,
        PermissionChange, UsageReport, UsageLine, Allocation, MonthlyEarning, WorkMonthEarning,
    )  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def works_per_artist() -> dict[str, int]:
    return dict(Artist.objects.annotate(n=Count("works")).values_list("name", "n"))


def artist_of(email: str) -> Artist:
    return Artist.objects.get(artistmembership__user__email=email)


def last_twelve_months() -> list[date]:
    """The first days of the twelve complete months ending with last month, oldest first."""
    months = [timezone.now().date().replace(day=1)]
    for _ in range(12):
        months.insert(0, (months[0] - timedelta(days=1)).replace(day=1))
    return months[:-1]


def flagged(product: str, use: str) -> set[tuple[str, str]]:
    """(artist name, compliance) of the product's flagged lines for the use."""
    return set(
        Allocation.objects.filter(product__slug=product, use_type__slug=use)
        .exclude(compliance=Compliance.PERMITTED)
        .values_list("artist__name", "compliance")
    )


def test_every_contract_login_can_log_in_with_the_password_at_once() -> None:
    seed()

    for email in LOGINS:
        user = authenticate(email=email, password=PASSWORD)
        assert user is not None, email
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()


def test_the_logins_have_the_roles_the_contract_names() -> None:
    seed()

    staff = User.objects.get(email="staff@demo.test")
    assert staff.is_staff and staff.is_superuser
    assert LabelManager.objects.filter(user__email="manager@demo.test", label__name=NORTHERN)
    assert artist_of("artist@demo.test").label.name == NORTHERN
    assert artist_of("artist2@demo.test").label.name == NORTHERN
    outsider = artist_of("outsider@demo.test")
    assert outsider.label.name != NORTHERN
    assert not LabelManager.objects.filter(user__email="manager@demo.test", label=outsider.label)
    assert set(ArtistMembership.objects.values_list("role", flat=True)) == {"admin"}
    assert not User.objects.filter(email__in=LOGINS[1:], is_staff=True).exists()


def test_each_artist_has_at_least_20_credited_works_with_valid_identifiers() -> None:
    seed()

    assert all(n >= 20 for n in works_per_artist().values())
    for work in Work.objects.all():
        assert isrc_normalise(work.isrc) == work.isrc
        assert not work.iswc or iswc_normalise(work.iswc) == work.iswc
        assert work.label_id == work.primary_artist.label_id
        assert work.release_title and work.release_date and work.duration
    assert not Work.objects.filter(credits__isnull=True).exists()


def test_the_demo_products_ask_for_their_use_types_under_licences_with_both_labels() -> None:
    seed()

    uses = {
        product.slug: set(product.use_types.values_list("slug", flat=True))
        for product in Product.objects.all()
    }
    assert uses == {
        "tunesmith": {"training", "style_generation"},
        "stemify": {"stems_remix", "lyrics"},
        "echovox": {"voice_likeness"},
    }
    assert set(Product.objects.values_list("slug", "status")) == {
        ("tunesmith", Product.Status.ACTIVE),
        ("stemify", Product.Status.ACTIVE),
        ("echovox", Product.Status.SUSPENDED),
    }
    assert Product.objects.get(slug="tunesmith").licensee.name == "Tunesmith Labs"
    assert not ProductUse.objects.filter(purpose="").exists()
    for product in Product.objects.all():
        for label in Label.objects.all():
            licence = Licence.objects.get(licensee=product.licensee, label=label)
            assert set(licence.use_types.all()) == set(product.use_types.all())
            assert licence.artist_share + licence.label_share + licence.platform_share == 100
            assert licence.ends_on and licence.starts_on < licence.ends_on


def test_the_seeded_answers_make_some_works_permitted_and_leave_artist2_undecided() -> None:
    seed()

    tunesmith = Product.objects.get(slug="tunesmith")
    training = UseType.objects.get(slug="training")
    ada = artist_of("artist@demo.test")
    permitted = AnnouncedPermission.objects.filter(
        product=tunesmith, use_type=training, permitted=True
    )
    assert 0 < permitted.filter(work__primary_artist=ada).count() < ada.works.count()
    assert Decision.objects.filter(
        work__primary_artist=ada, side=Side.ARTIST, answer=Answer.DENIED
    ).exists()
    assert not Decision.objects.filter(
        work__primary_artist=artist_of("artist2@demo.test"), side=Side.ARTIST
    ).exists()
    assert ledger.verify() == (LedgerEntry.objects.count(), None)


def test_twelve_months_of_usage_are_reported_and_earn_the_artists_who_said_yes() -> None:
    seed()

    months = last_twelve_months()
    for slug in ("tunesmith", "stemify"):
        reports = UsageReport.objects.filter(product__slug=slug)
        assert sorted(reports.values_list("period_start", flat=True)) == months
        assert all(r.period_end.day >= 28 and r.currency == "USD" for r in reports)
    assert sorted(set(MonthlyEarning.objects.values_list("month", flat=True))) == months
    for email in ("artist@demo.test", "outsider@demo.test"):
        paid = dict(
            MonthlyEarning.objects.filter(artist=artist_of(email), compliance=Compliance.PERMITTED)
            .values("month")
            .annotate(total=Sum("artist_amount"))
            .values_list("month", "total")
        )
        assert sorted(paid) == months and min(paid.values()) > 0, email
    assert UsageLine.objects.filter(credit__startswith="Ada Lane \u2014 ").exists()
    assert UsageLine.objects.filter(credit="").exists()


def test_every_line_is_allocated_and_the_shares_add_up_to_the_gross_to_the_cent() -> None:
    seed()

    lines = UsageLine.objects.all()
    assert lines.count() == Allocation.objects.count() > 100
    for allocation in Allocation.objects.select_related("line"):
        assert allocation.gross == allocation.line.gross
        assert allocation.licence_id is not None
        parts = allocation.artist_amount + allocation.label_amount + allocation.platform_amount
        assert parts == allocation.gross
    total = lines.aggregate(total=Sum("gross"))["total"]
    assert total > 0
    for summary in (MonthlyEarning, WorkMonthEarning):
        assert summary.objects.aggregate(total=Sum("gross"))["total"] == total


def test_a_few_lines_are_flagged_for_use_that_was_not_permitted() -> None:
    seed()

    # Tunesmith generated "in the style of" a song Ada said no to, and used four more in
    # the month she said yes to them; Stemify remixed a song of Bo's nobody was asked
    # about; Echovox used Ada's voice in the month it was suspended.
    assert flagged("tunesmith", "style_generation") == {
        ("Ada Lane", Compliance.UNPERMITTED),
        ("Ada Lane", Compliance.PARTLY),
    }
    assert flagged("stemify", "stems_remix") == {("Bo Reed", Compliance.UNPERMITTED)}
    assert flagged("echovox", "voice_likeness") == {("Ada Lane", Compliance.PARTLY)}
    # Ada let Tunesmith train on two songs for non-commercial use only; in one month it
    # reported one of them used commercially.
    [breach] = Allocation.objects.filter(use_type__slug="training").exclude(
        compliance=Compliance.PERMITTED
    )
    assert (breach.product.slug, breach.artist.name, breach.compliance) == (
        "tunesmith",
        "Ada Lane",
        Compliance.BREACHED,
    )
    assert breach.breach["allowed"] == "non-commercial use only"
    held = Allocation.objects.exclude(compliance=Compliance.PERMITTED).count()
    assert 0 < held * 10 < Allocation.objects.count()


def test_echovox_reports_use_only_until_the_month_it_was_suspended() -> None:
    seed()

    echovox = Product.objects.get(slug="echovox")
    months = last_twelve_months()
    assert echovox.status_changed_at.date().replace(day=1) == months[3]
    assert (
        sorted(UsageReport.objects.filter(product=echovox).values_list("period_start", flat=True))
        == months[:4]
    )


def test_the_consents_behind_the_usage_were_given_before_its_first_month() -> None:
    seed()

    first = datetime.combine(last_twelve_months()[0], datetime.min.time(), tzinfo=UTC)
    earliest = PermissionChange.objects.order_by("at").first()
    assert earliest is not None and earliest.at < first
    assert LedgerEntry.objects.order_by("position").first().at < first
    assert all(licence.starts_on < first.date() for licence in Licence.objects.all())
    assert ledger.verify() == (LedgerEntry.objects.count(), None)


def test_running_it_twice_changes_nothing_and_the_ledger_still_verifies() -> None:
    seed()
    before = counts()

    seed()

    assert counts() == before
    assert before["LedgerEntry"] > 0
    assert before["UsageReport"] > 0
    assert ledger.verify() == (before["LedgerEntry"], None)


def test_the_password_is_reset_on_every_run() -> None:
    seed(password="first-password")
    seed(password="second-password")

    assert authenticate(email="artist@demo.test", password="first-password") is None
    assert authenticate(email="artist@demo.test", password="second-password") is not None


def test_a_rerun_never_overwrites_an_answer_someone_gave_in_the_demo() -> None:
    seed()
    ada = artist_of("artist@demo.test")
    tunesmith = Product.objects.get(slug="tunesmith")
    training = UseType.objects.get(slug="training")
    granted = Decision.objects.filter(
        product=tunesmith, use_type=training, side=Side.ARTIST, answer=Answer.GRANTED
    ).first()
    assert granted is not None
    decision_set(
        actor=User.objects.get(email="artist@demo.test"),
        product=tunesmith,
        work=granted.work,
        use_type=training,
        side=Side.ARTIST,
        answer=Answer.DENIED,
    )

    seed()

    granted.refresh_from_db()
    assert granted.answer == Answer.DENIED
    assert ada.works.count() == 20


def test_scale_2_doubles_the_works_per_artist_and_answers_the_new_ones_too() -> None:
    seed()
    ada = artist_of("artist@demo.test")
    ada_answers = Decision.objects.filter(work__primary_artist=ada, side=Side.ARTIST).count()
    usage = UsageLine.objects.count()

    seed(scale=2)

    assert set(works_per_artist().values()) == {40}
    assert Decision.objects.filter(work__primary_artist=ada, side=Side.ARTIST).count() > (
        ada_answers
    )
    assert not Work.objects.filter(credits__isnull=True).exists()
    assert ledger.verify() == (LedgerEntry.objects.count(), None)
    # The months already reported stay as the products reported them.
    assert UsageLine.objects.count() == usage


def test_the_summary_names_every_login_and_the_password() -> None:
    output = seed()

    for email in LOGINS:
        assert email in output
    assert PASSWORD in output
    assert "Ada Lane" in output


def test_the_summary_says_what_each_artist_earned_last_month() -> None:
    output = seed()

    last_month = f"{last_twelve_months()[-1]:%B %Y}"
    ada = next(line for line in output.splitlines() if "artist@demo.test" in line)
    bo = next(line for line in output.splitlines() if "artist2@demo.test" in line)
    ada_paid = MonthlyEarning.objects.filter(
        artist=artist_of("artist@demo.test"),
        month=last_twelve_months()[-1],
        compliance=Compliance.PERMITTED,
    ).aggregate(total=Sum("artist_amount"))["total"]
    assert f"earned US${ada_paid:,.2f} in {last_month}" in ada
    assert f"earned US${Decimal(0):.2f} in {last_month}" in bo and "1 flagged line" in bo
    assert "Not seeded yet" not in output


@pytest.mark.parametrize("scale", [0, -1, 10_000])
def test_a_scale_out_of_range_is_refused_and_changes_nothing(scale: int) -> None:
    with pytest.raises(CommandError, match="--scale"):
        seed(scale=scale)

    assert not Work.objects.exists()
    assert not User.objects.exists()


def test_staff_and_managers_get_the_published_demo_second_factor(db: None) -> None:
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command

    from portal.demo.people import DEMO_TOTP_SECRET
    from tests.mfa import totp_code

    call_command("seed_demo", password="pw-for-tests", stdout=StringIO())
    for email in ("staff@demo.test", "manager@demo.test"):
        assert Authenticator.objects.filter(
            user__email=email, type=Authenticator.Type.TOTP
        ).exists()
    assert not Authenticator.objects.filter(user__email="artist@demo.test").exists()
    client = Client()
    client.post(
        reverse("account_login"), {"login": "manager@demo.test", "password": "pw-for-tests"}
    )
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).status_code == 200
    assert "_auth_user_id" in client.session
