"""Optional providers (embedders, later LLMs); each imports its SDK lazily."""
