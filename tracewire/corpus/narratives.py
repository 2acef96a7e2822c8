"""Narratives: propositions asserted across documents in different words, as clusters of claims.

Claims are compared by their sentence vectors (``tracewire.embeddings``) and by lexical evidence:
the actors and places inside the claim and its content words (the predicate and its arguments).
Clustering is deterministic average linkage: candidate pairs (each claim's nearest neighbours in
other documents) are taken in order of score, and two clusters merge only when the mean cosine
between all their members stays above ``merge_min``, so a chain of near neighbours cannot glue
unrelated claims together. A cluster is a narrative when its claims come from at least
``min_roots`` independent texts (copies and rewrites count as their root); every other claim is
an outlier and is counted, not forced into a cluster. A narrative's id is a hash of its sorted
member keys (doc, start, end), so the same input gives the same ids in any order and with any
number of workers.

``update_narratives`` is the corpus stage run by ``tracewire analyze`` after reuse: it embeds
only claim texts whose vector is not stored yet, then rebuilds narratives, corroboration and
contradictions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..errors import UsageError
from .contradictions import ContradictionConfig, find_contradictions
from .corroboration import Origin, corroborate, independent_documents, origins, quotations, site_name

if TYPE_CHECKING:
    from ..store.sqlite import SQLiteStore

log = logging.getLogger(__name__)

Row = dict[str, Any]
Progress = Callable[[int, int], None]
F32 = npt.NDArray[np.float32]

VERSION = "narratives.v1"
STOP = frozenset("""
also after against ago ahead among amid another around back been before being between both but
came come could days during each even every first from further have having here into just last
later least like made make many more most much near news next over only other said says same
since some still such than that their them then there these they this those three through told
under until upon very were what when where which while will with within without would year years
again already always because does done says saying according reported report reports
""".split())


@dataclass(frozen=True, slots=True)
class NarrativeConfig:
    """Every knob of narrative clustering; each narrative records the values it was made with."""

    edge_min: float = 0.70  # score (cosine + lex_weight * lexical overlap) a candidate pair needs
    merge_min: float = 0.55  # mean cosine between all members of two clusters for them to merge
    lex_weight: float = 0.3  # weight of the lexical overlap (actors, places, content words) in the score
    neighbours: int = 12  # nearest claims in other documents considered for each claim
    min_words: int = 6  # shorter claims (datelines, fragments) are not clustered
    min_roots: int = 2  # independent texts (copies collapsed) a cluster needs to be a narrative
    # one event is reported within days: claims carrying a killed/injured figure below event_max, in
    # documents dated more than event_days apart, tell different events and never share a narrative
    # (aggregate tolls, "more than 280,000 killed since 2011", recur for years and are exempt)
    event_days: int = 7
    event_max: float = 1000.0
    need_entity: bool = True  # a claim naming no actor or place (a stock line) is not clustered
    block: int = 1024  # claims compared at once (memory: block x claims floats)

    def __post_init__(self) -> None:
        """Validate early, naming the bad value and the fix."""
        if not -1.0 <= self.merge_min <= 1.0:
            raise UsageError(f"NarrativeConfig.merge_min={self.merge_min} must be a cosine in [-1, 1]")
        if self.lex_weight < 0:
            raise UsageError(f"NarrativeConfig.lex_weight={self.lex_weight} must be 0 or more (0 uses vectors only)")
        if self.neighbours < 1:
            raise UsageError(f"NarrativeConfig.neighbours={self.neighbours} must be at least 1")
        if self.min_roots < 1:
            raise UsageError(f"NarrativeConfig.min_roots={self.min_roots} must be at least 1 "
                             "(2 asks for two independent texts)")
        if self.event_days < 0:
            raise UsageError(f"NarrativeConfig.event_days={self.event_days} must be 0 or more "
                             "(days between the documents of one event's reports)")
        if self.block < 1:
            raise UsageError(f"NarrativeConfig.block={self.block} must be at least 1")


@dataclass(frozen=True, slots=True)
class ClaimItem:
    """A claim as the clustering sees it: where it is, its proposition (the text without the attribution
    frame) and its lexical evidence."""

    doc: str
    start: int
    end: int
    text: str
    entities: frozenset[str]
    words: frozenset[str]
    claim_text: str = ""  # the claim as written (labels); ``text`` is what is compared
    event_day: int | None = None  # date ordinal of its document when it carries an event's toll


@dataclass(frozen=True, slots=True)
class Clustering:
    """Clusters (lists of item indices, each sorted) and the indices left out as outliers."""

    clusters: tuple[tuple[int, ...], ...]
    outliers: tuple[int, ...]
    pairs: int  # candidate pairs scored


@dataclass(frozen=True, slots=True)
class NarrativeSummary:
    """What one run of the stage did."""

    claims: int
    embedded: int  # claim texts embedded in this run (the rest had stored vectors)
    narratives: int
    clustered: int  # claims in a narrative
    outliers: int  # claims considered but in no narrative
    contradictions: int


def content_words(text: str) -> frozenset[str]:
    """Content-word stems (first six letters of words of four letters or more, stop words dropped)."""
    return frozenset(w[:6] for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in STOP)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two sets (0 when both are empty)."""
    return len(a & b) / len(a | b) if a or b else 0.0


