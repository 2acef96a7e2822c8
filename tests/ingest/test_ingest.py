"""Ingest end to end: formats, rejections with codes, versions, idempotence, raw bytes."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from tests.ingest.pdfs import image_only_pdf, text_pdf
from tracewire.cli import main
from tracewire.ingest import ingest
from tracewire.store import SQLiteStore, open_store

ARTICLE = (
    "DAMASCUS – Local sources told the Levant Wire that three rockets struck the Conoco gas field "
    "on Saturday morning, causing a series of explosions inside the base. "
) * 3


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    """Write a file under ``folder``."""
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def _codes(store: SQLiteStore) -> dict[str, str]:
    """Rejection code by file name."""
    return {Path(r.path).name: r.code for r in store.rejections()}


def test_every_rejection_code_with_real_bad_files(tmp_path: Path, db_path: Path) -> None:
    """Each bad input ends as a rejection with its code; good ones are stored."""
    d = tmp_path / "in"
    good_pdf = text_pdf([["The convoy reached Palmyra on Sunday, a spokesman for the army said."] * 3])
    _write(d, "good.txt", ARTICLE)
    _write(d, "empty.txt", b"")
    _write(d, "random.txt", random.Random(7).randbytes(4096))
    _write(d, "utf16.txt", ARTICLE.encode("utf-16-le"))
    _write(d, "truncated.pdf", good_pdf[: len(good_pdf) // 3])
    _write(d, "scan.pdf", image_only_pdf())
    _write(d, "big.txt", ARTICLE * 200)
    _write(d, "nav-only.html", "<html><body><nav>Home | News</nav><script>x()</script></body></html>")
    _write(d, "rows.jsonl", json.dumps({"id": "r1", "text": ARTICLE}) + "\n{not json\n"
           + json.dumps({"id": "r3", "title": "no text"}) + "\n")
    _write(d, "archive.zip", b"PK\x03\x04" + bytes(100))
    os.symlink(tmp_path / "missing-target", d / "dangling.txt")
    (tmp_path / "nothing").mkdir()
    os.symlink(tmp_path / "missing-target", tmp_path / "nothing" / "dangling2.txt")
    store = open_store(db_path)
    s = ingest([d, tmp_path / "nothing", tmp_path / "no-such-file.txt"], store, max_bytes=len(ARTICLE) * 50)
    codes = _codes(store)
    assert codes["empty.txt"] == "TW101"
    assert codes["random.txt"] == "TW102"
    assert codes["archive.zip"] == "TW102"
    assert codes["utf16.txt"] == "TW103"
    assert codes["truncated.pdf"] == "TW104"
    assert codes["scan.pdf"] == "TW105"
    assert codes["big.txt"] == "TW106"
    assert codes["no-such-file.txt"] == "TW107"
    assert codes["dangling.txt"] == "TW107"
    assert codes["nav-only.html"] == "TW108"
    assert codes["rows.jsonl:2"] == "TW109" and codes["rows.jsonl:3"] == "TW109"
    assert codes["nothing"] == "TW110"
    assert {doc.id for doc in store.documents()} == {"good", "r1"}
    assert s.counts.ingested == 2
    # every message is a readable sentence, not a bare code
    assert all(len(r.message) > 10 for r in store.rejections())
    # raw bytes of a rejected input are kept
    rej = next(r for r in store.rejections() if r.code == "TW104")
    assert store.raw_bytes(rej.sha256) == good_pdf[: len(good_pdf) // 3]


def test_folder_of_three_bad_and_one_good_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI stores the good file, records three rejections and exits 0."""
    d = tmp_path / "mixed"
    _write(d, "a_good.txt", ARTICLE)
    _write(d, "b_empty.txt", b"")
    _write(d, "c_binary.txt", bytes(range(256)) * 8)
    _write(d, "d_broken.pdf", b"%PDF-1.4\n1 0 obj <<>> garbage")
    db = tmp_path / "tw.db"
    assert main(["ingest", str(d), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "ingested 1 new documents" in out and "rejected 3 inputs" in out
    assert "TW101" in out and "TW102" in out and "TW104" in out
    store = SQLiteStore(db)
    assert [doc.id for doc in store.documents()] == ["a_good"]
    assert len(list(store.rejections())) == 3
    # nothing processable at all: exit 1
    assert main(["ingest", str(d / "b_empty.txt"), "--db", str(tmp_path / "other.db")]) == 1


def test_reingest_adds_nothing_and_changed_file_is_a_new_version(tmp_path: Path, db_path: Path) -> None:
    """Same bytes twice add nothing; a changed file with the same id is version 2, version 1 kept."""
    f = _write(tmp_path, "story.txt", ARTICLE)
    store = open_store(db_path)
    assert ingest([f], store).counts.ingested == 1
    again = ingest([f], store)
    assert again.counts.ingested == 0 and again.unchanged_inputs == 1
    f.write_text(ARTICLE + " An added sentence about Palmyra.", encoding="utf-8")
    s = ingest([f], store)
    assert s.counts.new_versions == 1
    doc = store.document("story")
    assert doc.version == 2 and doc.text.endswith("about Palmyra.")
    versions = store.query("SELECT version FROM documents WHERE id='story' ORDER BY version")
    assert [v["version"] for v in versions] == [1, 2]
    assert store.raw_bytes(doc.sha256) == f.read_bytes()


def test_html_main_text_and_metadata(tmp_path: Path, db_path: Path) -> None:
    """trafilatura keeps the article, drops scripts, navigation and comments; metadata is read."""
    body = "".join(f"<p>Paragraph {i}: {ARTICLE}</p>" for i in range(3))
    html = f"""<!doctype html><html><head><title>Rockets hit gas field | Levant Times</title>
<meta property="og:site_name" content="Levant Times"><meta name="author" content="Hana Khoury">
<meta property="article:published_time" content="2024-03-03T08:00:00Z">
<link rel="canonical" href="https://levant-times.example/rockets"></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav><script>alert("x")</script>
<article><h1>Rockets hit gas field</h1>{body}</article>
<div class="share">Share this: Facebook Twitter</div>
<section id="comments"><h3>Leave a Reply</h3><p>Your email address will not be published.</p></section>
<footer>Copyright Levant Times</footer></body></html>"""
    _write(tmp_path, "page.html", html)
    store = open_store(db_path)
    ingest([tmp_path / "page.html"], store)
    doc = store.document("page")
    assert doc.outlet == "Levant Times" and doc.author == "Hana Khoury" and doc.date == "2024-03-03"
    assert doc.title == "Rockets hit gas field"
    assert doc.url == "https://levant-times.example/rockets"
    assert "Paragraph 2: DAMASCUS" in doc.text
    for gone in ("alert(", "Leave a Reply", "Home", "Copyright", "Your email address"):
        assert gone not in doc.text


def test_pdf_reflowed(tmp_path: Path, db_path: Path) -> None:
    """A PDF's lines join into sentences; header and page numbers go; hyphens are mended."""
    page1 = [
        "The column of trucks left the base before dawn and drove east along the",
        "desert road towards the river, where engineers had spent the week building a",
        "pontoon bridge for the recon-",
        "naissance units expected from Deir ez-",
        "Zor before the end of the month, officers said on Sunday afternoon.",
    ]
    page2 = [
        "A second page continues the story with more detail about the convoy and the",
        "bridge, which was finished two days later according to the local council.",
    ]
    _write(tmp_path, "report.pdf", text_pdf([page1, page2]))
    store = open_store(db_path)
    ingest([tmp_path / "report.pdf"], store)
    doc = store.document("report")
    assert "reconnaissance units expected from Deir ez-Zor before the end" in doc.text
    assert "along the desert road" in doc.text
    assert "Levant Review" not in doc.text
    assert doc.meta["pages"] == 2


def test_csv_corpus_with_field_mapping_and_latin1(tmp_path: Path, db_path: Path) -> None:
    """CSV rows become documents; latin-1 decodes; dates read with the column's inferred order."""
    rows = "unit_id,article_title,article_content,source,date\n"
    rows += f'1,Caf\xe9 attack,"{ARTICLE} Caf\xe9 owners said.",sana,4/5/2017\n'
    rows += f'2,Second,"{ARTICLE}",manar,10/24/2014\n'
    _write(tmp_path, "corpus.csv", rows.replace("–", "-").encode("latin-1"))
    store = open_store(db_path)
    s = ingest([tmp_path / "corpus.csv"], store)
    assert s.counts.ingested == 2
    d1 = store.document("corpus:1")
    assert d1.title == "Café attack" and d1.outlet == "sana" and d1.date == "2017-04-05"
    assert "Café owners" in d1.text


def test_seeds(seeds: Path, db_path: Path) -> None:
    """The five seed articles: ids, re-flowed PDF text, boilerplate gone, date and outlet."""
    store = open_store(db_path)
    ingest([seeds], store)
    docs = {d.id: d for d in store.documents()}
    assert sorted(docs) == sorted(p.stem for p in seeds.glob("*.txt"))
    t4 = docs["004_5f7f21560a4aea28"].text
    assert "Deir ez-Zor and Palmyra" in t4
    assert "50 tanks of the Syria’s elite Tigers force" in t4
    assert "\uf0b7" not in t4
    for line in t4.split("\n"):
        if line.strip():
            assert line.rstrip()[-1] in ".;:!?\"”’", line[-60:]
    t3 = docs["003_7d8833298df37284"].text
    for gone in ("Leave a Reply", "Similar Posts", "Your email address"):
        assert gone not in t3
    assert docs["001_da8a945370320f17"].date == "2023-08-12"
    assert docs["003_7d8833298df37284"].outlet == "RT"
    assert docs["000_4d704c3045a45c94"].dateline == "DAMASCUS"


@pytest.mark.slow
def test_fakes_ingests_804_documents_once(db_path: Path) -> None:
    """FA-KES (latin-1 CSV) gives 804 documents; a second ingest adds nothing."""
    from tests.conftest import shared_path

    csv_path = shared_path("data", "fakes", "FA-KES-Dataset.csv")
    store = open_store(db_path)
    assert ingest([csv_path], store).counts.ingested == 804
    again = ingest([csv_path], store)
    assert again.counts.ingested == 0 and again.counts.new_versions == 0
    assert store.query("SELECT COUNT(*) AS n FROM documents")[0]["n"] == 804
