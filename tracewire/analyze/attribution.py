"""Attribution: on whose word each claim rests (source span, canonical name, kind, cue, channel).

Rules over spaCy's dependency parse, tuned on the PolNeAR training split:

- a reporting verb ("said", "told", "claimed", "believes", "pointed out", "quoted as saying" …) is
  a cue; its subject is the source, inherited through "…, adding" and "… and said"; the person
  told or quoted by is the channel when it is a name ("told Sputnik", "quoted … by Foreign
  Policy"); "according to X" makes X the source; "citing X" makes X the source and the citer the
  channel; "it was reported" is an anonymous source;
- quotation marks are paired per paragraph, tolerating curly and straight quotes mixed, unclosed
  quotes (they run to the end of the paragraph) and stray closing quotes: one bad quote never
  spoils the rest of a document. A sentence inside a quote whose speaker is named in another
  sentence of the same quote keeps that speaker; a paragraph that opens with a quote and names
  no speaker continues the previous paragraph's quoted speaker;
- "he"/"she" resolve to the last named person quoted, "it"/"they" to the previous claim's
  organisation or body; "who" to the noun it describes; a pronoun with no antecedent is
  ``unresolved`` (never ``anonymous``: the text did name someone);
- the kind comes from the pack lexicons (``sources.toml``), spaCy's entities and the source's
  head noun ("local sources" is anonymous).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..packs import load_pack_file
from ..pipeline import Analysis, Component, Resources
from ..records import Attribution, Claim, Document
from .sentences import _OPEN, blocks, quote_spans

__all__ = ["quote_spans", "find", "find_all", "attribute", "classify", "component"]

KINDS = ("named_person", "named_org", "media_outlet", "government_body", "anonymous", "unresolved", "unattributed")

# Verb lemmas that introduce what someone said, wrote, thinks or wants (PolNeAR's notion).
CUE_LEMMAS = frozenset(
    """say tell claim state announce add note argue believe write report confirm deny insist warn
    explain tweet ask suggest acknowledge admit accuse allege think know hope expect predict
    estimate describe declare indicate reveal mention emphasize emphasise stress assert contend
    maintain reiterate respond reply answer urge promise vow call criticize criticise blame
    complain point quote cite testify recall conclude concede agree disagree question doubt fear
    worry charge boast brag joke recount observe remark comment announce pledge threaten demand
    propose recommend advise caution signal hint imply find show disclose inform notify assure
    acknowledge praise defend dismiss reject condemn denounce slam blast accuse feel want
    consider believe estimate speculate lament insist counter""".split()
)
CUES_PATH = Path(__file__).resolve().parent.parent / "models" / "attribution_cues.json"
# Cues a news analysis needs whatever the training data says (the list).
CORE_CUES = frozenset("say tell claim believe argue note point add cite quote report state announce".split())


def load_cues(path: Path = CUES_PATH) -> frozenset[str]:
    """Cue verb lemmas: those learned on PolNeAR train (``eval/train_attribution.py``) plus the core."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return CUE_LEMMAS
    return frozenset(data["lemmas"]) | CORE_CUES


