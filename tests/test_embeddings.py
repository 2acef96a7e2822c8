"""The bundled sentence-embedding model loads offline and ranks paraphrases above unrelated text."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tracewire import embeddings
from tracewire.errors import MissingDependencyError


def test_paraphrase_is_nearer_than_an_unrelated_sentence_and_vectors_repeat() -> None:
    """Unit vectors; the same text twice gives the same bytes; a paraphrase beats an unrelated line."""
    texts = ["Government troops retook the village of Kafr Nabl on Monday, the ministry said.",
             "The ministry said the army recaptured Kafr Nabl village on Monday.",
             "The football club signed a new goalkeeper for the coming season."]
    first, again = embeddings.encode(texts), embeddings.encode(texts)
    assert first.shape == (3, embeddings.DIM) and first.dtype == np.float32
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert embeddings.to_blob(first[0]) == embeddings.to_blob(again[0])
    assert np.array_equal(embeddings.from_blob(embeddings.to_blob(first[1])), first[1])
    assert float(first[0] @ first[1]) > 0.7 > 0.2 > float(first[0] @ first[2])
    assert embeddings.encode([]).shape == (0, embeddings.DIM)
    assert len(embeddings.model_hash()) == 16


def test_a_missing_piece_runtime_is_a_coded_dependency_error_naming_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The MiniLM tagger and span classifier check onnxruntime and tokenizers through one function."""
    embeddings.require_piece_runtime("techniques MiniLM tagger")  # both installed: no error
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    with pytest.raises(MissingDependencyError, match="techniques MiniLM tagger needs onnxruntime"):
        embeddings.require_piece_runtime("techniques MiniLM tagger")
