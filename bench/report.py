"""Static report on a large store: how long its claims explorer takes to open and to answer a search keystroke.

    .venv/bin/python bench/report.py [--docs 1800] [--db PATH] [--out DIR [--no-build]] [--keystrokes WORDS] [--runs 3]

Builds the synthetic store of bench/serve.py (about 11 claims per document: 1,800 documents make
about 20,000 claims), writes the report with `tracewire report`, then opens claims.html from disk in
Debian's Chromium (Playwright, offline) and measures, in the page's own clock:

- open: navigation start until the explorer has shown its first page (all claims counted, facets
  computed), until that page's claim texts are filled in, and until the whole search index is loaded
  and the page declares itself ready (``data-explore-ready``; ``performance.now()`` at each). The
  index loads after the first page is shown, a file of at most about 256 kB at a time, so no task
  is long; typing starts when the page is ready;
- keystroke: for each prefix of each word in --keystrokes ("a", "al", "ale", ...), from the input
  event until total, facets, pager and the rows (from the facet columns) are in the DOM and a frame
  has passed, and until the rows' claim texts (display shards) are filled in. Display shards not yet
  loaded in the background (which pauses while the user types) load when a view needs them.

--no-build measures the report already in --out (written from the same --db) instead of writing it
again (about a minute). Prints the claim count, the report's size, then median, 90th percentile and worst of --runs runs,
and the load average before and after. Wall-clock figures on a busy machine measure the machine: one
more run, traced, also sums the renderer main thread's own CPU time (trace events' thread duration) for
the open and for each keystroke, a figure that other processes disturb much less, and gives the
longest main-thread task (wall and CPU) that ran while a keystroke was being answered.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from serve import build_store  # noqa: E402

from tracewire.report import build_report  # noqa: E402
from tracewire.store import open_store  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
KEYSTROKE = """async (text) => {
  const input = document.querySelector("input[name='q']");
  input.focus();
  const t = performance.now();
  input.value = text;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  await window.TW_LAST_RUN;
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const counted = performance.now() - t;
  await window.TW_LAST_FULL;
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return [counted, performance.now() - t];
}"""


MARKED = ("async (a) => { performance.mark('tw-k-start'); const r = await (" + KEYSTROKE + ")(a);"
          " performance.mark('tw-k-end'); return r; }")


def traced_cpu(browser: object, url: str, words: list[str]) -> tuple[float, list[float], list[tuple[float, float]]]:
    """Main-thread CPU ms of opening url and of each keystroke, and each keystroke's longest task, from a trace."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    browser.start_tracing(page=page, categories=["toplevel", "blink.user_timing"])  # type: ignore[attr-defined]
    page.goto(url)
    page.wait_for_selector("body[data-explore-ready]", state="attached", timeout=60000)
    page.evaluate("performance.mark('tw-open-end')")
    for word in words:
        for i in range(1, len(word) + 1):
            page.evaluate(MARKED, word[:i])
    events = json.loads(browser.stop_tracing())["traceEvents"]  # type: ignore[attr-defined]
    page.close()
    # the page's own main thread: where its marks were made
    threads = {(e["pid"], e["tid"]) for e in events if e.get("name") == "tw-open-end"}
    tasks: list[tuple[float, float, float]] = [(e["ts"], e["tdur"], e["dur"]) for e in events if e.get("ph") == "X" and (e["pid"], e["tid"]) in threads
             and e.get("name") == "ThreadControllerImpl::RunTask" and "tdur" in e]
    marks = sorted((e["ts"], e["name"]) for e in events if str(e.get("name", "")).startswith("tw-"))
    starts = [t for t, n in marks if n == "tw-k-start"]
    ends = [t for t, n in marks if n == "tw-k-end"]
    opened = next(t for t, n in marks if n == "tw-open-end")

    def cpu(a: float, z: float) -> float:
        """CPU ms of the tasks that started in a window."""
        return sum(d for t, d, _ in tasks if a <= t < z) / 1000

    def longest(a: float, z: float) -> tuple[float, float]:
        """Wall and CPU ms of the longest task in a window."""
        return max(((w / 1000, d / 1000) for t, d, w in tasks if a <= t < z), default=(0.0, 0.0))

    windows = list(zip(starts, ends, strict=True))
    return cpu(0, opened), [cpu(a, z) for a, z in windows], [longest(a, z) for a, z in windows]


def summary(values: list[float]) -> str:
    """Median, 90th percentile and worst of a list of milliseconds."""
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return f"median {statistics.median(ordered):.0f} ms, p90 {p90:.0f} ms, worst {ordered[-1]:.0f} ms"


def main() -> int:
    """Build, write, open, type; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1800)
    ap.add_argument("--db", type=Path, default=None, help="reuse or keep the store here")
    ap.add_argument("--out", type=Path, default=None, help="write the report here (default: a temporary folder)")
    ap.add_argument("--keystrokes", default="aleppo strike", help="words typed one letter at a time")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-build", action="store_true", help="measure the report already in --out")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        if not db.exists():
            build_store(db, args.docs)
        store = open_store(db)
        n_claims = store.query("SELECT count(*) AS n FROM claims")[0]["n"]
        store.close()
        out = args.out or Path(tmp) / "report"
        if args.no_build and args.out and (out / "claims.html").exists():
            index, written = out / "index.html", 0.0
        else:
            t0 = time.perf_counter()
            index = build_report(db, out)
            written = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in out.iterdir() if p.is_file() and p.name.startswith("claims"))
        print(f"claims: {n_claims}; report written in {written:.1f} s; explorer data {size / 1e6:.1f} MB "
              f"(claims-meta.js {(out / 'claims-meta.js').stat().st_size / 1e6:.2f} MB)")
        first: list[float] = []
        opens: list[float] = []
        indexed: list[float] = []
        counted: list[float] = []
        filled: list[float] = []
        load_before = os.getloadavg()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for _ in range(args.runs):
                context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto((index.parent / "claims.html").as_uri())
                page.wait_for_selector("body[data-explore-ready]", state="attached", timeout=60000)
                first.append(page.evaluate("window.TW_FIRST_MS"))
                opens.append(page.evaluate("window.TW_READY_MS"))
                indexed.append(page.evaluate("window.TW_INDEX_MS"))
                for word in args.keystrokes.split():
                    for i in range(1, len(word) + 1):
                        a, b = page.evaluate(KEYSTROKE, word[:i])
                        counted.append(a)
                        filled.append(b)
                context.close()
            open_cpu, key_cpu, key_long = traced_cpu(browser, (index.parent / "claims.html").as_uri(), args.keystrokes.split())
            browser.close()
        load_after = os.getloadavg()
    print(f"open claims.html, until total, facets and the first page are shown: {summary(first)} ({len(first)} runs)")
    print(f"open claims.html, until that page's claim texts are filled in: {summary(opens)}")
    print(f"open claims.html, until the search index is loaded (the page is ready): {summary(indexed)}")
    print(f"search keystroke, until total, facets and rows are shown: {summary(counted)} ({len(counted)} keystrokes)")
    print(f"search keystroke, until the claim texts are filled in: {summary(filled)}")
    print(f"traced run, renderer main-thread CPU: open {open_cpu:.0f} ms; keystroke {summary(key_cpu)}")
    print(f"traced run, longest main-thread task in a keystroke, wall: {summary([w for w, _ in key_long])}; "
          f"its CPU: {summary([c for _, c in key_long])}")
    print(f"load average (1, 5, 15 min) before {', '.join(f'{x:.1f}' for x in load_before)}, "
          f"after {', '.join(f'{x:.1f}' for x in load_after)} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
