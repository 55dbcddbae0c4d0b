"""API key format and hashing: the one place that knows what a key looks like."""

import hashlib
import re
import secrets

KEY_PREFIX = "cp_live_"
# What a bearer token may look like before it is worth hashing and looking up.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_\-]{16,128}")


def key_generate() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(raw: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(raw.encode()).hexdigest()


def key_display_prefix(raw: str) -> str:
    """`cp_live_` and the first 8 characters of the secret part."""
    return raw[: len(KEY_PREFIX) + 8]
