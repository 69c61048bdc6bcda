"""The pieces the fact patterns share: names, objects, jobs, and what makes a value no fact."""

from __future__ import annotations

import re

__all__ = [
    "JOBS",
    "NAME_WORD",
    "NOT_A_VALUE",
    "OBJ",
    "ORG",
    "clean",
    "hypothetical",
    "owned_at",
    "words_before",
]

#: one word of a name, capitalised even where the rest of a pattern ignores case
NAME_WORD = r"(?-i:[A-Z])[\w'’-]+"
#: what a verb takes, up to where a next phrase or clause starts
OBJ = (
    r"(?P<o>[\w’'&/-]+(?: [\w’'&/-]+){0,5}?)"
    r"(?=\s*[,.;:!?)(]|\s+(?:and|but|because|since|so|which|who|where|when|with|on|in|at|for|as|"
    r"from|during|last|this|next|now|anymore|was|were|is|has|had|starts|begins|after|before|"
    r"until|while|then|"
    r"any more|yesterday|today|recently|lately|too|instead|again|as well|"
    r"a lot|very much|so much|more than|better than|these days|nowadays|at the moment|right now|"
    r"the week of|the weekend of|since|"
    r"the user|the assistant|i|we|he|she|they|you)\b|\s*$)"  # a next clause's subject
)
#: an organisation's name, capitalised even where the rest of a pattern ignores case
ORG = r"(?P<o>(?-i:[A-Z])[\w&'’.-]*(?: (?:of |& )?(?-i:[A-Z])[\w&'’.-]*){0,3})\b"
JOBS = (
    # up to two words of the trade ("freelance graphic designer"), not of praise ("good cook")
    r"(?P<o>(?:(?!(?:really|very|pretty|so|such|good|great|bad|terrible|awful|decent|amazing|"
    r"excellent|huge|big)\b)[a-z]+ ){0,2}?"
    r"(?:teacher|nurse|doctor|engineer|developer|programmer|designer|"
    r"writer|artist|painter|musician|chef|cook|lawyer|student|counselor|counsellor|"
    r"therapist|accountant|manager|scientist|researcher|photographer|dancer|singer|"
    r"actor|actress|architect|pilot|firefighter|police officer|officer|soldier|farmer|"
    r"mechanic|electrician|plumber|carpenter|librarian|professor|consultant|analyst|"
    r"entrepreneur|baker|barista|waiter|waitress|driver|coach|trainer|vet|veterinarian|"
    r"pharmacist|dentist|surgeon|social worker|volunteer|intern|ceo|founder|paralegal|attorney|"
    r"physician|pediatrician|paediatrician|psychologist|psychiatrist|paramedic|midwife|"
    r"technician|translator|journalist|editor|reporter|tutor|lecturer|principal|nanny|"
    r"caregiver|cashier|receptionist|secretary|clerk|bartender|hairdresser|stylist|"
    r"realtor|broker|banker|recruiter|chemist|biologist|economist|optometrist|dietitian|"
    r"nutritionist|welder|janitor|physiotherapist|administrator))\b"
)
#: not a value of a single-valued fact: "keep working at it", "moved there"
NOT_A_VALUE = frozenset(
    {"it", "them", "this", "that", "there", "here", "home", "him", "her", "us", "me", "you"}
)


#: words that make what follows a wish, a plan or a condition, not a fact
_HYPOTHETICAL = frozenset({
    "would", "will", "might", "may", "could", "should", "want", "wants", "wish", "wishes",
    "hope", "hopes", "hoping", "plan", "plans", "planning", "considering", "thinking",
    "dream", "dreams", "if", "someday", "maybe", "unless",
})  # fmt: skip


def words_before(statement: str, match: re.Match[str], n: int) -> list[str]:
    """The last ``n`` words before ``match``, lower-cased."""
    return re.findall(r"[\w’']+", statement[: match.start()].lower())[-n:]


def hypothetical(statement: str, match: re.Match[str]) -> bool:
    """Whether the few words before ``match`` make it a wish or a plan ("would love to ...")."""
    before = words_before(statement, match, 4)
    return any(word in _HYPOTHETICAL or word.endswith(("'ll", "’ll")) for word in before)


def owned_at(statement: str, owner: str) -> list[int]:
    """Where what ``owner`` has is named: the offsets of each "'s" after their name."""
    found = re.finditer(rf"\b{re.escape(owner)}(?=(?:'s|’s) )", statement, re.IGNORECASE)
    return [match.end() for match in found]


def clean(value: str) -> str:
    """A value without its article, quotes, or the "a startup called" before a name."""
    value = re.sub(r"^(?:the|a|an|my|some)\s+", "", value.strip(), flags=re.IGNORECASE)
    value = re.sub(r"^.*?\b(?:called|named) (?=[A-Z])", "", value)  # "a startup called Lumen"
    return value.strip(" '’\"")
