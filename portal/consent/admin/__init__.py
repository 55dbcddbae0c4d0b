"""Consent's admin: the audit tables, read-only (`audit`), and staff's pages for the
licences and products the rule reads (`terms`), whose saves announce what flips."""

from portal.consent.admin import audit, terms

__all__ = ["audit", "terms"]
