"""Consent's admin: the audit tables, read-only (`audit`), staff's pages for the licences
and products the rule reads (`terms`), whose saves announce what flips, and label policies
(`policies`), added and lifted through their service."""

from portal.consent.admin import audit, policies, terms

__all__ = ["audit", "policies", "terms"]
