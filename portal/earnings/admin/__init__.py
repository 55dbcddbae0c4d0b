"""Admin for earnings, one module per thing administered: usage reports, their lines and
their upload as CSV (`reports`), and the allocations made of them (`allocations`).
Importing them registers their pages."""

from portal.earnings.admin import allocations, reports

__all__ = ["allocations", "reports"]
