"""The ledger: the append-only, hash-chained history of every decision.

`append` is its only writer; `digest` defines the chain; `verify` walks it. Reading the
chain's definition or checking it never needs the writer, so only those are named here.
"""

from portal.consent.ledger.digest import GENESIS, HASHED, digest
from portal.consent.ledger.verify import Break, verify

__all__ = ["GENESIS", "HASHED", "Break", "digest", "verify"]
