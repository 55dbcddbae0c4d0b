"""Consent's admin: the audit tables, read-only (`audit`), staff's pages for the
licences and products the rule reads (`terms`), whose saves announce what flips, the
work page, whose saves keep the label's tallies (`works`), and label policies
(`policies`), added and lifted through their service, and products' versions
(`versions`), published through theirs."""

from portal.consent.admin import audit, policies, terms, versions, works

__all__ = ["audit", "policies", "terms", "versions", "works"]
