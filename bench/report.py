"""Static report on a large store: how long its claims explorer takes to open and to answer a search keystroke.

    .venv/bin/python bench/report.py [--docs 1800] [--db PATH] [--out DIR] [--keystrokes WORDS] [--runs 3]

Builds the synthetic store of bench/serve.py (about 11 claims per document: 1,800 documents make
about 20,000 claims), writes the report with `tracewire report`, then opens claims.html from disk in
Debian's Chromium (Playwright, offline) and measures, in the page's own clock:

- open: navigation start until the explorer has rendered its first page (all claims counted,
  facets computed), as ``performance.now()`` when it finished;
- keystroke: for each prefix of each word in --keystrokes ("a", "al", "ale", ...), from the input
  event until the results, facets and pager are in the DOM and a frame has passed. The first
  keystroke of a letter loads that letter's index shard from disk (cold); later ones reuse it.

Prints the claim count, the report's size, then the median and worst figures of --runs runs.
"""

from __future__ import annotations

import argparse
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
  return [performance.now() - t, document.querySelector("#tw-total").textContent];
}"""


def main() -> int:
    """Build, write, open, type; print the figures."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1800)
    ap.add_argument("--db", type=Path, default=None, help="reuse or keep the store here")
    ap.add_argument("--out", type=Path, default=None, help="write the report here (default: a temporary folder)")
    ap.add_argument("--keystrokes", default="aleppo strike", help="words typed one letter at a time")
    ap.add_argument("--runs", type=int, default=3)
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
        t0 = time.perf_counter()
        index = build_report(db, out)
        written = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in out.iterdir() if p.is_file() and p.name.startswith("claims"))
        print(f"claims: {n_claims}; report written in {written:.1f} s; explorer data {size / 1e6:.1f} MB "
              f"(claims-meta.js {(out / 'claims-meta.js').stat().st_size / 1e6:.2f} MB)")
        opens: list[float] = []
        cold: list[float] = []
        warm: list[float] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            for _ in range(args.runs):
                context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto((index.parent / "claims.html").as_uri())
                page.wait_for_selector("body[data-explore-ready]", state="attached", timeout=60000)
                opens.append(page.evaluate("window.TW_READY_MS"))
                seen: set[str] = set()
                for word in args.keystrokes.split():
                    for i in range(1, len(word) + 1):
                        ms, _total = page.evaluate(KEYSTROKE, word[:i])
                        (warm if word[0] in seen else cold).append(ms)
                        seen.add(word[0])
                context.close()
            browser.close()
    print(f"open claims.html: median {statistics.median(opens):.0f} ms, worst {max(opens):.0f} ms ({len(opens)} runs)")
    print(f"search keystroke, index shard already loaded: median {statistics.median(warm):.0f} ms, "
          f"worst {max(warm):.0f} ms ({len(warm)} keystrokes)")
    print(f"search keystroke that first loads a letter's shard: median {statistics.median(cold):.0f} ms, "
          f"worst {max(cold):.0f} ms ({len(cold)} keystrokes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
