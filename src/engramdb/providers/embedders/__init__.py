"""Embedder implementations."""
