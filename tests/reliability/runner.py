"""Ingest a generated hostile corpus in a child process and check every case's outcome.

The child runs ``tracewire ingest`` (the CLI's own ``main``) and reports its exit code, what it
printed and its peak RSS; the parent then reads the store and sorts each case into stored,
rejected (with its code), lost (no document and no rejection) or unexpected (another outcome).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.generator import Case, build

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import gc, io, json, resource, sys, contextlib
sys.set_int_max_str_digits(4300)
import trafilatura, pypdf, charset_normalizer, lxml.html  # imported before the baseline is taken
from tracewire.cli import main
from tracewire.ingest.pdf import extract_pages
root, db, max_mb = sys.argv[1], sys.argv[2], sys.argv[3]
gc.collect()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["ingest", root, "--db", db, "--max-mb", max_mb])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(json.dumps({"code": code, "base_kb": base, "peak_kb": peak, "stdout": out.getvalue()}))
"""


@dataclass
class Outcome:
    """The result of one run: per-class counts, failures, and the memory figures."""

    cases: list[Case]
    exit_code: int
    stdout: str
    base_kb: int
    peak_kb: int
    largest_input: int
    rows: dict[str, Counter[str]] = field(default_factory=dict)
    lost: list[Case] = field(default_factory=list)
    unexpected: list[tuple[Case, str]] = field(default_factory=list)

    @property
    def growth_bytes(self) -> int:
        """Peak RSS growth of the ingest over the warmed-up child process."""
        return (self.peak_kb - self.base_kb) * 1024

    def table(self) -> str:
        """Class -> inputs -> stored / rejected (code) / lost / unexpected, as a Markdown table."""
        lines = ["| class | inputs | stored | rejected (code) | lost | unexpected |", "|---|---|---|---|---|---|"]
        for cls, c in self.rows.items():
            rejected = ", ".join(f"{k[9:]} {v}" for k, v in sorted(c.items()) if k.startswith("rejected "))
            lines.append(f"| {cls} | {c['inputs']} | {c['stored']} | {rejected or '0'} | {c['lost']} | "
                         f"{c['unexpected']} |")
        total = Counter[str]()
        for c in self.rows.values():
            total.update(c)
        rej = sum(v for k, v in total.items() if k.startswith("rejected "))
        lines.append(f"| **all** | {total['inputs']} | {total['stored']} | {rej} | {total['lost']} | "
                     f"{total['unexpected']} |")
        return "\n".join(lines)


def run(work: Path, scale: int = 1, max_mb: float = 8.0, timeout: float = 1800) -> Outcome:
    """Generate the corpus under ``work``, ingest it in a child process and check each case."""
    root = work / "in"
    cases = build(root, scale)
    db = work / "tw.db"
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), str(db), str(max_mb)], env=env,
                          capture_output=True, timeout=timeout, cwd=str(work))
    tail = proc.stderr.decode("utf-8", "backslashreplace")
    try:
        report = json.loads(tail[tail.rindex('{"code"'):])
    except ValueError as e:
        raise AssertionError(f"the ingest process failed (exit {proc.returncode}):\n{tail[-3000:]}") from e
    limit = int(max_mb * 1024 * 1024)
    sizes = [os.lstat(os.path.join(d, f)).st_size for d, _, fs in os.walk(root) for f in fs]
    outcome = Outcome(cases, report["code"], report["stdout"], report["base_kb"], report["peak_kb"],
                      max((s for s in sizes if s <= limit), default=0))
    _check(outcome, db)
    return outcome


def _check(outcome: Outcome, db: Path) -> None:
    """Sort every case by what the store holds for it."""
    with sqlite3.connect(db) as c:
        stored = {r[0]: r[1] for r in c.execute("SELECT source, text FROM current_documents")}
        rejected: dict[str, set[str]] = defaultdict(set)
        for path, code in c.execute("SELECT path, code FROM rejections"):
            rejected[path].add(code)
    for case in outcome.cases:
        row = outcome.rows.setdefault(case.cls, Counter())
        row["inputs"] += 1
        text = stored.get(case.key)
        codes = rejected.get(case.where, set())
        if text is not None:
            got = "stored"
            row["stored"] += 1
        elif codes:
            got = sorted(codes)[0]
            row[f"rejected {got}"] += 1
        else:
            row["lost"] += 1
            outcome.lost.append(case)
            continue
        if got != case.expect or (case.contains and text is not None and case.contains not in text):
            row["unexpected"] += 1
            outcome.unexpected.append((case, got if text is None else f"stored: {text[:80]!r}"))