# Cue lemmas whose speaker is only credible with an explicit subject (never inherited).
_WEAK = frozenset({"know", "want", "feel", "find", "show", "call", "consider", "question", "doubt"})
_ANON_PASSIVE = frozenset({"report", "say", "claim", "believe", "allege", "rumor", "rumour", "understand", "think"})
_PRONOUNS = {"he", "she"}
# A pronoun source with no antecedent names someone the text identified earlier, not an
# anonymous source: it is "unresolved" (issue 12: 219 FA-KES "anonymous" claims were pronouns).
_OTHER_PRONOUNS = frozenset({"they", "we", "i", "you", "him", "her", "them", "us"})
_DOCUMENT_WORDS = frozenset({"estimates", "estimate", "statement", "report", "figures", "data", "statistics", "letter"})
_TITLE = re.compile(
    r"^(?:(?:former|ex-|then-|late|retired|acting|deputy|senior|top|chief|us|u\.s\.)\s+)*"
    r"(?:(?:mr|mrs|ms|dr|gen|lt|col|maj|capt|sgt|adm|sen|rep|gov|prof|president|minister|general|"
    r"colonel|major|captain|sheikh|sheik|imam|spokesman|spokeswoman|spokesperson|ambassador)\.?\s+)+",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Found:
    """One attribution found in a sentence: character spans of cue, source and channel."""

    cue: str
    cue_start: int
    cue_end: int
    source_start: int | None
    source_end: int | None
    channel_start: int | None = None
    channel_end: int | None = None
    depth: int = 0  # distance of the cue from the sentence root; the main attribution is shallowest
    anonymous_passive: bool = False
    source_token: int | None = None  # token index of the source's head, for resolution


# --- quotes -------------------------------------------------------------------------------


def _inside(spans: Sequence[tuple[int, int]], s: int, e: int) -> bool:
    """Whether [s, e) lies inside one of ``spans``."""
    return any(a <= s and e <= b for a, b in spans)


# --- finding cues and sources in one parsed sentence ----------------------------------------


def _depth(tok: Any) -> int:
    """Number of heads between ``tok`` and its sentence root."""
    d = 0
    while tok.head.i != tok.i and d < 50:
        tok = tok.head
        d += 1
    return d


def _span_of(tok: Any, lo: int, hi: int) -> tuple[int, int]:
    """Character span of ``tok``'s subtree clipped to tokens [lo, hi), without edge punctuation."""
    toks = [t for t in tok.subtree if lo <= t.i < hi]
    while toks and (toks[0].is_punct or toks[0].is_space):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].dep_ == "cc"):
        toks = toks[:-1]
    if not toks:
        return tok.idx, tok.idx + len(tok.text)
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _subject(verb: Any) -> tuple[Any | None, bool]:
    """(subject token, is_passive_subject) of ``verb``, climbing through "adding"/"and said"."""
    tok = verb
    for _ in range(4):
        for c in tok.children:
            if c.dep_ in ("nsubj", "csubj"):
                return c, False
            if c.dep_ == "nsubjpass":
                return c, True
        if tok.dep_ in ("advcl", "xcomp", "conj", "pcomp", "acl") and tok.head.i != tok.i:
            if verb.lemma_.lower() in _WEAK:
                return None, False
            tok = tok.head
            continue
        break
    return None, False


def _channel(verb: Any, lo: int, hi: int) -> tuple[int, int] | None:
    """Span of the outlet a statement was given to ("told RT", "in an interview with CNN")."""
    cands: list[Any] = []
    lemma = verb.lemma_.lower()
    kids = list(verb.children)
    for c in list(kids):  # "quoted as saying by X": the agent may hang on "saying"
        if c.dep_ == "prep" and c.lower_ == "as":
            kids += [g for p in c.children for g in [p, *p.children]]
    for c in kids:
        if lemma == "tell" and c.dep_ in ("dobj", "dative", "iobj"):
            cands.append(c)
        elif c.dep_ == "agent":
            cands += [g for g in c.children if g.dep_ == "pobj"]
        elif c.dep_ == "prep" and c.lower_ in ("to", "in", "with"):
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                if c.lower_ == "to" and lemma in ("say", "speak", "talk"):
                    cands.append(g)
                if g.lower_ in ("interview", "statement", "report", "remarks"):
                    for p in g.children:
                        if p.dep_ == "prep" and p.lower_ in ("with", "to", "by"):
                            cands += [q for q in p.children if q.dep_ == "pobj"]
    for c in cands:
        if c.pos_ == "PROPN" or any(t.pos_ == "PROPN" for t in c.subtree):
            return _span_of(c, lo, hi)
    return None


_AUX_DEPS = ("aux", "auxpass", "neg", "advmod")
_PREP_LEMMAS = frozenset({"call", "point", "ask", "refer", "talk", "speak", "warn", "say"})
_TIME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tonight".split()
)


def _cue_extent(t: Any, lo: int, hi: int) -> tuple[int, int]:
    """Token range of the cue around verb ``t``: "has also said", "called for", "said in a statement:"."""
    doc = t.doc
    a = t.i
    while a - 1 >= lo and doc[a - 1].head.i == t.i and doc[a - 1].dep_ in _AUX_DEPS and doc[a - 1].is_alpha:
        a -= 1
    b = t.i + 1
    if b < hi and doc[b].dep_ == "prt" and doc[b].head.i == t.i:
        b += 1
    if b < hi and doc[b].lower_ in _TIME_WORDS:
        b += 1
    if t.lemma_.lower() in _PREP_LEMMAS and b < hi and doc[b].dep_ == "prep" and doc[b].head.i == t.i:
        if doc[b].lower_ in ("for", "to", "about", "of", "on") or (
            doc[b].lower_ == "in" and b + 2 < hi and doc[b + 2].lower_ == "statement"
        ):
            b = b + 3 if doc[b].lower_ == "in" else b + 1
    if b < hi and doc[b].text == ":":
        b += 1
    return a, b


