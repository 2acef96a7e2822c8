"""Fuzz targets (hypothesis) on normalise, metadata, decoding, names and every reader.

A short run is part of `make test`. The long run is time-boxed:

    TRACEWIRE_FUZZ_SECONDS=600 PYTHONPATH=. .venv/bin/python -m pytest -q tests/ingest/test_fuzz.py -k for_a_while

Invariants: a reader returns documents or raises ``Rejected`` with a TW1xx code (never another
exception); documents hold storable UTF-8 text with offsets inside it; normalisation maps every
character back into the raw text; names escape and unescape to the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracewire.errors import Rejected
from tracewire.ingest.boilerplate import load_rules
from tracewire.ingest.context import FieldMap, FileInput, ReadResult
from tracewire.ingest.detect import decode
from tracewire.ingest.html import read_html
from tracewire.ingest.metadata import from_text, parse_date
from tracewire.ingest.names import clean_str, escape_name, unescape_name
from tracewire.ingest.normalize import normalize
from tracewire.ingest.pdf import read_pdf
from tracewire.ingest.tabular import read_tabular
from tracewire.ingest.text import read_text

RULES = load_rules(("syria",))
FAST = settings(max_examples=int(os.environ.get("TRACEWIRE_FUZZ_EXAMPLES", "15")), deadline=None,
                suppress_health_check=list(HealthCheck), database=None)
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SENTENCE = "Local sources said the convoy reached Palmyra on Sunday, officials confirmed. "

# text with the characters that break things: controls, invisibles, bidi, private use, NFC pairs
nasty = st.text(alphabet=st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(list("\x00\x0b\x0c\r\n\t\u00ad\u200b\u202e\ufeff\uf0b7\u2028e\u0301-  \f")),
), max_size=400)
nasty_bytes = st.one_of(
    st.binary(max_size=600),
    nasty.map(lambda t: (SENTENCE + t).encode("utf-8")),
    nasty.map(lambda t: (SENTENCE + t).encode("utf-16")),
    st.tuples(nasty, st.sampled_from(["latin_1", "cp1256", "koi8_r", "cp1251", "utf-32"])).map(
        lambda p: (SENTENCE + p[0]).encode(p[1], errors="ignore")),
)


def _input(data: bytes, name: str) -> FileInput:
    """A FileInput for bytes under a made-up path."""
    return FileInput(path=Path("/fuzz") / name, data=data, sha256="0" * 64, rules=RULES, fields=FieldMap())


def _check(read: Callable[[FileInput], ReadResult], inp: FileInput) -> None:
    """The reader's contract: documents with storable text and offsets inside it, or a TW1xx rejection."""
    try:
        result = read(inp)
    except Rejected as e:
        assert e.code.value.startswith("TW1")
        return
    assert len(result.documents) == len(result.rows) == len(result.sources)
    for doc in result.documents:
        doc.text.encode("utf-8")
        (doc.raw_text or "").encode("utf-8")
        json.dumps(doc.meta, ensure_ascii=False).encode("utf-8")
        for norm, raw in doc.offset_map:
            assert 0 <= norm <= len(doc.text) and 0 <= raw <= len(doc.raw_text or "") + 1
    for rej in result.rejections:
        assert rej.code.startswith("TW1")
        rej.path.encode("utf-8")


@FAST
@given(nasty, st.booleans(), st.integers(1, 4))
def test_normalize_maps_every_character_back(raw: str, pdf: bool, pages: int) -> None:
    """Each normalised character points at a raw character; no CR, BOM or soft hyphen survives."""
    mt = normalize(raw, pdf=pdf, pages=pages, rules=RULES)
    assert len(mt.src) == len(mt.text)
    assert all(0 <= i < max(1, len(raw)) + 1 for i in mt.src)
    assert "\r" not in mt.text and "\ufeff" not in mt.text and "\u00ad" not in mt.text
    assert mt.text == mt.text.strip()


@FAST
@given(nasty)
def test_metadata_never_fails_and_dates_are_iso(text: str) -> None:
    """from_text and parse_date accept any text; a date, when found, is ISO 8601."""
    found = from_text(SENTENCE + text)
    assert found.date is None or ISO.match(found.date)
    date = parse_date(text)
    assert date is None or ISO.match(date)


