"""Independent corroboration: copies collapse to their root, shared quotations to the quoted speaker,
attribution chains to the source they name (the channel is kept).

The figure a user sees is "asserted by N documents in M outlets, resting on K independent sources
(...)": documents and outlets are counted as they are; sources are what is left once every copy,
rewrite and relay of one origin is counted once. A document given no outlet counts as the site of its URL
(``site_name``: "en.wikinews.org"), as the reuse stage groups it, so five pages of one site are one outlet.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .furniture import url_host

Row = dict[str, Any]

COLLAPSING_KINDS = ("copy", "rewrite")
ATTRIBUTED = ("named_person", "named_org", "media_outlet", "government_body", "anonymous")
_SPEAKER = re.compile(r"\(the words of ([^)]+)\)")


def site_name(outlet: str | None, url: str | None) -> str | None:
    """The outlet a document counts under: the one given, else its URL's host (without "www."), else None."""
    return outlet.strip() if outlet and outlet.strip() else url_host(url)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a document's text comes from: its root (itself when original), the parent and link kind."""

    root: str
    parent: str | None
    kind: str | None  # copy | rewrite | None for a root
    spans: tuple[tuple[int, int], ...] = ()  # this document's side of the passages shared with the parent


@dataclass(frozen=True, slots=True)
class Quoted:
    """A span of a document that quotes the same words as another document (a shared_quotation link)."""

    start: int
    end: int
    speaker: str | None
    other: str


def origins(links: Sequence[Row], dates: Mapping[str, str | None]) -> dict[str, Origin]:
    """Each document linked by copy or rewrite, with the root of its component and its parent on the way.

    The root is a member no known-direction link points into; ties go to the earliest date, then
    the smallest id (the rule of reuse stories). Parents follow links breadth-first from the root.
    """
    adj: dict[str, list[tuple[str, str]]] = defaultdict(list)
    incoming: dict[str, int] = defaultdict(int)
    side: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}  # (doc, other) -> doc's passage spans
    for lk in links:
        if lk["kind"] not in COLLAPSING_KINDS:
            continue
        adj[lk["source"]].append((lk["target"], lk["kind"]))
        adj[lk["target"]].append((lk["source"], lk["kind"]))
        side[(lk["source"], lk["target"])] = tuple((p["source_start"], p["source_end"]) for p in lk["passages"])
        side[(lk["target"], lk["source"])] = tuple((p["target_start"], p["target_end"]) for p in lk["passages"])
        if lk["direction_known"]:
            incoming[lk["target"]] += 1
    seen: set[str] = set()
    out: dict[str, Origin] = {}
    for start in sorted(adj):
        if start in seen:
            continue
        comp, queue = {start}, deque([start])
        while queue:
            cur = queue.popleft()
            for nxt, _ in adj[cur]:
                if nxt not in comp:
                    comp.add(nxt)
                    queue.append(nxt)
        seen |= comp
        root = min(comp, key=lambda d: (incoming[d], dates.get(d) or "9999", d))
        out[root] = Origin(root, None, None)
        queue = deque([root])
        while queue:
            cur = queue.popleft()
            for nxt, kind in sorted(adj[cur]):
                if nxt not in out:
                    out[nxt] = Origin(root, cur, kind, side.get((nxt, cur), ()))
                    queue.append(nxt)
    return out


def quotations(links: Sequence[Row]) -> dict[str, list[Quoted]]:
    """Spans of each document shared as a quotation with another, with the speaker when known."""
    out: dict[str, list[Quoted]] = defaultdict(list)
    for lk in links:
        if lk["kind"] != "shared_quotation":
            continue
        who = next((m.group(1) for e in lk["evidence"] if (m := _SPEAKER.search(e))), None)
        for p in lk["passages"]:
            out[lk["source"]].append(Quoted(p["source_start"], p["source_end"], who, lk["target"]))
            out[lk["target"]].append(Quoted(p["target_start"], p["target_end"], who, lk["source"]))
    return out


def claim_root(doc: str, start: int, end: int, orig: Mapping[str, Origin],
               alongside: Collection[str] = ()) -> str:
    """The document a claim's words come from: the root of its copy chain when the claim lies in a
    passage shared with its parent (an empty span list means the whole text) or when the root itself
    asserts it (``alongside``: the documents of the claim's narrative), else its own document (a
    claim a rewrite added, or the text around an inserted passage)."""
    o = orig.get(doc)
    if o is None or o.parent is None:
        return doc
    if o.spans and not any(s < end and start < e for s, e in o.spans) and o.root not in alongside:
        return doc
    return o.root


