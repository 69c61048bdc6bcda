"""SQL migration files of the SQLite backend."""
