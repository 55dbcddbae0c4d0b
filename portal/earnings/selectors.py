"""Reads for earnings."""

from decimal import Decimal

from django.db.models import Count, Sum

from portal.earnings.models import UsageReport


def usage_report_of(*, product_id: int, report_id: int) -> UsageReport | None:
    """The product's own report with its line count and gross total; None for anyone
    else's (the caller answers 404)."""
    if not 0 < report_id < 2**63:
        return None
    return (
        UsageReport.objects.filter(product_id=product_id, pk=report_id)
        .annotate(line_count=Count("lines"), gross_total=Sum("lines__gross", default=Decimal(0)))
        .first()
    )
