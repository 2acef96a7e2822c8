"""Furniture ends where the outlet's repetition at its edges stops (issue 10, bench10).

A phrase an outlet's reporters repeat anywhere in their prose (a stock phrase) is common text,
but not edge furniture: a menu above an article, or a footer under it, must not reach across the
article's own sentences to such a phrase and mask everything between. Nor does the footer take a
last sentence that lost its full stop. All texts are fictional, in our own words.
"""

from __future__ import annotations

import json
from pathlib import Path

from tracewire.corpus.furniture import learn
from tracewire.corpus.reuse import find_reuse, update_reuse
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import doc, join

MENU = "Home | Harbour | Ferries | Weather | Letters | Contact"
# an outlet's block under every article, opening with a lower-case word
TAIL = ("more from the coast desk: ferry timetables, harbour webcams and tide tables for the week. "
        "share this page | print | report an error. Copyright 2026 Coast Desk. All rights reserved.")
# what the outlet's reporters write in many articles, anywhere in them
STOCK = "as the harbour office put it in its weekly note to the fishing crews"

_SENTENCES = [
    "Port Aldine's council agreed to repaint the old lighthouse before the summer season begins.",
    "Several parents asked the library to open on Sunday mornings for a trial month this winter.",
    "A retired captain who sailed the northern route for thirty years welcomed the two new boats.",
    "Museum staff plan to lend the library a printing press for the autumn workshop for pupils.",
    "Tickets can be bought at the harbour office, and children under twelve travel free of charge.",
    "The bakery on the quay will close for a week in March while its ovens are replaced.",
    "Volunteers counted forty seals on the sandbank north of Merrow during the spring survey.",
    "The school choir will sing at the opening of the new ferry terminal on the first of May.",
    "Two cafes on the promenade asked for permission to put tables outside until ten at night.",
    "A storm in January tore the roof from the boathouse, and the rowing club trained indoors.",
    "The island's only doctor will hold a weekly clinic in the village hall from next month.",
    "Gulls nesting on the chimneys of the old cannery have delayed its conversion into flats.",
    "Lifeboat volunteers rescued two kayakers who were swept past the breakwater on Saturday.",
    "Fishermen say the price of diesel has doubled since the autumn and some boats stay in port.",
    "A painter from the capital rented the lighthouse keeper's cottage for the whole summer.",
    "Tide tables printed in the town guide were wrong for June, the harbour master said.",
    "Schoolchildren planted two hundred oak saplings along the new cycle path to the beach.",
    "The cinema on Bridge Street will show silent films with a live pianist every Thursday.",
]
# the article text of each of six documents: three sentences of its own
BODIES = [" ".join(_SENTENCES[3 * k : 3 * k + 3]) for k in range(6)]


def test_a_menu_does_not_reach_across_the_first_sentence_to_a_stock_phrase() -> None:
    """The first sentence under the menu stays text when the next one opens with the outlet's stock phrase."""
    first = "Storm damage closed the southern pier of Dunmere for most of Tuesday afternoon."
    docs = [doc("h0", join(MENU, f"{first} {STOCK.capitalize()}, the pier will reopen on Friday.",
                           BODIES[0], TAIL), outlet="coastdesk")]
    for k in range(1, 6):  # the stock phrase in the middle of other articles of the outlet
        docs.append(doc(f"h{k}", join(MENU, BODIES[k], f"Prices at the fish market rose again, {STOCK}.",
                                      BODIES[(k + 1) % 6], TAIL), outlet="coastdesk"))
    spans = learn(docs)
    text = docs[0].text
    masked = [text[s:e] for s, e in spans["h0"]]
    assert any(MENU in m for m in masked) and any(TAIL in m for m in masked)
    assert not any(first[:20] in m for m in masked), masked


def _middle(k: int) -> str:
    """Article k with the stock phrase in a sentence in its middle, between two of its own."""
    a, b, c = _SENTENCES[3 * k : 3 * k + 3]
    return join(f"{a} Prices at the fish market rose again, {STOCK}. {b}", c)


def test_a_footer_does_not_reach_back_across_a_lower_case_sentence_to_a_stock_phrase() -> None:
    """A last sentence that opens with a lower-case word ("iPhone ...") stays text, and so does the one before it."""
    last = "iPhone repair shops on the quay stayed shut all week after the flood."
    docs = [doc("t0", join(MENU, BODIES[0], f"Prices at the fish market, {STOCK}, rose again. {last}", TAIL),
                outlet="coastdesk")]
    for k in range(1, 6):
        docs.append(doc(f"t{k}", join(MENU, _middle(k), TAIL), outlet="coastdesk"))
    spans = learn(docs)
    text = docs[0].text
    (_, _), (start, stop) = spans["t0"]
    assert text[start:stop] == TAIL
    assert last in text[:start] and STOCK in text[:start]


