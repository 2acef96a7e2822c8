"""Claims: sentences that assert something checkable, scored 0..1 for check-worthiness.

The score starts from the debate-trained model (``checkworthy.py``). News sentences differ from
debate sentences: an event, a number, an accusation, a cause or a reported statement makes a news
sentence checkable even when a debate-trained model ranks it low, so each such rule that fires
raises the score (``1 - (1 - p) * 0.7^k``) and keeps the sentence as a claim; so does a hedge
or booster from the pack lexicon ("it is now clear that …"). A sentence whose main verb
states a fact about a named actor is a claim too. Questions, sentences without a verb (bylines, "Similar Posts"),
fragments under four words, rights notices ("This material may not be published, broadcast, rewritten or
redistributed.", ``notices.rights_notice``) and contact lines ("Bill Robinson can be reached at
brobinson@richmondregister.com or at 624-6622.", ``contact_line``) are not claims.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..pipeline import Analysis, Component, Resources
from ..records import Claim, Document, Span
from .checkworthy import HAND, NEWS_RULES, TOKEN, CheckworthyModel, hand_features, load_model
from .notices import rights_notice

_SAY = re.compile(r"\b(?:say|tells?|argues?|believes?)\b", re.I)
# a reporter's or an organiser's contact line ("Bill Robinson can be reached at brobinson@... or at 624-6622."):
# an e-mail address or a phone number with a word that asks the reader to get in touch
_REACH = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\(?\b\d{3}\)?[-. ]\d{3}[-.]\d{4}\b|\b\d{3}-\d{4}\b")
_REACH_CUE = re.compile(r"\b(?:reached|contact(?:ed|ing)?|call(?:ing)?|e-?mail(?:ing)?|write to|tips? line)\b", re.I)
RULE_WEIGHT = 0.7  # each news rule multiplies the probability of "not check-worthy" by this
MIN_WORDS = 4


def model(res: Resources) -> CheckworthyModel:
    """The process-wide check-worthiness model held by ``res``."""
    loaded: CheckworthyModel = res.get("checkworthy", load_model)
    return loaded


def news_score(
    m: CheckworthyModel, text: str, stance: re.Pattern[str] | None = None
) -> tuple[float, list[str], list[str]]:
    """(score, news rules that fired, features that drove the score, strongest first)."""
    hand = hand_features(text)  # the news rules are hand features: each pattern is searched once
    z, parts = m.contributions(text, hand)
    p = 1.0 / (1.0 + math.exp(-max(-35.0, min(35.0, z))))
    rules = [r for r in NEWS_RULES if r in hand]
    if "reporting" not in rules and _SAY.search(text):
        rules.append("reporting")
    if stance is not None and stance.search(text):
        rules.append("stance")
    score = 1.0 - (1.0 - p) * RULE_WEIGHT ** len(rules)
    top = sorted((kv for kv in parts.items() if kv[1] > 0), key=lambda kv: -kv[1])[:5]
    return score, rules, [f"rule:{r}" for r in rules] + [f"{k}={v:+.2f}" for k, v in top]


def _has_verb(parsed: Any, start: int, end: int) -> bool:
    """Whether the parse has a verb or auxiliary between ``start`` and ``end`` (True without a parse)."""
    if parsed is None:
        return True
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return True
    return any(t.pos_ in ("VERB", "AUX") for t in span)


def _actor_fact(parsed: Any, start: int, end: int) -> bool:
    """Whether the sentence's main verb states a fact about a named actor ("Turkey began occupying")."""
    if parsed is None:
        return False
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    if root.pos_ not in ("VERB", "AUX") or root.tag_ not in ("VBD", "VBZ", "VBN", "VBP"):
        return False
    if any(c.dep_ == "aux" and c.lower_ in ("would", "should", "could", "might", "may") for c in root.children):
        return False
    return any(
        c.dep_ in ("nsubj", "nsubjpass") and any(t.ent_type_ or t.pos_ == "PROPN" for t in c.subtree)
        for c in root.children
    )


def contact_line(text: str) -> bool:
    """True for a sentence that tells the reader how to reach someone: an address or number and a cue to use it."""
    return bool(_REACH.search(text)) and bool(_REACH_CUE.search(text))


def claim_for(
    doc_id: str, sent: Span, m: CheckworthyModel, parsed: Any = None, stance: re.Pattern[str] | None = None
) -> Claim | None:
    """The claim a sentence makes, or None when it asserts nothing checkable."""
    text = sent.text
    if len(TOKEN.findall(text)) < MIN_WORDS or HAND["question"].search(text) or rights_notice(text) \
            or contact_line(text):
        return None
    if not _has_verb(parsed, sent.start, sent.end):
        return None
    score, rules, features = news_score(m, text, stance)
    if score < m.threshold and not rules:
        if not _actor_fact(parsed, sent.start, sent.end):
            return None
        features = ["rule:actor_fact", *features]
    return Claim(
        doc=doc_id,
        start=sent.start,
        end=sent.end,
        text=text,
        checkworthy=round(score, 4),
        attribution=None,
        features=tuple(features),
    )


def claims(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.claims`` with the check-worthy sentences of the document."""
    from .hedges import lexicon as hedge_lexicon

    m = model(res)
    stance = hedge_lexicon(res).pattern  # a hedged or boosted statement is a claim about certainty
    out = []
    for s in ana.sentences:
        c = claim_for(doc.id, s, m, ana.parsed, stance)
        if c is not None:
            out.append(c)
    ana.claims = out


component = Component("tracewire.claims.v1", claims, requires=("sentences",), provides=("claims",),
                      packs=("hedges.toml",), models=("tracewire.models:checkworthy.json.gz",))
