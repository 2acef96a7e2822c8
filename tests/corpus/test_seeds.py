"""Acceptance 1 on the real seed articles (../shared/seeds), raw and reflowed."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire.corpus.reuse import find_reuse
from tracewire.records import Document


def _reflow(text: str) -> str:
    """Roughly what ingest does to PDF text: drop bullet glyphs, join lines within paragraphs."""
    text = text.replace("\uf0b7", " ")
    paras = re.split(r"\n\s*\n(?=\s*[A-Z\u201c\"])", text)
    return "\n\n".join(re.sub(r"\s+", " ", p).strip() for p in paras if p.strip())


def _seeds(reflow: bool) -> list[Document]:
    """The five seed articles as Documents, undated."""
    folder = shared_path("seeds")
    docs = []
    for path in sorted(Path(folder).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if reflow:
            text = _reflow(text)
        docs.append(Document(id=path.stem, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                             source_path=str(path)))
    return docs


@pytest.mark.shared
@pytest.mark.parametrize("reflow", [False, True], ids=["raw", "reflowed"])
def test_seed_reuse_is_004_to_002_only(reflow: bool) -> None:
    """Exactly one link, 004 -> 002, >= 400 shared words, the added tail reported as additions."""
    docs = _seeds(reflow)
    links = find_reuse(docs)
    assert len(links) == 1, [(lk.source, lk.target) for lk in links]
    lk = links[0]
    assert lk.source.startswith("004_") and lk.target.startswith("002_")
    assert lk.direction_known and lk.confidence >= 0.8
    assert lk.shared_words >= 400
    target = next(d for d in docs if d.id == lk.target).text
    for phrase in ("Facts Don\u2019t Lie", "AA-Magnum Analyst Blog"):
        at = target.index(phrase)
        assert any(s <= at and at + len(phrase) <= e for s, e in lk.target_additions), phrase
    assert lk.evidence and all(isinstance(e, str) and e for e in lk.evidence)
    source = next(d for d in docs if d.id == lk.source).text
    first = lk.passages[0]
    assert source[first.source_start : first.source_end].split()[:4] == \
        target[first.target_start : first.target_end].split()[:4]
    # 002 edits the copied text: a rewrite, with its word-level edits inside the passages
    assert lk.kind == "rewrite"
    edits = [(e.op, source[e.source_start : e.source_end], target[e.target_start : e.target_end])
             for p in lk.passages for e in p.edits]
    assert ("sub", "militants", "Takfiri’s") in edits, edits
    assert ("ins", "", "military") in edits, edits
    assert ("sub", "Tigers", "Tiger") in edits, edits  # an inflection is an edit, not an addition
    assert not any("Tiger force" in target[s:e] for s, e in lk.target_additions)


@pytest.mark.shared
def test_seed_reuse_through_ingest_and_store(tmp_path: Path) -> None:
    """The same single link when the seeds go through the real ingest and the incremental store path."""
    from tracewire.corpus.reuse import update_reuse
    from tracewire.ingest import ingest
    from tracewire.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "seeds.db")
    ingest([shared_path("seeds")], store)
    summary = update_reuse(store)
    rows = store.query("SELECT source, target, direction_known, shared_words, target_additions, kind, "
                       "passages FROM reuse")
    target = store.document(rows[0]["target"]).text if rows else ""
    store.close()
    assert summary.links == 1 and summary.stories == 1
    (row,) = rows
    assert row["source"].startswith("004_") and row["target"].startswith("002_")
    assert row["direction_known"] == 1 and row["shared_words"] >= 400
    assert row["kind"] == "rewrite"
    edits = [e for p in json.loads(row["passages"]) for e in p["edits"]]
    assert any(e["op"] == "sub" and target[e["target_start"] : e["target_end"]] == "Takfiri’s" for e in edits)
