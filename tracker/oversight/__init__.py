"""Oversight pages: the audit trail made readable (admins, auditors, and lawyers for their
own actions). Above the domains: it asks the policy who may read what."""
