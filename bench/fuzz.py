"""Full variant of the hostile-input run (issue 16): >= 1,000 malformed inputs plus good files.

    PYTHONPATH=. .venv/bin/python bench/fuzz.py [--scale 5]

Prints the table class -> inputs -> stored / rejected (code) / lost / unexpected, the exit code
of the ingest, and its peak RSS growth beside the largest input it read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.runner import run  # noqa: E402


def main() -> int:
    """Generate, ingest, check and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=5, help="multiplier of each class's base count (default 5)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        outcome = run(Path(tmp), scale=args.scale)
        seconds = time.perf_counter() - start
    malformed = sum(1 for c in outcome.cases if not c.cls.startswith(("good file", "large good")))
    print(outcome.table())
    print()
    print(f"cases: {len(outcome.cases)} ({malformed} malformed); ingest exit code {outcome.exit_code}; "
          f"lost {len(outcome.lost)}; unexpected {len(outcome.unexpected)}; {seconds:.0f} s in all")
    print(f"peak RSS growth {outcome.growth_bytes / 1e6:.1f} MB; largest input read "
          f"{outcome.largest_input / 1e6:.1f} MB; ratio {outcome.growth_bytes / max(1, outcome.largest_input):.1f}x "
          f"(bound 10x); absolute peak {outcome.peak_kb / 1e3:.0f} MB")
    for case, got in outcome.unexpected[:20]:
        print(f"  unexpected: {case.cls} {case.where!r}: expected {case.expect}, got {got}")
    for case in outcome.lost[:20]:
        print(f"  lost: {case.cls} {case.where!r}")
    return 0 if not outcome.lost and not outcome.unexpected and outcome.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
