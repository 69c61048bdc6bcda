"""Prompts are package data (``prompts/*.md``), rendered at call time.

A prompt file has a front matter (``name``, ``version``) and two parts, ``<<system>>``
and ``<<user>>``, with ``$variables`` (``string.Template``). ``today`` always comes
from the injected clock, never from the time the module was imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from string import Template

from engramdb.ports.llm import Message

__all__ = ["Prompt", "load_prompt"]

_FRONT = re.compile(r"\A---\n(?P<front>.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Prompt:
    """A parsed prompt file.

    Attributes:
        name: the prompt's name (its file name).
        version: bumped whenever the text changes; recorded with what it produced.
        system: the system message template.
        user: the user message template.
    """

    name: str
    version: str
    system: Template
    user: Template

    @property
    def id(self) -> str:
        """``name@version``, as recorded in provenance."""
        return f"{self.name}@{self.version}"

    def render(self, *, now: datetime, **variables: str) -> list[Message]:
        """The chat messages, with ``today`` from ``now``.

        Raises:
            KeyError: a variable the template uses was not given (a programming error).
        """
        values = {"today": now.date().isoformat(), **variables}
        return [
            {"role": "system", "content": self.system.substitute(values).strip()},
            {"role": "user", "content": self.user.substitute(values).strip()},
        ]


@cache
def load_prompt(name: str) -> Prompt:
    """The prompt ``prompts/{name}.md``."""
    text = (resources.files(__package__) / "prompts" / f"{name}.md").read_text("utf-8")
    front = _FRONT.match(text)
    if front is None:
        raise ValueError(f"prompt {name} has no front matter")
    fields = dict(line.split(":", 1) for line in front.group("front").splitlines() if ":" in line)
    body = text[front.end() :]
    system, _, user = body.partition("<<user>>")
    return Prompt(
        name=fields["name"].strip(),
        version=fields["version"].strip(),
        system=Template(system.replace("<<system>>", "", 1)),
        user=Template(user),
    )