def _nested(tok: Any, cue_tokens: set[int]) -> bool:
    """Whether cue ``tok`` sits in the content of another cue ("said he thinks"): PolNeAR nests none."""
    cur = tok
    path: list[str] = []
    for _ in range(20):
        if cur.head.i == cur.i:
            return False
        path.append(cur.dep_)
        cur = cur.head
        if cur.i in cue_tokens:
            return any(d in ("ccomp", "xcomp", "dobj", "parataxis") for d in path)
    return False


_NOT_SOURCES = frozenset(
    "source sources update editor breaking watch video photo photos note read related exclusive revealed "
    "opinion analysis live warning comment comments image credit tags share".split()
)


def _colon_source(sent: Any) -> Found | None:
    """Headline attribution by colon: "Graham: Trump's rhetoric destroying GOP" (source, cue ":")."""
    toks = list(sent)
    k = next((i for i, t in enumerate(toks[:6]) if t.text == ":"), None)
    if not k or k + 1 >= len(toks):
        return None
    head = toks[:k]
    if not all(t.pos_ in ("PROPN", "DET", "PART", "PUNCT") or t.text[:1].isupper() for t in head):
        return None
    if not any(t.pos_ in ("PROPN", "NOUN") and t.text[:1].isupper() for t in head):
        return None
    if any(t.pos_ in ("VERB", "AUX") for t in head) or head[0].lower_ in _NOT_SOURCES:
        return None
    if all(t.text.isupper() or not t.is_alpha for t in head):
        return None  # "DAMASCUS:" is a dateline
    c = toks[k]
    return Found(":", c.idx, c.idx + 1, head[0].idx, head[-1].idx + len(head[-1].text), depth=99,
                 source_token=max(head, key=lambda t: t.pos_ == "PROPN").i)