def test_a_last_sentence_without_its_full_stop_is_not_taken_for_a_credit() -> None:
    """Text that goes on from a full stop inside the last line of an article is that article's, not the footer's.

    A credit on a line of its own before the footer ("Reporting by ...") is still taken with it,
    as is one on the same line as the footer in a text without line breaks.
    """
    cut = "Timetables are posted at the harbour office and on the noticeboard by the ferry ramp"
    credits = ["Reporting by Ada Merrow", "Reporting by Tom Kell", "Reporting by Ines Varo",
               "Reporting by Olaf Brenn", "Reporting by Mira Sand", "Reporting by Paul Oster"]
    docs = [doc("c0", join(MENU, BODIES[0], f"The ferry ran late all week, said the captain. {cut}", TAIL),
                outlet="coastdesk"),
            doc("c1", join(MENU, BODIES[1], f"The ferry ran late all week, said the captain.\n{credits[1]}", TAIL),
                outlet="coastdesk")]
    for k in range(2, 6):
        docs.append(doc(f"c{k}", join(MENU, BODIES[k], TAIL), outlet="coastdesk"))
    flat = [doc(f"f{k}", f"{BODIES[k]} {credits[k]} {TAIL}", outlet="islandpost") for k in range(6)]
    spans = learn(docs + flat)
    t0 = docs[0].text
    assert t0[spans["c0"][-1][0] : spans["c0"][-1][1]] == TAIL
    assert cut in t0[: spans["c0"][-1][0]]
    t1 = docs[1].text
    assert t1[spans["c1"][-1][0] :].startswith(credits[1])
    for k, d in enumerate(flat):
        start = spans[d.id][-1][0]
        assert d.text[start:].startswith(credits[k]), d.text[start:]


def test_a_short_article_keeps_its_text_between_menu_and_footer() -> None:
    """Under forty words between menu and footer: both are masked, the article's sentences are not.

    The blocks an outlet prints under its articles join the footer; the menu above a short
    article is near it too, but joining it would take the whole article (and, past ``max_share``,
    no furniture would be masked at all).
    """
    docs = [doc(f"s{k}", join(MENU, BODIES[k], TAIL), outlet="coastdesk") for k in range(6)]
    spans = learn(docs)
    for k, d in enumerate(docs):
        (h0, h1), (t0, t1) = spans[d.id]
        assert d.text[h0:h1] == MENU and d.text[t0:t1] == TAIL
        assert BODIES[k] in d.text[h1:t0]


def test_incremental_runs_keep_the_sentence_above_the_footer_as_a_full_run_does(tmp_path: Path) -> None:
    """An outlet's articles arrive in two batches: the sentence above its footer that another outlet
    prints too stays article text, so the two are linked, and the store ends where a full run ends."""
    last = "iPhone repair shops on the quay stayed shut all week after the flood, the chamber said."
    outlet = [doc("t0", join(BODIES[0], f"Prices at the fish market, {STOCK}, rose again. {last}", TAIL),
                  outlet="coastdesk")]
    outlet += [doc(f"t{k}", join(_middle(k), TAIL), outlet="coastdesk") for k in range(1, 6)]
    other = doc("x1", join("Shopkeepers on Merrow counted the cost of the storm surge on Monday.", last,
                           "Insurers have sent two assessors to the island, who will stay until Thursday."),
                outlet="islandpost")
    store = SQLiteStore(tmp_path / "inc.db")
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in [*outlet[:3], other]]))
    update_reuse(store)
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in outlet[3:]]))
    update_reuse(store)
    stored = {(r["source"], r["target"]) for r in store.query("SELECT source, target FROM reuse")}
    spans = {r["id"]: json.loads(r["spans"]) for r in store.query("SELECT id, spans FROM furniture")}
    store.close()
    full = find_reuse([*outlet, other])
    assert stored == {(lk.source, lk.target) for lk in full}
    assert {frozenset(x) for x in stored} == {frozenset(("t0", "x1"))}
    assert {k: [tuple(s) for s in v] for k, v in spans.items()} == {
        k: list(v) for k, v in learn([*outlet, other]).items()}
