"""Reads for consent, one module per concept: the products asking (`products`), a party's
home (`overview`), the decision matrix (`matrix`), bulk previews (`preview`), a label's
overview (`label`) and roster (`roster`) and the tallies they read (`tallies`), the
ledger as people read it (`history`) and the label's export (`export`). The rule's facts
are in `portal.consent.facts`, the words in `portal.consent.wording`.

The names the pages use are gathered here, so a view reads `selectors.matrix_rows`;
new code imports from the concept's module.
"""

from portal.consent.selectors.conditions import (
    YesTerms,
    default_conditions,
    default_words,
    yes_terms,
)
from portal.consent.selectors.export import EXPORT_COLUMNS, export_rows
from portal.consent.selectors.history import activity_for, history_for
from portal.consent.selectors.label import (
    delegations_with_products,
    label_states,
    products_asking,
    roster_size,
    works_held,
)
from portal.consent.selectors.matrix import Row, matrix_rows, works_matching
from portal.consent.selectors.overview import label_ids_of, tallies
from portal.consent.selectors.preview import (
    Preview,
    bulk_preview,
    granted_count,
    works_where_other_side_granted,
)
from portal.consent.selectors.products import products_requesting, use_types_of
from portal.consent.selectors.roster import roster_page

__all__ = [
    "EXPORT_COLUMNS",
    "Preview",
    "Row",
    "YesTerms",
    "activity_for",
    "bulk_preview",
    "default_conditions",
    "default_words",
    "delegations_with_products",
    "export_rows",
    "granted_count",
    "history_for",
    "label_ids_of",
    "label_states",
    "matrix_rows",
    "products_asking",
    "products_requesting",
    "roster_page",
    "roster_size",
    "tallies",
    "use_types_of",
    "works_held",
    "works_matching",
    "works_where_other_side_granted",
    "yes_terms",
]
