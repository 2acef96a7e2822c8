"""Widgets learned across documents that have no outlet, formulas that outlets repeat, quotation marks."""

from __future__ import annotations

import json
from pathlib import Path

from tracewire.corpus.edits import quote_spans, speaker
from tracewire.corpus.furniture import is_widget, learn, learn_pool
from tracewire.corpus.reuse import find_reuse, update_reuse
from tracewire.records import Document
from tracewire.store.base import IngestBatch
from tracewire.store.sqlite import SQLiteStore

from .fixtures import OTHER, WIRE, doc, join

# a site's poll and sign-up box, printed between two paragraphs of its articles (our own words)
WIDGET = "\n".join([
    "join our reader poll - the article continues below",
    "Should the harbour get a second ferry berth?",
    "* Yes, build it now.",
    "No, one is enough.",
    "Email *",
    "Signing up gives you the Harbour Herald newsletter free of charge.",
    "You can unsubscribe whenever you like.",
    "By voting you accept our Privacy Policy and Terms of Use.",
])

ENDINGS = [
    "The mayor of Port Aldine said the council would review the ticket prices after the first winter "
    "of service, once the passenger numbers are known.",
    "Several parents asked the library to open on Sunday mornings, and the staff said they would try "
    "it for a month before deciding.",
    "A retired captain who sailed the old route for thirty years said he was glad to see the boats "
    "return to the island after so long.",
    "The museum next door plans to lend the library a printing press from its store rooms for the "
    "workshop in the autumn.",
    "Tickets can be bought at the harbour office or on board, and children under twelve travel free "
    "of charge on every crossing.",
]

# an agency's standard description of a monitor, repeated in its reports of unrelated events
FORMULA = (
    "The Velmora Rights Watch, which says it relies on a network of volunteers in every district of "
    "the valley, counts the dead by name and publishes its lists every week."
)

EVENTS = [
    "A market fire in the old quarter destroyed eleven stalls on Sunday night.",
    "Two fishing boats collided in fog off the northern cape early on Monday.",
    "A landslide blocked the mountain road to Ostrev for most of Tuesday.",
    "The power station at Kerrin shut down after a fault in its cooling pumps.",
    "A bus carrying pilgrims overturned on the coast road near Dunmere.",
    "Storms flattened the grain sheds of three farms west of the capital.",
]


LATER = [
    "Firefighters from two towns worked until dawn, and the cause is still being investigated.",
    "The coast guard towed both boats into the harbour, where their crews were checked by doctors.",
    "Road crews cleared the rocks by evening, but the police asked drivers to avoid the pass at night.",
    "Engineers expect the station to restart next week once the pumps have been replaced.",
]


def _no_outlet(k: int, *middle: str) -> Document:
    """An article with no outlet (so no group of its own to learn furniture from) and the widget inside."""
    return doc(f"n{k}", join(OTHER[k], *middle, WIDGET, ENDINGS[k]))


def _add(store: SQLiteStore, *docs: Document) -> None:
    """Write documents to the store as ingest would."""
    store.write_ingest_batch(IngestBatch(documents=[(d, None, None) for d in docs]))


def _links(store: SQLiteStore) -> set[tuple[str, str]]:
    """(source, target) of every stored reuse row."""
    return {(r["source"], r["target"]) for r in store.query("SELECT source, target FROM reuse")}


def _pairs(docs: list[Document]) -> set[tuple[str, str]]:
    """(source, target) of a full run's links."""
    return {(lk.source, lk.target) for lk in find_reuse(docs)}


def test_widget_shape_tells_a_poll_from_prose() -> None:
    """A poll box is a widget; sentences of a wire report, however many outlets print them, are not."""
    assert is_widget(WIDGET.splitlines())
    assert not is_widget([WIRE[0], WIRE[1]])
    assert is_widget(["Home", "World", "Sport", "Weather"])  # a menu: short lines, no sentence ends


def test_widget_inside_articles_without_outlet_is_masked_and_links_nothing() -> None:
    """Three articles with no outlet share only a poll box between paragraphs: it is learned across
    them (wherever it sits), masked, and makes no link; two alone are not enough to learn it."""
    docs = [_no_outlet(k) for k in range(3)]
    spans = learn(docs)
    for d in docs:
        ((s, e),) = spans[d.id]
        assert d.text[s:e] == WIDGET
    assert _pairs(docs) == set()
    assert learn_pool([d.text for d in docs[:2]]) == [(), ()]


def test_wire_text_shared_by_documents_without_outlet_is_never_a_widget() -> None:
    """The same three articles also carry a wire paragraph: it stays, and links them; the widget does not."""
    docs = [_no_outlet(k, WIRE[0], WIRE[1]) for k in range(3)]
    spans = learn(docs)
    for d in docs:
        assert all(WIRE[0] not in d.text[s:e] and WIRE[1] not in d.text[s:e] for s, e in spans[d.id])
    links = find_reuse(docs)
    assert {frozenset((lk.source, lk.target)) for lk in links} >= {frozenset(("n0", "n1"))}
    widget_at = {d.id: d.text.index(WIDGET) for d in docs}
    for lk in links:
        for p in lk.passages:
            assert p.source_end <= widget_at[lk.source] and p.target_end <= widget_at[lk.target]


