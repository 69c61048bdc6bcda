"""Versioned SQL migrations of the Postgres store."""
