"""Gate: reuse on hand-labelled real news pairs (FA-KES, PolNeAR, PTC, GeoWebNews, LGL; eval/reuse_real/README.md).

Ingests the five corpora with the real ingest, runs the reuse corpus stage and scores the
labelled pairs (``eval/reuse_real.py``). The dev half is pinned: no figure may drop below its pin
in ``eval/reuse_real_pins.json`` times (1 - ``tolerance``). The held-out half is never read here
(``eval/reuse_real.py`` refuses it under pytest): its figure is measured once by hand with
``python eval/reuse_real.py heldout`` and pinned as ``tracewire_heldout``, and that pin must reach
issue 10's floor (precision and recall >= 0.97, each at least passim's pinned held-out figure),
an expected failure until it does. Skips when ../shared is absent. About 20 seconds on two cores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_path

PINS = json.loads((Path(__file__).parent / "reuse_real_pins.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tracewire_links() -> dict[str, Any]:
    """tracewire's links on the five corpora, computed once for both halves."""
    for parts in (("fakes", "FA-KES-Dataset.csv"), ("polnear", "data", "metadata.tsv"),
                  ("ptc", "train-articles"), ("geoparsing", "data", "GWN.xml"),
                  ("geoparsing", "data", "Corpora", "lgl.xml")):
        shared_path("data", *parts)
    from eval import reuse_real

    tw, _ = reuse_real.systems(with_passim=False)
    return tw


def _figures(split: str, tw: dict[str, Any]) -> dict[str, Any]:
    """tracewire's figures on one half (passim is not run by the gate)."""
    from eval import reuse_real

    out: dict[str, Any] = reuse_real.figures(split, tw, {})["tracewire"]
    return out


@pytest.mark.shared
def test_reuse_real_dev_pins(tracewire_links: dict[str, Any]) -> None:
    """Precision and recall per corpus and overall on the dev half stay at their pins."""
    got = _figures("dev", tracewire_links)
    tol = PINS["tolerance"]
    low = {f"{c}.{m}": (round(got[c][m], 4), v) for c, pins in PINS["tracewire_dev"].items()
           for m, v in pins.items() if got[c][m] < v * (1 - tol)}
    assert not low, f"dev figures dropped below their pins (measured, pinned): {low}"


@pytest.mark.xfail(reason="issue 10: not yet at the floor: held-out precision 0.959, recall 0.959 (passim "
                          "0.331 / 0.980), measured once at 04b7e50 (0.960 / 0.980 at 5eee4d6); flip when "
                          "the held-out pin meets 0.97/0.97 and passim's recall", strict=False)
def test_reuse_real_heldout_floor() -> None:
    """The held-out figure, pinned when it was measured by hand, reaches the floor and passim's figures."""
    got = PINS["tracewire_heldout"]["overall"]
    want = {m: max(PINS["floor"][m], PINS["passim_heldout"]["overall"][m]) for m in ("precision", "recall")}
    short = {m: (round(got[m], 4), v) for m, v in want.items() if got[m] < v}
    assert not short, f"held-out figures below the floor or passim (measured, required): {short}"


def test_the_held_out_half_is_refused_under_the_gates() -> None:
    """Scoring the held-out half (or both halves) raises during the test run; the dev half is read."""
    from eval import reuse_real, splits

    assert reuse_real.load_pairs("dev")
    for half in ("heldout", "all"):
        with pytest.raises(splits.HeldOutSplitError):
            reuse_real.load_pairs(half)


def test_pairs_file_holds_ids_offsets_and_labels_only() -> None:
    """Every labelled pair is well formed, in the half its hash names, and carries no article text."""
    from eval import reuse_real

    pairs = reuse_real.load_pairs()
    assert len(pairs) >= 300, f"only {len(pairs)} labelled pairs"
    keys = {"corpus", "a", "b", "label", "split", "drawn_from", "evidence", "note"}
    seen = set()
    for p in pairs:
        assert set(p) == keys, f"unexpected fields {set(p) ^ keys} in {p['corpus']} {p['a']} {p['b']}"
        assert p["corpus"] in reuse_real.CORPORA and p["label"] in reuse_real.LABELS
        assert p["a"] < p["b"] and (p["corpus"], p["a"], p["b"]) not in seen
        seen.add((p["corpus"], p["a"], p["b"]))
        # batches 1-2 split by hash; batch 3 (strata ``b3_*``) was drawn to grow the dev half only;
        # batches 4-12 (``b4_*`` ... ``b12_*``) kept only the pairs whose hash names the dev half; batch 13's
        # corpora (``reuse_real.DEV_ONLY``) are dev whatever their hash: their links were read before labelling
        want = "dev" if p["drawn_from"].startswith("b3_") else reuse_real.split_of(p["corpus"], p["a"], p["b"])
        assert p["split"] == want
        assert len(p["note"]) <= 240, "notes are short: no copied text"
        for e in p["evidence"]:
            assert set(e) == {"a_start", "a_end", "b_start", "b_end"}
            assert all(isinstance(v, int) for v in e.values()) and e["a_start"] < e["a_end"]
    splits = {s: sum(p["split"] == s for p in pairs) for s in reuse_real.SPLITS}
    dev_only = ("b3_", "b4_", "b5_", "b6_", "b7_", "b8_", "b9_", "b10_", "b11_", "b12_", "b13_")  # the dev half only
    first = [p for p in pairs if not p["drawn_from"].startswith(dev_only)]
    assert all(p["split"] == "dev" for p in pairs if p["drawn_from"].startswith(dev_only[1:]))
    assert all(p["split"] == "dev" for p in pairs if p["corpus"] in reuse_real.DEV_ONLY)
    assert min(sum(p["split"] == s for p in first) for s in reuse_real.SPLITS) >= 0.4 * len(first), \
        f"unbalanced halves {splits}"
