"""Runners over a whole scope: consolidation, and forgetting (fading, expiry, erasure).

Each pages through the store via the ports, applies a pure policy
(:mod:`engramdb.model.retention`) and records every change as an event.
"""
