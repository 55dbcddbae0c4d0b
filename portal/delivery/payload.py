"""The webhook's body and its Standard Webhooks signature headers (the fixed contract).

Each change in the body is `portal.consent.changes.change_json`, as the changes API
serves it.
"""

import json
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks.webhooks import Webhook

EVENT_TYPE = "permissions.changed"


def body_json(*, product_slug: str, changes: Sequence[dict[str, object]]) -> str:
    return json.dumps(
        {"type": EVENT_TYPE, "product": product_slug, "changes": list(changes)},
        separators=(",", ":"),
    )


def signed_headers(
    *, webhook_id: str, body: str, secrets: Sequence[str], now: datetime
) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature`: one `v1,` signature per
    current secret, space-separated, so a receiver holding either the old or the new
    secret verifies during a rotation's overlap."""
    if not secrets:
        raise ValueError("An endpoint needs a signing secret to be sent to.")
    signatures = " ".join(
        Webhook(secret).sign(msg_id=webhook_id, timestamp=now, data=body) for secret in secrets
    )
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signatures,
    }
