"""The ONNX Runtime encoder: the torch reference's vectors (cosine >= 0.9999 on real text), and a text's
bytes that depend on nothing but the text (not its neighbours, their lengths, the batch or the threads)."""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import shared_path
from tracewire import embeddings
from tracewire.errors import Code, UsageError

# written for this test: a dateline, odd spacing, non-ASCII, an empty text and one past 256 tokens
MINE = ["DAMASCUS – Rockets hit the old city on Monday, state media said.",
        "  Two   soldiers were killed\tnear Palmyra, the ministry said.  ",
        "Le maire d'Alep a dit «non» — 阿勒颇 — the council met in Ḥamāh.",
        "",
        " ".join(f"Convoy {k} moved north from the border crossing towards the river." for k in range(40))]


def _fakes_sentences(limit: int = 60) -> list[str]:
    """Sentences of the first FA-KES articles, and a whole article (longer than 256 tokens)."""
    path = shared_path("data", "fakes", "FA-KES-Dataset.csv")
    csv.field_size_limit(sys.maxsize)
    out: list[str] = []
    with Path(path).open(encoding="utf-8", errors="replace", newline="") as f:
        for k, row in enumerate(csv.DictReader(f)):
            body = row.get("article_content") or ""
            if k < 1:
                out.append(body)
            out += [s for s in re.split(r"(?<=[.!?])\s+", body) if len(s.split()) >= 4]
            if len(out) >= limit:
                break
    return out[:limit]


def test_onnx_vectors_match_the_torch_reference_on_real_text() -> None:
    """Every vector is within cosine 0.9999 of sentence-transformers' on torch, and the two backends
    key their vectors differently (stored vectors of one are never read as the other's)."""
    texts = _fakes_sentences() + MINE
    ours = embeddings.encode(texts, name="onnx", threads=1)
    ref = embeddings.encode(texts, name="torch", threads=1)
    assert ours.shape == ref.shape == (len(texts), embeddings.DIM) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-6)
    cosines = (ours * ref).sum(axis=1)
    assert float(cosines.min()) >= 0.9999, texts[int(cosines.argmin())][:80]
    assert embeddings.model_hash("onnx") != embeddings.model_hash("torch")
    assert len(embeddings.model_hash("onnx")) == 16


def test_a_texts_bytes_depend_on_the_text_alone() -> None:
    """Alone, in a batch of other texts, in another order, in smaller batches and with 1 or 2 threads,
    each text gets the same bytes (texts are run in groups of one token length, never padded)."""
    texts = MINE + ["Rockets hit Aleppo.", "Rockets hit Idlib.", "Rockets hit Aleppo on Monday night.",
                    "The army said rockets hit Aleppo on Monday night, killing three."]
    together = embeddings.encode(texts, name="onnx", threads=1)
    for k, text in enumerate(texts):
        assert embeddings.to_blob(embeddings.encode([text], name="onnx", threads=2)[0]) == embeddings.to_blob(together[k])
    reordered = embeddings.encode(texts[::-1] * 3, name="onnx", threads=2, batch_size=2)
    assert np.array_equal(reordered[: len(texts)][::-1], together)
    assert np.array_equal(reordered[len(texts):2 * len(texts)][::-1], together)


def test_a_cache_folder_that_cannot_be_written_is_a_coded_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """TW005 names the folder and the two fixes; an unknown backend is TW002."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    monkeypatch.setenv("TRACEWIRE_MODEL_CACHE", str(blocker / "models"))
    with pytest.raises(UsageError) as err:
        embeddings.onnx_file()
    assert err.value.code == Code.TW005
    assert "TRACEWIRE_MODEL_CACHE" in str(err.value) and "TRACEWIRE_ENCODER=torch" in str(err.value)
    monkeypatch.setenv("TRACEWIRE_ENCODER", "tensorflow")
    with pytest.raises(UsageError) as bad:
        embeddings.encode(["x"])
    assert bad.value.code == Code.TW002 and "onnx, torch" in str(bad.value)
