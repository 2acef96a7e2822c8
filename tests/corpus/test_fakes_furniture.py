"""FA-KES (804 real articles, 15 outlets): no link, story or claim is made of site furniture.

Ingested as the README shows (``--field text=article_content --field outlet=source``). The
outlets print menus, "Related News" blocks, share bars and subscribe/copyright footers under
their articles; before issue 10 those held the largest story together and were the two
most-asserted claims. Skips when ../shared is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tracewire.corpus.furniture import masked_documents
from tracewire.corpus.reuse import update_reuse
from tracewire.ingest import FieldMap, ingest
from tracewire.store.sqlite import SQLiteStore

# furniture the outlets print (read in the data): none may be what a link shares, nor be read
FURNITURE = (
    "Related News", "Follow us on Instagram", "Subscribe to our Youtube channel", "Privacy Policy",
    "Cookie Policy", "Trust Principles", "Comment via Facebook", "worlds premier pan-Arab daily",
)


@pytest.mark.shared
def test_fakes_links_stories_and_components_see_no_furniture(tmp_path: Path) -> None:
    """Links share article text; stories are not held together by furniture; components never read it."""
    csv = shared_path("data", "fakes", "FA-KES-Dataset.csv")
    store = SQLiteStore(tmp_path / "fakes.db")
    ingest([csv], store, fields=FieldMap().with_overrides(["text=article_content", "outlet=source"]))
    summary = update_reuse(store)
    outlet = {r["id"]: r["outlet"] for r in store.query("SELECT id, outlet FROM current_documents")}
    texts = {d.id: d.text for d in store.documents()}
    rows = store.query("SELECT source, target, passages FROM reuse")
    assert summary.links == len(rows) > 100
    for r in rows:
        for p in json.loads(r["passages"]):
            shared = texts[r["source"]][p["source_start"] : p["source_end"]]
            assert not any(f.casefold() in shared.casefold() for f in FURNITURE), (r["source"], r["target"], shared)
    # links inside one outlet are a minority now (258 of 379 were, all but a few its furniture)
    intra = sum(outlet[r["source"]] == outlet[r["target"]] for r in rows)
    assert intra < 0.3 * len(rows)
    # the largest stories are not one outlet's pages held together by its blocks
    for s in store.query("SELECT tree FROM stories ORDER BY size DESC LIMIT 12"):
        members = [m["doc"] for m in json.loads(s["tree"])]
        assert len({outlet[m] for m in members}) > 1 or len(members) <= 3
    # what the per-document components read (claims, actors, places) holds no furniture
    shown = 0
    for d in masked_documents(store, sorted(texts)):
        assert len(d.text) == len(texts[d.id])
        for f in FURNITURE:
            if f in texts[d.id]:
                shown += 1
                assert f not in d.text, (d.id, f)
    assert shown > 50
    store.close()
