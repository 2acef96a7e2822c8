"""Issue 14, acceptance 2: seed claims matched against the real EUvsDisinfo export, checked by hand-written expectation.

The claims are given by their offsets in the seed articles (no text is copied here); each expectation names the
EUvsDisinfo cases (``factchecks.row``, the CSV line) a person judged to tell the same narrative, as in
``eval/factcheck_seeds_gold.json``. To keep the test to seconds, it imports only the 519 rows (470 distinct cases) whose keywords,
title or summary name Syria, Daesh, ISIS, ISIL or the Islamic State (encoding all 3,071 took 36 CPU s), and the
matcher runs directly on the claims, without ``tracewire analyze``. ``python eval/factcheck_seeds.py`` scores all
twenty judged claims against the whole export.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from tracewire.cli import main
from tracewire.ingest.factchecks import import_factchecks, read_euvsdisinfo
from tracewire.records import FactCheck
from tracewire.store import open_store

# (seed prefix, start, end): the same-narrative cases (any copy of them), a shared word the evidence must name
EXPECTED = {
    # the Pentagon ousts the government with the hands of terrorists: the Pentagon-and-terrorists cases
    ("000", 3442, 3737): ({530, 972, 1328, 2882, 3004}, "pentagon"),
    ("004", 6993, 7283): ({2845, 2854, 2916}, "supply"),  # Zarif: Washington cooperates with ISIS (a weekly trend case)
    # the US stabs its partners in the fight against terrorism: matched by meaning alone, no word in common
    ("004", 7376, 7529): ({3004}, "no bm25 hit"),
}


def test_seed_claims_get_their_euvsdisinfo_narrative_in_the_top_3(seeds: Path, tmp_path: Path) -> None:
    """Three seed claims each have a hand-picked same-narrative EUvsDisinfo case in their top 3, with evidence."""
    from tests.conftest import shared_path
    from tracewire import embeddings
    from tracewire.corpus.factcheck import MatchConfig, build_index, match_claims, shipped_reranker

    text = shared_path("data", "euvsdisinfo", "full_dataset_formatted.csv").read_text(encoding="utf-8")
    rows_of: dict[str, set[int]] = {}  # a case's id -> its rows in the export (a case recorded twice has one id)
    for fc in read_euvsdisinfo(text, "export"):
        if isinstance(fc, FactCheck) and fc.row is not None:
            rows_of.setdefault(fc.id, set()).add(fc.row)
    about = re.compile(r"Syria|Daesh|ISIS|ISIL|Islamic State", re.IGNORECASE)
    reader = csv.DictReader(io.StringIO(text))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(reader.fieldnames or []))
    writer.writeheader()
    writer.writerows(r for r in reader if about.search(" ".join((r["keywords"], r["title"], r["summary"]))))
    subset = tmp_path / "euvsdisinfo_syria.csv"
    subset.write_text(out.getvalue(), encoding="utf-8")
    db = tmp_path / "tw.db"
    assert main(["ingest", str(seeds), "--db", str(db)]) == 0
    store = open_store(db)
    assert import_factchecks([subset], store).new == 470  # 519 rows, some the same case recorded twice
    docs = {str(r["id"])[:3]: (str(r["id"]), str(r["text"]), r["date"])
            for r in store.conn.execute("SELECT id, text, date FROM current_documents")}  # type: ignore[attr-defined]
    claims = [{"doc": docs[p][0], "start": s, "end": e, "text": docs[p][1][s:e], "date": docs[p][2], "actors": []}
              for p, s, e in EXPECTED]
    index, _ = build_index(store)
    got = match_claims(index, claims, embeddings.encode([c["text"] for c in claims]), shipped_reranker(), MatchConfig())
    store.close()
    for (prefix, s, e), (rows, word) in EXPECTED.items():
        top3 = [m for m in got.get((docs[prefix][0], s, e), []) if m.rank <= 3]
        hit = [m for m in top3 if rows_of[m.factcheck] & rows]
        assert hit, f"{prefix}:{s}: top 3 {[sorted(rows_of[m.factcheck]) for m in top3]}, expected one of {sorted(rows)}"
        assert any(word in line.lower() for line in hit[0].evidence), hit[0].evidence

