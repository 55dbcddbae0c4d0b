"""Consent receipts: one signed, self-contained record per ledger entry.

A receipt is the entry mapped onto the Kantara Initiative Consent Receipt v1.1 fields,
plus the portal's own claims, signed as a compact JWS (a JWT) with the portal's
current key. It verifies offline with any JOSE library and the keys published at
/.well-known/jwks.json. Receipts are derived, not stored: the same entry and key give
the same bytes every time (Ed25519 signatures are deterministic), so a download and a
webhook carry identical receipts. See docs/receipts.md for every claim.
"""

import json
from typing import Any

from django.conf import settings
from django.db import models
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import KeySet

from portal.consent.models import Answer, LedgerEntry, PermissionChange, Side
from portal.receipts import keys
from portal.receipts.selectors import decision_entry_for

VERSION = "KI-CR-v1.1.0"
COLLECTION_METHOD = "Consent Portal"


class ReceiptDecision(models.TextChoices):
    """What the receipt says was decided. "withdrawn" is a no that replaced a yes."""

    GRANTED = "granted", "Granted"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReceiptError(Exception):
    """A receipt that does not verify: malformed, signed by an unknown key, or altered."""


class _EdDSA(EdDSAAlgorithm):
    # joserfc warns on every use of "EdDSA" because RFC 9864 deprecates the name; we
    # keep it on purpose (see keys.ED25519_ALGORITHMS), so the warning is only noise.
    security_warning = None  # type: ignore[assignment]  # joserfc's base allows None


class _Registry(jws.JWSRegistry):
    algorithms = {**jws.JWSRegistry.algorithms, "EdDSA": _EdDSA()}


# Only the algorithms the portal signs with: a token claiming "none" or HS256 is refused
# before any key is looked at.
REGISTRY = _Registry(algorithms=keys.ALGORITHMS)


def decision_of(entry: LedgerEntry) -> ReceiptDecision:
    if entry.answer == Answer.GRANTED:
        return ReceiptDecision.GRANTED
    if entry.previous == Answer.GRANTED:
        return ReceiptDecision.WITHDRAWN
    return ReceiptDecision.DENIED


def receipt_id(entry: LedgerEntry) -> str:
    """Stable for the entry, and tied to its content through the ledger digest."""
    return f"{entry.position}-{entry.digest[:16]}"


def _termination(entry: LedgerEntry) -> str:
    if entry.answer != Answer.GRANTED:
        return "not applicable: consent not given"
    if entry.expires_at is not None:
        return f"expires {entry.expires_at.isoformat()}, or earlier on withdrawal"
    return "on withdrawal"


def receipt_claims(entry: LedgerEntry) -> dict[str, Any]:
    """The receipt's payload for one ledger entry.

    The Kantara v1.1 fields first, mapped to this domain: the principal is the party
    decided for (the artist, or the label as rights holder), the controller is the
    licensee behind the product, the service is the product and the purpose the use
    type. Then the portal's own claims. There is no `exp`: a receipt stays true after
    a consent expires, and a JWT library would refuse to read an "expired" receipt.
    The ledger note is left out: it is written for the parties, not for products.
    """
    product = entry.product
    licensee = product.licensee
    controller: dict[str, Any] = {"piiController": licensee.name, "onBehalf": False}
    if licensee.website:
        controller["piiControllerUrl"] = licensee.website
    base_url: str = settings.PORTAL_BASE_URL
    consent_at = int(entry.at.timestamp())
    principal = f"{entry.acting_for} ({Side(entry.side).label.lower()})"
    return {
        # Kantara Consent Receipt v1.1
        "version": VERSION,
        "jurisdiction": settings.RECEIPT_JURISDICTION,
        "consentTimestamp": consent_at,
        "collectionMethod": COLLECTION_METHOD,
        "consentReceiptID": receipt_id(entry),
        "language": "en",
        "piiPrincipalId": principal,
        "piiControllers": [controller],
        "policyUrl": settings.RECEIPT_POLICY_URL or f"{base_url}/",
        "services": [
            {
                "service": product.slug,
                "purposes": [
                    {
                        "purpose": entry.use_type.slug,
                        "purposeCategory": [entry.use_type.name],
                        "consentType": "EXPLICIT",
                        "piiCategory": ["sound recording"],
                        "primaryPurpose": True,
                        "termination": _termination(entry),
                        "thirdPartyDisclosure": False,
                    }
                ],
            }
        ],
        "sensitive": False,
        # JWT registered claims, for libraries that look for them
        "iss": base_url,
        "iat": consent_at,
        "jti": receipt_id(entry),
        # The portal's own claims
        "work": {"isrc": entry.work.isrc, "title": entry.work.title},
        "product": {"slug": product.slug, "name": product.name},
        "use": {"slug": entry.use_type.slug, "name": entry.use_type.name},
        "decision": decision_of(entry).value,
        "expiresAt": int(entry.expires_at.timestamp()) if entry.expires_at else None,
        # The conditions this party set on its yes, as the API writes them; [] for none.
        "conditions": entry.conditions,
        "actor": entry.actor_name,
        "onBehalfOf": {"name": entry.acting_for, "side": entry.side},
        "delegation": entry.delegation_id is not None,
        "ledger": {"position": entry.position, "digest": entry.digest},
    }


def receipt_for(entry: LedgerEntry) -> str:
    """The entry's receipt as a compact JWS, signed with the portal's current key.

    For webhook payloads too: see `receipt_for_change`.
    """
    key = keys.signing_key()
    header = {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
    payload = json.dumps(receipt_claims(entry), separators=(",", ":"), ensure_ascii=False)
    return jws.serialize_compact(header, payload.encode(), key.key, registry=REGISTRY)


def receipt_for_change(change: PermissionChange) -> str | None:
    """The receipt of the decision that caused a permission change, or None when the
    change had another cause (an expiry, a licence, a product's status)."""
    entry = decision_entry_for(change=change)
    return receipt_for(entry) if entry is not None else None


def receipt_verify(token: str, *, key_set: KeySet | None = None) -> dict[str, Any]:
    """The claims of a receipt whose signature verifies with a published key.

    `key_set` defaults to the portal's own published keys; a product would pass the set
    it fetched from /.well-known/jwks.json. Raises ReceiptError otherwise.
    """
    key_set = key_set or keys.public_key_set()
    try:
        signed = jws.extract_compact(token.encode(), registry=REGISTRY)
        header = signed.headers()
        kid = header.get("kid")
        matching = [key for key in key_set if key.kid == kid]
        if not matching:
            raise ReceiptError("The receipt is signed by a key the portal does not publish.")
        (key,) = matching
        # The key decides the algorithm, never the token: no algorithm confusion.
        if key.alg and key.alg != header["alg"]:
            raise ReceiptError("The receipt's algorithm does not match its key.")
        if not jws.validate_compact(signed, key, registry=REGISTRY):
            raise ReceiptError("The receipt's signature does not verify.")
        claims = json.loads(signed.payload)
    except (JoseError, ValueError) as exc:
        raise ReceiptError(f"The receipt cannot be read: {exc}") from exc
    if not isinstance(claims, dict):
        raise ReceiptError("The receipt's payload is not a JSON object.")
    return claims