def path_to_root(doc: str, orig: Mapping[str, Origin]) -> list[str]:
    """The copy path of a document: itself, its parent, ... up to its root."""
    path = [doc]
    while doc in orig and orig[doc].parent is not None and len(path) < 100:
        doc = str(orig[doc].parent)
        path.append(doc)
    return path


def corroborate(narrative: str, members: Sequence[Row], outlets: Mapping[str, str | None],
                orig: Mapping[str, Origin], quoted: Mapping[str, Sequence[Quoted]]) -> Row:
    """The corroboration record of one narrative from its member claims.

    ``members``: claims with doc, start, end, source, source_kind, source_canonical, channel.
    """
    docs = sorted({m["doc"] for m in members})
    outlet_names = {outlets.get(d) or f"(no outlet: {d})" for d in docs}
    sources: dict[tuple[str, ...], Row] = {}
    collapsed: dict[str, Row] = {}
    def order(m: Row) -> tuple[bool, str, int, int]:
        """Originals before their copies, then by document and offset."""
        return (claim_root(m["doc"], m["start"], m["end"], orig, docs) != m["doc"], m["doc"], m["start"], m["end"])

    for m in sorted(members, key=order):
        doc = m["doc"]
        root = claim_root(doc, m["start"], m["end"], orig, docs)
        o = orig.get(doc) if root != doc else None
        if o is not None and o.parent is not None:
            path = path_to_root(doc, orig)
            collapsed.setdefault(doc, {"doc": doc, "into": root, "why": str(o.kind),
                                       "path": path})
        q = next((q for q in quoted.get(doc, ()) if q.start <= m["start"] and m["end"] <= q.end
                  or (q.start < m["end"] and m["start"] < q.end and q.other in docs)), None)
        name = m.get("source_canonical") or m.get("source")
        if name and name.lower().startswith("the "):
            name = name[4:]
        kind = m.get("source_kind") or "unattributed"
        channel = m.get("channel")
        if q is not None and (q.speaker or kind not in ATTRIBUTED):
            speaker = q.speaker or (name if kind in ATTRIBUTED else None)
            key: tuple[str, ...] = ("quote", (speaker or f"{min(doc, q.other)}|{max(doc, q.other)}").lower())
            label, skind = speaker or f"a quotation shared by {min(doc, q.other)} and {max(doc, q.other)}", \
                "quoted_speaker"
            why = "shared_quotation"
        elif kind in ATTRIBUTED and name:
            if kind == "anonymous":
                home = channel or outlets.get(root) or root
                key = ("anonymous", name.lower(), home.lower())
                label = f"{channel}'s {name}" if channel else f"{name} ({home})"
            else:
                key = ("named", name.lower())
                label = name
            skind = kind
            why = "attribution"
        else:
            home = outlets.get(root) or root
            key = ("author", home.lower())
            label, skind, why, channel = home, "author", "author", None
        src = sources.get(key)
        if src is None:
            sources[key] = {"source": label, "kind": skind, "channel": channel, "documents": [doc], "roots": [root]}
            continue
        if src["channel"] is None and channel:
            src["channel"] = channel
        if doc not in src["documents"]:
            src["documents"].append(doc)
            first_root = src["roots"][0]
            if why != "author" and doc not in collapsed and first_root != root:
                collapsed[doc] = {"doc": doc, "into": label, "why": why, "path": [doc]}
    independent = sorted(sources.values(), key=lambda s: (-len(s["documents"]), s["source"].lower()))
    return {
        "narrative": narrative,
        "documents": len(docs),
        "outlets": len(outlet_names),
        "independent_sources": [{"source": s["source"], "kind": s["kind"], "channel": s["channel"],
                                 "documents": sorted(s["documents"])} for s in independent],
        "collapsed": [{"doc": c["doc"], "into": c["into"], "why": c["why"]}
                      for c in sorted(collapsed.values(), key=lambda c: c["doc"])],
    }


def figure(record: Row) -> str:
    """The sentence a user reads: documents, outlets, and the independent sources they rest on."""
    n, m = record["documents"], record["outlets"]
    srcs = record["independent_sources"]
    names = "; ".join(s["source"] for s in srcs[:5]) + ("; …" if len(srcs) > 5 else "")
    return (f"asserted by {n} document{'s' if n != 1 else ''} in {m} outlet{'s' if m != 1 else ''}, "
            f"resting on {len(srcs)} independent source{'s' if len(srcs) != 1 else ''} ({names})")


def independent_documents(members: Iterable[tuple[str, int, int]], orig: Mapping[str, Origin]) -> set[str]:
    """The documents member claims (doc, start, end) come from once copies count as their root."""
    keys = list(members)
    docs = {d for d, _, _ in keys}
    return {claim_root(d, s, e, orig, docs) for d, s, e in keys}
