"""Tiny hand-written texts for reuse tests (fictional outlets and events, our own words)."""

from __future__ import annotations

import hashlib

from tracewire.records import Document

# Paragraphs of a fictional wire report and of unrelated fictional articles.
WIRE = [
    "Flooding along the Karsu river forced about four thousand people from their homes on Tuesday, "
    "the regional emergency office in Velmora said, after three days of heavy rain overwhelmed the "
    "old earthen dams north of the town.",
    "Rescue teams in rubber boats moved elderly residents from the lower districts overnight, and the "
    "municipal sports hall was turned into a shelter with beds for eight hundred people, according to "
    "the deputy mayor, Ilse Norrand.",
    "Engineers warned that a second dam near the village of Ostrev could fail within two days if the "
    "water kept rising, and the railway line to the coast was closed while crews inspected a damaged "
    "bridge south of the river bend.",
    "Farmers in the valley said the harvest of winter wheat was lost in many fields, and the regional "
    "council promised emergency payments to families whose houses were flooded before the end of the month.",
    "The weather service expects the rain to ease by Friday, but it kept its highest warning in place "
    "for the upper valley, where the snow on the mountains has begun to melt early this year.",
]

OTHER = [
    "A new ferry service between Port Aldine and the island of Merrow began on Monday, cutting the "
    "crossing to forty minutes and giving islanders a morning connection to the mainland hospital for "
    "the first time in a decade.",
    "The ferry company bought two small vessels from a shipyard in the south and plans to add an "
    "evening sailing in summer, when tourists fill the guest houses along the harbour front.",
    "Local fishermen welcomed the timetable but asked the harbour authority to keep a berth free for "
    "their boats during the busy morning hours, when the catch is landed and sold at the quay.",
    "The town library of Fennick reopened after a long renovation with a reading room for children, a "
    "workshop for repairing old books and a small exhibition about the printers who once worked nearby.",
    "Volunteers catalogued more than twelve thousand volumes during the closure and found a box of "
    "letters from the founder of the library, which will be shown to the public next spring.",
]

EDITORIAL = (
    "We have said it before and we will say it again: the so-called authorities knew about the dams "
    "for years and did nothing! Shameful. Our readers deserve better than this disgrace."
)

FOOTER = (
    "Share this story with your friends. Comments are moderated and may take a day to appear. "
    "Subscribe to the Valley Courier newsletter for the morning headlines, delivered free to your inbox "
    "every weekday at seven."
)


def doc(doc_id: str, text: str, date: str | None = None, outlet: str | None = None,
        title: str | None = None) -> Document:
    """A Document built in code."""
    return Document(
        id=doc_id, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_path=f"{doc_id}.txt", date=date, outlet=outlet, title=title,
    )


def join(*paragraphs: str) -> str:
    """Paragraphs separated by blank lines."""
    return "\n\n".join(paragraphs)
