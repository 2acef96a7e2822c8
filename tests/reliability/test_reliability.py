"""Issue 16's acceptance, small variant: a hostile corpus ingests with 0 lost, 0 aborts, every outcome
as expected and peak memory within 10x the largest input (bench/fuzz.py runs the full variant)."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.generator import build
from tests.reliability.runner import run

# peak RSS growth of an ingest may be at most this multiple of the largest input it read
RSS_BOUND = 10


def test_generator_covers_every_class(tmp_path: Path) -> None:
    """The full variant holds at least 1,000 malformed inputs (good files not counted)."""
    cases = build(tmp_path / "in", scale=5)
    malformed = [c for c in cases if c.cls not in ("good file", "large good article (4.5 MB)")]
    assert len(malformed) >= 1000
    assert len({c.cls for c in cases}) >= 30


def test_hostile_corpus_nothing_lost_nothing_aborted(tmp_path: Path) -> None:
    """Every input and row of the small variant is stored or rejected with its expected code."""
    outcome = run(tmp_path, scale=1)
    assert outcome.exit_code == 0, outcome.stdout[-2000:]
    assert outcome.lost == [], outcome.table()
    assert outcome.unexpected == [], [(c.cls, c.where, c.expect, got) for c, got in outcome.unexpected]
    assert len(outcome.cases) > 250
    # the terminal never receives an escape sequence or a bidi override from a file name or text
    assert "\x1b" not in outcome.stdout and "\u202e" not in outcome.stdout and "\x07" not in outcome.stdout
    assert "id collisions" in outcome.stdout
    assert outcome.growth_bytes <= RSS_BOUND * outcome.largest_input, (
        f"peak RSS grew {outcome.growth_bytes / 1e6:.0f} MB for a largest input of "
        f"{outcome.largest_input / 1e6:.1f} MB")
