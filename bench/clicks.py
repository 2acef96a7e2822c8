"""Issue 13's five tasks, done from the overview page of `tracewire serve` in Chromium, counting clicks.

    .venv/bin/python bench/clicks.py STORE.db

STORE.db: the seeds plus FA-KES, analysed (as tests/web/test_workbench.py builds it). Each task
starts at the overview and ends when its answer is on screen (asserted); a typed field (a search
box, ended with Enter where its form must be sent) is counted apart from clicks. Prints one line per task.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tracewire.web.app import create_app  # noqa: E402


class LiveServer:
    """uvicorn serving an app on a free loopback port in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


SEED_COPIER, SEED_ORIGINAL = "002_525e1a21c51b5b98", "004_5f7f21560a4aea28"
MOD = "Russian Ministry of Defence"


class Tally:
    """Clicks and typed fields of the task under way, on one page."""

    def __init__(self, pg: Any, base: str) -> None:
        self.pg, self.base = pg, base
        self.clicks = self.typed = 0
        self.results: dict[str, tuple[int, int]] = {}

    def ready(self) -> None:
        """Wait for the page's scripts."""
        self.pg.wait_for_load_state()
        self.pg.wait_for_selector("body[data-ready='1']", state="attached")

    def click(self, loc: Any, wait: bool = True) -> None:
        """One click (then wait for the page unless it stays)."""
        self.clicks += 1
        loc.click()
        if wait:
            self.ready()

    def type(self, selector: str, text: str, enter: bool = False) -> None:
        """One typed field (ended with Enter when its form must be sent, then wait for the page)."""
        self.typed += 1
        self.pg.fill(selector, text)
        if enter:
            self.pg.press(selector, "Enter")
            self.ready()

    def done(self, task: str, answered: bool) -> None:
        """Record a task whose answer is on screen; start the next at the overview."""
        if not answered:
            raise SystemExit(f"task {task!r} did not reach its answer")
        self.results[task] = (self.clicks, self.typed)
        self.clicks = self.typed = 0

    def home(self) -> None:
        """Open the overview (not counted)."""
        self.pg.goto(self.base + "/")
        self.ready()


def tasks(t: Tally) -> None:
    """The five tasks (a)-(e), each from the overview."""
    pg = t.pg
    t.home()
    t.click(pg.locator("header nav a", has_text="Stories"))
    t.type("#tw-story-q", "002")
    t.click(pg.locator("#tw-stories tbody tr:not([hidden])", has_text=SEED_ORIGINAL).locator("a").first)
    copier = pg.locator(f"#tw-members tr[data-doc='{SEED_COPIER}']").inner_text()
    t.done("(a) who copied whom among the seeds, and what the copier added",
           "rewrite" in copier and pg.locator("details.additions ins").count() > 0)
    t.home()
    t.click(pg.locator("header nav a", has_text="Claims"))
    t.click(pg.locator("[data-facet='kind'] li a", has_text="anonymous"))
    t.done("(b) every claim resting on an anonymous source", "kind=anonymous" in pg.url)
    t.home()
    t.click(pg.locator("header nav a", has_text="Claims"))
    t.click(pg.locator("[data-facet='source'] li a", has_text=MOD))
    t.done("(b) every claim attributed to the Russian Ministry of Defence", "source=Russian+Ministry+of+Defence" in pg.url)
    with pg.expect_download() as info:
        t.click(pg.locator("#tw-csv"), wait=False)
    t.done("(e) export of the filtered claims (from the view before)", info.value.suggested_filename.endswith(".csv"))
    t.home()
    t.click(pg.locator("header nav a", has_text="Claims"))
    t.type("input[name='q']", "Tanf")
    t.click(pg.locator("#tw-filters button[type='submit']"))
    t.click(pg.locator("[data-facet='place'] li a", has_text="Al-Tanf"))
    t.done("(c) the claims about Al-Tanf", pg.locator("#tw-total").inner_text() == "5")
    t.click(pg.locator("#tw-period-map"))
    pg.wait_for_selector("#tw-leaflet .tw-pin.picked", timeout=10000)
    t.done("(c) ... and where it is on the map (from the view before)",
           pg.locator("#tw-place-status").inner_text().startswith("Al-Tanf:"))
    t.home()
    t.click(pg.locator("header nav a", has_text="Map"))
    t.type("#tw-place-q", "Al-Tanf")
    t.click(pg.locator("#tw-place-search button[type='submit']"))
    pg.wait_for_selector("#tw-leaflet .tw-pin.picked", timeout=10000)
    t.done("(c) Al-Tanf found by map search", pg.locator("#tw-place-status").inner_text().startswith("Al-Tanf:"))
    t.home()
    t.click(pg.locator("header nav a", has_text="Documents"))
    t.type("#tw-doc-q", "002", enter=True)
    t.click(pg.locator("table.docs tbody tr", has_text=SEED_COPIER).locator("a").first)
    pg.wait_for_selector("body[data-evidence-ready='1']", state="attached")
    t.click(pg.locator("button[data-only-technique]").first, wait=False)
    t.click(pg.locator("#tw-text .seg.l-technique", has_text="Facts").first, wait=False)
    t.done("(d) the techniques in seed 002, with the evidence for 'Facts Don’t Lie'",
           "Technique:" in pg.locator("#tw-evidence").inner_text())


def main() -> int:
    """Serve the store, do the tasks, print the tallies."""
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    with LiveServer(create_app(Path(sys.argv[1]))) as srv, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True)
        page = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True).new_page()
        tally = Tally(page, srv.url)
        tasks(tally)
        browser.close()
    for task, (clicks, typed) in tally.results.items():
        print(f"{task}: {clicks} click{'s' if clicks != 1 else ''}" + (f" and {typed} typed search" if typed else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
