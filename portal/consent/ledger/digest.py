"""How a ledger entry's digest is computed: the chain's one definition, used by both the
append and the check."""

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64

# The fields an entry's digest covers, in order. Ids, not names, so renaming a
# product or a work never breaks the chain.
HASHED = (
    "position",
    "at",
    "actor_id",
    "actor_name",
    "side",
    "acting_for",
    "product_id",
    "work_id",
    "use_type_id",
    "previous",
    "answer",
    "expires_at",
    "note",
    "delegation_id",
)


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def digest(content: dict[str, object], previous_digest: str) -> str:
    payload = json.dumps(
        [previous_digest, [_canonical(content[name]) for name in HASHED]],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
