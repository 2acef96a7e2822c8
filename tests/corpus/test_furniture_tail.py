"""The furniture under an article stops at the article's last full stop, whatever letter opens it."""

from __future__ import annotations

from tracewire.corpus.furniture import learn
from tracewire.corpus.reuse import find_reuse

from .fixtures import doc, join

# an outlet's block under every article, opening with a lower-case word (our own words)
TAIL = ("more from the coast desk: ferry timetables, harbour webcams and tide tables for the week. "
        "share this page | print | report an error. Copyright 2026 Coast Desk. All rights reserved.")

BODIES = [
    "The mayor of Port Aldine said the council would review the ticket prices after the first winter.",
    "Several parents asked the library to open on Sunday mornings for a trial month.",
    "A retired captain who sailed the old route for thirty years welcomed the new boats.",
    "The museum plans to lend the library a printing press for the autumn workshop.",
    "Tickets can be bought at the harbour office, and children under twelve travel free.",
]

ENDS = [
    "Storms flattened the grain sheds of three farms west of the capital on Friday.",
    "A landslide blocked the mountain road to Ostrev for most of Tuesday afternoon.",
    "Two fishing boats collided in fog off the northern cape early on Monday morning.",
    "The power station at Kerrin shut down after a fault in its cooling pumps.",
    "A bus carrying pilgrims overturned on the coast road near Dunmere before dawn.",
]

# one statement that an article of another outlet prints as well, as the last sentence of one of these
STATEMENT = ("The harbour board said in a statement that the northern pier would stay closed until "
             "engineers had checked every pile driven into the silt since the war.")

REPORT = ("Divers who inspected the pier last week found that several of its oldest timbers had rotted "
          "through at the waterline, and that the iron bands holding them had rusted away. The board "
          "closed the pier to lorries at once and asked the fishing fleet to unload at the southern "
          "quay, where the water is shallower and the cranes are slower.")


def test_an_articles_last_sentence_is_not_the_footer_under_it() -> None:
    """A lower-case footer is masked from its first word on; the sentence before it stays text."""
    docs = [doc(f"c{k}", join(BODIES[k], ENDS[k], TAIL), outlet="coastdesk") for k in range(5)]
    spans = learn(docs)
    for d, end in zip(docs, ENDS, strict=True):
        (start, stop), = spans[d.id]
        assert d.text[start:stop] == TAIL
        assert end in d.text[:start]


def test_a_statement_that_ends_an_article_links_it() -> None:
    """The shared last sentence above a lower-case footer is seen, so the two articles link."""
    docs = [doc(f"c{k}", join(BODIES[k], ENDS[k], TAIL), outlet="coastdesk") for k in range(4)]
    docs.append(doc("c4", join(BODIES[4], REPORT, STATEMENT, TAIL), outlet="coastdesk"))
    docs.append(doc("x1", join("Engineers began their survey of the old port on Monday.", STATEMENT,
                               "The ferry will dock at the southern quay meanwhile."), outlet="islandpost"))
    links = find_reuse(docs)
    assert [(lk.source, lk.target) for lk in links] in ([("c4", "x1")], [("x1", "c4")])
