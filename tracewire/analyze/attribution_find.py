"""Attribution, step 1: cues, sources and channels found in one parsed sentence (rules over spaCy's
dependency parse, tuned on the PolNeAR training split), and the learned tagger's variant."""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sentences import quote_spans

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


def _colon_source(toks: Sequence[Any]) -> Found | None:
    """Headline attribution by colon, from a sentence's tokens: "Graham: Trump's rhetoric destroying GOP" (cue ":")."""
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
    toks = list(sent)  # one pass over spaCy's tokens, shared by the steps below
    cue_tokens = {t.i for t in toks if t.pos_ == "VERB" and t.lemma_.lower() in cues}
    doc = sent.doc
    out: list[Found] = []
    skip: set[int] = set()
    colon = _colon_source(toks)
    if colon is not None:
        out.append(colon)
    for t in toks:
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
        if t.i not in cue_tokens or _nested(t, cue_tokens):  # a cue: a VERB whose lemma is in ``cues``
            continue
        lemma = t.lemma_.lower()
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


# A transcript's speaker label: a line that opens (after an optional quotation mark) with a name in
# capitals, a colon and the speaker's words on the same line ("PENCE: Well, look", "JAKE TAPPER: Donald").
_SPEAKER = re.compile(r"(?m)^[ \t\u00a0]*[\"“]?([A-Z][A-Z.'’-]+(?:[ \u00a0][A-Z][A-Z.'’-]+){0,2}):[ \t\u00a0]+\S")
# capitalised labels of news furniture, not speakers ("UPDATE: 5/12 — …", "CORRECTION: Due to …")
_NOT_SPEAKERS = frozenset("""update correction editor's editors note video audio email byline exclusive breaking
    previously watch listen read photo photos source sources related warning advertisement""".split())


def speaker_labels(text: str) -> list[tuple[int, int, int]]:
    """(name start, name end, colon start) of each transcript speaker label of ``text``.

    Only in a transcript: at least two different names label lines and one of them speaks twice, none
    on the first line (a headline's "BOOM:" or "EXCLUSIVE:" is no speaker), none a furniture word. PolNeAR marks the
    colon as the cue and the name as the source (issue 12: 10 of dev's 21 missed colon cues).
    """
    first_nl = text.find("\n")
    out = []
    for m in _SPEAKER.finditer(text):
        name = m.group(1)
        if m.start() <= first_nl or first_nl < 0 or name.lower().split()[0] in _NOT_SPEAKERS:
            continue
        out.append((m.start(1), m.end(1), m.end(1)))
    names = Counter(text[a:b].split()[-1] for a, b, _ in out)  # "JAKE TAPPER" then "TAPPER": one speaker
    return out if len(names) >= 2 and max(names.values()) >= 2 else []


def find_learned(
    text: str, parsed: Any, spans: Sequence[tuple[int, int]], blocks: Sequence[tuple[int, int]],
    cues: frozenset[str], tagger: Any, rule_founds: tuple[list[list[Found]], list[tuple[int, int]]] | None = None,
) -> tuple[list[list[Found]], list[tuple[int, int]]]:
    """Attributions of each sentence span found by the CRF tagger, with the rules as its features.

    A ``tagger`` with ``for_document`` (``attribution_minilm.CombinedTagger``) gives one tagger per
    document whose ``tag(features, first token)`` reads the document's MiniLM probabilities too.

    Each tagged cue takes the tagged source of its sentence that hangs from it in the parse, else the
    nearest one; a rule attribution with the same cue lends its channel (and marks "it was reported"
    as anonymous). Sources no cue claims are dropped.
    """
    from .attribution_crf import document_sequences, spans_of

    founds, quotes = rule_founds or find_all(text, parsed, spans, blocks, cues, keep_quoted=True)
    # a tagger that reads the whole document (the CRF with the MiniLM head) makes one per document
    doc_tagger = tagger.for_document(text, parsed) if hasattr(tagger, "for_document") else None
    out: list[list[Found]] = []
    for (a, _b, feats), rules in zip(document_sequences(parsed, spans, quotes, founds, cues), founds, strict=True):
        if not feats:
            out.append([])
            continue
        tagged = spans_of(doc_tagger.tag(feats, a) if doc_tagger is not None else tagger.tag(feats), a)
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
    _add_speakers(text, parsed, spans, out)
    return out, quotes


def _add_speakers(text: str, parsed: Any, spans: Sequence[tuple[int, int]], founds: list[list[Found]]) -> None:
    """Add the transcript speaker labels' attributions (cue the colon, source the name) the tagger missed."""
    labels = speaker_labels(text)
    if not labels:
        return
    starts = [s for s, _ in spans]
    for a, b, colon in labels:
        k = bisect.bisect_right(starts, a) - 1
        if k < 0 or colon >= spans[k][1] or any(f.cue_start <= colon < f.cue_end for f in founds[k]):
            continue
        tok = parsed.char_span(a, b, alignment_mode="expand")
        founds[k].insert(0, Found(":", colon, colon + 1, a, b, source_token=tok.root.i if tok is not None else None))

