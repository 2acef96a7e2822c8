"""A small store for the web tests: fictional articles (our own words), analysis rows and a hostile article.

Documents go in through ``SQLiteStore.write_ingest_batch``; analysis rows are inserted with SQL into the
002 tables, exactly where the pipeline will write them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracewire.records import Document
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

# Every payload below must stay inert; the browser test checks these markers never change.
XSS_MARK = "pwned"
HOSTILE_TITLE = "<script>document.title='pwned';window.__pwned=1</script>Breaking \"news\" & 'quotes'"
HOSTILE_OUTLET = "<img src=x onerror=\"window.__pwned=1;document.title='pwned'\">Outlet"
HOSTILE_URL = "javascript:window.__pwned=1;document.title='pwned'"
HOSTILE_PLACE = "\"><svg onload=\"window.__pwned=1\">Tell Abyad"
HOSTILE_ACTOR = "<b onmouseover=window.__pwned=1>Militia</b>"
HOSTILE_TEXT = (
    "Officials said <script>window.__pwned=1;document.title='pwned'</script> that the convoy was stopped. "
    "A spokesman claimed <img src=x onerror=\"window.__pwned=1;document.title='pwned'\"> twelve trucks "
    "were seized near \"><svg onload=\"window.__pwned=1\">Tell Abyad. "
    "Read more at <a href=\"javascript:window.__pwned=1\">javascript:window.__pwned=1</a> or "
    "javascript:alert(document.domain) and </textarea><script>alert(1)</script> too. "
    "Witnesses reportedly saw <iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe> smoke. "
    "The <b onmouseover=window.__pwned=1>Militia</b> said it was \"certainly\" not involved; "
    "{{ 7*7 }} ${7*7} <style>body{display:none}</style> '\"` end."
)

SAFE_URL = "https://northgate.example/2026/03/idlib-market"

P1 = ("Shelling struck the covered market in the town of Saraqib on Monday morning, local medics said. "
      "At least 14 people were killed and 30 injured, according to the regional health directorate. ")
CUT = "A second strike reportedly hit an empty school nearby, witnesses told our correspondent. "
P2 = ("The Syrian Observatory for Human Rights said the attack came from positions held by government forces "
      "near Idlib. A ministry spokesman denied the account and called it fabricated propaganda. ")
TAIL = ("Harbor Daily could not verify the figures independently. Aid groups said 2,000 families had fled "
        "toward the Turkish border since the weekend. ")
TAIL3 = "Residents of Aleppo, speaking on condition of anonymity, said prices for bread had doubled. "

B1 = ("Water pumping stations in eastern Aleppo stopped working on Sunday, a source close to the city "
      "council said. Officials probably will restore supply within three days, the council said in a "
      "statement. Some 400,000 residents depend on the stations. ")
C1 = ("In Deir ez-Zor, the Kurdish-led Syrian Democratic Forces announced the capture of 25 fighters "
      "after a raid on Thursday. It is now clear that the network was smuggling fuel across the Euphrates, "
      "a commander claimed. ")


@dataclass
class Fixture:
    """What the fixture store holds, for assertions."""

    db: Path
    doc_ids: list[str] = field(default_factory=list)
    hostile_id: str = "x666"
    pair: tuple[str, str] = ("a001", "a002")
    texts: dict[str, str] = field(default_factory=dict)


def _doc(doc_id: str, text: str, title: str, outlet: str, date: str, url: str | None) -> Document:
    """A Document with its sha256 computed from the text."""
    return Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                    source_path=f"fixtures/{doc_id}.txt", title=title, outlet=outlet, date=date, url=url,
                    fmt="txt")


def _at(text: str, phrase: str) -> tuple[int, int]:
    """Start and end of ``phrase`` in ``text`` (which must contain it)."""
    i = text.index(phrase)
    return i, i + len(phrase)


def build_store(db: Path) -> Fixture:
    """Write the fixture corpus and its analysis rows into a fresh store at ``db``."""
    texts = {
        "a001": P1 + CUT + P2,
        "a002": P1 + P2 + TAIL,
        "a003": P1 + P2 + TAIL + TAIL3,
        "b001": B1,
        "c001": C1,
        "x666": HOSTILE_TEXT,
    }
    meta = {
        "a001": ("Shelling hits Saraqib market", "Northgate Wire", "2026-03-02", SAFE_URL),
        "a002": ("Market attack in Saraqib kills 14", "Harbor Daily", "2026-03-02", "http://harbor.example/a2"),
        "a003": ("Saraqib: families flee after market strike", "Valley Courier", "2026-03-04", None),
        "b001": ("Aleppo water stations stop", "Northgate Wire", "2026-03-05", "ftp://files.example/b1"),
        "c001": ("SDF says it caught fuel smugglers", "Eastern Ledger", "2026-03-09", None),
        "x666": (HOSTILE_TITLE, HOSTILE_OUTLET, "2026-03-10", HOSTILE_URL),
    }
    store = SQLiteStore(db)
    batch = IngestBatch()
    for doc_id, text in texts.items():
        title, outlet, date, url = meta[doc_id]
        batch.documents.append((_doc(doc_id, text, title, outlet, date, url), None, None))
    store.write_ingest_batch(batch)
    keys = store.doc_keys()
    conn = store.conn
    with store.transaction() as c:
        _claims(c, keys, texts)
        _layers(c, keys, texts)
        _reuse(c, texts)
        for key in keys.values():
            c.execute("INSERT INTO analysis_runs(doc_key, pipeline, analyzed_at) VALUES (?, 'fixture', ?)",
                      (key, "2026-03-11T00:00:00+00:00"))
    conn.close()
    return Fixture(db=db, doc_ids=sorted(texts), texts=texts)


def _claim(c: sqlite3.Connection, key: int, text: str, sentence: str, cw: float, source: str | None,
           kind: str, cue: str | None, hedges: Sequence[tuple[str, str]] = ()) -> None:
    """Insert one claim with its source, cue and hedges, offsets found in ``text``."""
    s, e = _at(text, sentence)
    ss, se = _at(text[s:e], source) if source and source in sentence else (None, None)
    cs, ce = _at(text[s:e], cue) if cue and cue in sentence else (None, None)
    hedged = any(k == "hedge" for _, k in hedges)
    boosted = any(k == "booster" for _, k in hedges)
    cur = c.execute(
        "INSERT INTO claims(doc_key, start, end, text, checkworthy, source, source_kind, source_canonical,"
        " source_start, source_end, cue, cue_start, cue_end, hedged, boosted) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (key, s, e, sentence, cw, source, kind, source,
         None if ss is None else s + ss, None if se is None else s + se,
         cue, None if cs is None else s + cs, None if ce is None else s + ce, int(hedged), int(boosted)))
    claim_key = cur.lastrowid
    for phrase, hkind in hedges:
        hs, he = _at(text[s:e], phrase)
        c.execute("INSERT INTO hedges(claim_key, doc_key, start, end, text, kind) VALUES (?,?,?,?,?,?)",
                  (claim_key, key, s + hs, s + he, phrase, hkind))


def _claims(c: sqlite3.Connection, keys: dict[str, int], texts: dict[str, str]) -> None:
    """Claims for every document; the Saraqib claims repeat across the copies."""
    for doc_id in ("a001", "a002", "a003"):
        t = texts[doc_id]
        _claim(c, keys[doc_id], t, "At least 14 people were killed and 30 injured, according to the regional "
               "health directorate.", 0.91, "the regional health directorate", "government_body", "according to")
        _claim(c, keys[doc_id], t, "The Syrian Observatory for Human Rights said the attack came from positions "
               "held by government forces near Idlib.", 0.84, "The Syrian Observatory for Human Rights",
               "named_org", "said")
        _claim(c, keys[doc_id], t, "A ministry spokesman denied the account and called it fabricated propaganda.",
               0.62, "A ministry spokesman", "government_body", "denied")
    t = texts["a001"]
    _claim(c, keys["a001"], t, CUT.strip(), 0.55, "witnesses", "anonymous", "told",
           [("reportedly", "hedge")])
    t = texts["a002"]
    _claim(c, keys["a002"], t, "Aid groups said 2,000 families had fled toward the Turkish border since the "
           "weekend.", 0.77, "Aid groups", "named_org", "said")
    t = texts["a003"]
    _claim(c, keys["a003"], t, TAIL3.strip(), 0.58, "Residents of Aleppo", "anonymous",
           "speaking on condition of anonymity")
    t = texts["b001"]
    _claim(c, keys["b001"], t, "Water pumping stations in eastern Aleppo stopped working on Sunday, a source "
           "close to the city council said.", 0.71, "a source close to the city council", "anonymous", "said")
    _claim(c, keys["b001"], t, "Officials probably will restore supply within three days, the council said in a "
           "statement.", 0.49, "the council", "government_body", "said in a statement", [("probably", "hedge")])
    t = texts["c001"]
    _claim(c, keys["c001"], t, "In Deir ez-Zor, the Kurdish-led Syrian Democratic Forces announced the capture of "
           "25 fighters after a raid on Thursday.", 0.8, "the Kurdish-led Syrian Democratic Forces", "named_org",
           "announced")
    _claim(c, keys["c001"], t, "It is now clear that the network was smuggling fuel across the Euphrates, a "
           "commander claimed.", 0.66, "a commander", "anonymous", "claimed", [("It is now clear", "booster")])
    t = texts["x666"]
    first = t[:t.index(" that the convoy was stopped.") + len(" that the convoy was stopped.")]
    _claim(c, keys["x666"], t, first, 0.95, "Officials", "government_body", "said")
    second = t[t.index("A spokesman claimed"):t.index("Tell Abyad.") + len("Tell Abyad.")]
    _claim(c, keys["x666"], t, second, 0.9, "A spokesman", "anonymous", "claimed")
    third = t[t.index("Witnesses reportedly"):t.index(" smoke.") + len(" smoke.")]
    _claim(c, keys["x666"], t, third, 0.7, "Witnesses", "anonymous", None, [("reportedly", "hedge")])
    fourth = t[t.index("The <b onmouseover"):t.index("not involved;") + len("not involved;")]
    _claim(c, keys["x666"], t, fourth, 0.65, HOSTILE_ACTOR, "named_org", "said", [("\"certainly\"", "booster")])


def _layers(c: sqlite3.Connection, keys: dict[str, int], texts: dict[str, str]) -> None:
    """Quantities, actors, places and techniques."""
    def add(table: str, doc_id: str, phrase: str, **cols: Any) -> None:
        """Insert one span row for the first occurrence of ``phrase``."""
        s, e = _at(texts[doc_id], phrase)
        names = ["doc_key", "start", "end", *cols]
        c.execute(f"INSERT INTO {table}({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                  (keys[doc_id], s, e, *cols.values()))

    saraqib = {"name": "Saraqib", "lat": 35.8623, "lon": 36.8003, "country_code": "SY", "feature": "PPL",
               "confidence": 0.9}
    idlib = {"name": "Idlib", "lat": 35.9306, "lon": 36.6339, "country_code": "SY", "feature": "PPLA",
             "confidence": 0.95}
    for doc_id in ("a001", "a002", "a003"):
        add("quantities", doc_id, "At least 14 people", text="At least 14 people", value=14, category="killed",
            qualifier="at least")
        add("quantities", doc_id, "30 injured", text="30 injured", value=30, category="injured")
        add("actors", doc_id, "government forces", mention="government forces", actor="Syrian Arab Army")
        add("actors", doc_id, "The Syrian Observatory for Human Rights",
            mention="The Syrian Observatory for Human Rights", actor="Syrian Observatory for Human Rights")
        add("places", doc_id, "Saraqib", mention="Saraqib", **saraqib)
        add("places", doc_id, "Idlib", mention="Idlib", **idlib)
        add("techniques", doc_id, "fabricated propaganda", technique="Loaded_Language", score=0.81)
    add("quantities", "a002", "2,000 families", text="2,000 families", value=2000, category="other")
    add("places", "a002", "Turkish border", mention="Turkish border", name="Turkey", lat=39.0, lon=35.0,
        country_code="TR", feature="PCLI", confidence=0.6)
    add("places", "a003", "Aleppo", mention="Aleppo", name="Aleppo", lat=36.2021, lon=37.1343, country_code="SY",
        feature="PPLA", confidence=0.95)
    add("places", "b001", "Aleppo", mention="Aleppo", name="Aleppo", lat=36.2021, lon=37.1343, country_code="SY",
        feature="PPLA", confidence=0.95)
    add("quantities", "b001", "400,000 residents", text="400,000 residents", value=400000, category="other")
    add("quantities", "c001", "25 fighters", text="25 fighters", value=25, category="force")
    add("actors", "c001", "Syrian Democratic Forces", mention="Syrian Democratic Forces",
        actor="Syrian Democratic Forces")
    add("places", "c001", "Deir ez-Zor", mention="Deir ez-Zor", name="Deir ez-Zor", lat=35.3359, lon=40.1408,
        country_code="SY", feature="PPLA", confidence=0.9)
    add("places", "c001", "Euphrates", mention="Euphrates", name="Euphrates", lat=35.9, lon=39.0,
        country_code="SY", feature="STM", confidence=0.7)
    add("techniques", "c001", "It is now clear", technique="Exaggeration,Minimisation", score=0.55)
    add("places", "x666", "\"><svg onload=\"window.__pwned=1\">Tell Abyad", mention=HOSTILE_PLACE,
        name=HOSTILE_PLACE, lat=36.6975, lon=38.9567, country_code="SY", feature="PPL", confidence=0.8)
    add("actors", "x666", HOSTILE_ACTOR, mention=HOSTILE_ACTOR, actor=HOSTILE_ACTOR)
    add("quantities", "x666", "twelve trucks", text="twelve trucks", value=12, category="equipment")
    add("techniques", "x666", "</textarea><script>alert(1)</script>", technique="<i>Doubt</i>", score=0.5)


def _reuse(c: sqlite3.Connection, texts: dict[str, str]) -> None:
    """Reuse a001 -> a002 (a cut, an added tail), a002 -> a003, and a hostile pair; one story."""
    def passage(src: str, tgt: str, piece: str) -> dict[str, int]:
        """The aligned spans of ``piece`` in both texts."""
        s, e = _at(texts[src], piece)
        ts, te = _at(texts[tgt], piece)
        return {"source_start": s, "source_end": e, "target_start": ts, "target_end": te}

    def add(src: str, tgt: str, pieces: list[str], additions: list[list[int]], cuts: list[list[int]],
            evidence: list[str], known: bool = True) -> None:
        """Insert one reuse row."""
        passages = [passage(src, tgt, p) for p in pieces]
        words = sum(len(p.split()) for p in pieces)
        c.execute(
            "INSERT INTO reuse(source, target, direction_known, confidence, shared_words, source_coverage,"
            " target_coverage, passages, target_additions, source_cuts, evidence)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (src, tgt, int(known), 0.86 if known else 0.5, words,
             round(sum(len(p) for p in pieces) / len(texts[src]), 3),
             round(sum(len(p) for p in pieces) / len(texts[tgt]), 3),
             json.dumps(passages), json.dumps(additions), json.dumps(cuts), json.dumps(evidence)))

    a1, a2, a3 = texts["a001"], texts["a002"], texts["a003"]
    add("a001", "a002", [P1, P2], [[len(P1 + P2), len(a2)]], [list(_at(a1, CUT))],
        ["a001 was published earlier (2026-03-02 08:10 vs 11:45)",
         "a002 adds a closing paragraph that a001 lacks"])
    # a rewrite: one word of the first passage edited (the span of its first word on both sides)
    first = dict(passage("a001", "a002", P1))
    w = len(P1.split()[0])
    first["edits"] = [{"op": "sub", "source_start": first["source_start"], "source_end": first["source_start"] + w,
                       "target_start": first["target_start"], "target_end": first["target_start"] + w}]
    c.execute("UPDATE reuse SET kind='rewrite', passages=? WHERE source='a001' AND target='a002'",
              (json.dumps([first, passage("a001", "a002", P2)]),))
    add("a002", "a003", [P1 + P2 + TAIL], [[len(P1 + P2 + TAIL), len(a3)]], [],
        ["a003 is dated two days later", "a003 contains all of a002 plus a tail"])
    hostile_piece = "Tell Abyad. "
    add("c001", "x666", [], [], [], ["<script>window.__pwned=1</script> evidence text"], known=False)
    c.execute("UPDATE reuse SET passages=? WHERE source='c001' AND target='x666'",
              (json.dumps([{"source_start": 0, "source_end": 10, "target_start": texts["x666"].index(hostile_piece),
                            "target_end": texts["x666"].index(hostile_piece) + len(hostile_piece)}]),))
    c.execute("INSERT INTO stories(story_id, root, size, tree) VALUES ('s1', 'a001', 3, ?)",
              (json.dumps({"a001": {"a002": {"a003": {}}}}),))
    for doc, parent, depth in (("a001", None, 0), ("a002", "a001", 1), ("a003", "a002", 2)):
        c.execute("INSERT INTO story_members(story_id, doc, parent, depth) VALUES ('s1', ?, ?, ?)",
                  (doc, parent, depth))
