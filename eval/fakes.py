"""FA-KES as a new user meets it: outlets and organisations among places, and what pronoun sources become.

Usage: python eval/fakes.py [--csv ../shared/data/fakes/FA-KES-Dataset.csv] [--limit N]

FA-KES (804 Syrian-war articles from 15 outlets) has no gold annotation here; the script counts
two failure modes issue 12 names: places whose mention is a news agency or outlet listed in the
packs' ``sources.toml`` (SANA geocoded to Sanaa, Yemen), places whose mention is an organisation,
armed group or outlet of the packs (``places.organisations``: "Daesh", "Syrian Observatory for Human
Rights"), and claims whose source is a pronoun
("he", "it", "they"), by the kind they get (resolved to an antecedent, ``unresolved``, or
``anonymous``). Prints JSON; nothing is tuned on these figures' articles beyond the listed outlets.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from eval.splits import shared_dir  # noqa: E402
from tracewire.analyze.attribution import lexicon  # noqa: E402
from tracewire.analyze.gazetteer import name_key  # noqa: E402
from tracewire.analyze.places import organisations  # noqa: E402
from tracewire.pipeline import Resources, analyze_documents, build  # noqa: E402
from tracewire.records import Document  # noqa: E402

PRONOUNS = frozenset({"he", "she", "it", "they", "we", "i", "you", "him", "her", "them"})
COMPONENTS = ("tracewire.parse.v1", "tracewire.sentences.v1", "tracewire.claims.v1",
              "tracewire.attribution.v1", "tracewire.places.v1")


def documents(path: Path, limit: int | None) -> list[Document]:
    """FA-KES rows as documents (the CSV is latin-1)."""
    with path.open(encoding="latin-1", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["article_content"].strip()][:limit]
    return [Document(id=f"fakes:{r['unit_id']}", text=r["article_content"], sha256="", source_path=str(path))
            for r in rows]


def run(path: Path, limit: int | None = None) -> dict[str, Any]:
    """Counts of outlet places and pronoun sources over the FA-KES articles."""
    res = Resources(("syria",))
    outlets = [(pat, name) for pat, name, kind in lexicon(res).aliases if kind == "media_outlet"]
    orgs = organisations(res)
    docs = documents(path, limit)
    comps = build(COMPONENTS)
    places: Counter[str] = Counter()
    outlet_places: Counter[str] = Counter()
    org_places: Counter[str] = Counter()
    pronoun_kinds: Counter[str] = Counter()
    pronoun_words: Counter[str] = Counter()
    pronoun_fate: Counter[str] = Counter()
    examples: list[str] = []
    contexts: list[str] = []
    anonymous = 0
    for k in range(0, len(docs), 32):
        for ana in analyze_documents(docs[k : k + 32], comps, res):
            for p in ana.places:
                places[p.name] += 1
                key = name_key(p.mention.removeprefix("the ").removeprefix("The "))
                if key in orgs.keys or (p.lat is None and key in orgs.shared):
                    org_places[f"{p.mention} -> {p.name} ({p.country_code})"] += 1
                if any(pat.fullmatch(p.mention.removeprefix("the ").removeprefix("The ")) for pat, _ in outlets):
                    outlet_places[f"{p.mention} -> {p.name} ({p.country_code})"] += 1
                    text = ana.doc.text
                    contexts.append(f"{ana.doc.id}: {text[max(0, p.start - 40) : p.end + 30]!r}")
            for c in ana.claims:
                a = c.attribution
                if a is None:
                    continue
                anonymous += a.kind == "anonymous"
                if a.source.strip().lower() in PRONOUNS:
                    pronoun_kinds[a.kind] += 1
                    pronoun_words[f"{a.source.strip().lower()} {a.kind}"] += 1
                    antecedent = bool(a.canonical) and (a.canonical or "").lower() != a.source.strip().lower()
                    pronoun_fate["resolved to an antecedent" if antecedent else f"no antecedent, {a.kind}"] += 1
                    if a.kind == "anonymous" and len(examples) < 12:
                        examples.append(f"{ana.doc.id}: {a.source!r} {a.cue!r} in {c.text[:90]!r}")
    return {
        "articles": len(docs),
        "outlet_places": sum(outlet_places.values()),
        "outlet_places_by_mention": outlet_places.most_common(10),
        "organisation_places": sum(org_places.values()),
        "organisation_places_by_mention": org_places.most_common(10),
        "top_places": places.most_common(10),
        "anonymous_claims": anonymous,
        "pronoun_sources_by_kind": dict(pronoun_kinds.most_common()),
        "pronoun_sources": dict(pronoun_fate.most_common()),
        "pronoun_sources_by_word": dict(pronoun_words.most_common()),
        "outlet_place_contexts": contexts[:20],
        "anonymous_pronoun_examples": examples,
    }


def main() -> None:
    """Command-line entry: print the counts as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=shared_dir() / "data" / "fakes" / "FA-KES-Dataset.csv")
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    print(json.dumps(run(args.csv, args.limit), indent=2))


if __name__ == "__main__":
    main()
