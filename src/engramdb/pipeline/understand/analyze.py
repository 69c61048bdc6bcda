"""Analyse a stream of turns: the resolved reading, time spans, entity mentions and facts."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from engramdb.model.graph import entity_key
from engramdb.pipeline.understand.entities import Mention, sentence_mentions
from engramdb.pipeline.understand.facts import FactDraft, classify, is_recognised
from engramdb.pipeline.understand.passing import also_stated, owned_in_passing
from engramdb.pipeline.understand.resolve import FIRST, SECOND, THIRD, Referents, rewrite
from engramdb.pipeline.understand.timex import TimeSpan, find_times
from engramdb.ports.nlp import Parser, Sentence, Token

__all__ = ["Analyzer", "TurnAnalysis", "TurnInput"]

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
#: a sentence about no one may still say whose something is ("Dune is my favourite book")
_POSSESSIVE = re.compile(r"['’]s\b|\b(?:my|your|his|her|our|their)\b", re.IGNORECASE)
CONTENT_POS = {"NOUN", "PROPN", "NUM", "VERB", "X"}  # X: any word, to the rules parser
RECENT_TURNS = 3
MIN_FACT_WORDS = 4
#: the tags of a verb whose "I" chat leaves out: "Moved to Denver", "Loving my new job"
_IMPLIED_SUBJECT_TAGS = frozenset({"VBD", "VBN", "VBG", "VBP"})
_AUXILIARY = frozenset({"aux", "auxpass", "neg"})
_SPEAKER_WORDS = frozenset({"i", "me", "we"})


@dataclass(frozen=True, slots=True)
class TurnInput:
    """One turn to analyse: its text, who said it to whom, and when."""

    text: str
    speaker: str | None
    at: datetime
    addressee: str | None = None


@dataclass(frozen=True, slots=True)
class FactFound:
    """A fact with the time it refers to (``None``: the turn's own time)."""

    draft: FactDraft
    when: TimeSpan | None


@dataclass(frozen=True, slots=True)
class TurnAnalysis:
    """What one turn says, resolved."""

    reading: str
    times: tuple[TimeSpan, ...]
    mentions: tuple[Mention, ...]
    facts: tuple[FactFound, ...]


@dataclass
class _Context:
    """Who was mentioned in the last few turns (for he/she)."""

    recent: deque[list[str]] = field(default_factory=lambda: deque(maxlen=RECENT_TURNS))

    def third_person(self, exclude: set[str]) -> str | None:
        names = {n for turn in self.recent for n in turn if entity_key(n) not in exclude}
        return names.pop() if len(names) == 1 else None


class Analyzer:
    """Runs the rules over parsed turns; holds no state between calls."""

    def __init__(self, parser: Parser) -> None:
        self.parser = parser

    def analyze(
        self, turns: Sequence[TurnInput], known_people: Sequence[str] = ()
    ) -> list[TurnAnalysis]:
        """Analyse consecutive turns of one conversation, in order."""
        people = {entity_key(p) for p in known_people}
        people.update(entity_key(t.speaker) for t in turns if t.speaker)
        context = _Context()
        results = []
        for turn, sentences in zip(
            turns, self.parser.parse_many([t.text for t in turns]), strict=True
        ):
            result = self._turn(turn, sentences, context, people)
            context.recent.append(
                [m.name for m in result.mentions if m.kind == "person" and m.role == "named"]
            )
            results.append(result)
        return results

    def _turn(
        self, turn: TurnInput, sentences: list[Sentence], context: _Context, people: set[str]
    ) -> TurnAnalysis:
        text = turn.text
        times = tuple(find_times(text, turn.at))
        participants = {entity_key(n) for n in (turn.speaker, turn.addressee) if n}
        mentions: dict[str, Mention] = {}
        if turn.speaker:
            mentions[entity_key(turn.speaker)] = Mention(turn.speaker, "person", "speaker")
        readings: list[str] = []
        facts: list[FactFound] = []
        for sentence in sentences:
            found = sentence_mentions(text, sentence, _owners(turn), people)
            for mention in found:
                if mention.kind == "person":
                    people.add(mention.key)
                mentions.setdefault(mention.key, mention)
            named_here = [m.name for m in found if m.kind == "person" and m.key not in participants]
            if named_here:
                context.recent.append(named_here)
            who = Referents(turn.speaker, turn.addressee, context.third_person(participants))
            words = [t.text.lower() for t in sentence.tokens]
            self._pronoun_mentions(words, who, mentions)
            readings.append(rewrite(text, sentence, who, times, absolute_times=False))
            facts.extend(self._facts(text, sentence, who, times, found))
        reading = " ".join(readings)
        return TurnAnalysis(reading, times, tuple(mentions.values()), tuple(facts))

    @staticmethod
    def _pronoun_mentions(words: list[str], who: Referents, mentions: dict[str, Mention]) -> None:
        if who.addressee and any(w in SECOND for w in words):
            mentions.setdefault(
                entity_key(who.addressee), Mention(who.addressee, "person", "addressee")
            )
        if who.third_person and any(w in THIRD or w == "her" for w in words):
            mentions.setdefault(
                entity_key(who.third_person), Mention(who.third_person, "person", "pronoun")
            )

    def _facts(
        self,
        text: str,
        sentence: Sentence,
        who: Referents,
        times: Sequence[TimeSpan],
        found: Sequence[Mention],
    ) -> list[FactFound]:
        if _is_question(text, sentence):
            return []
        subject = self._subject(sentence, who, found)
        implied = subject is None and self._speaker_implied(sentence)
        if implied:
            subject = who.speaker
        if subject is None and not _POSSESSIVE.search(text):
            return []  # about no one, and owning nothing
        statement = _sentence_case(rewrite(text, sentence, who, times, absolute_times=True))
        if implied:
            statement = _sentence_case(f"{subject} {statement[:1].lower()}{statement[1:]}")
        people = [n for n in (who.speaker, who.addressee, who.third_person) if n]
        people += [m.name for m in found if m.kind == "person"]
        facts = self._clause_facts(text, sentence, statement, subject, times, people)
        if implied:  # the parse may have missed a subject: only what a pattern recognises
            facts = [f for f in facts if is_recognised(f.draft.predicate)]
        stated = {(f.draft.subject, f.draft.predicate, f.draft.object) for f in facts}
        for draft in owned_in_passing(statement, people):
            if (draft.subject, draft.predicate, draft.object) not in stated:
                facts.append(FactFound(draft, None))
        return facts

    def _clause_facts(
        self,
        text: str,
        sentence: Sentence,
        statement: str,
        subject: str | None,
        times: Sequence[TimeSpan],
        people: list[str],
    ) -> list[FactFound]:
        """A fact per clause about ``subject`` (none without one)."""
        if subject is None:
            return []
        short = not _informative(text, sentence)  # kept only if it states a known predicate
        here = [t for t in times if sentence.start <= t.char_start < sentence.end]
        clauses = _clauses(statement, subject, people)
        # the main verb names the first clause's predicate when no pattern does
        verb = _main_verb(sentence) if self.parser.has_dependencies else None
        facts = []
        for index, (clause, clause_subject) in enumerate(clauses):
            predicate, obj = classify(clause, clause_subject, verb if index == 0 else None)
            # a clause is dated by the expressions it contains ("... and moved in 2022")
            when = here[0] if len(clauses) == 1 and here else None
            when = when or next((t for t in here if t.label() in clause), None)
            if short and not is_recognised(predicate):
                continue
            facts.append(FactFound(FactDraft(clause, clause_subject, predicate, obj), when))
            facts += [FactFound(d, when) for d in also_stated(clause, clause_subject, predicate)]
        return facts

    def _speaker_implied(self, sentence: Sentence) -> bool:
        """Whether the sentence leaves out an "I": "Just signed a lease on a flat in Dublin".

        Chat drops the subject of one's own news. Its verb opens the sentence (after
        adverbs: "Finally moved to Denver") in the past, a participle or a present
        without "-s"; "Sounds great" (third person) and "Give me ..." (a request) are not.
        """
        if not self.parser.has_dependencies:
            return False
        tokens = sentence.tokens
        if any(t.dep in SUBJECT_DEPS or t.dep in ("expl", "csubj") for t in tokens):
            return False
        root = next((i for i, t in enumerate(tokens) if t.head == i), None)
        if root is None or tokens[root].tag not in _IMPLIED_SUBJECT_TAGS:
            return False
        # "Still getting used to ...": adverbs and auxiliaries may come first
        return all(t.pos in ("ADV", "INTJ", "PUNCT") or t.dep in _AUXILIARY for t in tokens[:root])

    def _subject(self, sentence: Sentence, who: Referents, found: Sequence[Mention]) -> str | None:
        """The person the sentence is about, if it is about a person."""
        tokens = sentence.tokens
        candidates: list[tuple[Token, Token | None]]
        if self.parser.has_dependencies:
            subjects = {i for i, t in enumerate(tokens) if t.dep in SUBJECT_DEPS}
            # "My sister Lucy works at Google" is about Lucy, the subject's appositive
            named = [t for t in tokens if t.dep == "appos" and t.head in subjects]
            # "My favourite book is Dune" is about the owner of the subject
            owners = [t for t in tokens if t.dep == "poss" and t.head in subjects]
            # "Grace and I got engaged": the parse may not know Grace, the "I" beside her counts
            beside = [
                t
                for t in tokens
                if t.dep == "conj" and t.head in subjects and t.text.lower() in _SPEAKER_WORDS
            ]
            ordered = named + [t for t in tokens if t.dep in SUBJECT_DEPS] + beside + owners
            candidates = [(t, None) for t in ordered]
        else:  # without a parse: a pronoun, or a name followed by a word, among the first words
            candidates = [
                (t, tokens[i + 1] if i + 1 < len(tokens) else None)
                for i, t in enumerate(tokens[:4])
            ]
        for token, after in candidates:
            word = token.text.lower()
            if word in FIRST or word in ("we", "our"):
                return who.speaker
            if word in THIRD or word == "her":
                return who.third_person
            if after is not None and not after.text[:1].isalpha():
                continue
            person = next(
                (m.name for m in found if m.kind == "person" and token.text in m.name.split()),
                None,
            )
            if person:
                return person
        return None


def _owners(turn: TurnInput) -> dict[str, str | None]:
    return {"my": turn.speaker, "our": turn.speaker, "your": turn.addressee}


def _is_question(text: str, sentence: Sentence) -> bool:
    return text[sentence.start : sentence.end].rstrip().endswith("?")


def _informative(text: str, sentence: Sentence) -> bool:
    """A statement with some content: not a bare reaction."""
    words = [t for t in sentence.tokens if t.text[:1].isalnum()]
    if len(words) < MIN_FACT_WORDS:
        return False
    return any(t.pos in CONTENT_POS for t in words) or not any(t.pos for t in words)


def _clauses(statement: str, subject: str, people: Sequence[str]) -> list[tuple[str, str]]:
    """Split "Jenna is a nurse and Jenna lives in Boston" into one statement per clause.

    A clause starts at "and"/"but"/";" followed by a person's name; each keeps
    its own subject. A part too short to state anything ("Jolene's partner" in
    "Jolene's partner and Jolene got back") stays with the part after it, and a
    clause that does not name its subject ("It was tough, but Ana loved it") is
    not a fact about anyone.
    """
    names = "|".join(re.escape(p) for p in sorted(set(people), key=len, reverse=True))
    if not names:
        return [(statement.rstrip(" ."), subject)]
    # a name that opens a clause is its subject: a word follows it, not a date or a comma
    # ("to Big Sur and Monterey today, and ..." lists places the parser took for people)
    opening = rf"{_JOINER}{_LINK}(?={_DATE_LINK}(?:{names})\b(?!{_NO_CLAUSE}))"
    cuts = [m.start() for m in re.finditer(opening, statement)]
    spans = list(zip([0, *cuts], [*cuts, len(statement)], strict=True))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and _too_short(_part(statement, merged[-1])):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    if len(merged) > 1 and _too_short(_part(statement, merged[-1])):
        merged[-2:] = [(merged[-2][0], merged[-1][1])]
    clauses = []
    for index, span in enumerate(merged):
        part = _part(statement, span)
        found = re.match(rf"(?:{names})\b", _DATED.sub("", part))
        owner = found.group(0) if index and found else subject
        if re.search(rf"\b{re.escape(owner)}\b", part, re.IGNORECASE):
            clauses.append((_sentence_case(part), owner))
    return clauses


def _part(statement: str, span: tuple[int, int]) -> str:
    """The clause at ``span``, without the conjunction that opened it."""
    text = statement[span[0] : span[1]]
    return re.sub(f"^{_JOINER}{_LINK}", "", text).strip().rstrip(" .")


def _too_short(part: str) -> bool:
    """Fewer words than a statement needs, not counting a leading date."""
    return len(_DATED.sub("", part).split()) < MIN_FACT_WORDS


def _main_verb(sentence: Sentence) -> str | None:
    root = next((t for i, t in enumerate(sentence.tokens) if t.head == i), None)
    return root.lemma if root is not None and root.pos in ("VERB", "AUX") else None


_JOINER = r"(?:,? (?:and|but|so) |; )"  # what opens a clause (before a person's name)
#: a word that may follow the joiner: "I quit Acme and now I work at Stripe"
_LINK = r"(?:(?:now|then|also|later|recently|finally|today|eventually|since then),? )?"
_DATE = r"[\w-]+(?: \d{4})?,?"  # a resolved date: "2024-03-04", "May 2023,"
#: a date that may open a clause, which keeps it: "and on 2024-03-04 the user starts at X"
_DATE_LINK = rf"(?:(?:on|in) {_DATE} )?"
#: what follows a name that ends a list rather than opening a clause
_NO_CLAUSE = r"\s*(?:[,.;:!?)]|$|(?:on|in) \d)"
_DATED = re.compile(rf"^(?:on|in|the week of|the weekend of) {_DATE}\s*", re.I)
_OPENERS = re.compile(
    r"^(?:(?:so|and|but|also|well|oh|yeah|yes|no|hey|hi|wow|anyway|btw|by the way|plus|ok|okay|"
    r"guess what|you know|these days|lately|nowadays|"
    r"honestly|actually|basically|um|uh)\b[,!.]*\s+)+",
    re.IGNORECASE,
)


def _sentence_case(statement: str) -> str:
    """Without conversational openers ("So", "Honestly,"), starting with a capital."""
    statement = _OPENERS.sub("", statement.strip())
    return statement[:1].upper() + statement[1:]
