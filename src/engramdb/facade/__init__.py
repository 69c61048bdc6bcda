"""The parts of the :class:`~engramdb.Memory` facade, one per area (as redis-py's command mixins).

Each part validates its operations' arguments and delegates to the pipeline, retrieval,
jobs and graph code; :mod:`engramdb.engine` composes them and wires the components.
The operations are documented where they are declared, in :mod:`engramdb.api`.
"""
