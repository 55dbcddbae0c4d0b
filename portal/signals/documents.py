"""The documents the field reads, built from a work's signals and the portal's address.

Pure: no queries, no requests. Each follows a published specification; docs/signals.md
names the version of each.

- the work's public preferences as JSON (`work_json`);
- W3C TDMRep (Final Community Group Report, 10 May 2024): the site-wide rules of
  `/.well-known/tdmrep.json` (`tdmrep_rules`) and the TDM Policy they point at, an ODRL
  2.2 `Offer` in the TDMRep profile (`tdm_policy`);
- robots.txt (RFC 9309) with the IETF AI Preferences `Content-Usage` rule
  (draft-ietf-aipref-attach-05, vocabulary draft-ietf-aipref-vocab-07) and Cloudflare's
  `Content-Signal` line (contentsignals.org) (`robots_txt`).
"""

from typing import Any

from portal.consent.conditions import conditions_json
from portal.signals.selectors import WorkSignals

# The address of every work page, and the pattern of them all for TDMRep and robots.txt.
WORKS_PATH = "/w/"
POLICY_PATH = "/tdm/policy.json"
TDMREP_PATH = "/.well-known/tdmrep.json"
PORTAL_NAME = "Consent Portal"

# The header fields and meta names of TDMRep's HTTP and HTML techniques.
TDM_RESERVATION = "tdm-reservation"
TDM_POLICY = "tdm-policy"

# IETF AI Preferences: training AI models is not allowed, search is (vocab-07 defines
# just these two categories, `train-ai` and `search`). A licence through the portal is
# the "more specific arrangement" the vocabulary says prevails over this default.
CONTENT_USAGE = "train-ai=n, search=y"
# Cloudflare's content signals: yes to search, no to AI input and AI training. The
# signal has only yes and no; what is licensed is said on each work's page.
CONTENT_SIGNAL = "search=yes, ai-input=no, ai-train=no"


def work_url(base_url: str, isrc: str) -> str:
    return f"{base_url}{WORKS_PATH}{isrc}"


def cawg_url(base_url: str, isrc: str) -> str:
    return f"{work_url(base_url, isrc)}/cawg-training-mining.json"


def work_json(signals: WorkSignals, *, base_url: str) -> dict[str, Any]:
    """The work's public preferences: what is licensed now, through which product, under
    which conditions; everything else is reserved. The shape is documented in
    docs/signals.md and only grows."""
    work = signals.work
    return {
        "isrc": work.isrc,
        "title": work.title,
        "artist": work.primary_artist.name,
        "label": work.label.name,
        "licensed": [
            {
                "product": item.product.slug,
                "product_name": item.product.name,
                "licensee": item.product.licensee.name,
                "use": item.use_type.slug,
                "use_name": item.use_type.name,
                "conditions": conditions_json(item.conditions),
            }
            for item in signals.licensed
        ],
        "reserved": True,
        "links": {
            "self": work_url(base_url, work.isrc),
            "tdmrep": base_url + TDMREP_PATH,
            "tdm_policy": base_url + POLICY_PATH,
            "cawg_training_mining": cawg_url(base_url, work.isrc),
        },
    }


def tdmrep_rules(*, base_url: str) -> list[dict[str, Any]]:
    """TDM rights are reserved on every work page, with the policy that says how to
    license them. Nothing else is claimed: the portal's other pages are not works."""
    return [
        {
            "location": f"{WORKS_PATH}*",
            TDM_RESERVATION: 1,
            TDM_POLICY: base_url + POLICY_PATH,
        }
    ]


def tdm_policy(*, base_url: str) -> dict[str, Any]:
    """TDMRep's ODRL profile: mining the recordings the work pages describe is offered
    only with the rights holders' consent, obtained through the portal, and paid for."""
    return {
        "@context": ["http://www.w3.org/ns/odrl.jsonld", "http://www.w3.org/ns/tdmrep.jsonld"],
        "@type": "Offer",
        "profile": "http://www.w3.org/ns/tdmrep",
        "uid": base_url + POLICY_PATH,
        "assigner": {
            "uid": base_url,
            "vcard:fn": PORTAL_NAME,
            "vcard:hasURL": base_url + "/",
        },
        "permission": [
            {
                "target": base_url + WORKS_PATH,
                "action": "tdm:mine",
                "duty": [{"action": "obtainConsent"}, {"action": "compensate"}],
            }
        ],
    }


# Public: the work pages, the artists' pages, the documents crawlers read and what the
# pages need to render. Everything else (sign-in, accounts, the API, people's own pages)
# is for the people and products it belongs to.
ALLOWED = ("/w/", "/a/", "/.well-known/", "/tdm/", "/static/")
DISALLOWED = ("/admin/", "/accounts/", "/account/", "/api/", "/")

_HEADER = """\
# {name}: each recording's AI-use preferences, as its artist and label set them.
#
# Crawling: the public pages are /w/<ISRC> (a recording) and /a/<slug>/ (an artist);
# nothing else is for crawlers.
#
# Use of what is crawled:
# - Content-Usage (IETF AI Preferences, draft-ietf-aipref-attach-05 and
#   draft-ietf-aipref-vocab-07): search allowed; training AI models not allowed.
# - Content-Signal (contentsignals.org): search=yes; ai-input=no (no use as input to
#   AI models, including retrieval, grounding and generated answers); ai-train=no
#   (no training or fine-tuning of AI models).
# - TDM rights are reserved (W3C TDMRep: {tdmrep}).
#
# The only exceptions are the uses licensed through this portal: each recording's page,
# {works}<ISRC>, lists what is licensed now and through which AI products. Everything
# else is reserved. Any restrictions expressed here are express reservations of rights
# under Article 4 of Directive (EU) 2019/790 on copyright and related rights in the
# Digital Single Market.
"""


def robots_txt(*, base_url: str) -> str:
    header = _HEADER.format(
        name=PORTAL_NAME, tdmrep=base_url + TDMREP_PATH, works=base_url + WORKS_PATH
    )
    lines = [header, "User-Agent: *"]
    lines += [f"Allow: {path}" for path in ALLOWED]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines.append(f"Content-Usage: {CONTENT_USAGE}")
    lines.append(f"Content-Signal: {CONTENT_SIGNAL}")
    return "\n".join(lines) + "\n"
