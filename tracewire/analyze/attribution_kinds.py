"""Attribution, step 2: the kind and canonical name of a source (pack lexicons, spaCy's entities and
the source's head noun)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..packs import load_pack_file
from ..pipeline import Resources
from .attribution_find import _TITLE

# --- kinds and canonical names ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Source lexicon merged from the active packs."""

    aliases: tuple[tuple[re.Pattern[str], str, str], ...]  # (pattern, canonical, kind), longest first
    words: dict[str, str]  # head noun or phrase -> kind
    states: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # outlet -> (state, control)
    # per alias: its literal text (lower-cased when matched without case) and whether case is ignored; None
    # when not ASCII. A pattern cannot match ASCII text that lacks its literal, so the regex is skipped then.
    needles: tuple[tuple[str | None, bool], ...] = ()

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
        needles = tuple(
            ((a if a.isupper() else a.lower()) if a.isascii() else None, not a.isupper()) for a, _, _ in entries
        )
        return cls(pats, words, states, needles)

    def searches(self, text: str) -> Iterator[tuple[re.Match[str], str, str]]:
        """(match, canonical, kind) of each alias found in ``text``, in lexicon order (longest alias first)."""
        quick = text.isascii() and len(self.needles) == len(self.aliases)
        low = text.lower() if quick else text
        for k, (pat, name, kind) in enumerate(self.aliases):
            if quick:
                needle, fold = self.needles[k]
                if needle is not None and needle not in (low if fold else text):
                    continue
            m = pat.search(text)
            if m:
                yield m, name, kind

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
    for m, name, kind in lex.searches(text):
        if not persons or head in m.group(0):
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

