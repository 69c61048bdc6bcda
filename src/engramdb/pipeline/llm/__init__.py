"""The optional LLM layer.

Prompts, output schemas, the call policy, and the operations that refine the LLM-free
fast path (facts, conflicts, gists, answers).

Imported only when a model is configured; it needs ``pydantic`` (``engramdb[llm]``).
"""
