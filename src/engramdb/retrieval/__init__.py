"""Hybrid retrieval: candidate generation, fusion, contiguity and budgets (pure logic)."""
