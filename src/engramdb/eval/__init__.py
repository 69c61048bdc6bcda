"""Built-in evaluation of retrieval quality (no LLM needed)."""
