"""The operations that read the entity graph."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Protocol

from engramdb.api.declare import Doc, Range, Route, operation
from engramdb.api.declare import declaration_only as _declaration_only
from engramdb.api.params import (
    MAX_PAGE,
    AgentId,
    Owner,
    UserId,
)

if TYPE_CHECKING:
    from engramdb.model.graph import Entity, EntityPage
    from engramdb.model.profile import Profile


class MemoryGraph(Protocol):
    """People and things: entities, their pages, profiles."""

    @operation(
        Route("GET", "/v1/entities", envelope="entities", response="EntitiesOut",
              tags=("entities",)),
        cli="entities",
    )  # fmt: skip
    def entities(self, *, user_id: UserId = None, agent_id: AgentId = None) -> list[Entity]:
        """The people, places, organisations, pets, events and works of a user / agent."""
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/entities/{name_or_id}", response="EntityPageOut", tags=("entities",)),
        cli="entity",
        mcp="about",
    )
    def entity(
        self,
        name_or_id: Annotated[Owner, Doc("An entity's name, alias or id.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
        limit: Annotated[
            int, Range(ge=1, le=MAX_PAGE), Doc("At most this many mentions and relations.")
        ] = MAX_PAGE,
    ) -> EntityPage:
        """An entity's page: its mentions (with source turns), facts and relations.

        An entity mentioned more often than ``limit`` shows its newest mentions and
        relations; ``mention_count`` and ``relation_count`` say how many there are in all.

        Args:
            name_or_id: the entity id, its name, an alias or (for a person) a nickname.
            user_id: the user whose entities to look in.
            agent_id: the agent whose entities to look in.
            limit: at most this many mentions and relations, the newest stored.

        Raises:
            NotFound: no such entity in that scope.
        """
        raise _declaration_only()

    @operation(
        Route("GET", "/v1/profiles/{person}", response="ProfileOut", tags=("entities",)),
        cli="profile",
    )
    def profile(
        self,
        person: Annotated[Owner, Doc("A person's name, alias or id.")],
        *,
        user_id: UserId = None,
        agent_id: AgentId = None,
    ) -> Profile:
        """What is known now about a person, slot by slot (name, age, home, job, ...).

        Raises:
            NotFound: no such person in that scope.
        """
        raise _declaration_only()
