"""Writes for consent, one module per concept. Each public service owns its transaction.

- `decisions`: answers (one work, many, stop everything), with `entitlement`, the checks
  that the actor may give them;
- `announce`: re-evaluating effective permissions and recording every flip;
- `products`, `licences`: what staff change that the rule reads; `lapses`: the clock;
- `delegations`: an artist's label deciding for them;
- `works`: works their label withdraws and releases again;
- `policies`: a label's standing policies, added and lifted;
- `disputes`: a work disputed by its artist's team or label, and resolved by staff.
The ledger's append is `portal.consent.ledger.append`.

Lock order, the same everywhere so writers queue instead of deadlocking:
the ledger head (when decisions are written), then the products' change counters in
id order, then the delegation acted under, then the actor's rows that entitle them to
answer (memberships or label manager rows). Facts are read only after the locks are
held, so two parties answering the same work at once cannot both miss the other's
answer, and an answer cannot land for someone whose role was taken away meanwhile.

The services callers use are gathered here; new code imports from the concept's module.
"""

from portal.consent.services.announce import permissions_refresh
from portal.consent.services.common import ConsentError
from portal.consent.services.conditions import artist_reach_set, condition_default_set
from portal.consent.services.decisions import Outcome, decision_set, decisions_set
from portal.consent.services.delegations import delegation_grant, delegation_revoke
from portal.consent.services.disputes import DisputeOutcome, dispute_close, dispute_raise
from portal.consent.services.lapses import lapses_announce
from portal.consent.services.licences import (
    licence_announce,
    licence_delete,
    licence_save,
    licences_announce,
    licences_delete,
)
from portal.consent.services.policies import PolicyOutcome, policy_add, policy_lift
from portal.consent.services.products import (
    product_announce,
    product_requests_notify,
    product_set_status,
)
from portal.consent.services.stop import grants_withdraw_all
from portal.consent.services.works import works_reinstate, works_withdraw

__all__ = [
    "ConsentError",
    "DisputeOutcome",
    "Outcome",
    "PolicyOutcome",
    "artist_reach_set",
    "condition_default_set",
    "decision_set",
    "decisions_set",
    "delegation_grant",
    "delegation_revoke",
    "dispute_close",
    "dispute_raise",
    "grants_withdraw_all",
    "lapses_announce",
    "licence_announce",
    "licence_delete",
    "licence_save",
    "licences_announce",
    "licences_delete",
    "permissions_refresh",
    "policy_add",
    "policy_lift",
    "product_announce",
    "product_requests_notify",
    "product_set_status",
    "works_reinstate",
    "works_withdraw",
]
