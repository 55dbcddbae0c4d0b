"""Consent's admin: the audit tables, read-only (`audit`), staff's pages for the
licences and products the rule reads (`terms`), whose saves announce what flips, the
work page, whose saves keep the label's tallies (`works`), and label policies
(`policies`), added and lifted through their service, products' versions
(`versions`), published through theirs, and disputes of works (`disputes`), closed
through theirs."""

from portal.consent.admin import audit, disputes, policies, terms, versions, works

__all__ = ["audit", "disputes", "policies", "terms", "versions", "works"]
