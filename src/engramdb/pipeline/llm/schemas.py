"""The output schema of each prompt: what a model's JSON answer must validate against."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

__all__ = [
    "AnswerOutput",
    "ExtractedFact",
    "ExtractedFacts",
    "GistOutput",
    "JudgedAnswer",
    "Verdict",
    "Verdicts",
]


class ExtractedFact(BaseModel):
    """One atomic fact, with the aliases of the turns that say it."""

    text: str = Field(min_length=3, max_length=1000)
    subject: str = Field(min_length=1, max_length=200)
    predicate: str = Field(min_length=1, max_length=80)
    object: str | None = Field(default=None, max_length=500)
    when: str | None = Field(default=None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    sources: list[str] = Field(min_length=1)

    @field_validator("predicate")
    @classmethod
    def snake_case(cls, value: str) -> str:
        """Predicates are compared, so they are normalised."""
        return "_".join(value.lower().replace("-", " ").split())


class Alias(BaseModel):
    """Another way a turn names a known entity."""

    alias: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)


class ExtractedFacts(BaseModel):
    """``extract_facts``: the facts of some turns, and entity aliases."""

    facts: list[ExtractedFact] = Field(default_factory=list)
    aliases: list[Alias] = Field(default_factory=list)


class Verdict(BaseModel):
    """How a new fact relates to one older fact."""

    new: str
    fact: str
    relation: Literal["update", "contradiction", "independent"]
    reason: str = ""


class Verdicts(BaseModel):
    """``judge_conflict``: one verdict per (new fact, older fact) pair."""

    verdicts: list[Verdict]


class GistOutput(BaseModel):
    """``gist``: an abstractive summary."""

    gist: str = Field(min_length=1, max_length=4000)


class AnswerOutput(BaseModel):
    """``answer``: the answer and the ids of the memories it rests on."""

    answer: str = Field(min_length=1, max_length=4000)
    citations: list[str] = Field(default_factory=list)


class JudgedAnswer(BaseModel):
    """``judge_answer``: the standard LLM-judge label."""

    reasoning: str = ""
    label: Literal["CORRECT", "WRONG"]

    @field_validator("label", mode="before")
    @classmethod
    def upper(cls, value: object) -> object:
        """Local models write ``correct`` as often as ``CORRECT``."""
        return value.upper() if isinstance(value, str) else value
