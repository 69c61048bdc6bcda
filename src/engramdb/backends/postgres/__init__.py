"""The PostgreSQL + pgvector backend (the ``postgres`` extra)."""
