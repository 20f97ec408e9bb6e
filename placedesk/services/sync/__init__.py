"""Sync: export bundles and their import, the outbox, conflicts, pseudonyms, commissioners' spreadsheets and backups."""
