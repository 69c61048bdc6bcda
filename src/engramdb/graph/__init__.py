"""What the entity graph says: an entity's page, a person's profile, finding an entity by name.

The graph is stored by a backend (:class:`~engramdb.ports.store.GraphStore`); this
package reads it through the port.
"""