def test_a_formula_its_outlets_repeat_links_nothing_a_wire_text_does() -> None:
    """Two agencies each print the same 30-word descriptor of a monitor in two reports of unrelated
    events (too few to be their furniture): reports across them that share only that formula are
    not linked, however long it is. A wire report that three outlets print once each is linked,
    although it is as common in the corpus."""
    formula_docs = [
        doc(f"{o}{k}", join(EVENTS[2 * i + k], FORMULA, LATER[2 * i + k]), outlet=o)
        for i, o in enumerate(("alpha", "beta")) for k in range(2)
    ]
    wire_docs = [
        doc(f"w{k}", join(OTHER[k], WIRE[1], WIRE[2]), outlet=f"paper{k}") for k in range(3)
    ]
    links = _pairs(formula_docs + wire_docs)
    assert {x for pair in links for x in pair} == {"w0", "w1", "w2"}
    assert len(links) >= 2  # the three reprints hang together


def test_pool_learned_again_when_documents_arrive_or_leave_it(db_path: Path) -> None:
    """Incremental runs equal a full run while the pool of documents without an outlet to learn
    from grows (the widget is learned for the old documents too) and shrinks (an outlet that
    reaches three documents learns its own furniture and leaves the pool)."""
    store = SQLiteStore(db_path)
    n0, n1 = _no_outlet(0), _no_outlet(1)
    t = [doc(f"t{k}", join(OTHER[k + 2], WIDGET, ENDINGS[k + 2]), outlet="Tiny Times") for k in range(3)]
    seen: list[Document] = [n0, t[0]]
    _add(store, *seen)
    update_reuse(store)
    assert _links(store) == _pairs(seen) == {("n0", "t0")}  # two documents: nothing to learn from

    seen.append(n1)
    _add(store, n1)
    update_reuse(store)
    assert _links(store) == _pairs(seen) == set()  # three: the widget is learned for all of them

    seen += t[1:]
    _add(store, *t[1:])
    update_reuse(store)
    assert _links(store) == _pairs(seen)
    spans = {r["id"]: r["spans"] for r in store.query("SELECT id, spans FROM furniture")}
    full = learn(seen)
    assert {k: [list(x) for x in v] for k, v in full.items()} == {
        k: json.loads(v) for k, v in spans.items()}
    store.close()


def test_quotation_marks_of_newswire_archives() -> None:
    """Doubled apostrophes quote; a straight mark left open at a paragraph's end does not pair with the next."""
    text = ("''Anyone who says the valley is finished is telling a story,'' Mayor Ilse Norrand said.\n\n"
            '"We will rebuild every bridge,\n\n"and we will start on Monday," she added.')
    spans = quote_spans(text)
    got = [text[s:e] for s, e in spans]
    assert got[0] == "Anyone who says the valley is finished is telling a story,"
    assert "and we will start on Monday," in got
    assert not any("rebuild" in g and "Monday" in g for g in got)
    assert speaker(text, 3, 20) == "Mayor Ilse Norrand"


def test_an_advert_whose_price_changes_is_one_widget() -> None:
    """A shop advert printed between paragraphs of three articles without outlet, each page with its
    own price and clock: numbers aside the line is the same, a shop cue makes it a widget, and it
    links nothing."""
    prices = [("$5.99", "$46.29", "07:40"), ("$5.99", "$45.86", "09:30"), ("$4.10", "$44.00", "11:05")]
    adverts = [f"The Harbour Years: A Memoir... Ada Quill Best Price: {a} Buy New {b} (as of {t} EDT - Details)"
               for a, b, t in prices]
    docs = [doc(f"n{k}", join(OTHER[k], adverts[k], ENDINGS[k])) for k in range(3)]
    spans = learn(docs)
    for d, ad in zip(docs, adverts, strict=True):
        ((s, e),) = spans[d.id]
        assert d.text[s:e] == ad
    assert _pairs(docs) == set()


# an author's bio that a site prints under every column of one writer (our own words)
BIO = (
    "Margit Voss has covered the valley for the Harbour Herald since the old ferry days; her books on the "
    "river towns and on the printers of Fennick are sold at the library shop and at every good bookseller "
    "in the region, and she answers readers' letters every Friday."
)


def test_a_bio_that_ends_two_pages_of_no_outlet_links_nothing() -> None:
    """Two different stories of no known outlet, both ending with one writer's bio, are not a copy."""
    a = doc("bio-a", join(OTHER[0], OTHER[1], OTHER[2], BIO))
    b = doc("bio-b", join(WIRE[0], WIRE[3], WIRE[4], BIO))
    assert find_reuse([a, b]) == []
    # the same two pages sharing a story as well are linked, by the story
    c = doc("bio-c", join(OTHER[0], OTHER[1], OTHER[2], WIRE[1], BIO))
    d = doc("bio-d", join(WIRE[0], WIRE[1], WIRE[4], BIO))
    links = find_reuse([c, d])
    assert len(links) == 1


def test_a_poll_glued_to_a_line_of_text_links_nothing() -> None:
    """A poll whose first words follow a line of article text on the same line is still a widget."""
    poll = "\n".join(["Should the harbour build a second ferry berth this year?", "* Yes, build it now.",
                      "No, one is enough.", "Email *", "By voting you accept our Privacy Policy and Terms of Use."])
    texts = [join(OTHER[0], OTHER[1]), join(WIRE[0], WIRE[2]), join(OTHER[3], OTHER[4])]
    glued = " take our poll - story continues below " + poll.split("\n")[0] + "\n"
    docs = [doc(f"glued-{k}", t + (glued if k < 2 else "\n") + poll + "\n" + ENDINGS[k]) for k, t in enumerate(texts)]
    assert find_reuse(docs) == []
