"""Text normalisation with an offset map back to the raw text.

Every step rewrites a ``MappedText``: the text plus, for each character, its offset in the raw
text. Steps: line endings, Unicode NFC, invisible and private-use glyphs, PDF re-flow (page
numbers, running headers, hard-wrapped lines, line-end hyphens), trailing site boilerplate,
whitespace. The anchors kept with a document let a span in the clean text be shown in the raw.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .boilerplate import BoilerplateRules


def _offsets(values: Sequence[int] = ()) -> array[int]:
    """A compact array of character offsets (4 bytes each, not a list of int objects)."""
    return array("i", values)


@dataclass(slots=True)
class MappedText:
    """Text plus the raw offset of every character (``src[i]`` for ``text[i]``)."""

    text: str
    # an array, not a list: a list costs ~36 bytes per character, this 4 (bounded memory on big inputs)
    src: array[int]

    @classmethod
    def identity(cls, raw: str) -> MappedText:
        """Wrap raw text: each character maps to itself."""
        return cls(raw, array("i", range(len(raw))))

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> MappedText:
        """Regex substitution; inserted characters map to the start of their match."""
        if pattern.search(self.text) is None:
            return self  # nothing to replace: no copy of a large text and its map
        out: list[str] = []
        src = _offsets()
        pos = 0
        for m in pattern.finditer(self.text):
            s, e = m.span()
            out.append(self.text[pos:s])
            src.extend(self.src[pos:s])
            new = repl(m) if callable(repl) else m.expand(repl)
            if new:
                # a replacement that keeps the match's leading characters keeps their offsets
                k = 0
                while k < len(new) and k < e - s and new[k] == self.text[s + k]:
                    k += 1
                out.append(new)
                src.extend(self.src[s : s + k])
                anchor = self.src[s + k] if s + k < e else (self.src[e - 1] if e > s else self._at(s))
                src.extend(_offsets([anchor]) * (len(new) - k))
            pos = e
        out.append(self.text[pos:])
        src.extend(self.src[pos:])
        return MappedText("".join(out), src)

    def _at(self, i: int) -> int:
        """Raw offset at position ``i`` (end of text maps past the last character)."""
        if i < len(self.src):
            return self.src[i]
        return self.src[-1] + 1 if self.src else 0

    def join(self, pieces: Sequence[tuple[int, int] | str]) -> MappedText:
        """Build new text from (start, end) slices of this text and literal strings."""
        out: list[str] = []
        src = _offsets()
        last = 0
        for p in pieces:
            if isinstance(p, str):
                out.append(p)
                src.extend(_offsets([self._at(last)]) * len(p))
            else:
                s, e = p
                out.append(self.text[s:e])
                src.extend(self.src[s:e])
                last = e
        return MappedText("".join(out), src)

    def anchors(self) -> tuple[tuple[int, int], ...]:
        """Compress the per-character map into (norm_start, raw_start) runs."""
        pairs: list[tuple[int, int]] = []
        prev = None
        for i, r in enumerate(self.src):
            if prev is None or r != prev + 1:
                pairs.append((i, r))
            prev = r
        return tuple(pairs)


_NEWLINES = re.compile(r"\r\n?|\u2028|\u2029|\x0b")
# C1 control characters in decoded text are Windows-1252 punctuation read as Latin-1 upstream (a feed or
# an XML file that says ISO-8859-1 and holds cp1252): U+0085 is "…", U+0092 "’", U+0096 "–". Each becomes
# its cp1252 character, one for one, so no offset moves; the five that cp1252 leaves undefined
# (U+0081, U+008D, U+008F, U+0090, U+009D) are left as they are, as ftfy's sloppy-windows-1252 does.
_C1 = re.compile(r"[\x80\x82-\x8c\x8e\x91-\x9c\x9e\x9f]")


def _cp1252(m: re.Match[str]) -> str:
    return bytes([ord(m.group())]).decode("cp1252")


_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]|[\ue000-\uf8ff]")
_NBSP = re.compile(r"[\u00a0\u2007\u202f\t]")
_SPACES = re.compile(r"[ ]{2,}")
_TRAIL_SPACE = re.compile(r"[ ]+\n|\n[ ]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_PAGE_NUMBER = re.compile(r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*[-–]\s*\d{1,4}\s*[-–]\s*$", re.I)
_SENT_END = re.compile(r"[.!?:;\"”’)\]]\s*$")
_DATE_ONLY = re.compile(r"^\W*(?:\w+,? )?\d{1,2}\w* \w+,? \d{4}\W*$|^\W*\w+ \d{1,2},? \d{4}\W*$")
_BULLET_LINE = re.compile(r"^\s*(?:[\ue000-\uf8ff•●▪■◦‣∙·*]|-\s|\d{1,2}[.)]\s)")
# Arabic article particles and prefixes after which a line-end hyphen belongs to the word
_KEEP_HYPHEN_PREFIX = {
    "al", "el", "ez", "es", "ed", "ad", "ar", "as", "ash", "at", "az", "an", "un", "bin", "ibn", "abu",
    "anti", "pro", "non", "self", "ex", "cross", "well", "so", "half", "full", "vice", "all",
}


def nfc(mt: MappedText) -> MappedText:
    """Unicode NFC, composing per cluster so offsets stay exact."""
    if unicodedata.is_normalized("NFC", mt.text):
        return mt
    out: list[str] = []
    src = _offsets()
    text = mt.text
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        out.append(cluster)
        src.extend(_offsets([mt.src[i]]) * len(cluster))
        i = j
    return MappedText("".join(out), src)


def looks_hard_wrapped(text: str) -> bool:
    """True when most lines are cut at a similar width mid-sentence (text extracted from a PDF)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 8:
        return False
    lengths = sorted(len(ln) for ln in lines)
    p80 = lengths[int(len(lengths) * 0.8)]
    if not 35 <= p80 <= 140:
        return False
    band = sum(1 for n in lengths if 0.6 * p80 <= n <= 1.15 * p80) / len(lengths)
    open_end = sum(1 for ln in lines if not _SENT_END.search(ln)) / len(lines)
    return band >= 0.55 and open_end >= 0.3


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its newline."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def drop_page_furniture(mt: MappedText, pages: int) -> MappedText:
    """Remove page numbers, and running headers/footers repeated at the edges of pages."""
    text = mt.text
    spans = _line_spans(text.replace("\f", "\n"))
    lines = [text[s:e].strip() for s, e in spans]
    drop = {i for i, ln in enumerate(lines) if ln and _PAGE_NUMBER.match(ln)}
    if pages >= 2:
        # the first and last two lines of every page are candidates for running headers
        edges: set[int] = set()
        page_lines: list[int] = []
        for i, (s, _e) in enumerate(spans):
            if s > 0 and text[s - 1] == "\f" and page_lines:
                edges.update(page_lines[:2] + page_lines[-2:])
                page_lines = []
            if lines[i]:
                page_lines.append(i)
        edges.update(page_lines[:2] + page_lines[-2:])
        key = {
            i: re.sub(r"\d+", "#", lines[i].lower())
            for i in edges
            if 3 <= len(lines[i]) <= 120 and not re.search(r"[.!?]$", lines[i])
        }
        counts = Counter(key.values())
        repeated = {k for k, c in counts.items() if c >= max(2, pages // 2)}
        drop |= {i for i, k in key.items() if k in repeated}
    if not drop:
        return mt
    pieces: list[tuple[int, int] | str] = []
    for i, (s, e) in enumerate(spans):
        if i not in drop:
            pieces.append((s, e))
        pieces.append("\f" if e < len(text) and text[e] == "\f" else "\n")
    return mt.join(pieces)


def reflow(mt: MappedText) -> MappedText:
    """Join hard-wrapped lines into paragraphs; remove line-end hyphens that split a word."""
    text = mt.text
    page_breaks = [i for i, ch in enumerate(text) if ch == "\f"]
    text = text.replace("\f", "\n")
    mt = MappedText(text, mt.src)
    spans = [(s, e) for s, e in _line_spans(text)]
    lines = [(s, e) for s, e in spans if text[s:e].strip()]
    if not lines:
        return mt
    gaps = _blank_gaps(text, spans)
    typical = statistics.median(sorted(e - s for s, e in lines)[len(lines) // 2 :])
    single_gap = Counter(gaps.values()).most_common(1)[0][0] if gaps else 0
    pieces: list[tuple[int, int] | str] = []
    for idx, (s, e) in enumerate(lines):
        line = text[s:e]
        ls = s + (len(line) - len(line.lstrip()))
        le = s + len(line.rstrip())
        if idx == 0:
            pieces.append((ls, le))
            continue
        ps, pe = lines[idx - 1]
        prev = text[ps:pe].rstrip()
        cur = text[ls:le]
        gap = gaps.get(idx, 0)
        if any(pe <= b < ls for b in page_breaks):
            gap = single_gap  # a page break says nothing about paragraphs
        bullet = bool(_BULLET_LINE.match(cur))
        # a short line ends a paragraph, a heading or a date line; a full one runs on
        short_end = (
            len(prev) < 0.7 * typical
            or (bool(_SENT_END.search(prev)) and len(prev) < 0.8 * typical)
            or (len(prev) < 0.8 * typical and cur[:1].isupper())
            or prev.endswith(";")
            or bool(_DATE_ONLY.match(cur))
        )
        hyphen = prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha() and cur[:1].isalpha()
        if hyphen and not bullet and gap <= single_gap + 1:
            if not _keep_hyphen(prev, cur, text):
                # drop the hyphen: the previous slice must end before it
                last = pieces.pop()
                if not isinstance(last, str):
                    pieces.append((last[0], last[1] - 1))
            pieces.append((ls, le))
            continue
        if bullet or short_end or gap > single_gap or _is_heading(prev):
            pieces.append("\n\n" if not bullet else "\n")
            pieces.append((ls, le))
            continue
        pieces.append(" ")
        pieces.append((ls, le))
    return mt.join(pieces)


def _keep_hyphen(prev: str, cur: str, text: str) -> bool:
    """Whether a line-end hyphen belongs to the word ("Deir ez-Zor", "self-rule") or splits it."""
    if cur[:1].isupper():
        return True
    head = re.search(r"(\w+)-$", prev)
    tail = re.match(r"\w+", cur)
    if head is None or tail is None:
        return True
    joined = head.group(1) + tail.group(0)
    # the document itself is the best evidence of how it spells the word
    if re.search(rf"\b{re.escape(joined)}\b", text, re.I):
        return False
    if re.search(rf"\b{re.escape(head.group(1))}-{re.escape(tail.group(0))}\b", text, re.I):
        return True
    return head.group(1).lower() in _KEEP_HYPHEN_PREFIX


def _blank_gaps(text: str, spans: list[tuple[int, int]]) -> dict[int, int]:
    """For the k-th non-blank line, how many blank lines precede it."""
    gaps: dict[int, int] = {}
    k = -1
    blank = 0
    for s, e in spans:
        if text[s:e].strip():
            k += 1
            if k > 0:
                gaps[k] = blank
            blank = 0
        else:
            blank += 1
    return gaps


def _is_heading(line: str) -> bool:
    """A short line in title case or capitals with no final punctuation (a heading)."""
    words = line.split()
    return 0 < len(words) <= 10 and not _SENT_END.search(line) and (
        line.isupper() or sum(w[:1].isupper() for w in words) >= 0.7 * len(words)
    ) and len(line) < 80


def strip_bullets(mt: MappedText) -> MappedText:
    """Remove bullet glyphs at line starts (private-use code points such as U+F0B7, and •▪■)."""
    return mt.sub(re.compile(r"(?m)^[ \t]*[\ue000-\uf8ff•●▪■◦‣∙][ \t]*"), "")


def collapse_whitespace(mt: MappedText) -> MappedText:
    """Single spaces, no spaces around newlines, at most one blank line, trimmed ends."""
    mt = mt.sub(_NBSP, " ")
    mt = mt.sub(_SPACES, " ")
    mt = mt.sub(_TRAIL_SPACE, "\n")
    mt = mt.sub(_MANY_NEWLINES, "\n\n")
    text = mt.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return MappedText(text[start:end], mt.src[start:end])


def normalize(
    raw: str, *, pdf: bool = False, pages: int = 1, rules: BoilerplateRules | None = None
) -> MappedText:
    """Full normalisation of raw extracted text; ``pdf`` forces re-flow of hard-wrapped lines."""
    mt = MappedText.identity(raw)
    mt = mt.sub(_C1, _cp1252)
    mt = mt.sub(_NEWLINES, "\n")
    mt = nfc(mt)
    if pdf or looks_hard_wrapped(_INVISIBLE.sub("", mt.text)):
        mt = drop_page_furniture(mt, pages)
        mt = reflow(mt)
    mt = strip_bullets(mt)
    mt = mt.sub(_INVISIBLE, "")
    if rules is not None:
        mt = rules.apply(mt)
    return collapse_whitespace(mt)
