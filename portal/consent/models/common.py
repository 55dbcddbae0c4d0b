"""What every consent model shares: the sides, the answers, the causes of a change, and
the triggers that keep a table append-only."""

import pgtrigger
from django.db import models


def append_only(prefix: str) -> tuple[pgtrigger.Trigger, ...]:
    """PostgreSQL triggers that reject UPDATE, DELETE and TRUNCATE on a table."""
    return (
        pgtrigger.Protect(
            name=f"{prefix}_append_only", operation=pgtrigger.Update | pgtrigger.Delete
        ),
        pgtrigger.Trigger(
            name=f"{prefix}_no_truncate",
            operation=pgtrigger.Truncate,
            level=pgtrigger.Statement,
            when=pgtrigger.Before,
            func="RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME;",
        ),
    )


class Side(models.TextChoices):
    ARTIST = "artist", "Artist"
    RIGHTS_HOLDER = "rights_holder", "Rights holder"


class Answer(models.TextChoices):
    GRANTED = "granted", "Yes"
    DENIED = "denied", "No"


# Taking an answer back: the party has not answered, as before it ever did. No decision
# row holds it (none is kept); the ledger entry that records it says "" for the answer.
NO_ANSWER = ""


class Cause(models.TextChoices):
    DECISION = "decision", "A decision"
    EXPIRY = "expiry", "An expiry"
    LICENCE = "licence", "A licence change"
    PRODUCT = "product", "A product status change"
    WITHDRAWAL = "withdrawal", "A recording withdrawn or released again"
    POLICY = "policy", "A label policy added or lifted"
    VERSION = "version", "A new version of the product"
    DISPUTE = "dispute", "A recording disputed, or its dispute resolved"
