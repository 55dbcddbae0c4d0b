"""Consent receipts: what they say, that they verify offline with only the published keys
(through joserfc, and through `cryptography` with no JOSE library at all), that an
altered receipt does not, and that keys rotate without breaking old receipts."""

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet, OctKey, OKPKey

from portal.consent.models import Answer, Cause, LedgerEntry, PermissionChange, Side
from portal.consent.services import decision_set, delegation_grant, product_set_status
from portal.licensing.models import Product
from portal.receipts import keys
from portal.receipts.signing import (
    ReceiptError,
    receipt_claims,
    receipt_for,
    receipt_for_change,
    receipt_verify,
)
from tests.conftest import World, say

# A product verifying with plain joserfc sees its warning that RFC 9864 renamed "EdDSA".
quiet_eddsa = pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")


def b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def latest_entry() -> LedgerEntry:
    return LedgerEntry.objects.order_by("position").last()  # type: ignore[return-value]


def published_jwks() -> dict[str, Any]:
    """The key set exactly as a product would fetch it: over HTTP, as JSON, no login."""
    response = Client().get(reverse("jwks"))
    assert response.status_code == 200
    return json.loads(response.content)


def verify_with_cryptography(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """A verifier written from the RFCs with no JOSE library: find the key by kid, check
    the signature over "header.payload", then read the payload."""
    header_segment, payload_segment, signature_segment = token.split(".")
    header = json.loads(b64decode(header_segment))
    (jwk,) = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
    assert header["alg"] == jwk["alg"]
    signing_input = f"{header_segment}.{payload_segment}".encode()
    signature = b64decode(signature_segment)
    if jwk["kty"] == "OKP":
        Ed25519PublicKey.from_public_bytes(b64decode(jwk["x"])).verify(signature, signing_input)
    else:
        x, y = (int.from_bytes(b64decode(jwk[n]), "big") for n in ("x", "y"))
        public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    return json.loads(b64decode(payload_segment))


def tampered(token: str, **changes: object) -> str:
    """The same header and signature around a payload with some claims changed."""
    header_segment, payload_segment, signature_segment = token.split(".")
    claims = {**json.loads(b64decode(payload_segment)), **changes}
    payload = b64encode(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header_segment}.{payload}.{signature_segment}"


def new_ed25519_jwk() -> dict[str, Any]:
    return dict(OKPKey.generate_key("Ed25519").as_dict(private=True))


# --- verifying offline ----------------------------------------------------------------


@quiet_eddsa
def test_a_receipt_verifies_with_joserfc_and_only_the_published_key_set(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    entry = latest_entry()
    token = receipt_for(entry)
    key_set = KeySet.import_key_set(published_jwks())  # type: ignore[arg-type]
    signed = jws.deserialize_compact(token, key_set, algorithms=["EdDSA"])
    assert signed.headers()["typ"] == "JWT"
    assert json.loads(signed.payload) == receipt_claims(entry)


def test_a_receipt_verifies_with_no_jose_library_at_all(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    entry = latest_entry()
    assert verify_with_cryptography(receipt_for(entry), published_jwks()) == receipt_claims(entry)


@quiet_eddsa
def test_an_altered_receipt_fails_every_verifier(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.ARTIST, Answer.DENIED)
    token = tampered(receipt_for(latest_entry()), decision="granted")
    jwks = published_jwks()
    with pytest.raises(ReceiptError):
        receipt_verify(token)
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(token, KeySet.import_key_set(jwks), algorithms=["EdDSA"])  # type: ignore[arg-type]
    with pytest.raises(InvalidSignature):
        verify_with_cryptography(token, jwks)


def test_unsigned_and_symmetric_receipts_are_refused(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    token = receipt_for(latest_entry())
    _, payload_segment, _ = token.split(".")
    kid = keys.signing_key().kid
    unsigned = b64encode(json.dumps({"alg": "none", "kid": kid}).encode())
    with pytest.raises(ReceiptError):
        receipt_verify(f"{unsigned}.{payload_segment}.")
    # HS256 keyed with the public key: the classic algorithm-confusion forgery.
    public = OctKey.import_key(keys.jwks()["keys"][0]["x"].encode())
    forged = jws.serialize_compact(
        {"alg": "HS256", "kid": kid}, b64decode(payload_segment), public, algorithms=["HS256"]
    )
    with pytest.raises(ReceiptError):
        receipt_verify(forged)
    with pytest.raises(ReceiptError):
        receipt_verify("not a receipt")


def test_the_same_entry_always_gives_the_same_receipt(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    entry = latest_entry()
    assert receipt_for(entry) == receipt_for(LedgerEntry.objects.get(pk=entry.pk))


# --- what a receipt says --------------------------------------------------------------


def test_a_grant_says_who_for_whom_which_work_product_and_use_when_and_until(
    world: World,
) -> None:
    expires = timezone.now() + timedelta(days=90)
    say(world, Side.ARTIST, Answer.GRANTED, expires_at=expires)
    entry = latest_entry()
    claims = receipt_verify(receipt_for(entry))
    work = world.works[0]
    (service,) = claims["services"]
    (purpose,) = service["purposes"]
    assert claims["version"] == "KI-CR-v1.1.0"
    assert claims["consentReceiptID"] == f"{entry.position}-{entry.digest[:16]}"
    assert claims["consentTimestamp"] == int(entry.at.timestamp())
    assert claims["actor"] == world.artist_user.display_name
    assert claims["piiPrincipalId"] == "Ada Lane (artist)"
    assert claims["onBehalfOf"] == {"name": "Ada Lane", "side": "artist"}
    assert claims["delegation"] is False
    assert claims["work"] == {"isrc": work.isrc, "title": work.title}
    assert service["service"] == "tunesmith"
    assert claims["product"] == {"slug": "tunesmith", "name": "Tunesmith"}
    assert claims["piiControllers"][0]["piiController"] == world.product.licensee.name
    assert (purpose["purpose"], purpose["consentType"]) == ("training", "EXPLICIT")
    assert claims["use"] == {"slug": "training", "name": "Training"}
    assert claims["decision"] == "granted"
    assert claims["expiresAt"] == int(expires.timestamp())
    assert expires.isoformat() in purpose["termination"]
    assert claims["ledger"] == {"position": entry.position, "digest": entry.digest}
    assert "exp" not in claims  # a receipt stays readable after the consent expires


def test_a_no_after_a_yes_is_a_withdrawal_and_a_first_no_a_denial(world: World) -> None:
    say(world, Side.ARTIST, Answer.DENIED, use=world.style)
    denied = receipt_verify(receipt_for(latest_entry()))
    say(world, Side.ARTIST, Answer.GRANTED)
    granted = receipt_verify(receipt_for(latest_entry()))
    say(world, Side.ARTIST, Answer.DENIED)
    withdrawn = receipt_verify(receipt_for(latest_entry()))
    assert [denied["decision"], granted["decision"], withdrawn["decision"]] == [
        "denied",
        "granted",
        "withdrawn",
    ]
    assert granted["expiresAt"] is None
    assert granted["services"][0]["purposes"][0]["termination"] == "on withdrawal"
    assert denied["services"][0]["purposes"][0]["purpose"] == "style_generation"


def test_the_labels_answer_is_for_the_label_as_rights_holder(world: World) -> None:
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    claims = receipt_verify(receipt_for(latest_entry()))
    assert claims["actor"] == world.manager.display_name
    assert claims["piiPrincipalId"] == "Northern Lights Records (rights holder)"
    assert claims["onBehalfOf"] == {"name": "Northern Lights Records", "side": "rights_holder"}


def test_an_answer_under_delegation_says_the_label_acted_for_the_artist(world: World) -> None:
    delegation = delegation_grant(actor=world.artist_user, artist=world.artist)
    decision_set(
        actor=world.manager,
        product=world.product,
        work=world.works[0],
        use_type=world.training,
        side=Side.ARTIST,
        answer=Answer.GRANTED,
        delegation=delegation,
    )
    claims = receipt_verify(receipt_for(latest_entry()))
    assert claims["actor"] == world.manager.display_name
    assert claims["onBehalfOf"] == {"name": "Ada Lane", "side": "artist"}
    assert claims["delegation"] is True


# --- receipts for products -----------------------------------------------------------


def test_a_change_caused_by_a_decision_carries_that_decisions_receipt(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)  # this one flips the permission
    change = PermissionChange.objects.get()
    receipt = receipt_for_change(change)
    assert receipt is not None
    claims = receipt_verify(receipt)
    assert claims["ledger"]["position"] == latest_entry().position
    assert claims["onBehalfOf"]["side"] == "rights_holder"


def test_a_change_with_another_cause_has_no_receipt(world: World) -> None:
    say(world, Side.ARTIST, Answer.GRANTED)
    say(world, Side.RIGHTS_HOLDER, Answer.GRANTED)
    product_set_status(product=world.product, status=Product.Status.SUSPENDED)
    change = PermissionChange.objects.order_by("seq").last()
    assert change is not None and change.cause == Cause.PRODUCT
    assert receipt_for_change(change) is None


# --- keys -----------------------------------------------------------------------------


def test_without_configured_keys_a_development_key_comes_from_the_secret_key(
    settings: Any,
) -> None:
    settings.RECEIPT_SIGNING_KEYS = []
    derived = keys.development_jwk(settings.SECRET_KEY)
    assert derived == keys.development_jwk(settings.SECRET_KEY)
    assert derived != keys.development_jwk("another secret")
    assert keys.jwks()["keys"][0]["x"] == derived["x"]
    settings.SECRET_KEY = "another secret"
    assert keys.jwks()["keys"][0]["x"] == keys.development_jwk("another secret")["x"]


def test_the_published_set_has_no_private_key_material(world: World, settings: Any) -> None:
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    settings.RECEIPT_SIGNING_KEYS = [{**new_ed25519_jwk(), "key_ops": ["sign"]}, ec_pem]
    for key in published_jwks()["keys"]:
        assert set(key) <= {"kty", "crv", "x", "y", "kid", "alg", "use"}
        assert key["use"] == "sig"
        assert key["kid"]
    assert [key["alg"] for key in published_jwks()["keys"]] == ["EdDSA", "ES256"]


def test_an_es256_key_from_pem_signs_receipts_any_verifier_accepts(
    world: World, settings: Any
) -> None:
    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    settings.RECEIPT_SIGNING_KEYS = json.dumps([pem])  # as the environment variable gives it
    say(world, Side.ARTIST, Answer.GRANTED)
    entry = latest_entry()
    token = receipt_for(entry)
    assert json.loads(b64decode(token.split(".")[0]))["alg"] == "ES256"
    jwks = published_jwks()
    assert verify_with_cryptography(token, jwks) == receipt_claims(entry)
    key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    assert jws.deserialize_compact(token, key_set, algorithms=["ES256"]).payload


def test_after_a_rotation_old_receipts_verify_while_their_key_is_published(
    world: World, settings: Any
) -> None:
    old, new = new_ed25519_jwk(), new_ed25519_jwk()
    say(world, Side.ARTIST, Answer.GRANTED)
    entry = latest_entry()
    with override_settings(RECEIPT_SIGNING_KEYS=[old]):
        old_receipt = receipt_for(entry)
        old_kid = keys.signing_key().kid

    settings.RECEIPT_SIGNING_KEYS = [new, {k: v for k, v in old.items() if k != "d"}]
    assert receipt_verify(old_receipt)["ledger"]["digest"] == entry.digest
    assert verify_with_cryptography(old_receipt, published_jwks())
    new_receipt = receipt_for(entry)
    new_kid = json.loads(b64decode(new_receipt.split(".")[0]))["kid"]
    assert new_kid != old_kid
    assert [key["kid"] for key in published_jwks()["keys"]] == [new_kid, old_kid]

    settings.RECEIPT_SIGNING_KEYS = [new]  # the old key is retired for good
    with pytest.raises(ReceiptError, match="does not publish"):
        receipt_verify(old_receipt)
    assert receipt_verify(new_receipt)


def rsa_pem() -> str:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.mark.parametrize(
    "configured",
    [
        pytest.param(lambda: [{"kty": "oct", "k": "c2VjcmV0"}], id="a symmetric key"),
        pytest.param(
            lambda: [{k: v for k, v in keys.development_jwk("s").items() if k != "d"}],
            id="a public key first",
        ),
        pytest.param(lambda: ["not a key"], id="garbage"),
        pytest.param(lambda: "[not json", id="broken JSON"),
        pytest.param(lambda: [rsa_pem()], id="an RSA key"),
        pytest.param(lambda: [new_ed25519_jwk(), new_ed25519_jwk()] * 2, id="a kid twice"),
    ],
)
def test_keys_that_cannot_sign_receipts_are_refused(
    configured: Callable[[], object], settings: Any
) -> None:
    settings.RECEIPT_SIGNING_KEYS = configured()
    with pytest.raises(ImproperlyConfigured):
        keys.receipt_keys()
