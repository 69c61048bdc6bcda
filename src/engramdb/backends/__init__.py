"""Storage backends implementing the ports in :mod:`engramdb.ports.store`."""
