"""Consent's models, one module per concept; every name is importable from here."""

from portal.consent.models.batches import UNDO_FOR, AnswerBatch
from portal.consent.models.common import NO_ANSWER, Answer, Cause, Side, append_only
from portal.consent.models.decisions import BulkAnswer, ConditionDefault, Decision, Delegation
from portal.consent.models.disputes import (
    Dispute,
    DisputeEvent,
    DisputeLedgerEntry,
    DisputeReason,
)
from portal.consent.models.ledger import LedgerEntry, LedgerHead
from portal.consent.models.permissions import AnnouncedPermission, ChangeCounter, PermissionChange
from portal.consent.models.policies import LabelPolicy, PolicyEvent, PolicyLedgerEntry
from portal.consent.models.tallies import TALLY_CELLS, Tally, WorkCount

__all__ = [
    "NO_ANSWER",
    "TALLY_CELLS",
    "UNDO_FOR",
    "AnnouncedPermission",
    "Answer",
    "AnswerBatch",
    "BulkAnswer",
    "Cause",
    "ChangeCounter",
    "ConditionDefault",
    "Decision",
    "Delegation",
    "Dispute",
    "DisputeEvent",
    "DisputeLedgerEntry",
    "DisputeReason",
    "LabelPolicy",
    "LedgerEntry",
    "LedgerHead",
    "PermissionChange",
    "PolicyEvent",
    "PolicyLedgerEntry",
    "Side",
    "Tally",
    "WorkCount",
    "append_only",
]
