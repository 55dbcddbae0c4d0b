"""Staff see whose two-factor methods exist, of which kind, made and last used when; never
their data, and they cannot add or edit one. They can delete one, for a lost phone."""

from allauth.mfa.models import Authenticator
from django.urls import reverse

from portal.accounts.crypto import mfa_secret_decrypt
from tests.conftest import World, logged_in
from tests.mfa import recovery_codes_of, totp_enable


def test_the_list_and_the_page_show_kind_owner_and_dates_but_no_secret(world: World) -> None:
    secret = totp_enable(world.artist_user)
    codes = recovery_codes_of(world.artist_user)
    totp = Authenticator.objects.get(user=world.artist_user, type="totp")
    seed = mfa_secret_decrypt(
        Authenticator.objects.get(user=world.artist_user, type="recovery_codes").data["seed"]
    )
    client = logged_in(world.staff)

    listing = client.get(reverse("admin:mfa_authenticator_changelist"))
    page = client.get(reverse("admin:mfa_authenticator_change", args=[totp.pk]))

    assert listing.status_code == page.status_code == 200
    assert world.artist_user.display_name in listing.content.decode()
    assert "TOTP Authenticator" in page.content.decode()
    for response in (listing, page):
        html = response.content.decode()
        assert secret not in html
        assert seed not in html
        assert totp.data["secret"] not in html  # not even encrypted
        assert not any(code in html for code in codes)
        assert 'name="data"' not in html
    assert 'name="_save"' not in page.content.decode()


def test_staff_cannot_add_or_edit_one(world: World) -> None:
    totp_enable(world.artist_user)
    totp = Authenticator.objects.get(user=world.artist_user, type="totp")
    before = totp.data
    client = logged_in(world.staff)

    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    response = client.post(
        reverse("admin:mfa_authenticator_change", args=[totp.pk]),
        {"user": world.artist_user.pk, "type": "totp", "data": '{"secret": "AAAA"}'},
    )

    assert response.status_code == 403
    totp.refresh_from_db()
    assert totp.data == before


def test_staff_can_delete_one_for_a_lost_phone(world: World) -> None:
    totp_enable(world.artist_user, recovery_codes=False)
    totp = Authenticator.objects.get(user=world.artist_user, type="totp")
    client = logged_in(world.staff)

    response = client.post(
        reverse("admin:mfa_authenticator_delete", args=[totp.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=totp.pk).exists()