def lexical(a: ClaimItem, b: ClaimItem) -> float:
    """Lexical evidence in [0, 1]: shared actors and places, and shared content words, half each."""
    return 0.5 * _jaccard(a.entities, b.entities) + 0.5 * _jaccard(a.words, b.words)


def narrative_id(keys: Sequence[tuple[str, int, int]]) -> str:
    """A stable id: a hash of the sorted member keys (doc, start, end)."""
    text = "\n".join(f"{d}\t{s}\t{e}" for d, s, e in sorted(keys))
    return "narrative-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _candidates(vectors: F32, docs: npt.NDArray[np.int64], cfg: NarrativeConfig
                ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Pairs (i < j, cosine rounded to 4 places) of each claim with its nearest claims in other documents,
    as three arrays; a pair found from both of its claims is kept once, as first found (rows in order)."""
    n = vectors.shape[0]
    k = min(cfg.neighbours, max(n - 1, 0))
    floor = cfg.edge_min - cfg.lex_weight  # no pair below this can reach edge_min
    found_i: list[npt.NDArray[np.int64]] = []
    found_j: list[npt.NDArray[np.int64]] = []
    found_s: list[npt.NDArray[np.float32]] = []
    if k == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    for lo in range(0, n, cfg.block):
        hi = min(n, lo + cfg.block)
        sims = vectors[lo:hi] @ vectors.T
        sims[docs[lo:hi, None] == docs[None, :]] = -2.0
        np.round(sims, 4, out=sims)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n), (hi - lo, 1))
        vals = np.take_along_axis(sims, top, axis=1)
        # each row by similarity, then index, so ties never depend on the partition
        order = np.lexsort((top, -vals), axis=1)
        top, vals = np.take_along_axis(top, order, axis=1), np.take_along_axis(vals, order, axis=1)
        keep = vals >= floor
        rows = np.broadcast_to(np.arange(lo, hi, dtype=np.int64)[:, None], top.shape)[keep]
        cols = top[keep].astype(np.int64)
        found_i.append(np.minimum(rows, cols))
        found_j.append(np.maximum(rows, cols))
        found_s.append(vals[keep])
    a, b, s = np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)
    _, first = np.unique(a * n + b, return_index=True)
    first.sort()
    return a[first], b[first], s[first]


def _incidence_rows(sets: Sequence[frozenset[str]]) -> Any:
    """A sparse 0/1 matrix, one row per set, one column per element."""
    from scipy import sparse

    names = {x: k for k, x in enumerate(sorted({x for s in sets for x in s}))}
    rows = [r for r, s in enumerate(sets) for _ in s]
    cols = [names[x] for s in sets for x in s]
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)),
                             shape=(len(sets), max(len(names), 1)))


def jaccards(sets: Sequence[frozenset[str]], a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
              ) -> npt.NDArray[np.float64]:
    """``_jaccard`` of the sets of each pair (a[k], b[k]), as floats computed the same way."""
    m = _incidence_rows(sets)
    inter = np.asarray(m[a].multiply(m[b]).sum(axis=1), dtype=np.float64).ravel()
    size = np.array([len(s) for s in sets], dtype=np.float64)
    union = size[a] + size[b] - inter
    out: npt.NDArray[np.float64] = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return out


def cluster(items: Sequence[ClaimItem], vectors: F32, cfg: NarrativeConfig | None = None) -> Clustering:
    """Average-linkage clusters of claims across documents, deterministic for a given item order."""
    cfg = cfg or NarrativeConfig()
    n = len(items)
    doc_ids = {d: k for k, d in enumerate(sorted({it.doc for it in items}))}
    docs = np.array([doc_ids[it.doc] for it in items], dtype=np.int64)
    vecs = np.asarray(vectors, dtype=np.float32)
    ci, cj, cos = _candidates(vecs, docs, cfg)
    # lexical(items[i], items[j]) for every pair at once (the same float operations, in the same order)
    lex = (0.5 * jaccards([it.entities for it in items], ci, cj)
           + 0.5 * jaccards([it.words for it in items], ci, cj))
    raw = cos.astype(np.float64) + cfg.lex_weight * lex
    edges = []
    for i, j, x in zip(ci.tolist(), cj.tolist(), raw.tolist(), strict=True):
        score = round(x, 4)
        if score >= cfg.edge_min:
            edges.append((-score, i, j))
    edges.sort()
    parent = list(range(n))
    sums = vecs.astype(np.float64).copy()
    sizes = [1] * n
    # earliest and latest event day of each cluster (None when it holds no event toll)
    span: list[tuple[int, int] | None] = [(it.event_day, it.event_day) if it.event_day is not None else None
                                          for it in items]

    def find(x: int) -> int:
        """Root of x's cluster, with path halving."""
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, i, j in edges:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        mean = float(sums[ri] @ sums[rj]) / (sizes[ri] * sizes[rj])
        if round(mean, 4) < cfg.merge_min:
            continue
        si, sj = span[ri], span[rj]
        joined = si if sj is None else sj if si is None else (min(si[0], sj[0]), max(si[1], sj[1]))
        if joined is not None and joined[1] - joined[0] > cfg.event_days:
            continue
        keep, drop = min(ri, rj), max(ri, rj)
        span[keep] = joined
        parent[drop] = keep
        sums[keep] += sums[drop]
        sizes[keep] += sizes[drop]
    groups: dict[int, list[int]] = defaultdict(list)
    for x in range(n):
        groups[find(x)].append(x)
    clusters = tuple(sorted((tuple(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0]))
    inside = {x for g in clusters for x in g}
    return Clustering(clusters, tuple(x for x in range(n) if x not in inside), len(edges))


def medoid(members: Sequence[int], vectors: F32) -> int:
    """The member with the highest summed cosine to the others (ties: the first)."""
    sub = np.asarray(vectors[list(members)], dtype=np.float64)
    scores = np.round((sub @ sub.T).sum(axis=1), 4)
    return members[int(np.argmax(scores))]


def shorten(text: str, limit: int = 140) -> str:
    """A label: the text cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def parameters(cfg: NarrativeConfig, model: str) -> Row:
    """The parameters a narrative records: the version, the model and every clustering knob."""
    params = {k: v for k, v in asdict(cfg).items() if k != "block"}
    return {"version": VERSION, "model": "sentence-transformers/all-MiniLM-L6-v2", "model_hash": model, **params}


def narratives_from(items: Sequence[ClaimItem], vectors: F32, docs: Mapping[str, Row],
                    orig: Mapping[str, Origin], cfg: NarrativeConfig, model: str
                    ) -> tuple[list[Row], list[tuple[int, ...]], Clustering]:
    """Narrative records (with their member indices) from clustered claims; clusters resting on fewer
    than ``min_roots`` independent texts are dropped (their claims become outliers)."""
    result = cluster(items, vectors, cfg)
    params = parameters(cfg, model)
    records: list[Row] = []
    kept: list[tuple[int, ...]] = []
    for group in result.clusters:
        member_docs = {items[x].doc for x in group}
        keys = [(items[x].doc, items[x].start, items[x].end) for x in group]
        if len(member_docs) < 2 or len(independent_documents(keys, orig)) < cfg.min_roots:
            continue
        centre = items[medoid(group, vectors)]
        dated = sorted(member_docs, key=lambda d: (docs.get(d, {}).get("date") or "9999", d))
        first = dated[0]
        per_outlet: dict[str, list[str]] = defaultdict(list)
        for d in sorted(member_docs):
            per_outlet[docs.get(d, {}).get("outlet") or ""].append(d)
        outlets = []
        for name, ds in sorted(per_outlet.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            dates = sorted(x for x in (docs.get(d, {}).get("date") for d in ds) if x)
            outlets.append({"outlet": name or None, "documents": ds,
                            "first": dates[0] if dates else None, "last": dates[-1] if dates else None})
        records.append({
            "narrative": narrative_id(keys),
            "label": shorten(_dateline(centre.claim_text or centre.text)),
            "members": [{"doc": d, "start": s, "end": e} for d, s, e in sorted(keys)],
            "first": {"doc": first, "date": docs.get(first, {}).get("date"),
                      "outlet": docs.get(first, {}).get("outlet")},
            "outlets": outlets,
            "parameters": params,
        })
        kept.append(group)
    return records, kept, result


def _dateline(text: str) -> str:
    """The text without a leading dateline ("DAMASCUS – "), kept the same length so offsets hold."""
    m = re.match(r"^[A-Z][A-Z .'-]{2,30} [–—-] ", text)
    return " " * m.end() + text[m.end():] if m else text


def proposition(claim: Row) -> str:
    """The claim text without its attribution frame (source and cue spans), so that "X said that A"
    and "A, Y told Z" are compared on A; the whole text when nothing is left."""
    text, start = str(claim["text"]), int(claim["start"])
    text = _dateline(text)
    cut = sorted((int(claim[a]) - start, int(claim[b]) - start)
                 for a, b in (("source_start", "source_end"), ("cue_start", "cue_end"))
                 if claim.get(a) is not None and claim.get(b) is not None
                 and start <= int(claim[a]) < int(claim[b]) <= int(claim["end"]))
    if not cut:
        return text.strip()
    parts, pos = [], 0
    for lo, hi in cut:
        if lo >= pos:
            parts.append(text[pos:lo])
            pos = hi
    parts.append(text[pos:])
    left = re.sub(r"^(?:[\s,;:–—-]|according to\b|that\b)+", "", " ".join(" ".join(parts).split()), flags=re.I)
    left = re.sub(r"(?:[\s,;:–—-]|according to)+(?=[.!?]?$)", "", left, flags=re.I)
    if claim.get("channel"):  # "X told the Review that A": the channel goes with the frame
        channel = re.escape(str(claim["channel"]).removeprefix("the ").removeprefix("The "))
        left = re.sub(rf"^(?:the\s+)?{channel}\b(?:\s+(?:on|in)\s+\w+)?\s*(?:,\s*)?(?:that\s+)?", "", left, flags=re.I)
    return left if len(left.split()) >= 3 else text.strip()


def _inside(spans: Mapping[str, Sequence[Row]], doc: str, start: int, end: int, field: str) -> set[str]:
    """Values of ``field`` of the spans of ``doc`` that lie inside [start, end)."""
    return {str(s[field]) for s in spans.get(doc, ()) if start <= s["start"] and s["end"] <= end}


def _by_doc(rows: Sequence[Row]) -> dict[str, list[Row]]:
    """Rows grouped by their ``doc``."""
    out: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        out[r["doc"]].append(r)
    return out


def _event_day(quantities: Sequence[Row], start: int, end: int, date: str | None, cfg: NarrativeConfig) -> int | None:
    """The date ordinal of a dated document when the claim [start, end) carries an event's toll
    (a killed or injured figure below ``event_max``), else None."""
    if not date:
        return None
    for q in quantities:
        if (start <= q["start"] and q["end"] <= end and q["category"] in ("killed", "injured")
                and float(q["value"]) < cfg.event_max):
            try:
                return dt.date.fromisoformat(str(date)[:10]).toordinal()
            except ValueError:
                return None
    return None


def claim_items(layers: Mapping[str, Sequence[Row]], cfg: NarrativeConfig) -> tuple[list[ClaimItem], list[Row]]:
    """The claims to cluster (long enough; naming an actor or a place unless ``need_entity`` is off), as
    items in document and offset order beside their rows."""
    actors, places = _by_doc(layers["actors"]), _by_doc(layers["places"])
    quantities = _by_doc(layers["quantities"])
    dates = {d["id"]: d.get("date") for d in layers["documents"]}
    items: list[ClaimItem] = []
    rows: list[Row] = []
    for c in layers["claims"]:
        if len(c["text"].split()) < cfg.min_words:
            continue
        d, s, e = c["doc"], c["start"], c["end"]
        ents = {f"a:{x}" for x in _inside(actors, d, s, e, "actor")} | {f"p:{x}" for x in _inside(places, d, s, e, "name")}
        if cfg.need_entity and not ents:
            continue
        text = proposition(c)
        items.append(ClaimItem(d, s, e, text, frozenset(ents), content_words(text), c["text"],
                               _event_day(quantities.get(d, ()), s, e, dates.get(d), cfg)))
        rows.append(c)
    return items, rows


def embed(store: SQLiteStore, texts: Sequence[str], progress: Progress | None = None,
          threads: int | None = None) -> tuple[F32, int, str]:
    """Vectors of ``texts`` (stored ones reused, new ones embedded and stored), how many were new, the model."""
    from .. import embeddings

    vectors, new = store.vectors_for(texts, progress=progress, threads=threads)
    return vectors, new, embeddings.model_hash()


def documents_by_id(rows: Sequence[Row]) -> dict[str, Row]:
    """The corpus layers' documents by id, each counted under the outlet given, else its URL's site
    (``site_name``): the outlet every record of the stage names (narratives, corroboration, contradictions)."""
    return {d["id"]: {**d, "outlet": site_name(d["outlet"], d.get("url"))} for d in rows}


def update_narratives(store: SQLiteStore, progress: Progress | None = None, workers: int = 1,
                      config: NarrativeConfig | None = None,
                      contradiction_config: ContradictionConfig | None = None) -> NarrativeSummary:
    """Rebuild narratives, corroboration and contradictions from the store's claims and reuse links.

    ``workers`` caps the encoder's threads (the vectors are the same bytes for any count); the rest
    runs here, in a fixed order, so the results do not depend on it.
    """
    cfg = config or NarrativeConfig()
    layers = store.corpus_layers()
    docs = documents_by_id(layers["documents"])
    links = list(store.reuse_rows())
    orig = origins(links, {k: v["date"] for k, v in docs.items()})
    quoted = quotations(links)
    items, rows = claim_items(layers, cfg)
    vectors, embedded, model = embed(store, [it.text for it in items], progress, threads=workers)
    records, groups, result = narratives_from(items, vectors, docs, orig, cfg, model)
    outlets = {k: v["outlet"] for k, v in docs.items()}
    corroboration = [corroborate(rec["narrative"], [rows[x] for x in group], outlets, orig, quoted)
                     for rec, group in zip(records, groups, strict=True)]
    index = {(it.doc, it.start, it.end): k for k, it in enumerate(items)}
    narrative_of = {(items[x].doc, items[x].start, items[x].end): rec["narrative"]
                    for rec, group in zip(records, groups, strict=True) for x in group}
    contradictions = find_contradictions(layers, links, docs, orig, vectors, index, contradiction_config,
                                         narrative_of)
    store.write_narratives(records, corroboration, contradictions)
    clustered = sum(len(g) for g in groups)
    return NarrativeSummary(claims=len(items), embedded=embedded, narratives=len(records), clustered=clustered,
                            outliers=len(items) - clustered, contradictions=len(contradictions))
