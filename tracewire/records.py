"""Frozen records that flow between stages. Offsets are character offsets into Document.text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Document:
    """One article: normalised text plus metadata; raw bytes live in the store by sha256."""

    id: str
    text: str
    sha256: str
    source_path: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    author: str | None = None
    dateline: str | None = None
    fmt: str = "txt"
    # normalised offset -> raw-text offset, as sorted anchor pairs (norm_start, raw_start)
    offset_map: tuple[tuple[int, int], ...] = ()
    raw_text: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    version: int = 1

    def raw_offset(self, norm_offset: int) -> int:
        """Map an offset in ``text`` back to the extracted raw text."""
        return map_offset(self.offset_map, norm_offset)


@dataclass(frozen=True, slots=True)
class Rejection:
    """An input that could not become a document, with a coded, readable reason."""

    path: str
    code: str
    message: str
    sha256: str = ""
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A character span of a document's normalised text."""

    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a claim is attributed to: source span, kind, cue and channel."""

    source: str
    kind: str  # named_person, named_org, media_outlet, government_body, anonymous, unresolved, unattributed
    cue: str | None
    start: int | None
    end: int | None
    channel: str | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    canonical: str | None = None


@dataclass(frozen=True, slots=True)
class Hedge:
    """A hedge ("reportedly") or booster ("it is now clear") inside a claim."""

    text: str
    kind: str  # hedge | booster
    start: int
    end: int
    quoted: bool = False  # inside quotation marks: the quoted speaker's hedge, not the author's


@dataclass(frozen=True, slots=True)
class Claim:
    """A check-worthy sentence with its attribution and hedges."""

    doc: str
    start: int
    end: int
    text: str
    checkworthy: float
    attribution: Attribution | None
    hedges: tuple[Hedge, ...] = ()
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with what it counts, e.g. "33 soldiers" killed."""

    doc: str
    start: int
    end: int
    text: str
    value: float
    category: str  # killed, injured, force, equipment, money, volume, area, distance, other
    qualifier: str | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class ActorMention:
    """A mention normalised to a canonical actor from a domain pack."""

    doc: str
    start: int
    end: int
    mention: str
    actor: str


@dataclass(frozen=True, slots=True)
class Place:
    """A toponym resolved to coordinates (lat/lon None when unresolved)."""

    doc: str
    start: int
    end: int
    mention: str
    name: str
    lat: float | None
    lon: float | None
    country_code: str | None
    feature: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class Technique:
    """A persuasion/propaganda technique span (SemEval-2020 Task 11 label)."""

    doc: str
    start: int
    end: int
    technique: str
    score: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edit:
    """A word-level edit inside an aligned passage: words replaced, inserted or deleted in the target."""

    op: str  # sub | ins | del
    source_start: int  # an empty range (start == end) marks where the target inserts
    source_end: int
    target_start: int  # an empty range marks where the source's words were deleted
    target_end: int


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    """One document version's per-document analysis results, as the store writes them (no parse tree)."""

    doc: Document  # the analysed version: the store writes nothing when a newer one replaced it
    sentences: tuple[Span, ...] = ()
    claims: tuple[Claim, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    actors: tuple[ActorMention, ...] = ()
    places: tuple[Place, ...] = ()
    techniques: tuple[Technique, ...] = ()
    errors: tuple[str, ...] = ()  # coded messages of components that failed or were skipped


@dataclass(frozen=True, slots=True)
class Passage:
    """One aligned passage shared by a source and a target document."""

    source_start: int
    source_end: int
    target_start: int
    target_end: int
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class ReuseLink:
    """Text reuse between two documents, aligned passage by passage, with a direction call."""

    source: str
    target: str
    direction_known: bool
    confidence: float
    shared_words: int
    source_coverage: float
    target_coverage: float
    passages: tuple[Passage, ...]
    target_additions: tuple[tuple[int, int], ...] = ()
    source_cuts: tuple[tuple[int, int], ...] = ()
    evidence: tuple[str, ...] = ()
    kind: str = "copy"  # copy | rewrite | shared_quotation


@dataclass(frozen=True, slots=True)
class StoryMember:
    """A document in a story with the document it was derived from (None for the root)."""

    doc: str
    parent: str | None
    depth: int


@dataclass(frozen=True, slots=True)
class Story:
    """A cluster of documents connected by reuse, rooted at the best-supported original."""

    story_id: str
    root: str
    members: tuple[StoryMember, ...]


def map_offset(anchors: tuple[tuple[int, int], ...], norm_offset: int) -> int:
    """Translate a normalised offset through sorted (norm_start, raw_start) anchors."""
    if not anchors:
        return norm_offset
    lo, hi = 0, len(anchors) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if anchors[mid][0] <= norm_offset:
            lo = mid
        else:
            hi = mid - 1
    n0, r0 = anchors[lo]
    return r0 + max(0, norm_offset - n0)


@dataclass(frozen=True, slots=True)
class FactCheck:
    """A reviewed claim from a fact-check database (ClaimReview, EUvsDisinfo), with its provenance."""

    id: str
    source: str
    source_path: str
    claim_reviewed: str
    row: int | None = None
    title: str | None = None
    rating: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None
    claimant: str | None = None
    appearance: str | None = None
    language: str | None = None
    review_body: str | None = None
    keywords: tuple[str, ...] = ()

    @property
    def match_text(self) -> str:
        """What lexical retrieval indexes: the claim, its headline and keywords."""
        return " ".join(x for x in (self.claim_reviewed, self.title or "", " ".join(self.keywords)) if x)


@dataclass(frozen=True, slots=True)
class FactcheckMatch:
    """A known fact-check found for a claim span, with its score and evidence (``via``: inherited through reuse)."""

    doc: str
    start: int
    end: int
    factcheck: str
    rank: int
    score: float
    evidence: tuple[str, ...] = ()
    via: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """A reviewer's verdict on one claim span, exported as schema.org ClaimReview."""

    doc: str
    start: int
    end: int
    claim_text: str
    rating: str
    note: str
    reviewer: str
    reviewed_at: str
