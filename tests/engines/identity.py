"""Identity checks through the CLI: one input analysed two ways must export the same records, every kind.

The kinds are the export registry's (``tracewire.export.EXPORTS``), so a kind added there is compared
by every identity test without editing it. Before ``analyze``, a few fact-checks written for these
tests (``tests/data/factchecks_identity.jsonl``) are imported, so that the fact-check stage matches
claims and ``factcheck_matches`` has records to compare.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from tracewire.cli import main

FACTCHECKS = Path(__file__).resolve().parents[1] / "data" / "factchecks_identity.jsonl"


def kinds() -> tuple[str, ...]:
    """Every export kind the registry has, in its order."""
    from tracewire.export import EXPORTS

    return tuple(EXPORTS)


def exports(db: Path, ingest: Sequence[Sequence[str]], analyze: Sequence[str],
            capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """Ingest each argument list of ``ingest`` into ``db``, import the fact-checks, run ``analyze`` with the
    options ``analyze`` through the CLI, and export every kind as JSON Lines."""
    for args in ingest:
        assert main(["ingest", *args, "--db", str(db)]) == 0
    assert main(["factchecks", "import", str(FACTCHECKS), "--db", str(db)]) == 0
    assert main(["analyze", "--db", str(db), *analyze]) == 0
    capsys.readouterr()
    out: dict[str, str] = {}
    for kind in kinds():
        assert main(["export", kind, "--db", str(db)]) == 0
        out[kind] = capsys.readouterr().out
    return out


def count(out: dict[str, str], kind: str) -> int:
    """Records of one kind in an ``exports`` result."""
    return out[kind].count("\n")


def assert_same(want: dict[str, str], got: dict[str, str]) -> None:
    """Every registered kind is exported by both runs and identical, line for line; the message names each
    kind that differs, its record counts and its first differing record."""
    assert set(want) == set(got) == set(kinds()), "both runs export every registered kind"
    differ: list[str] = []
    for kind in kinds():
        if got[kind] == want[kind]:
            continue
        a, b = want[kind].splitlines(), got[kind].splitlines()
        k = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        first = (a[k] if k < len(a) else "(none)")[:300], (b[k] if k < len(b) else "(none)")[:300]
        differ.append(f"{kind}: {len(a)} vs {len(b)} records; record {k}: {first[0]} != {first[1]}")
    assert not differ, "exports differ:\n" + "\n".join(differ)
