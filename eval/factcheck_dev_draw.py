"""Draw the FA-KES claims of the narrative-matching dev set (issue 14): which claims a person judges.

Run: ``python eval/factcheck_dev_draw.py --db FILE`` on a store where FA-KES was ingested
(``tracewire ingest ../shared/data/fakes/FA-KES-Dataset.csv --field id=unit_id --field text=article_content
--field outlet=source``), EUvsDisinfo imported and ``tracewire analyze`` ran. Prints ``doc start end`` of each
drawn claim (no text). The draw is reproducible: check-worthy claims (the matcher's floor), at most one per
document, 60 to 240 characters long; ``THEMED`` of them drawn (``random.Random(SEED)``) among claims that name an
actor or theme EUvsDisinfo covers (``THEMES``), ``RANDOM`` more among all the rest, then ``NARRATIVE`` more among
claims worded like a narrative (``NARRATIVES``), then ``ACCUSING`` more among claims of state-run outlets that name a
foreign power and an armed group (the same generator goes on, so each added share leaves the earlier ones unchanged);
then (session 27, ``--grown``) ``GROWN`` more with a generator of their own (``SEED_GROWN``) among claims of the same
outlets that name an armed group and a foreign power or a narrative's wording, not drawn before, at most one new claim
per document (a document drawn before may give a second, different claim: the state outlets' pool holds only 70
documents); then ``GROWN_OTHER`` more, the same generator going on, among claims of the other outlets that name a
narrative's teller (``TELLERS``: Russia, Damascus, Iran and their allies) and a narrative's wording or a foreign power
and an armed group, one per document. Claims are sorted by (doc, start) before each draw, so the same store gives the same draw.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 1414
THEMED = 28
RANDOM = 12
NARRATIVE = 15
ACCUSING = 60
SEED_GROWN = 1616
GROWN = 90
GROWN_OTHER = 50
TELLERS = re.compile(r"\b(?:Russia[n]?|Moscow|Kremlin|Lavrov|Putin|Zakharova|Syrian (?:government|army|foreign ministry)"
                     r"|Damascus|Assad|Iran(?:ian)?|Hezbollah)\b")
THEMES = re.compile(
    r"\b(?:U\.?S\.?|United States|Americans?|Pentagon|Washington|CIA|NATO|White Helmets|chemical|sarin|chlorine"
    r"|toxic|OPCW|coalition|ISIS|ISIL|Daesh|Islamic State|Nusra|Russian?s?|Moscow|Kremlin|Israel[i]?|Turk(?:ey|ish)"
    r"|Western|the West|Brit(?:ain|ish)|UK|France|French|terrorists?)\b")
# a third share, added after the first 40 were judged (the themes above mostly drew casualty reports, which
# tell no narrative EUvsDisinfo records): claims that name a narrative's typical wording
NARRATIVES = re.compile(
    r"(?i:false flag|staged|fabricat|fake|White Helmets|chemical|sarin|chlorine|toxic gas|poison"
    r"|(?:US|U\.S\.|American|Western|Turkish|Saudi|Qatari)[- ](?:backed|funded|armed|supported)"
    r"|(?:support|arm|fund|train)(?:s|ed|ing)? (?:the )?(?:terrorists|militants|ISIS|Daesh|Nusra)"
    r"|occup(?:y|ied|ation)|smuggl|mercenar|Tanf|regime change|propaganda)")
# a fourth share, added after the first 55 were judged (they held only 4 claims with a same-narrative case):
# claims of state-run or state-aligned outlets that put a foreign power and armed groups in one sentence
STATE_OUTLETS = frozenset({"sana", "manar", "alalam", "sputnik", "tass"})
POWERS = re.compile(r"\b(?:U\.?S\.?|United States|Americans?|Pentagon|Washington|CIA|West(?:ern)?|NATO|coalition"
                    r"|Turk(?:ey|ish)|Saudi|Qatar[i]?|Israel[i]?|Brit(?:ain|ish)|France|French)\b")
ARMED = re.compile(r"(?i:terrorist|ISIS|ISIL|Daesh|Nusra|al-Qaeda|jihad|militant|mercenar|takfiri|rebels)")


def draw(claims: list[dict[str, object]]) -> list[dict[str, object]]:
    """The drawn claims, themed share first, each list in draw order."""
    ok = [c for c in sorted(claims, key=lambda c: (str(c["doc"]), int(str(c["start"]))))
          if 60 <= len(str(c["text"])) <= 240]
    rng = random.Random(SEED)
    themed = [c for c in ok if THEMES.search(str(c["text"]))]
    picked: list[dict[str, object]] = []
    docs: set[object] = set()
    narrative = [c for c in ok if NARRATIVES.search(str(c["text"]))]
    accusing = [c for c in ok if str(c["outlet"]) in STATE_OUTLETS and POWERS.search(str(c["text"]))
                and ARMED.search(str(c["text"]))]
    for pool, n in ((themed, THEMED), (ok, RANDOM), (narrative, NARRATIVE), (accusing, ACCUSING)):
        order = list(range(len(pool)))
        rng.shuffle(order)
        got = 0
        for i in order:
            c = pool[i]
            if got == n:
                break
            if c["doc"] in docs:
                continue
            docs.add(c["doc"])
            picked.append(c)
            got += 1
    return picked


def draw_grown(claims: list[dict[str, object]]) -> list[dict[str, object]]:
    """The grown share (session 27): claims of state-run outlets naming an armed group and a foreign power or a
    narrative's wording, not in ``draw``, one per document, in draw order."""
    ok = [c for c in sorted(claims, key=lambda c: (str(c["doc"]), int(str(c["start"]))))
          if 60 <= len(str(c["text"])) <= 240]
    before = {(c["doc"], c["start"]) for c in draw(claims)}
    pool = [c for c in ok if str(c["outlet"]) in STATE_OUTLETS and (c["doc"], c["start"]) not in before
            and ARMED.search(str(c["text"])) and (POWERS.search(str(c["text"])) or NARRATIVES.search(str(c["text"])))]
    other = [c for c in ok if str(c["outlet"]) not in STATE_OUTLETS and (c["doc"], c["start"]) not in before
             and TELLERS.search(str(c["text"])) and (NARRATIVES.search(str(c["text"]))
                                                     or (POWERS.search(str(c["text"])) and ARMED.search(str(c["text"]))))]
    rng = random.Random(SEED_GROWN)
    picked: list[dict[str, object]] = []
    docs: set[object] = set()
    for share, n in ((pool, GROWN), (other, GROWN_OTHER)):
        order = list(range(len(share)))
        rng.shuffle(order)
        got = 0
        for i in order:
            if got == n:
                break
            if share[i]["doc"] in docs:
                continue
            docs.add(share[i]["doc"])
            picked.append(share[i])
            got += 1
    return picked


def main(argv: Sequence[str] | None = None) -> int:
    """Print the draw."""
    from tracewire.corpus.factcheck import MatchConfig
    from tracewire.store import open_store
    from tracewire.store.factchecks import FactcheckStore

    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--grown", action="store_true", help="print the grown share (session 27) instead")
    args = ap.parse_args(argv)
    store = open_store(args.db)
    claims = FactcheckStore.of(store).claims(MatchConfig().min_checkworthy)
    if args.grown:
        for c in draw_grown(claims):
            share = "grown" if str(c["outlet"]) in STATE_OUTLETS else "grown-other"
            print(f"{share} {c['doc']} {c['start']} {c['end']}")
        store.close()
        return 0
    for i, c in enumerate(draw(claims)):
        share = ("themed" if i < THEMED else "random" if i < THEMED + RANDOM else "narrative"
                 if i < THEMED + RANDOM + NARRATIVE else "accusing")
        print(f"{share} {c['doc']} {c['start']} {c['end']}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
