"""Truth that changes: is the value true now (or at a past date) the first one recalled?

Usage::

    python -m benchmarks.changing_facts --seeds 3

Each chain is one thing about the user that changes twice (a home, an employer, a partner,
a favourite, a car...), each value said in everyday phrasing in a different session, months
apart, among real user-assistant sessions from the LongMemEval dev data as filler. Then two
questions: the chain's "now" question at the end, and its past question ``as_of`` a date
between the second and the third value. A chain scores when the first hit that names any of
its values names the right one. Reported for the default retriever and a plain hybrid one
(BM25 + MiniLM, RRF k=60); some chains are single-valued predicates the understanding
knows, the others (a car, a gym) only the retriever's ordering can get right.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.ablation_both import PLAIN
from engramdb import Memory, RetrievalSettings
from engramdb.eval.locomo import clock_at
from engramdb.eval.longmemeval import LMESession, load_longmemeval

#: (now question, past question, three values each as said in a chat)
CHAINS = [
    (
        "Where do I live now?",
        "Where did I live?",
        [
            ("Austin", "We've been renting a little house in Austin for about two years now."),
            (
                "Denver",
                "Finally done unpacking boxes after the move to Denver, my back is killing me.",
            ),
            ("Seattle", "Seattle has been great since we moved here, except for the rain."),
        ],
    ),
    (
        "Where do I work these days?",
        "Where was I working?",
        [
            ("Acme", "Work at Acme has been hectic, we have a big release coming."),
            ("Stripe", "I handed in my notice and I start at Stripe on the 1st!"),
            ("Figma", "Just finished my first month at Figma and I love the team."),
        ],
    ),
    (
        "Who is my partner?",
        "Who was I dating?",
        [
            ("Jordan", "My boyfriend Jordan and I went hiking on Saturday."),
            ("Sam", "I've started seeing someone new, her name is Sam, we met at a climbing gym."),
            ("Alex", "Alex and I just celebrated our six-month anniversary."),
        ],
    ),
    (
        "What car do I drive now?",
        "What car did I have?",
        [
            ("Corolla", "My old Corolla needs new brakes again."),
            ("Civic", "Traded in the old car and picked up a used Civic yesterday."),
            ("Tesla", "Charging the Tesla at home is so convenient compared to gas."),
        ],
    ),
    (
        "What is my favourite band?",
        "What was my favourite band?",
        [
            ("Radiohead", "Radiohead is the band I keep coming back to, nothing beats them."),
            ("Arctic Monkeys", "Lately I can't stop playing Arctic Monkeys, they're my favourite."),
            ("Fleetwood Mac", "Honestly Fleetwood Mac has become my all-time favourite band."),
        ],
    ),
    (
        "What is my job?",
        "What was my job?",
        [
            ("nurse", "Twelve-hour shifts as a nurse are exhausting."),
            ("teacher", "I've switched careers and now teach high school chemistry as a teacher."),
            ("data analyst", "I retrained and I'm a data analyst now, mostly SQL all day."),
        ],
    ),
    (
        "What gym do I go to?",
        "Which gym was I going to?",
        [
            ("Planet Fitness", "I go to Planet Fitness three times a week before work."),
            ("Equinox", "I cancelled Planet Fitness and joined Equinox, the classes are better."),
            ("CrossFit Downtown", "These days I train at CrossFit Downtown, it's brutal but fun."),
        ],
    ),
    (
        "What phone do I use now?",
        "What phone did I use?",
        [
            ("Pixel", "My Pixel's battery barely lasts until lunch anymore."),
            ("iPhone", "Switched to an iPhone last week and I'm still learning the gestures."),
            ("Galaxy", "The camera on my new Galaxy is unreal, even at night."),
        ],
    ),
    (
        "Where do I live these days?",
        "Where was I living?",
        [
            ("Leeds", "I live in Leeds, near the university."),
            ("Manchester", "We relocated to Manchester for my wife's job."),
            ("Bristol", "I'm based in Bristol now, a lot closer to my parents."),
        ],
    ),
    (
        "Who do I work for?",
        "Who was I working for?",
        [
            ("Deloitte", "I've been with Deloitte for a few years, mostly audit work."),
            ("Spotify", "I accepted an offer from Spotify, the pay is much better."),
            ("Airbnb", "My manager at Airbnb wants me to lead the new project."),
        ],
    ),
]
#: a second set, in phrasings none of the understanding's tests used when it was written
#: (``--chains second``); the classes it showed missing were read after, with tests in other words
SECOND = [
    (
        "Which city do I live in now?",
        "Which city did I live in?",
        [
            ("Chicago", "Our landlord in Chicago finally fixed the heating."),
            ("Phoenix", "Unpacked the last box in our Phoenix apartment today."),
            ("Portland", "We've settled in Portland now and I already love the food carts."),
        ],
    ),
    (
        "Which company do I work for?",
        "Which company was I working for?",
        [
            ("Microsoft", "My manager at Microsoft approved my vacation days."),
            ("Shopify", "Signed the offer letter from Shopify, starting in two weeks!"),
            ("Notion", "Second week at Notion and I'm already shipping features."),
        ],
    ),
    (
        "Who am I dating?",
        "Who was I dating?",
        [
            ("Ben", "Ben and I are celebrating two years together next week."),
            ("Maya", "I asked Maya to be my girlfriend and she said yes!"),
            ("Omar", "Omar, my boyfriend, made me breakfast in bed this morning."),
        ],
    ),
    (
        "What is my favourite food?",
        "What was my favourite food?",
        [
            ("ramen", "Ramen is my absolute favourite food, I could eat it daily."),
            ("tacos", "These days tacos are my favourite thing to eat."),
            ("pho", "Pho has become my new favourite food since the trip to Hanoi."),
        ],
    ),
    (
        "What do I do for a living?",
        "What did I do for a living?",
        [
            ("barista", "Pulling espresso shots all day as a barista is tiring."),
            ("paramedic", "I finished my training and now I work as a paramedic."),
            ("firefighter", "I got accepted into the fire academy and I'm a firefighter now."),
        ],
    ),
    (
        "Where am I living?",
        "Where was I living?",
        [
            ("Bristol", "Our flat in Bristol is tiny but cosy."),
            ("Manchester", "We relocated up north to Manchester for my partner's job."),
            ("Glasgow", "Still getting used to the accent since moving to Glasgow."),
        ],
    ),
    (
        "Who is my favourite author?",
        "Who was my favourite author?",
        [
            ("Stephen King", "Stephen King is my favourite author, I've read everything he wrote."),
            ("Ursula Le Guin", "I think Ursula Le Guin is my new favourite author."),
            ("Octavia Butler", "Octavia Butler has overtaken everyone as my favourite author."),
        ],
    ),
    (
        "Where do I work now?",
        "Where did I work?",
        [
            ("Target", "Closing shifts at Target are the worst."),
            ("Costco", "I got a job at Costco, the benefits are much better."),
            ("REI", "Now I'm working at REI and I get a great gear discount."),
        ],
    ),
    (
        "Who is my partner?",
        "Who was my partner?",
        [
            ("Hannah", "Hannah and I have been dating since college."),
            ("Theo", "Things with Theo are getting serious, he met my parents."),
            ("Grace", "Grace and I got engaged on the beach last night!"),
        ],
    ),
    (
        "What is my favourite movie?",
        "What was my favourite movie?",
        [
            ("Inception", "Inception is still my favourite movie of all time."),
            ("Parasite", "After rewatching it, Parasite is now my favourite film."),
            ("Arrival", "My favourite movie these days is Arrival, it makes me cry every time."),
        ],
    ),
]
SETS = {"first": CHAINS, "second": SECOND, "all": CHAINS + SECOND}
DAYS = (10, 120, 240)  # when each value is said
ASKED, AS_OF = 300, 180


Chain = tuple[str, str, list[tuple[str, str]]]


def build(
    memory: Memory, fillers: list[LMESession], seed: int, chains: list[Chain] = CHAINS
) -> None:
    """Ten sessions a month apart per chain, its values slipped in among real turns."""
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for number, (_, _, values) in enumerate(chains):
        for day in range(0, ASKED, 30):
            filler = rng.choice(fillers).turns[:8]
            turns = [{"role": t["role"], "content": t["content"]} for t in filler]
            for said, (_, text) in zip(DAYS, values, strict=True):
                if day <= said < day + 30:
                    turns.insert(rng.randrange(len(turns) + 1), {"role": "user", "content": text})
            memory.add(turns, user_id=f"chain{number}", session_id=f"c{number}-{day}",
                       timestamp=start + timedelta(days=day))  # fmt: skip


def first_value(memory: Memory, user: str, query: str, values: list[str], **kw: object) -> str:
    """The first of ``values`` named by the hits (their text or their source turns)."""
    for hit in memory.search(query, user_id=user, k=20, **kw):  # type: ignore[arg-type]
        said = " ".join([hit.memory.text, *(s.text for s in hit.sources)]).lower()
        named = [v for v in values if v.lower() in said]
        if named:
            return min(named, key=lambda v: said.index(v.lower()))
    return ""


def score(memory: Memory, chains: list[Chain] = CHAINS) -> tuple[int, int]:
    """How many chains recall the current value first, and the past value first."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    now = then = 0
    for number, (asked_now, asked_then, chain) in enumerate(chains):
        values = [v for v, _ in chain]
        with clock_at(memory, start + timedelta(days=ASKED)):
            now += first_value(memory, f"chain{number}", asked_now, values) == values[2]
            past = first_value(memory, f"chain{number}", asked_then, values,
                               as_of=start + timedelta(days=AS_OF))  # fmt: skip
            then += past == values[1]
    return now, then


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--longmemeval", type=Path, default=Path("../shared/data/longmemeval_s_dev.json.gz")
    )
    parser.add_argument("--seeds", type=int, default=3, help="filler draws (one store each)")
    parser.add_argument("--chains", choices=sorted(SETS), default="first")
    args = parser.parse_args()
    chains = SETS[args.chains]
    fillers = [s for q in load_longmemeval(args.longmemeval)[:40] for s in q.sessions]
    default = RetrievalSettings()
    configs = {"default": default, "plain hybrid": replace(default, **PLAIN)}
    totals = {name: [0, 0] for name in configs}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(args.seeds):
            with Memory.open(Path(tmp) / f"chains{seed}.db") as memory:
                build(memory, fillers, seed, chains)
                for name, settings in configs.items():
                    memory.retriever.settings = settings
                    now, then = score(memory, chains)
                    totals[name][0] += now
                    totals[name][1] += then
    asked = len(chains) * args.seeds
    print(f"{'retriever':<16}{'current first':>15}{'as-of first':>13}   ({asked} chains)")
    for name, (now, then) in totals.items():
        print(f"{name:<16}{now / asked:>15.3f}{then / asked:>13.3f}")


if __name__ == "__main__":
    main()
