"""One vector table shared by the narratives and fact-check stages (migration 013)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tracewire.store import open_store
from tracewire.store.factchecks import FactcheckStore
from tracewire.store.vectors import cached_vectors, text_sha


def _fake_encode(calls: list[list[str]]):  # type: ignore[no-untyped-def]
    """An encoder that records what it was asked and gives each text a unit vector from its length."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        """Unit vectors: a one at position len(text) mod 384."""
        calls.append(list(texts))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for k, t in enumerate(texts):
            out[k, len(t) % 384] = 1.0
        return out

    return encode


def test_each_distinct_text_is_encoded_once_shortest_first_and_rows_follow_the_input(tmp_path: Path) -> None:
    """Repeated texts are encoded once, a second call encodes nothing, and every input gets its row."""
    store = open_store(tmp_path / "tw.db")
    calls: list[list[str]] = []
    texts = ["the longest text of the three", "short", "the longest text of the three", "a middle one"]
    try:
        vecs, new = cached_vectors(store.conn, texts, _fake_encode(calls))  # type: ignore[attr-defined]
        assert new == 3 and calls == [["short", "a middle one", "the longest text of the three"]]
        assert vecs.shape == (4, 384) and np.array_equal(vecs[0], vecs[2])
        assert vecs[1, len("short")] == 1.0
        again, new = cached_vectors(store.conn, list(reversed(texts)), _fake_encode(calls))  # type: ignore[attr-defined]
        assert new == 0 and len(calls) == 1 and np.array_equal(again[::-1], vecs)
    finally:
        store.close()


def test_the_fact_check_stage_reads_what_the_narratives_stage_stored(tmp_path: Path) -> None:
    """A vector stored through the shared table is the one the fact-check store returns."""
    from tracewire import embeddings

    store = open_store(tmp_path / "tw.db")
    calls: list[list[str]] = []
    try:
        vecs, _ = cached_vectors(store.conn, ["Rockets hit Aleppo on Monday."], _fake_encode(calls))  # type: ignore[attr-defined]
        got = FactcheckStore.of(store).vectors([text_sha("Rockets hit Aleppo on Monday.")], embeddings.model_hash())
        assert list(got) == [text_sha("Rockets hit Aleppo on Monday.")]
        assert np.frombuffer(next(iter(got.values())), dtype="<f4").tolist() == vecs[0].tolist()
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}  # type: ignore[attr-defined]
        assert "claim_vectors" in tables and "embeddings" not in tables
    finally:
        store.close()


def test_a_store_made_before_013_keeps_its_fact_check_vectors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migration 013 moves the rows of the old ``embeddings`` table into ``claim_vectors`` and drops it."""
    from tracewire.store import sqlite as backend

    shipped = backend.migrations()
    monkeypatch.setattr(backend, "migrations", lambda: [m for m in shipped if m[0] < 13])
    store = open_store(tmp_path / "tw.db")
    blob = np.arange(384, dtype="<f4").tobytes()
    store.conn.execute("INSERT INTO embeddings(text_sha, model, vector) VALUES ('abc', 'm1', ?)", (blob,))  # type: ignore[attr-defined]
    store.conn.execute("INSERT INTO claim_vectors(text_sha, model, vector) VALUES ('def', 'm1', ?)", (blob,))  # type: ignore[attr-defined]
    store.close()
    monkeypatch.setattr(backend, "migrations", lambda: shipped)
    store = open_store(tmp_path / "tw.db")
    try:
        got = FactcheckStore.of(store).vectors(["abc", "def", "xyz"], "m1")
        assert sorted(got) == ["abc", "def"] and got["abc"] == blob
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}  # type: ignore[attr-defined]
        assert "embeddings" not in tables
    finally:
        store.close()


def test_vectors_of_one_encoder_backend_are_never_read_as_the_others(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored under the torch backend's model hash, a text is encoded again under ONNX's, and back."""
    from tracewire import embeddings

    store = open_store(tmp_path / "tw.db")
    calls: list[list[str]] = []
    try:
        monkeypatch.setenv("TRACEWIRE_ENCODER", "torch")
        _, new = cached_vectors(store.conn, ["Shelling hit Daraa."], _fake_encode(calls))  # type: ignore[attr-defined]
        assert new == 1
        monkeypatch.setenv("TRACEWIRE_ENCODER", "onnx")
        _, new = cached_vectors(store.conn, ["Shelling hit Daraa."], _fake_encode(calls))  # type: ignore[attr-defined]
        assert new == 1
        models = {r[0] for r in store.conn.execute("SELECT model FROM claim_vectors")}  # type: ignore[attr-defined]
        assert models == {embeddings.model_hash("torch"), embeddings.model_hash("onnx")}
        monkeypatch.setenv("TRACEWIRE_ENCODER", "torch")
        _, new = cached_vectors(store.conn, ["Shelling hit Daraa."], _fake_encode(calls))  # type: ignore[attr-defined]
        assert new == 0 and len(calls) == 2
    finally:
        store.close()
