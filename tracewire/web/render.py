"""Turn a text and overlapping annotation spans into flat segments that templates can escape and style."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

CHECKWORTHY = 0.7  # claims at or above this check-worthiness get the stronger highlight

LAYERS = (
    ("claim", "Claims (darker: check-worthy)"),
    ("source", "Sources"),
    ("cue", "Cues"),
    ("hedge", "Hedges"),
    ("booster", "Boosters"),
    ("quantity", "Quantities"),
    ("actor", "Actors"),
    ("place", "Places"),
    ("technique", "Techniques"),
    ("reuse", "Reused passages"),
)


@dataclass(slots=True)
class Mark:
    """One annotation: a span, its layer, a tooltip line and optionally a link and an anchor id."""

    start: int
    end: int
    layer: str
    note: str
    href: str | None = None
    anchor: str | None = None
    ev: int | None = None  # index of the finding whose evidence the article page shows on click


@dataclass(slots=True)
class Segment:
    """A run of text under the same set of marks."""

    text: str
    layers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    href: str | None = None
    anchors: list[str] = field(default_factory=list)
    evs: list[int] = field(default_factory=list)

    @property
    def css(self) -> str:
        """Space-separated CSS classes, one per layer."""
        return " ".join(f"l-{layer}" for layer in self.layers)

    @property
    def title(self) -> str:
        """Tooltip text listing every mark on the segment."""
        return "\n".join(self.notes)


def segments(text: str, marks: list[Mark]) -> list[Segment]:
    """Split ``text`` at every mark boundary; each piece carries the marks that cover it."""
    n = len(text)
    clean = [m for m in marks if 0 <= m.start < m.end <= n]
    bounds = sorted({0, n, *(m.start for m in clean), *(m.end for m in clean)})
    starts: dict[int, list[int]] = {}
    for i, m in enumerate(clean):
        starts.setdefault(m.start, []).append(i)
    active: set[int] = set()
    out: list[Segment] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        active = {i for i in active if clean[i].end > a}
        opened = starts.get(a, [])
        active.update(opened)
        seg = Segment(text=text[a:b])
        for i in sorted(active, key=lambda i: (clean[i].start, -clean[i].end)):
            m = clean[i]
            if m.layer not in seg.layers:
                seg.layers.append(m.layer)
            if m.note and m.note not in seg.notes:
                seg.notes.append(m.note)
            if m.href and seg.href is None:
                seg.href = m.href
            if m.ev is not None:
                seg.evs.append(m.ev)
        seg.anchors = [clean[i].anchor for i in opened if clean[i].anchor]  # type: ignore[misc]
        out.append(seg)
    return out


def _esc(text: str) -> str:
    """HTML-escape like Jinja's autoescape (markupsafe): & < > " ' become entities."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def segments_html(segs: list[Segment]) -> Markup:
    """The segments as escaped HTML: one loop in Python instead of a Jinja macro call per segment."""
    out: list[str] = []
    add = out.append
    for s in segs:
        for a in s.anchors:
            pn = f'<sup class="pn">{_esc(a[2:])}</sup>' if a[1:2] == "p" else ""
            add(f'<span class="anchor" id="{_esc(a)}">{pn}</span>')
        if s.evs:
            ev = " ".join(map(str, s.evs))
            add(f'<span class="seg ev {_esc(s.css)}" data-ev="{ev}" title="{_esc(s.title)}">{_esc(s.text)}</span>')
        elif s.href:
            add(f'<a class="seg {_esc(s.css)}" href="{_esc(s.href)}" title="{_esc(s.title)}">{_esc(s.text)}</a>')
        elif s.layers:
            add(f'<span class="seg {_esc(s.css)}" title="{_esc(s.title)}">{_esc(s.text)}</span>')
        else:
            add(_esc(s.text))
    return Markup("".join(out))


def article_marks(doc: dict[str, Any], pair_link: Any) -> list[Mark]:
    """Marks for every layer of an article; ``pair_link(source, target)`` builds reuse links."""
    marks: list[Mark] = []
    for c in doc["claims"]:
        kind = c["source_kind"] or "unattributed"
        marks.append(Mark(c["start"], c["end"], "claim",
                          f"claim, check-worthiness {c['checkworthy']:.2f}, source: {c['source'] or kind}",
                          anchor=f"claim-{c['claim_key']}"))
        if c["checkworthy"] >= CHECKWORTHY:
            marks.append(Mark(c["start"], c["end"], "checkworthy", ""))
        if c["source_start"] is not None and c["source_end"] is not None:
            marks.append(Mark(c["source_start"], c["source_end"], "source", f"source ({kind}): {c['source']}"))
        if c["cue_start"] is not None and c["cue_end"] is not None:
            marks.append(Mark(c["cue_start"], c["cue_end"], "cue", f"attribution cue: {c['cue']}"))
    for h in doc["hedges"]:
        marks.append(Mark(h["start"], h["end"], "booster" if h["kind"] == "booster" else "hedge",
                          f"{h['kind']}: {h['text']}"))
    for q in doc["quantities"]:
        marks.append(Mark(q["start"], q["end"], "quantity", f"quantity ({q['category']}): {q['value']:g}"))
    for a in doc["actors"]:
        marks.append(Mark(a["start"], a["end"], "actor", f"actor: {a['actor']}"))
    for p in doc["places"]:
        where = f" ({p['lat']:.2f}, {p['lon']:.2f})" if p["lat"] is not None and p["lon"] is not None else ""
        marks.append(Mark(p["start"], p["end"], "place", f"place: {p['name']}{where}"))
    for t in doc["techniques"]:
        marks.append(Mark(t["start"], t["end"], "technique", f"technique: {t['technique']} ({t['score']:.2f})"))
    for link in doc["reuse"]:
        side = "source" if link["role"] == "source" else "target"
        verb = "copied by" if side == "source" and link["direction_known"] else (
            "copied from" if link["direction_known"] else "shared with")
        href = pair_link(link["source"], link["target"])
        for p in link["passages"]:
            marks.append(Mark(p[f"{side}_start"], p[f"{side}_end"], "reuse", f"{verb} {link['other']}", href=href))
    return marks


def pair_marks(link: dict[str, Any], side: str) -> list[Mark]:
    """Marks for one side of a reuse pair: numbered passages, plus additions (target) or cuts (source)."""
    other = "target" if side == "source" else "source"
    marks = []
    for i, p in enumerate(link["passages"], 1):
        marks.append(Mark(p[f"{side}_start"], p[f"{side}_end"], "reuse", f"passage {i}",
                          href=f"#{other[0]}p{i}", anchor=f"{side[0]}p{i}"))
    ops = {"sub": "replaced", "ins": "inserted by the target", "del": "deleted by the target"}
    for p in link["passages"]:
        for ed in p.get("edits", []):
            s, e = ed[f"{side}_start"], ed[f"{side}_end"]
            if e > s:
                marks.append(Mark(s, e, "edit", f"edit: {ops.get(ed['op'], ed['op'])}"))
    if side == "target":
        for s, e in link["target_additions"]:
            marks.append(Mark(s, e, "added", "added by the target"))
    else:
        for s, e in link["source_cuts"]:
            marks.append(Mark(s, e, "cut", "cut from the source"))
    return marks
