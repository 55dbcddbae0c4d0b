"""Consent's admin: the audit tables, read-only (`audit`), staff's pages for the
licences and products the rule reads (`terms`), whose saves announce what flips, and the
work page, whose saves keep the label's tallies (`works`)."""

from portal.consent.admin import audit, terms, works

__all__ = ["audit", "terms", "works"]
