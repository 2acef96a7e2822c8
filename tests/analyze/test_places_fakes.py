"""FA-KES (real Syrian-war news): no news agency, outlet or organisation of the packs becomes a place."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import shared_path
from tracewire.analyze.gazetteer import name_key
from tracewire.analyze.parse import nlp
from tracewire.analyze.places import find_places, gazetteer, organisations, outlets
from tracewire.pipeline import Resources

# articles read: those naming SANA or another listed outlet, in file order (parsing all 804 is slow)
SAMPLE = 60


@pytest.mark.shared
def test_fakes_outlets_are_never_places() -> None:
    """SANA is the Syrian Arab News Agency, never Sanaa; no outlet alias or organisation ("Daesh") is a place mention."""
    path = shared_path("data", "fakes", "FA-KES-Dataset.csv")
    res = Resources(("syria",))
    media = outlets(res)
    with path.open(encoding="latin-1", newline="") as fh:
        texts = [r["article_content"] for r in csv.DictReader(fh)
                 if any(o.pattern.search(r["article_content"]) and not o.ambiguous for o in media)][:SAMPLE]
    assert len(texts) == SAMPLE, "FA-KES should hold at least SAMPLE articles naming an outlet"
    gaz = gazetteer(res)
    orgs = organisations(res)
    bad = []
    sana = 0
    for i, parsed in enumerate(nlp(res).pipe(texts, batch_size=8)):
        sana += parsed.text.count("SANA")
        for p in find_places(f"fakes-{i}", parsed, gaz, ("SY",), media, known_orgs=orgs):
            if (any(o.pattern.fullmatch(p.mention) and not o.ambiguous for o in media) or p.mention == "SANA"
                    or name_key(p.mention) in orgs.keys or (p.lat is None and name_key(p.mention) in orgs.shared)):
                bad.append((p.mention, p.name, p.country_code))
    assert sana > 0, "the sample should mention SANA"
    assert not bad, f"outlets or organisations kept as places: {bad[:10]}"
