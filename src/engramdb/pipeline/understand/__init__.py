"""Understanding turns without an LLM: time, pronouns, entities, facts and profiles."""
