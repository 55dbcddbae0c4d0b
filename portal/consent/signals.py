"""What consent tells the apps above it, which it must not import.

`changes_recorded` is sent with `product_ids`, inside the transaction that records
`PermissionChange` rows for those products, once per batch of changes. A receiver must
let nothing leave before that transaction commits (it may roll back), and must not
raise: the changes are consent's record whether or not anyone hears of them now.
Delivery connects the receiver that sends them to each product's webhook
(`portal.delivery.signals`); its sweeper recovers any that never got scheduled.
"""

from django.dispatch import Signal

changes_recorded = Signal()
