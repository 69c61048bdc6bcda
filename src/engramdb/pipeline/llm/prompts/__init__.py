"""Prompt templates (package data): one ``.md`` file per prompt."""
