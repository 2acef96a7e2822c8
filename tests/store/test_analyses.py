"""The store writes frozen DocumentAnalysis records (no pipeline, no parse tree) and reads them back as export rows."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from tracewire.records import (
    ActorMention,
    Attribution,
    Claim,
    Document,
    DocumentAnalysis,
    Hedge,
    Place,
    Quantity,
    Span,
    Technique,
)
from tracewire.store import IngestBatch, open_store

TEXT = "Shelling hit the market in Saraqib on Monday. Fourteen people were reportedly killed, activists said."


def _at(phrase: str) -> tuple[int, int]:
    """Start and end of ``phrase`` in TEXT."""
    i = TEXT.index(phrase)
    return i, i + len(phrase)


def _analysis(doc: Document) -> DocumentAnalysis:
    """A hand-written analysis of TEXT, as another engine (Spark, say) would hand it to the store."""
    s2, e2 = _at("Fourteen people were reportedly killed, activists said.")
    src, cue, hedge, num = _at("activists"), _at("said"), _at("reportedly"), _at("Fourteen people")
    claim = Claim(doc=doc.id, start=s2, end=e2, text=TEXT[s2:e2], checkworthy=0.8,
                  attribution=Attribution(source="activists", kind="anonymous", cue="said", start=src[0],
                                          end=src[1], cue_start=cue[0], cue_end=cue[1]),
                  hedges=(Hedge(text="reportedly", kind="hedge", start=hedge[0], end=hedge[1]),),
                  features=("casualty",))
    town = _at("Saraqib")
    return DocumentAnalysis(
        doc=doc,
        sentences=(Span(doc.id, 0, s2 - 1, TEXT[:s2 - 1]), Span(doc.id, s2, e2, TEXT[s2:e2])),
        claims=(claim,),
        quantities=(Quantity(doc.id, num[0], num[1], TEXT[num[0]:num[1]], 14.0, "killed"),),
        actors=(ActorMention(doc.id, src[0], src[1], "activists", "local activists"),),
        places=(Place(doc.id, town[0], town[1], "Saraqib", "Saraqib", 35.86, 36.8, "SY", "PPL", 0.9),),
        techniques=(Technique(doc.id, hedge[0], hedge[1], "Doubt", 0.5, ("reportedly",)),),
        errors=("TW302 tracewire.x.v1: skipped",),
    )


def test_a_frozen_analysis_is_written_and_read_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tw.db")
    try:
        doc = Document(id="d1", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest(), source_path="d1.txt")
        store.write_ingest_batch(IngestBatch(documents=[(doc, None, None)]))
        assert store.pending_analysis("hand") == ["d1"] and store.count_documents() == 1
        store.write_analyses([_analysis(store.document("d1"))], "hand")
        store.write_analyses([_analysis(store.document("d1"))], "hand")  # a rerun replaces, never duplicates
        assert store.pending_analysis("hand") == [] and store.pending_analysis("other") == ["d1"]
        (claim,) = store.claim_rows()
        assert claim["text"] == "Fourteen people were reportedly killed, activists said."
        assert claim["attribution"]["kind"] == "anonymous" and claim["attribution"]["source"] == "activists"
        start, end = _at("reportedly")
        assert claim["hedges"] == [{"text": "reportedly", "kind": "hedge", "start": start, "end": end, "quoted": False}]
        assert claim["features"] == ["casualty"]
        assert [(q["text"], q["value"]) for q in store.span_rows("quantities")] == [("Fourteen people", 14.0)]
        assert [p["name"] for p in store.span_rows("places")] == ["Saraqib"]
        assert [a["actor"] for a in store.span_rows("actors")] == ["local activists"]
        assert [t["evidence"] for t in store.span_rows("techniques")] == [["reportedly"]]
    finally:
        store.close()


def test_an_analysis_of_a_replaced_version_is_not_written(tmp_path: Path) -> None:
    store = open_store(tmp_path / "tw.db")
    try:
        doc = Document(id="d1", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest(), source_path="d1.txt")
        store.write_ingest_batch(IngestBatch(documents=[(doc, None, None)]))
        old = store.document("d1")
        changed = TEXT + " More follows."
        new = Document(id="d1", text=changed, sha256=hashlib.sha256(changed.encode()).hexdigest(),
                       source_path="d1.txt")
        store.write_ingest_batch(IngestBatch(documents=[(new, None, None)]))
        store.write_analyses([_analysis(old)], "hand")
        assert list(store.claim_rows()) == [] and store.pending_analysis("hand") == ["d1"]
    finally:
        store.close()


def _unresolved(ana: DocumentAnalysis) -> DocumentAnalysis:
    """``ana`` with its claim's source turned into a pronoun with no antecedent ('unresolved')."""
    (claim,) = ana.claims
    assert claim.attribution is not None
    att = dataclasses.replace(claim.attribution, source="they", kind="unresolved")
    return dataclasses.replace(ana, claims=(dataclasses.replace(claim, attribution=att),))


def test_an_unresolved_source_is_stored_and_an_old_store_upgrades(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A store made before migration 010 keeps its claims and hedges and then accepts 'unresolved'."""
    from tracewire.store import sqlite as backend

    shipped = backend.migrations()
    monkeypatch.setattr(backend, "migrations", lambda: [m for m in shipped if m[0] < 10])
    store = open_store(tmp_path / "tw.db")
    doc = Document(id="d1", text=TEXT, sha256=hashlib.sha256(TEXT.encode()).hexdigest(), source_path="d1.txt")
    store.write_ingest_batch(IngestBatch(documents=[(doc, None, None)]))
    store.write_analyses([_analysis(store.document("d1"))], "hand")
    store.close()
    monkeypatch.setattr(backend, "migrations", lambda: shipped)
    store = open_store(tmp_path / "tw.db")  # applies 010: claims and hedges rebuilt
    try:
        (claim,) = store.claim_rows()
        assert claim["attribution"]["kind"] == "anonymous" and [h["text"] for h in claim["hedges"]] == ["reportedly"]
        store.write_analyses([_unresolved(_analysis(store.document("d1")))], "hand")
        (claim,) = store.claim_rows()
        assert claim["attribution"]["kind"] == "unresolved" and claim["attribution"]["source"] == "they"
        assert [h["text"] for h in claim["hedges"]] == ["reportedly"]
    finally:
        store.close()
