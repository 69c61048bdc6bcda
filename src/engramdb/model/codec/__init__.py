"""Every JSON to/from pair of the public types, in one place.

:mod:`.records` holds the stored records (memories, events, the graph, jobs, procedures,
keys; also the export's records), :mod:`.results` the results built from them (hits,
pages, entity pages, profiles, contexts, answers). Each ``*_from_dict`` inverts its
``*_to_dict``: an object read back equals the one written.
"""

from engramdb.model.codec.records import *  # noqa: F403
from engramdb.model.codec.records import __all__ as _records
from engramdb.model.codec.results import *  # noqa: F403
from engramdb.model.codec.results import __all__ as _results

__all__ = [*_records, *_results]
