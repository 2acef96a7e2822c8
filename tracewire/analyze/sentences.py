"""Sentence spans that survive news and PDF text: headlines, datelines, quotes, abbreviations.

spaCy's parser proposes sentence starts; this module decides which of them to keep. Lines give
hard boundaries (a headline without final punctuation is its own sentence; a bullet starts a new
one) unless the text is hard-wrapped, as PDF extractions are, where a line that runs to the wrap
width continues on the next line. Inside a block, a proposed boundary is dropped after a title
abbreviation ("Gen.", "Lt. Col."), before a lower-case word (", he said"), after a dateline
("DAMASCUS –"), where the previous piece has no final punctuation and inside a quotation that
opened mid-sentence ('called it "a disaster. A total one" and left'); a closing quote or bracket
that spaCy put at the start of the next sentence is moved back. Quotation marks are paired per
paragraph by ``quote_spans``, which never gives up on unbalanced or mixed marks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..pipeline import Analysis, Component, Resources
from ..records import Document, Span

# Final punctuation, then closing quotes or brackets.
_FINAL = re.compile(r"[.!?…](?:[\"'”’»)\]]*)\s*$")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«([-–—•*"
# Abbreviations after which a sentence never ends (titles come before a name).
_TITLES = {
    "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm", "brig", "cmdr", "cdr", "gov", "sen",
    "rep", "mr", "mrs", "ms", "dr", "prof", "rev", "st", "pres", "amb", "gens", "cpl", "pvt",
    "insp", "supt", "hon", "fr", "messrs", "no", "nos", "vs", "approx", "dept", "est", "fig", "ft",
    "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "inc", "corp", "co",
}
# Abbreviations that may also end a sentence: kept as a boundary only before an upper-case word.
_AMBIGUOUS = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\betc\.|\ba\.m\.|\bp\.m\.|\bet al\.)$")
_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]\.$")
_DATELINE = re.compile(
    r"^[\s\"“]*[A-Z][A-Z'’.\- ]{1,40}(?:,[^.!?\n]{0,40})?(?:\([^)\n]{1,30}\))?\s*[-–—]+\s*$"
)
_BULLET = re.compile(r"^\s*(?:[•●▪◦*·\-–—]|\d{1,2}[.)])\s+")
_CONTINUES = re.compile(r"(?:[,;:\-–—(/&]|\b(?:the|a|an|of|and|or|to|in|on|at|by|for|with|from|that|as|its|their|his|her))\s*$", re.I)
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_OPEN = "“«„"
_CLOSE = "”»"
_QUOTE_MARK = re.compile("[" + _OPEN + _CLOSE + '"]')


def quote_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Quoted stretches of one paragraph, tolerant of unbalanced and mixed quotation marks."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    open_at: int | None = None
    for m in _QUOTE_MARK.finditer(text, start, end):  # every other character leaves the state as it is
        i = m.start()
        ch = text[i]
        if ch in _OPEN:
            if open_at is None:
                open_at = i
        elif ch in _CLOSE:
            out.append((start if open_at is None else open_at, i + 1))
            open_at = None
        elif ch == '"':
            prev = text[i - 1] if i > start else " "
            if open_at is None and (prev.isspace() or prev in "([—–-:"):
                open_at = i
            elif open_at is not None:
                out.append((open_at, i + 1))
                open_at = None
    if open_at is not None:  # unclosed: news convention, the quote runs on to the paragraph end
        out.append((open_at, end))
    return out


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line, without surrounding whitespace."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _wrap_width(text: str, lines: Sequence[tuple[int, int]]) -> int | None:
    """The wrap width of hard-wrapped text (PDF extraction), or None when lines are paragraphs."""
    if len(lines) < 6:
        return None
    unfinished = [e - s for s, e in lines if not _FINAL.search(text[s:e]) and e - s > 40]
    if len(unfinished) < max(4, len(lines) // 3):
        return None
    unfinished.sort()
    return unfinished[len(unfinished) // 2]


def _is_headline(line: str, wrap: int | None) -> bool:
    """Whether a line without final punctuation stands alone (headline, byline, caption, date)."""
    if _CONTINUES.search(line):
        return False
    if wrap is None:
        return True
    words = _WORD.findall(line)
    capitalised = sum(1 for w in words if w[0].isupper()) / max(1, len(words))
    return len(line) < 0.7 * wrap or capitalised > 0.6


def blocks(text: str) -> list[tuple[int, int]]:
    """Stretches of text with no hard boundary inside (lines joined where a sentence goes on)."""
    lines = _lines(text)
    if not lines:
        return []
    wrap = _wrap_width(text, lines)
    out: list[tuple[int, int]] = []
    cur_s, cur_e = lines[0]
    for s, e in lines[1:]:
        prev = text[cur_s:cur_e]
        last_line = text[text.rfind("\n", cur_s, cur_e) + 1 : cur_e]
        nxt = text[s:e]
        hard = bool(_BULLET.match(nxt)) or bool(_FINAL.search(prev)) or _is_headline(last_line, wrap)
        if _DATELINE.match(last_line) or _CONTINUES.search(last_line) or nxt[:1].islower():
            hard = False
        if hard:
            out.append((cur_s, cur_e))
            cur_s = s
        cur_e = e
    out.append((cur_s, cur_e))
    return out


def _keep_boundary(text: str, start: int, p: int, end: int, proposed: set[int]) -> bool:
    """Whether a proposed sentence start at ``p`` (inside block start..end) is a real boundary."""
    before = text[start:p].rstrip()
    after = text[p:end].lstrip()
    if not before or not after:
        return False
    if _DATELINE.match(text[text.rfind("\n", start, p) + 1 : p]):
        return False
    if not _FINAL.search(before):
        return False
    first = after.lstrip(_OPENERS + " ")[:1]
    if first.islower() or after[0] in ",;:":
        return False
    last_word = re.search(r"([A-Za-z]+)\.[\"'”’)]*$", before)
    if last_word and last_word.group(1).lower() in _TITLES and before.endswith("."):
        return False
    if _INITIAL.search(before):
        return False
    if _AMBIGUOUS.search(before) and (not first.isupper() or p not in proposed):
        # "the U.S. Army": an abbreviation ends a sentence only where the parser agrees.
        return False
    return True


def _candidates(text: str, start: int, end: int, spacy_starts: Iterable[int]) -> list[int]:
    """Proposed sentence starts in a block: spaCy's plus final punctuation before a capital."""
    cands = {p for p in spacy_starts if start < p < end}
    for m in re.finditer(r"[.!?…][\"'”’)\]]*\s+(?=[\"“‘(]?[A-Z0-9])", text[start:end]):
        cands.add(start + m.end())
    out: list[int] = []
    for p in sorted(cands):
        # A closing quote or bracket spaCy put first belongs to the previous sentence.
        while p < end and (text[p] in _CLOSERS and text[p] not in "\"'" or text[p].isspace()):
            p += 1
        if start < p < end and (not out or out[-1] != p):
            out.append(p)
    return out


