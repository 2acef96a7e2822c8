"""Issue 16, reproduced: each input that used to abort a batch, hide a document or leak a file."""

from __future__ import annotations

import json
import os
import pathlib
from pathlib import Path

import pytest

from tracewire.cli import main, printable
from tracewire.ingest import ingest
from tracewire.ingest.names import escape_name, unescape_name
from tracewire.records import Document
from tracewire.store import IngestBatch, SQLiteStore, open_store

ARTICLE = (
    "Local sources told the Levant Wire that three rockets struck the Conoco gas field on Saturday "
    "morning, causing a series of explosions inside the base, a spokesman said. "
) * 2


def _write(path: Path, data: bytes | str) -> Path:
    """Write bytes or UTF-8 text, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _codes(store: SQLiteStore) -> dict[str, str]:
    """Rejection code by the last part of the rejected path."""
    return {r.path.rsplit("/", 1)[-1]: r.code for r in store.rejections()}


def test_lone_surrogate_row_is_stored_and_the_batch_goes_on(tmp_path: Path, db_path: Path) -> None:
    """A JSONL row with "\\ud800" no longer aborts the batch: it and the good file are stored."""
    rows = '{"id": "bad", "title": "T\\udfff", "text": "' + ARTICLE + ' \\ud800 end"}\n'
    _write(tmp_path / "in" / "rows.jsonl", rows)
    _write(tmp_path / "in" / "seed.txt", ARTICLE)
    store = open_store(db_path)
    s = ingest([tmp_path / "in"], store)
    assert s.counts.ingested == 2 and not s.rejections
    doc = store.document("bad")
    assert "\ufffd end" in doc.text and doc.title == "T\ufffd" and doc.meta["surrogates_replaced"] == 2


def test_non_utf8_file_name_is_stored_losslessly(tmp_path: Path, db_path: Path) -> None:
    """``caf\\xe9.txt`` is stored with its name escaped; the escape gives back the exact bytes."""
    folder = tmp_path / "in"
    folder.mkdir()
    raw_name = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    with open(raw_name, "wb") as f:
        f.write(ARTICLE.encode())
    _write(folder / "other.txt", ARTICLE + " other")
    store = open_store(db_path)
    assert ingest([folder], store).counts.ingested == 2
    doc = store.document("caf\\xe9")
    assert doc.source_path.endswith("caf\\xe9.txt")
    assert unescape_name(doc.source_path) == raw_name
    for name in ("plain.txt", "back\\slash\\x41.txt", "caf\udce9\\.txt"):
        assert unescape_name(escape_name(name)) == os.fsencode(name)


def test_unreadable_folder_and_path_under_it_are_rejections(
        tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be listed, and a path that cannot be reached, are TW107, not a traceback."""
    _write(tmp_path / "in" / "good.txt", ARTICLE)
    _write(tmp_path / "in" / "locked" / "inside.txt", ARTICLE + " locked")
    locked = tmp_path / "in" / "locked"
    real_scandir, real_is_dir = os.scandir, pathlib.Path.is_dir

    def scandir(path: os.PathLike[str] | str) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    def is_dir(self: Path) -> bool:
        if locked in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_dir(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(pathlib.Path, "is_dir", is_dir)
    store = open_store(db_path)
    s = ingest([tmp_path / "in", locked / "inside.txt"], store)
    codes = _codes(store)
    assert codes["locked"] == "TW107" and codes["inside.txt"] == "TW107"
    assert "Permission denied" in " ".join(r.message for r in s.rejections)
    assert [d.id for d in store.documents()] == ["good"]


def test_symlinks_are_not_followed_unless_asked_and_never_out_of_the_roots(tmp_path: Path, db_path: Path) -> None:
    """``ln -s /etc/passwd in/x.txt`` is TW111; --follow-symlinks reads links inside the folder only."""
    d = tmp_path / "in"
    _write(d / "real.txt", ARTICLE)
    secret = _write(tmp_path / "secret" / "key.txt", ARTICLE + " secret")
    os.symlink("/etc/passwd", d / "x.txt")
    os.symlink(secret, d / "key.txt")
    os.symlink(d / "real.txt", d / "alias.txt")
    store = open_store(db_path)
    ingest([d], store)
    codes = _codes(store)
    assert codes["x.txt"] == codes["key.txt"] == codes["alias.txt"] == "TW111"
    assert [doc.id for doc in store.documents()] == ["real"]
    assert not any("root:" in doc.text for doc in store.documents())

    store2 = open_store(tmp_path / "follow.db")
    ingest([d], store2, follow_symlinks=True)
    codes = _codes(store2)
    assert codes["x.txt"] == codes["key.txt"] == "TW111"  # outside the given folder
    assert {doc.id for doc in store2.documents()} == {"real", "alias"}
    # a path named on the command line is the user's choice, link or not
    store3 = open_store(tmp_path / "named.db")
    ingest([d / "alias.txt"], store3)
    assert [doc.id for doc in store3.documents()] == ["alias"]


def test_same_stem_in_three_places_gives_three_documents(tmp_path: Path, db_path: Path) -> None:
    """``a/x.txt``, ``b/x.txt`` and ``x.html`` all stay visible; re-ingest adds nothing."""
    d = tmp_path / "in"
    _write(d / "a" / "x.txt", ARTICLE + " from a")
    _write(d / "b" / "x.txt", ARTICLE + " from b")
    _write(d / "x.html", f"<html><body><article><p>{ARTICLE} from html</p></article></body></html>")
    store = open_store(db_path)
    s = ingest([d], store)
    assert s.counts.ingested == 3 and s.counts.new_versions == 0
    ids = sorted(doc.id for doc in store.documents())
    assert ids == ["b/x.txt", "x", "x.txt"]
    assert sorted(c.stored_as for c in s.collisions) == ["b/x.txt", "x.txt"]
    assert {c.wanted for c in s.collisions} == {"x"}
    again = ingest([d], store)
    assert again.counts.ingested == again.counts.new_versions == 0 and again.unchanged_inputs == 3
    # a new version only when the same source changes: b/x.txt changes, the others stay version 1
    _write(d / "b" / "x.txt", ARTICLE + " from b, updated")
    third = ingest([d], store)
    assert third.counts.new_versions == 1 and third.counts.ingested == 0
    assert store.document("b/x.txt").version == 2 and store.document("x").version == 1
    assert store.document("b/x.txt").text.endswith("updated")


def test_two_datasets_numbered_alike_keep_every_row(tmp_path: Path, db_path: Path) -> None:
    """Two corpora with ids 1-100 give 200 documents; a row named like a file does not replace it."""
    for name in ("one", "two"):
        rows = [json.dumps({"id": str(i), "text": f"{ARTICLE} {name} {i}"}) for i in range(1, 101)]
        _write(tmp_path / f"{name}.jsonl", "\n".join(rows) + "\n")
    _write(tmp_path / "004_5f7f21560a4aea28.txt", ARTICLE + " the seed")
    _write(tmp_path / "claims.jsonl", json.dumps({"id": "004_5f7f21560a4aea28", "text": ARTICLE + " fake"}))
    store = open_store(db_path)
    s = ingest([tmp_path / "004_5f7f21560a4aea28.txt", tmp_path / "one.jsonl", tmp_path / "two.jsonl",
                tmp_path / "claims.jsonl"], store)
    assert s.counts.ingested == 202 and s.counts.new_versions == 0
    assert store.query("SELECT COUNT(*) AS n FROM current_documents")[0]["n"] == 202
    assert store.document("004_5f7f21560a4aea28").text.endswith("the seed")
    assert store.document("claims.jsonl:004_5f7f21560a4aea28").text.endswith("fake")
    assert store.document("1").text.endswith("one 1")
    assert store.document("two.jsonl:1").text.endswith("two 1")
    row = store.query("SELECT wanted_id FROM documents WHERE id='two.jsonl:1'")[0]
    assert row["wanted_id"] == "1"


def test_documents_written_before_sources_keep_their_ids(tmp_path: Path, db_path: Path) -> None:
    """A store filled before migration 007 (no source): the file that made a document adopts it."""
    f = _write(tmp_path / "story.txt", ARTICLE)
    store = open_store(db_path)
    batch = IngestBatch()
    batch.documents.append((Document(id="story", text="An older text of the story, long enough here.",
                                     sha256="0" * 64, source_path=str(f)), None, None))
    store.write_ingest_batch(batch)
    s = ingest([f], store)
    assert s.counts.new_versions == 1 and not s.collisions
    assert [d.id for d in store.documents()] == ["story"]


def test_bad_rows_are_rejected_one_by_one(tmp_path: Path, db_path: Path) -> None:
    """A deep-nested row and a 5,000-digit row are TW109 alone; the good rows of the file are kept."""
    lines = [json.dumps({"id": "a", "text": ARTICLE}), "[" * 100_000 + "]" * 100_000,
             '{"id": "n", "v": ' + "9" * 5000 + ', "text": "x"}', '{"a":' * 40 + "1" + "}" * 40,
             json.dumps({"id": "b", "text": ARTICLE + " b"})]
    _write(tmp_path / "rows.jsonl", "\n".join(lines) + "\n")
    store = open_store(db_path)
    ingest([tmp_path / "rows.jsonl"], store)
    assert sorted(d.id for d in store.documents()) == ["a", "b"]
    codes = _codes(store)
    assert codes == {"rows.jsonl:2": "TW109", "rows.jsonl:3": "TW109", "rows.jsonl:4": "TW109"}


def test_unbalanced_csv_quote_is_reported_and_later_rows_survive(tmp_path: Path, db_path: Path) -> None:
    """A quote that never closes is TW109 on its row; the rows after it are not merged into it."""
    text = (f'id,text\n1,"{ARTICLE} one"\n2,"{ARTICLE} two, the quote never closes\n'
            f'3,"{ARTICLE} three"\n4,"{ARTICLE} four\nwith a second line"\n')
    _write(tmp_path / "c.csv", text)
    store = open_store(db_path)
    ingest([tmp_path / "c.csv"], store)
    docs = {d.id: d.text for d in store.documents()}
    assert sorted(docs) == ["1", "3", "4"]
    assert docs["4"].endswith("with a second line") and docs["1"].endswith("one")
    assert docs["3"].endswith("three")
    rej = list(store.rejections())
    assert [(r.path.rsplit("/", 1)[-1], r.code) for r in rej] == [("c.csv:2", "TW109")]
    assert "unbalanced quote" in rej[0].message


@pytest.mark.parametrize(("data", "expected", "encoding"), [
    ("Café attack near the mosque, owners said, and the café closed. ".encode("latin-1") * 3, "Café attack",
     "cp1252"),
    ("\ufeffCafé attack near the mosque, owners said, and it closed.".encode("utf-32-le"), "Café attack",
     "utf-32"),
    ("Café attack near the mosque. ".encode() + "Le café a été touché par une roquette. ".encode("latin-1"),
     "Le café a été touché", "utf-8+cp1252"),
    ("قالت مصادر محلية إن ثلاثة صواريخ أصابت حقل الغاز صباح السبت. ".encode("cp1256") * 3, "صواريخ", "cp1256"),
    ("Местные источники сообщили, что три ракеты попали в месторождение. ".encode("koi8_r") * 3, "ракеты",
     "koi8_r"),
])
def test_decoding_is_honest(tmp_path: Path, db_path: Path, data: bytes, expected: str, encoding: str) -> None:
    """Latin-1 is not cp775, UTF-32 is not UTF-16, mixed UTF-8/Latin-1 is not hp_roman8."""
    _write(tmp_path / "t.txt", data)
    store = open_store(db_path)
    ingest([tmp_path / "t.txt"], store)
    doc = store.document("t")
    assert expected in doc.text and "\x00" not in doc.text
    assert doc.meta["encoding"] == encoding


def test_nul_bytes_after_4kb_are_removed_with_a_record_and_garbage_is_tw103(tmp_path: Path, db_path: Path) -> None:
    """NULs late in a text file no longer reach the store; bytes no charset fits are TW103."""
    body = (ARTICLE * 30).encode()
    _write(tmp_path / "nul.txt", body[:5000] + b"\x00" + body[5000:])
    _write(tmp_path / "junk.txt", bytes(range(160, 256)) * 30)
    store = open_store(db_path)
    ingest([tmp_path / "nul.txt", tmp_path / "junk.txt"], store)
    doc = store.document("nul")
    assert "\x00" not in doc.text and doc.meta["nul_removed"] == 1
    assert _codes(store) == {"junk.txt": "TW103"}


def test_costly_inputs_are_refused_early(tmp_path: Path, db_path: Path) -> None:
    """A PDF declaring 100k pages is TW104 and a 5.5-million-character line TW106, without reading them."""
    from tests.reliability.generator import page_bomb

    _write(tmp_path / "bomb.pdf", page_bomb(100_000))
    _write(tmp_path / "line.txt", "word " * 1_100_000)
    store = open_store(db_path)
    ingest([tmp_path / "bomb.pdf", tmp_path / "line.txt"], store)
    assert _codes(store) == {"bomb.pdf": "TW104", "line.txt": "TW106"}


def test_summary_shows_names_and_collisions_without_terminal_escapes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Escape codes in names and messages reach the terminal as visible text; collisions are listed."""
    d = tmp_path / "in"
    _write(d / "\x1b]0;owned\x07.txt", b"")
    _write(d / "a" / "x.txt", ARTICLE)
    _write(d / "b" / "x.txt", ARTICLE + " b")
    assert main(["ingest", str(d), "--db", str(tmp_path / "tw.db")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;owned\\x07.txt" in out
    assert "1 id collisions" in out and "x -> x.txt" in out
    assert printable("a\u202eb\x9bc\ud800") == "a\\u202eb\\x9bc\\ud800"