def find(sent: Any, cues: frozenset[str] = CUE_LEMMAS) -> list[Found]:
    """Every attribution cue in a parsed sentence (a spaCy Span) with its source and channel."""
    lo, hi = sent.start, sent.end
    cue_tokens = {t.i for t in sent if t.pos_ == "VERB" and t.lemma_.lower() in cues}
    doc = sent.doc
    out: list[Found] = []
    skip: set[int] = set()
    colon = _colon_source(sent)
    if colon is not None:
        out.append(colon)
    for t in sent:
        if t.i in skip:
            continue
        low = t.lower_
        if low == "according" and t.i + 1 < hi and doc[t.i + 1].lower_ == "to":
            to = doc[t.i + 1]
            objs = [c for c in to.children if c.dep_ == "pobj"]
            if objs:
                s, e = _span_of(objs[0], lo, hi)
                out.append(Found("according to", t.idx, to.idx + 2, s, e, depth=_depth(t), source_token=objs[0].i))
            continue
        lemma = t.lemma_.lower()
        if t.pos_ != "VERB" or lemma not in cues or _nested(t, cue_tokens):
            continue
        a, b = _cue_extent(t, lo, hi)
        cue_s, cue_e, cue = doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text), low
        prt = [c for c in t.children if c.dep_ == "prt"]
        if prt and prt[0].i == t.i + 1:
            cue = f"{low} {prt[0].lower_}"
        if lemma == "quote" and t.i + 2 < hi and doc[t.i + 1].lower_ == "as" and doc[t.i + 2].lemma_ == "say":
            skip.add(t.i + 2)
            cue_e = doc[t.i + 2].idx + len(doc[t.i + 2].text)
            cue = "quoted as saying"
        subj, passive = _subject(t)
        if subj is not None and any(c.dep_ == "det" and c.lower_ == "no" for c in subj.children):
            continue  # "No group had claimed …" attributes nothing
        if lemma == "claim" and any(c.dep_ == "dobj" and c.lower_ in ("responsibility", "credit") for c in t.children):
            continue  # claiming responsibility is an act, not a statement
        chan = _channel(t, lo, hi)
        if lemma == "cite":
            objs = [c for c in t.children if c.dep_ == "dobj"]
            if objs:
                s, e = _span_of(objs[0], lo, hi)
                citer = _span_of(subj, lo, hi) if subj is not None else None
                out.append(
                    Found(cue, cue_s, cue_e, s, e, citer[0] if citer else None, citer[1] if citer else None,
                          depth=_depth(t), source_token=objs[0].i)
                )
            continue
        if subj is None:
            continue
        if passive and lemma != "quote":
            agent = [g for c in t.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            if agent:
                s, e = _span_of(agent[0], lo, hi)
                out.append(Found(cue, cue_s, cue_e, s, e, depth=_depth(t), source_token=agent[0].i))
            elif subj.lower_ == "it" and lemma in _ANON_PASSIVE:
                out.append(Found(cue, cue_s, cue_e, subj.idx, cue_e, depth=_depth(t), anonymous_passive=True))
            continue
        sub_lo = lo
        commas = [x.i for x in subj.subtree if x.text == "," and x.i < subj.i and x.head.dep_ != "appos"]
        if commas and subj.i - subj.left_edge.i > 10:
            sub_lo = commas[-1] + 1  # "Following the victory, ..., the SDF": drop a fronted clause
        s, e = _span_of(subj, sub_lo, hi)
        out.append(
            Found(cue, cue_s, cue_e, s, e, chan[0] if chan else None, chan[1] if chan else None,
                  depth=_depth(t), source_token=subj.i)
        )
    return out


def find_all(
    text: str, parsed: Any, spans: Sequence[tuple[int, int]], blocks: Sequence[tuple[int, int]],
    cues: frozenset[str] = CUE_LEMMAS, keep_quoted: bool = False,
) -> tuple[list[list[Found]], list[tuple[int, int]]]:
    """Attributions of each sentence span, without cues inside quotations (unless ``keep_quoted``), and the quote spans."""
    quotes: list[tuple[int, int]] = []
    for bs, be in blocks:
        quotes += quote_spans(text, bs, be)
    out: list[list[Found]] = []
    for s, e in spans:
        span = parsed.char_span(s, e, alignment_mode="expand")
        found = find(span, cues) if span is not None else []
        out.append([f for f in found if keep_quoted or not _inside(quotes, f.cue_start, f.cue_end)])
    return out, quotes


def _head_token(parsed: Any, a: int, b: int) -> Any:
    """The token of [a, b) whose head lies outside the range (the span's syntactic head)."""
    toks = list(parsed[a:b])
    for t in toks:
        if not a <= t.head.i < b or t.head.i == t.i:
            return t
    return toks[0]


def _linked(src: Any, cue: Any, hops: int = 4) -> bool:
    """Whether the source head ``src`` hangs from the cue head ``cue`` (or the cue from it) within ``hops``."""
    for x, y in ((src, cue), (cue, src)):
        cur = x
        for _ in range(hops):
            if cur.head.i == cur.i:
                break
            cur = cur.head
            if cur.i == y.i:
                return True
    return False


def find_learned(
    text: str, parsed: Any, spans: Sequence[tuple[int, int]], blocks: Sequence[tuple[int, int]],
    cues: frozenset[str], tagger: Any, rule_founds: tuple[list[list[Found]], list[tuple[int, int]]] | None = None,
) -> tuple[list[list[Found]], list[tuple[int, int]]]:
    """Attributions of each sentence span found by the CRF tagger, with the rules as its features.

    Each tagged cue takes the tagged source of its sentence that hangs from it in the parse, else the
    nearest one; a rule attribution with the same cue lends its channel (and marks "it was reported"
    as anonymous). Sources no cue claims are dropped.
    """
    from .attribution_crf import document_sequences, spans_of

    founds, quotes = rule_founds or find_all(text, parsed, spans, blocks, cues, keep_quoted=True)
    out: list[list[Found]] = []
    for (a, _b, feats), rules in zip(document_sequences(parsed, spans, quotes, founds, cues), founds, strict=True):
        if not feats:
            out.append([])
            continue
        tagged = spans_of(tagger.tag(feats), a)
        srcs = [t for t in tagged if t.label == "SRC"]
        sent: list[Found] = []
        for c in (t for t in tagged if t.label == "CUE"):
            ch = _head_token(parsed, c.start, c.end)
            cs, ce = parsed[c.start].idx, parsed[c.end - 1].idx + len(parsed[c.end - 1].text)
            rule = next((r for r in rules if r.cue_start < ce and cs < r.cue_end), None)
            best = None
            if srcs:
                linked = [s for s in srcs if _linked(_head_token(parsed, s.start, s.end), ch)]
                pool = linked or srcs
                best = min(pool, key=lambda s: (min(abs(s.start - c.end), abs(c.start - s.end)), s.start > c.start))
            if best is not None:
                sh = _head_token(parsed, best.start, best.end)
                ss, se = parsed[best.start].idx, parsed[best.end - 1].idx + len(parsed[best.end - 1].text)
            elif rule is not None and rule.source_start is not None:
                sh = parsed[rule.source_token] if rule.source_token is not None else None
                ss, se = rule.source_start, rule.source_end
            else:
                sh, ss, se = None, None, None
            cue = " ".join(text[cs:ce].lower().split())
            if rule is not None:  # the rules name the cue by its verb ("reported" for "was reported")
                cue = rule.cue
            sent.append(Found(
                cue, cs, ce, ss, se,
                rule.channel_start if rule is not None else None, rule.channel_end if rule is not None else None,
                depth=_depth(ch), anonymous_passive=rule.anonymous_passive if rule is not None and best is None else False,
                source_token=sh.i if sh is not None else None,
            ))
        out.append(sent)
    return out, quotes


# --- kinds and canonical names ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Source lexicon merged from the active packs."""

    aliases: tuple[tuple[re.Pattern[str], str, str], ...]  # (pattern, canonical, kind), longest first
    words: dict[str, str]  # head noun or phrase -> kind
    states: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # outlet -> (state, control)

    @classmethod
    def from_packs(cls, files: Iterable[dict[str, Any]], media: Iterable[dict[str, Any]] = ()) -> Lexicon:
        """Merge ``sources.toml`` and ``media.toml`` data from several packs (later packs win on conflicts)."""
        entries: list[tuple[str, str, str]] = []
        words: dict[str, str] = {}
        states: dict[str, tuple[str, str]] = {}
        for data in media:
            for out in data.get("outlet", []):
                states[out["name"]] = (str(out.get("state", "")), str(out.get("control", "")))
                for a in [out["name"], *out.get("aliases", [])]:
                    entries.append((a, out["name"], "media_outlet"))
        for data in files:
            for src in data.get("source", []):
                for a in [src["name"], *src.get("aliases", [])]:
                    entries.append((a, src["name"], src["kind"]))
            for kind, ws in data.get("words", {}).items():
                for w in ws:
                    words[w.lower()] = kind
        entries.sort(key=lambda x: -len(x[0]))
        pats = tuple(
            (re.compile(r"(?<![\w-])" + re.escape(a) + r"(?![\w-])", 0 if a.isupper() else re.I), name, kind)
            for a, name, kind in entries
        )
        return cls(pats, words, states)

    def outlet_state(self, name: str) -> tuple[str, str] | None:
        """(state country code or "", control) of the outlet ``name`` as its pack's media.toml gives them."""
        return self.states.get(name)


def lexicon(res: Resources) -> Lexicon:
    """The source lexicon of the packs active in ``res``."""
    lex: Lexicon = res.get("sources-lexicon", lambda: Lexicon.from_packs(
        load_pack_file(res, "sources.toml"), load_pack_file(res, "media.toml")))
    return lex


def _clean_name(name: str) -> str:
    """A person's name without titles, descriptors or a possessive."""
    name = re.sub(r"[’']s$", "", name.strip())
    return _TITLE.sub("", name).strip(" ,")


_STRONG_GOV = frozenset(
    {"ministry", "ministries", "government", "department", "pentagon", "kremlin", "presidency", "embassy", "cabinet",
     "army", "military", "police", "authorities"}
)
_ANON_CONTEXT = re.compile(r"not to be (?:named|identified)|anonymity|anonymously|unnamed|unidentified", re.I)
# "ministry spokesman Igor Konashenkov", "Foreign Minister Sergei Lavrov": a title then a name is a person.
_TITLED_NAME = re.compile(
    r"\b(?:spokes(?:man|woman|person)|minister|ambassador|envoy|general|colonel|commander|official|president|"
    r"secretary|chief|director|head|leader|adviser|advisor|analyst|expert|researcher|professor|correspondent|"
    r"reporter|editor|deputy|representative|governor|mayor|senator|lawmaker|mp|chairman|chairwoman|founder)"
    r"\s+((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’-]+)$",
    re.I,
)
# "sources that spoke with Reuters", "officials speaking to the Guardian": the outlet is the channel.
_SPOKE_WITH = re.compile(
    r"\b(?:(?:who|that)\s+)?(?:spoke|speaking|talked|talking|told|telling|talking)\s+(?:with|to)?\s*(?P<outlet>.+)$", re.I
)


def outlet_channel(text: str) -> str | None:
    """The outlet an unnamed source spoke to, from the source span ("sources that spoke with Reuters")."""
    m = _SPOKE_WITH.search(text)
    return m.group("outlet").strip(" ,") if m else None


def classify(
    text: str, ents: Sequence[tuple[str, str]], head: str, lex: Lexicon, head_is_name: bool = False
) -> tuple[str, str]:
    """(kind, canonical) of a source span from its text, entities (text, label) and head word."""
    head_l = head.lower()
    bare = re.sub(r"^(?:the|a|an|some)\s+", "", text, flags=re.I)
    # A name after "of"/"in" ("residents of Khan Shaykhun") is a place spaCy mislabelled, not the source.
    persons = [
        e for e, label in ents
        if label == "PERSON" and not re.search(r"\b(?:of|in|from|at|near|the)\s+$", text[: max(0, text.find(e))], re.I)
    ]
    low = text.lower()
    spoke = _SPOKE_WITH.search(bare)
    if spoke is not None and lex.words.get(head_l) == "anonymous" and head not in spoke.group("outlet"):
        return "anonymous", bare[: spoke.start()].strip(" ,").lower()  # "sources that spoke with <outlet>"
    if _ANON_CONTEXT.search(text) or (lex.words.get(head_l) == "anonymous" and not persons and not head_is_name):
        return "anonymous", bare.lower()
    titled = _TITLED_NAME.search(text)
    if titled and head in titled.group(1) and titled.group(1)[:1].isupper():
        name = titled.group(1)
        for pat, _, kind in lex.aliases:
            if kind == "media_outlet" and pat.fullmatch(name):
                break  # "a correspondent of SANA" is not a person named SANA
        else:
            return "named_person", _clean_name(name)
    for pat, name, kind in lex.aliases:
        m = pat.search(text)
        if m and (not persons or head in m.group(0)):
            return kind, name
    if persons:
        return "named_person", _clean_name(max(persons, key=len))
    word_kind = lex.words.get(head_l)
    places = [e for e, label in ents if label in ("GPE", "NORP")]
    if word_kind == "government_body" and not (head_l in _STRONG_GOV or places or head_is_name):
        word_kind = "named_org"  # "the camp administration": a body, but not a state's
    for e, label in ents:
        if label == "ORG" and head in e:
            return (word_kind if word_kind not in (None, "anonymous") else "named_org"), e
        if label == "GPE" and head in e:
            return "government_body", e
    for phrase, kind in lex.words.items():
        if " " in phrase and phrase in low:
            return kind, bare
    if word_kind is not None:
        return word_kind, bare
    if head_is_name:
        others = [e for e, label in ents if label in ("PERSON", "ORG") and head in e]
        return ("named_org", others[0]) if others else ("named_org", bare)
    return "anonymous", bare.lower()


# --- the component --------------------------------------------------------------------------


def _ents_in(parsed: Any, s: int, e: int) -> list[tuple[str, str]]:
    """Entities (text, label) of the parse inside [s, e)."""
    return [(ent.text, ent.label_) for ent in parsed.ents if s <= ent.start_char and ent.end_char <= e]


_MALE = frozenset("mr mr. he him his spokesman king prince sheikh father brother son husband".split())
_FEMALE = frozenset("mrs mrs. ms ms. miss she her hers spokeswoman queen princess mother sister daughter wife".split())


def _gender(ent: Any) -> str:
    """"m", "f" or "" for a PERSON entity, from a title or gendered word just before it (cheap, often "")."""
    doc = ent.doc
    for t in doc[max(0, ent.start - 3) : ent.start + 1]:
        if t.lower_ in _MALE:
            return "m"
        if t.lower_ in _FEMALE:
            return "f"
    return ""


def _person_before(parsed: Any, start: int, end: int, pronoun: str = "") -> str | None:
    """The last PERSON entity of the parse inside [start, end) whose gender does not clash with ``pronoun``."""
    want = "m" if pronoun == "he" else "f" if pronoun == "she" else ""
    names = [ent for ent in parsed.ents if ent.label_ == "PERSON" and start <= ent.start_char and ent.end_char <= end]
    names = [e for e in names if not want or _gender(e) in ("", want)]
    return _clean_name(names[-1].text) if names else None


def _resolve(
    f: Found, parsed: Any, text: str, lex: Lexicon, last_person: str | None, persons: list[str],
    previous: Attribution | None = None, window_start: int | None = None,
) -> tuple[str, str]:
    """(kind, canonical) of a found source, resolving pronouns, "who" and bare surnames; ("", "") if none."""
    assert f.source_start is not None and f.source_end is not None
    src = text[f.source_start : f.source_end]
    if f.anonymous_passive:
        return "anonymous", src.lower()
    tok = parsed[f.source_token] if f.source_token is not None else None
    if tok is not None and src.lower() in _PRONOUNS:
        if previous is not None and previous.kind in ("named_person", "government_body"):
            return previous.kind, previous.canonical or previous.source  # "he" is the last speaker
        if last_person:
            return "named_person", last_person
        # no speaker yet: a person named up to two sentences back ("Governor X visited … He said")
        near = _person_before(parsed, window_start, f.source_start, src.lower()) if window_start is not None else None
        if near:
            return "named_person", near
        return "unresolved", src.lower()
    if src.lower() in ("it", "they") and previous is not None and previous.kind not in (
            "named_person", "unattributed", "unresolved"):
        return previous.kind, previous.canonical or previous.source
    if src.lower() in _OTHER_PRONOUNS:
        return "unresolved", src.lower()
    if tok is not None and src.lower() in ("who", "which", "that") and tok.head.dep_ == "relcl":
        noun = tok.head.head
        s, e = _span_of(noun, noun.left_edge.i, noun.i + 1)
        return _resolve(dataclasses.replace(f, source_start=s, source_end=e, source_token=noun.i),
                        parsed, text, lex, last_person, persons)
    if src.lower() in ("it", "this", "that", "which", "its"):
        return "", ""  # an unresolved "it" names no source: try the sentence's next cue
    if tok is not None and tok.lower_ in _DOCUMENT_WORDS:
        # "estimates by the Syrian government", "a statement from the ministry": the author counts
        for p in tok.children:
            objs = [g for g in p.children if g.dep_ == "pobj"] if p.dep_ in ("prep", "agent") and p.lower_ in ("by", "from", "of") else []
            if objs:
                a, b = _span_of(objs[0], objs[0].left_edge.i, objs[0].right_edge.i + 1)
                inner = classify(text[a:b], _ents_in(parsed, a, b), objs[0].text, lex, objs[0].pos_ == "PROPN")
                if inner[0] != "anonymous":
                    return inner
    head = tok.text if tok is not None else src.split()[-1]
    is_name = tok is not None and (tok.pos_ == "PROPN" or f.cue == ":")
    ents = _ents_in(parsed, f.source_start, f.source_end)
    kind, canonical = classify(src, ents, head, lex, is_name)
    if f.cue == ":" and kind == "named_org" and not ents:
        kind = "named_person"  # "Lavrov: …" headlines quote people
    if kind == "named_person":
        for p in persons:  # "Maloof" after "Michael Maloof"
            if p != canonical and p.split()[-1] == canonical.split()[-1]:
                return kind, p
    if kind in ("anonymous", "named_org") and tok is not None and tok.pos_ == "PROPN" and head[:1].isupper():
        # a bare surname spaCy did not tag: a person if an earlier person shares it
        for p in persons:
            if p.split()[-1] == head:
                return "named_person", p
    return kind, canonical


def _speech(f: Found, parsed: Any) -> bool:
    """Whether a found cue is a statement or stance verb (the hand list), not a broader PolNeAR cue."""
    if f.cue in ("according to", ":") or f.anonymous_passive:
        return True
    span = parsed.char_span(f.cue_start, f.cue_end, alignment_mode="expand")
    verbs = [t for t in span if t.pos_ == "VERB"] if span is not None else []
    if not verbs and span is not None:  # a noun cue: "the ministry's claim", "in a statement"
        verbs = [t for t in span if t.pos_ == "NOUN"]
        return bool(verbs) and verbs[-1].lemma_.lower() in _NOUN_CUES
    return bool(verbs) and (verbs[0].lemma_.lower() in CUE_LEMMAS or verbs[0].lemma_.lower() in CORE_CUES)


_NOUN_CUES = frozenset(
    "claim statement report remark comment assertion allegation accusation announcement warning testimony "
    "interview tweet post denial admission estimate".split()
)


def _attribution(f: Found, kind: str, canonical: str, text: str) -> Attribution:
    """An Attribution record from a found cue and its resolved source."""
    assert f.source_start is not None and f.source_end is not None
    channel = text[f.channel_start : f.channel_end] if f.channel_start is not None else None
    if channel is None and kind == "anonymous":
        channel = outlet_channel(text[f.source_start : f.source_end])
    return Attribution(
        source=text[f.source_start : f.source_end],
        kind=kind,
        cue=f.cue,
        start=f.source_start,
        end=f.source_end,
        channel=channel,
        cue_start=f.cue_start,
        cue_end=f.cue_end,
        canonical=canonical,
    )


def _channel_name(channel: str | None, lex: Lexicon) -> str | None:
    """The canonical outlet name of a channel span when the lexicon knows it."""
    if channel is None:
        return None
    for pat, name, _ in lex.aliases:
        if pat.search(channel):
            return name
    return re.sub(r"^(?:the)\s+", "", channel)


def attribute(text: str, parsed: Any, spans: Sequence[tuple[int, int]], blocks: Sequence[tuple[int, int]],
              lex: Lexicon, outlet: str | None = None, cues: frozenset[str] = CUE_LEMMAS,
              tagger: Any = None) -> list[Attribution]:
    """The attribution of each sentence span (``unattributed`` where no source is found).

    With ``tagger`` (the CRF of ``attribution_crf``) the learned cues and sources are used, else the rules'.
    """
    if tagger is not None:
        rules = find_all(text, parsed, spans, blocks, cues, keep_quoted=True)
        learned, quotes = find_learned(text, parsed, spans, blocks, cues, tagger, rules)
        founds = []
        for mine, theirs in zip(learned, rules[0], strict=True):
            mine = [f for f in mine if not _inside(quotes, f.cue_start, f.cue_end)]
            if not any(f.source_start is not None and _speech(f, parsed) for f in mine):
                mine = [f for f in theirs if not _inside(quotes, f.cue_start, f.cue_end)]  # the rules as fallback
            founds.append(mine)
    else:
        founds, quotes = find_all(text, parsed, spans, blocks, cues)
    speaker: dict[tuple[int, int], Attribution] = {}
    persons: list[str] = []
    last_person: str | None = None
    out: list[Attribution | None] = []
    previous: Attribution | None = None
    for idx, ((s, e), found) in enumerate(zip(spans, founds, strict=True)):
        # A claim rests on a statement ("said", "according to"), not on "aiming" or "continues".
        outside = [
            f for f in found
            if f.source_start is not None and _speech(f, parsed)
            and text[f.source_start : f.source_end].lower() not in ("who", "which", "that")
        ]  # "anyone who believes …" describes someone; it is not what the claim rests on
        if not outside:
            out.append(None)
            continue
        resolved = None
        for f in sorted(outside, key=lambda x: (x.depth, x.cue_start)):
            kind, canonical = _resolve(f, parsed, text, lex, last_person, persons, previous, spans[max(0, idx - 2)][0])
            if kind:
                resolved = (f, kind, canonical)
                break
        if resolved is None:
            out.append(None)
            continue
        f, kind, canonical = resolved
        att = _attribution(f, kind, canonical, text)
        if kind == "named_person":
            last_person = canonical
            if canonical not in persons:
                persons.append(canonical)
        for q in quotes:
            if q[0] < e and s < q[1]:
                speaker[q] = att
        out.append(att)
        previous = att
    # Sentences of a quote whose speaker is named elsewhere, and quote paragraphs that continue.
    prev_block_speaker: Attribution | None = None
    for bs, be in blocks:
        block_idx = [i for i, (s, e) in enumerate(spans) if bs <= s < be]
        own = [out[i] for i in block_idx if out[i] is not None]
        for i in block_idx:
            if out[i] is not None:
                continue
            s, e = spans[i]
            for q, att in speaker.items():
                if q[0] < e and s < q[1]:
                    out[i] = att
                    break
        opens_quote = text[bs:be].lstrip()[:1] in _OPEN + '"'
        if opens_quote and not own and prev_block_speaker is not None:
            for i in block_idx:
                if out[i] is None:
                    out[i] = prev_block_speaker
        block_quotes = [q for q in quotes if bs <= q[0] < be]
        if block_quotes and block_quotes[-1] in speaker:
            prev_block_speaker = speaker[block_quotes[-1]]
        elif own or not opens_quote:
            prev_block_speaker = None
    return [
        a if a is not None else Attribution("", "unattributed", None, None, None, canonical=outlet)
        for a in out
    ]


def _tagger_or_rules() -> Any:
    """The shipped CRF tagger, or None (the rules alone) when its model file is absent."""
    from .attribution_crf import MODEL_PATH, load_tagger

    return load_tagger(MODEL_PATH) if MODEL_PATH.is_file() else None


def attribution(doc: Document, ana: Analysis, res: Resources) -> None:
    """Attach an Attribution to every claim in ``ana.claims``."""
    if not ana.claims:
        return
    spans = [(c.start, c.end) for c in ana.claims]
    # Quote continuation needs every sentence, not only claims: attribute all, then pick.
    all_spans = [(s.start, s.end) for s in ana.sentences] or spans
    cues: frozenset[str] = res.get("attribution-cues", load_cues)
    tagger = res.get("attribution-tagger", _tagger_or_rules)
    atts = attribute(doc.text, ana.parsed, all_spans, blocks(doc.text), lexicon(res), doc.outlet, cues, tagger)
    by_span = dict(zip(all_spans, atts, strict=True))
    lex = lexicon(res)
    new: list[Claim] = []
    for c in ana.claims:
        att = by_span.get((c.start, c.end))
        if att is None:
            att = Attribution("", "unattributed", None, None, None, canonical=doc.outlet)
        if att.channel is not None:
            att = dataclasses.replace(att, channel=_channel_name(att.channel, lex))
        new.append(dataclasses.replace(c, attribution=att))
    ana.claims = new


component = Component(
    "tracewire.attribution.v1", attribution, requires=("claims", "parsed"), provides=("attribution",),
    packs=("sources.toml", "media.toml"),
    models=("tracewire.models:attribution_cues.json", "tracewire.models:attribution_crf.crfsuite"),
)
