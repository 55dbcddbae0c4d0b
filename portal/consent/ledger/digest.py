"""How a ledger entry's digest is computed: the chain's one definition, used by both the
append and the check. Answers (`LedgerEntry`), label policies (`PolicyLedgerEntry`) and
disputes (`DisputeLedgerEntry`) share one chain; each kind has its fields and its digest."""

import hashlib
import json
from datetime import UTC, date, datetime

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
# Covered too when they differ from these defaults: a yes's conditions and the product
# versions it covers. Entries with the defaults hash exactly as they did before these
# fields existed.
HASHED_IF_GIVEN: dict[str, object] = {"conditions": [], "for_version": 1, "later_versions": False}

# The fields a label policy's entry covers (`PolicyLedgerEntry`): the policy's whole
# content, so a policy row that no longer matches its entries is found by the check.
POLICY_HASHED = (
    "position",
    "at",
    "actor_id",
    "actor_name",
    "event",
    "policy_id",
    "label_id",
    "use_type_id",
    "product_id",
    "released_before",
)

# The fields a dispute's step covers (`DisputeLedgerEntry`): who, for whom, which work,
# why, and what they wrote.
DISPUTE_HASHED = (
    "position",
    "at",
    "actor_id",
    "actor_name",
    "acting_for",
    "event",
    "dispute_id",
    "work_id",
    "reason",
    "note",
)


def _canonical(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest(content: dict[str, object], previous_digest: str) -> str:
    fields = [_canonical(content[name]) for name in HASHED]
    fields += [
        [name, content[name]]
        for name, default in HASHED_IF_GIVEN.items()
        if content.get(name, default) != default
    ]
    payload = json.dumps(
        [previous_digest, fields],
        separators=(",", ":"),
        ensure_ascii=False,
        # The database keeps a JSON object's keys in an order of its own.
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def policy_digest(content: dict[str, object], previous_digest: str) -> str:
    """A policy entry's digest. Marked as one, so no answer's content can ever hash the
    same; the answers' digests are left exactly as they were."""
    payload = json.dumps(
        [previous_digest, "policy", [_canonical(content[name]) for name in POLICY_HASHED]],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def dispute_digest(content: dict[str, object], previous_digest: str) -> str:
    """A dispute step's digest, marked as one, as a policy's is."""
    payload = json.dumps(
        [previous_digest, "dispute", [_canonical(content[name]) for name in DISPUTE_HASHED]],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()
