"""The page's machine-readable description: schema.org JSON-LD, safe inside <script>."""

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from portal.catalogue.models import Artist
from portal.fans.selectors import Offer

# As Django's json_script: "<", ">" and "&" as JSON escapes, so a name holding
# "</script>" or "<!--" stays a string and never ends the element.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def page_data(*, artist: Artist, url: str, offers: list[Offer]) -> dict[str, Any]:
    """A `MusicGroup` (the catalogue does not say whether an artist is a person or a band)
    with only what the portal knows: no `sameAs` links it has not been given."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MusicGroup",
        "name": artist.name,
        "url": url,
    }
    if artist.isni:
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "ISNI",
            "value": artist.isni,
        }
    data["makesOffer"] = [
        {
            "@type": "Offer",
            "itemOffered": {
                "@type": "Service",
                "name": offer.product.name,
                "description": offer.product.description or offer.product.summary,
                "provider": {"@type": "Organization", "name": offer.product.licensee.name},
            },
        }
        for offer in offers
    ]
    return data


def script(data: dict[str, Any]) -> SafeString:
    """`<script type="application/ld+json">` holding `data`, escaped as above."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)