@FAST
@given(nasty_bytes)
def test_decode_gives_clean_text_or_a_code(data: bytes) -> None:
    """Decoded text has no NUL and no lone surrogate; otherwise the bytes are TW102/TW103."""
    try:
        d = decode(data)
    except Rejected as e:
        assert e.code.value in ("TW102", "TW103")
        return
    assert "\x00" not in d.text
    d.text.encode("utf-8")


@FAST
@given(st.binary(min_size=1, max_size=80), st.text(max_size=40))
def test_names_round_trip(raw: bytes, text: str) -> None:
    """Any file name escapes to storable text and back to its exact bytes."""
    for name in (os.fsdecode(raw), text):
        escaped = escape_name(name)
        escaped.encode("utf-8")
        assert unescape_name(escaped) == os.fsencode(name)
    fixed, _ = clean_str(text + "\ud800")
    fixed.encode("utf-8")


@FAST
@given(nasty_bytes)
def test_text_reader(data: bytes) -> None:
    """read_text on any bytes."""
    _check(read_text, _input(data, "a.txt"))


@FAST
@given(nasty, st.sampled_from(["p", "article", "div", "script", "title"]))
def test_html_reader(text: str, tag: str) -> None:
    """read_html on markup around any text, and on broken markup."""
    page = f"<html><head><title>{text[:40]}</title></head><body><{tag}>{SENTENCE}{text}</{tag}><p>{text}"
    _check(read_html, _input(page.encode("utf-8", errors="surrogatepass"), "a.html"))


@FAST
@given(st.binary(max_size=400), st.integers(0, 400))
def test_pdf_reader(noise: bytes, cut: int) -> None:
    """read_pdf on a real PDF cut and spliced with noise."""
    from tests.reliability.generator import page_bomb

    good = page_bomb(3)
    _check(read_pdf, _input(good[:cut] + noise + good[cut:], "a.pdf"))


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), nasty),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty, inner, max_size=4), max_leaves=12)
rows = st.lists(st.one_of(
    st.dictionaries(st.sampled_from(["id", "text", "title", "date", "outlet", "x"]), json_value, max_size=5),
    st.fixed_dictionaries({"id": nasty, "text": nasty.map(lambda t: SENTENCE + t)}),
), max_size=6)
raw_escapes = st.lists(st.sampled_from(['\\ud800', '\\udfff', '\\ud83d\\ude00', '"', "\\\\", "\\n", "a", "["]),
                       max_size=20).map("".join)


@FAST
@given(rows, raw_escapes)
def test_jsonl_reader(objs: list[dict[str, Any]], escapes: str) -> None:
    """read_tabular on JSON Lines of any values, plus a row with raw escapes and surrogates."""
    lines = [json.dumps(o) for o in objs] + ['{"id": "e", "text": "' + SENTENCE + escapes + '"}']
    _check(lambda i: read_tabular(i, "jsonl"), _input("\n".join(lines).encode("utf-8"), "a.jsonl"))


@FAST
@given(st.lists(st.lists(nasty, min_size=1, max_size=4), max_size=6), st.sampled_from([",", "\t"]))
def test_csv_reader(table: list[list[str]], delimiter: str) -> None:
    """read_tabular on CSV/TSV with stray quotes, newlines and ragged rows."""
    head = delimiter.join(["id", "text", "title"])
    body = "\n".join(delimiter.join(cells) for cells in table)
    _check(lambda i: read_tabular(i, "csv"), _input(f"{head}\n{body}\n".encode(), "a.tsv" if delimiter == "\t"
                                                     else "a.csv"))


TARGETS = [test_normalize_maps_every_character_back, test_metadata_never_fails_and_dates_are_iso,
           test_decode_gives_clean_text_or_a_code, test_names_round_trip, test_text_reader, test_html_reader,
           test_pdf_reader, test_jsonl_reader, test_csv_reader]


@pytest.mark.skipif(not os.environ.get("TRACEWIRE_FUZZ_SECONDS"), reason="long fuzz run: set TRACEWIRE_FUZZ_SECONDS")
def test_fuzz_for_a_while() -> None:
    """Run every target round-robin until TRACEWIRE_FUZZ_SECONDS have passed; print the count."""
    end = time.monotonic() + float(os.environ["TRACEWIRE_FUZZ_SECONDS"])
    calls = dict.fromkeys((t.__name__ for t in TARGETS), 0)
    while time.monotonic() < end:
        for target in TARGETS:
            target()
            calls[target.__name__] += 1
    print("fuzz batches per target (each", FAST.max_examples, "examples):", calls)