def split(text: str, spacy_starts: Iterable[int] = ()) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets of ``text``; ``spacy_starts`` are parser-proposed starts."""
    starts = sorted(set(spacy_starts))
    proposed = set(starts)
    out: list[tuple[int, int]] = []
    for bs, be in blocks(text):
        cur = bs
        quotes = [(a, b) for a, b in quote_spans(text, bs, be) if b < be or text[b - 1] in _CLOSE + '"']
        for p in _candidates(text, bs, be, starts):
            # "called it "a disaster. A total disaster" and left": a quote opened mid-sentence
            embedded = any(a < p < b and text[cur:a].strip() and not text[cur:a].rstrip().endswith(":") for a, b in quotes)
            if not embedded and _keep_boundary(text, cur, p, be, proposed):
                out.append((cur, p))
                cur = p
        out.append((cur, be))
    trimmed: list[tuple[int, int]] = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def sentences(doc: Document, ana: Analysis, res: Resources) -> None:
    """Fill ``ana.sentences`` from the parse and the text's line structure."""
    starts = [s.start_char for s in ana.parsed.sents] if ana.parsed is not None else []
    ana.sentences = [Span(doc.id, s, e, doc.text[s:e]) for s, e in split(doc.text, starts)]


component = Component("tracewire.sentences.v1", sentences, requires=("parsed",), provides=("sentences",))
