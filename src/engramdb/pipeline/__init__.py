"""Ingestion: validation, episode building, embedding and persistence."""
