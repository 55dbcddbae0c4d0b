"""Consent's admin: the audit tables, read-only (`audit`), staff's pages for the
licences and products the rule reads (`terms`), whose saves announce what flips, the
work page, whose saves keep the label's tallies (`works`), and label policies
(`policies`), added and lifted through their service."""

from portal.consent.admin import audit, policies, terms, works

__all__ = ["audit", "policies", "terms", "works"]
