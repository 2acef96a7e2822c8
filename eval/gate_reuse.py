"""Gate: reuse on the bundled demo corpus against its hand-written answers (Acceptance 2).

Ingests tracewire/demo/corpus with the real ingest, runs the incremental reuse analysis and
checks: every [[reuse]] pair is found, with the answers' direction (known or not), no
[[not_reuse]] pair is linked, and there is no link outside the answers.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tracewire.store.sqlite import SQLiteStore

DEMO = Path(__file__).resolve().parents[1] / "tracewire" / "demo"


def _answers() -> dict[str, list[dict[str, object]]]:
    """The demo answers file; skips when the demo corpus is not in this checkout."""
    path = DEMO / "answers.toml"
    if not path.exists():
        pytest.skip(f"needs {path}")
    with path.open("rb") as fh:
        return tomllib.load(fh)


def test_demo_reuse_gate(tmp_path: Path) -> None:
    """All answer links found, directions right where known, no false link."""
    from tracewire.corpus.reuse import update_reuse
    from tracewire.ingest import ingest

    answers = _answers()
    store = SQLiteStore(tmp_path / "demo.db")
    ingest([DEMO / "corpus"], store)
    update_reuse(store)
    rows = store.query("SELECT source, target, direction_known FROM reuse")
    found = {frozenset((r["source"], r["target"])): r for r in rows}
    want = answers.get("reuse", [])
    missing, wrong_dir = [], []
    for a in want:
        key = frozenset((str(a["source"]), str(a["target"])))
        row = found.get(key)
        if row is None:
            missing.append(f"{a['source']} -> {a['target']}")
        elif a.get("direction_known") and not (row["direction_known"] and row["source"] == a["source"]):
            wrong_dir.append(f"{a['source']} -> {a['target']} (got {row['source']} -> {row['target']}, "
                             f"known={bool(row['direction_known'])})")
        elif not a.get("direction_known") and row["direction_known"]:
            wrong_dir.append(f"{a['source']} -> {a['target']} (got {row['source']} -> {row['target']}, "
                             f"known={bool(row['direction_known'])})")
    expected = {frozenset((str(a["source"]), str(a["target"]))) for a in want}
    extra = sorted(" / ".join(sorted(k)) for k in found if k not in expected)
    forbidden = [frozenset(str(d) for d in n["docs"]) for n in answers.get("not_reuse", [])]  # type: ignore[attr-defined]
    false_links = sorted(" / ".join(sorted(k)) for k in forbidden if k in found)
    store.close()
    assert not missing, f"reuse links not found: {missing}"
    assert not wrong_dir, f"wrong direction: {wrong_dir}"
    assert not false_links and not extra, f"false links: {false_links + extra}"
